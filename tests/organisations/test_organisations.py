import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from rjportal.audit.models import AuditEvent
from rjportal.organisations.constants import OrganisationKind
from rjportal.organisations.models import Organisation
from rjportal.organisations.services import organisation_create, organisation_update
from tests.factories import DYFED_POWYS, ESSEX, KENT, ProviderFactory, area

pytestmark = pytest.mark.django_db


def test_create_records_the_areas_and_an_audit_event(admin_user):
    organisation = organisation_create(
        actor=admin_user, name="Essex RJ Hub", kind=OrganisationKind.RJ_PROVIDER, areas=[area(ESSEX), area(KENT)]
    )
    assert set(organisation.areas.values_list("code", flat=True)) == {ESSEX, KENT}
    event = AuditEvent.objects.for_target(organisation).get()
    assert (event.action, event.actor, event.changes) == ("create", admin_user, {"areas": [ESSEX, KENT]})


def test_an_organisation_must_serve_an_area(admin_user):
    with pytest.raises(ValidationError, match="at least one police area"):
        organisation_create(actor=admin_user, name="Nowhere", kind=OrganisationKind.OTHER, areas=[])
    assert not Organisation.objects.filter(name="Nowhere").exists()


def test_names_are_unique_ignoring_case(admin_user):
    ProviderFactory(name="Kent RJ")
    with pytest.raises(ValidationError):
        organisation_create(actor=admin_user, name="KENT rj", kind=OrganisationKind.OTHER, areas=[area(KENT)])
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="kent rj", kind=OrganisationKind.OTHER)


def test_update_audits_only_what_changed(admin_user):
    organisation = ProviderFactory(name="Old name", areas=[area(KENT)])
    organisation_update(actor=admin_user, organisation=organisation, name="New name", areas=[area(DYFED_POWYS)])
    event = AuditEvent.objects.for_target(organisation).get()
    assert event.changes == {
        "name": {"from": "Old name", "to": "New name"},
        "areas": {"from": [KENT], "to": [DYFED_POWYS]},
    }
    organisation_update(actor=admin_user, organisation=organisation, name="New name")
    assert AuditEvent.objects.for_target(organisation).count() == 1


@pytest.mark.parametrize(
    ("persona", "expected_status"),
    [("admin", 200), ("pcc", 200), ("provider", 200), ("moderator", 403)],
    indirect=["persona"],
)
def test_organisation_list_access(client, persona, expected_status):
    client.force_login(persona)
    assert client.get(reverse("organisations:list")).status_code == expected_status


def test_admin_sees_every_organisation_and_staff_only_their_own(client, admin_user, pcc_user, provider_user):
    client.force_login(admin_user)
    assert client.get(reverse("organisations:list")).context["organisations"].paginator.count == 2
    client.force_login(pcc_user)
    assert list(client.get(reverse("organisations:list")).context["organisations"]) == [pcc_user.organisation]


def test_organisation_list_filters_by_kind_and_name(client, admin_user, pcc_user, provider_user):
    client.force_login(admin_user)
    response = client.get(reverse("organisations:list"), {"kind": "rj_provider"})
    assert list(response.context["organisations"]) == [provider_user.organisation]
    response = client.get(reverse("organisations:list"), {"q": "no such name"})
    assert "No organisations match these filters." in response.content.decode()


def test_staff_see_their_organisation_and_its_people(client, pcc_user):
    client.force_login(pcc_user)
    response = client.get(reverse("organisations:mine"), follow=True)
    assert response.status_code == 200
    assert response.context["organisation"] == pcc_user.organisation
    assert pcc_user.email in response.content.decode()


def test_another_organisation_is_not_found_rather_than_forbidden(client, pcc_user, other_pcc_user):
    client.force_login(pcc_user)
    url = reverse("organisations:detail", kwargs={"pk": other_pcc_user.organisation.pk})
    assert client.get(url).status_code == 404


def test_admin_can_open_any_organisation(client, admin_user, other_pcc_user):
    client.force_login(admin_user)
    url = reverse("organisations:detail", kwargs={"pk": other_pcc_user.organisation.pk})
    assert client.get(url).status_code == 200


def test_someone_without_an_organisation_has_no_mine_page(client, moderator_user):
    client.force_login(moderator_user)
    assert client.get(reverse("organisations:mine")).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, pcc_user):
    url = reverse("organisations:detail", kwargs={"pk": pcc_user.organisation.pk})
    assert client.get(url).status_code == 302
