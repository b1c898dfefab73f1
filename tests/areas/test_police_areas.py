from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from rjportal.areas.constants import GovernanceKind
from rjportal.areas.models import GoverningBody, PoliceArea
from rjportal.areas.services import governing_body_create, governing_body_end
from rjportal.audit.models import AuditEvent
from tests.factories import KENT, area

pytestmark = pytest.mark.django_db


def test_migration_loads_the_43_areas_with_their_ons_codes():
    assert PoliceArea.objects.count() == 43
    assert PoliceArea.objects.filter(country="Wales").count() == 4
    assert PoliceArea.objects.get(code="E23000034").name == "London, City of"
    assert sum(PoliceArea.objects.values_list("population", flat=True)) == 60_854_727


def test_every_area_has_exactly_one_current_governing_body():
    current = GoverningBody.objects.current()
    assert current.count() == 43
    assert set(current.values_list("area__code", flat=True)) == set(PoliceArea.objects.values_list("code", flat=True))
    kinds = {kind: current.filter(kind=kind).count() for kind in GovernanceKind.values}
    assert kinds == {"pcc": 33, "pfcc": 4, "mayor": 5, "city_of_london": 1}


def test_south_yorkshire_history_shows_the_2024_transfer_to_the_mayor():
    bodies = list(area("E23000011").governing_bodies.order_by("start_date"))
    assert [(body.kind, body.end_date) for body in bodies] == [("pcc", date(2024, 5, 6)), ("mayor", None)]
    assert GoverningBody.objects.current_on(date(2024, 5, 6)).get(area__code="E23000011").kind == "pcc"
    assert GoverningBody.objects.current_on(date(2024, 5, 7)).get(area__code="E23000011").kind == "mayor"


def test_a_body_cannot_start_while_another_governs_the_area(admin_user):
    kent = area(KENT)
    with pytest.raises(ValidationError, match="already governed by Kent Police and Crime Commissioner"):
        governing_body_create(
            actor=admin_user, area=kent, name="Kent Mayor", kind=GovernanceKind.MAYOR, start_date=date(2028, 5, 8)
        )
    assert kent.governing_bodies.count() == 1
    assert not AuditEvent.objects.exists()


def test_handing_over_ends_the_old_body_then_starts_the_new(admin_user):
    kent = area(KENT)
    pcc = kent.governing_bodies.get()
    governing_body_end(actor=admin_user, body=pcc, end_date=date(2028, 5, 7))
    mayor = governing_body_create(
        actor=admin_user, area=kent, name="Kent Mayor", kind=GovernanceKind.MAYOR, start_date=date(2028, 5, 8)
    )
    assert kent.governing_bodies.current().get() == mayor
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == ["update", "create"]


def test_a_past_period_overlapping_another_is_refused(admin_user):
    # South Yorkshire's PCC governed from 2012 to 6 May 2024.
    with pytest.raises(ValidationError, match="may not overlap"):
        governing_body_create(
            actor=admin_user,
            area=area("E23000011"),
            name="Interim body",
            kind=GovernanceKind.PCC,
            start_date=date(2020, 1, 1),
            end_date=date(2020, 12, 31),
        )


def test_ending_before_starting_is_refused(admin_user):
    pcc = area(KENT).governing_bodies.get()
    with pytest.raises(ValidationError, match="same as or after the start date"):
        governing_body_end(actor=admin_user, body=pcc, end_date=date(2000, 1, 1))
    pcc.refresh_from_db()
    assert pcc.end_date is None


def test_database_refuses_a_second_current_body():
    with pytest.raises(IntegrityError), transaction.atomic():
        GoverningBody.objects.create(area=area(KENT), name="Second", kind="pcc", start_date=date(2030, 1, 1))


def test_database_refuses_an_end_before_the_start():
    with pytest.raises(IntegrityError), transaction.atomic():
        GoverningBody.objects.create(
            area=area(KENT), name="Backwards", kind="pcc", start_date=date(2000, 1, 2), end_date=date(2000, 1, 1)
        )
