from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from referrals.constants import Stage
from referrals.models import Referral, ReferralEvent
from referrals.services import referral_create, referral_transition, referral_update
from rjportal.audit.models import AuditEvent
from tests.factories import ESSEX, KENT, PccOfficeFactory, ReferralFactory, ReferringTeamFactory, area

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today_is_2_march_2026():
    with time_machine.travel(date(2026, 3, 2), tick=False):
        yield


def values(team, **overrides):
    base = {
        "area": team.area,
        "reference": "RJ-100",
        "referring_team": team,
        "initiator": "victim",
        "offence_group": "theft_offences",
        "offence_subgroup": "burglary",
        "justice_stage": "pre_sentence",
        "crime_reported_on": date(2026, 1, 5),
        "victim_informed_on": date(2026, 1, 6),
        "victim_requested_on": date(2026, 1, 7),
        "referred_on": date(2026, 1, 8),
        "received_on": date(2026, 1, 9),
    }
    return {**base, **overrides}


def test_create_starts_at_referred_with_a_timeline_event_and_audit(provider_user):
    team = ReferringTeamFactory()
    referral = referral_create(actor=provider_user, provider=provider_user.organisation, **values(team))
    assert (referral.stage, referral.stage_changed_on) == (Stage.REFERRED, date(2026, 1, 9))
    assert referral.information_due_on == date(2026, 1, 12)
    assert referral.events.get().to_stage == Stage.REFERRED
    assert AuditEvent.objects.for_target(referral).get().action == "create"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"received_on": date(2026, 3, 3)}, "received_on", "must be today or in the past"),
        ({"received_on": date(2026, 1, 7)}, "received_on", "must be the same as or after the referral date"),
        ({"offence_subgroup": "homicide"}, "offence_subgroup", "must belong to the offence group"),
        ({"justice_stage": "not_reported"}, "crime_reported_on", "Leave the date the crime was reported empty"),
        ({"area": None}, "area", "does not serve"),
    ],
)
def test_invalid_values_are_refused_and_nothing_is_written(provider_user, overrides, field, message):
    team = ReferringTeamFactory()
    if overrides.get("area", "") is None:
        overrides = {"area": area(ESSEX), "referring_team": ReferringTeamFactory(area=area(ESSEX))}
    with pytest.raises(ValidationError) as error:
        referral_create(actor=provider_user, provider=provider_user.organisation, **values(team, **overrides))
    assert message in error.value.message_dict[field][0]
    assert not Referral.objects.exists()
    assert not AuditEvent.objects.filter(action="create").exists()


def test_a_team_from_another_area_is_refused(provider_user):
    team = ReferringTeamFactory(area=area(ESSEX))
    with pytest.raises(ValidationError) as error:
        referral_create(actor=provider_user, provider=provider_user.organisation, **values(team, area=area(KENT)))
    assert error.value.message_dict["referring_team"] == ["Choose a team from Kent"]


def test_only_rj_providers_hold_referrals(provider_user):
    with pytest.raises(ValidationError) as error:
        referral_create(actor=provider_user, provider=PccOfficeFactory(), **values(ReferringTeamFactory()))
    assert "is not an RJ provider" in error.value.message_dict["provider"][0]


def test_references_are_unique_per_provider_whatever_their_capitals(provider_user):
    existing = ReferralFactory(provider=provider_user.organisation, reference="RJ-100")
    with pytest.raises(ValidationError) as error:
        referral_create(
            actor=provider_user,
            provider=provider_user.organisation,
            **values(existing.referring_team, reference="rj-100"),
        )
    assert error.value.message_dict["reference"] == ["You already have a referral with the reference RJ-100"]
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralFactory(provider=provider_user.organisation, reference="rj-100")
    # Another provider may use the same reference.
    ReferralFactory(reference="RJ-100")


def test_update_records_what_changed(provider_user):
    referral = ReferralFactory(provider=provider_user.organisation)
    referral_update(actor=provider_user, referral=referral, contact_attempts=3)
    event = AuditEvent.objects.for_target(referral).get()
    assert event.changes == {"contact_attempts": {"from": 0, "to": 3}}


def walk(referral, actor, *steps):
    for to_stage, extra in steps:
        referral = referral_transition(
            actor=actor, referral=referral, to_stage=to_stage, on_date=date(2026, 2, 1), **extra
        )
    return referral


def test_the_full_path_to_completed(provider_user):
    referral = ReferralFactory(provider=provider_user.organisation)
    referral = walk(
        referral,
        provider_user,
        (Stage.CONTACTING, {}),
        (Stage.ASSESSING, {}),
        (Stage.PREPARING, {}),
        (Stage.INTERVENTION, {"intervention_type": "face_to_face"}),
        (Stage.COMPLETED, {"agreement_reached": True, "victim_satisfaction": 5}),
    )
    assert (referral.stage, referral.agreement_reached, referral.victim_satisfaction) == ("completed", True, 5)
    assert list(referral.events.values_list("to_stage", flat=True)) == [
        "contacting",
        "assessing",
        "preparing",
        "intervention",
        "completed",
    ]
    assert AuditEvent.objects.filter(action="transition").count() == 5


@pytest.mark.parametrize("stage", [Stage.REFERRED, Stage.CONTACTING, Stage.ASSESSING, Stage.PREPARING])
def test_any_open_stage_can_close_with_a_reason(provider_user, stage):
    referral = ReferralFactory(provider=provider_user.organisation, stage=stage)
    referral = referral_transition(
        actor=provider_user,
        referral=referral,
        to_stage=Stage.CLOSED,
        on_date=date(2026, 2, 1),
        reason="declined_by_victim",
    )
    assert (referral.stage, referral.closure_reason) == ("closed", "declined_by_victim")
    assert referral.events.get().reason == "declined_by_victim"


@pytest.mark.parametrize(
    ("stage", "to_stage", "extra", "field", "message"),
    [
        (
            "referred",
            "assessing",
            {},
            "to_stage",
            "A referral at referred can move to contacting or closed, not assessing",
        ),
        ("referred", "completed", {}, "to_stage", "can move to contacting or closed, not completed"),
        ("closed", "contacting", {"closure_reason": "withdrawn"}, "to_stage", "can move to nothing: it has ended"),
        ("referred", "closed", {}, "reason", "Select why the referral was closed"),
        ("preparing", "intervention", {}, "intervention_type", "Select the type of intervention"),
    ],
)
def test_transitions_not_allowed_are_refused_and_change_nothing(provider_user, stage, to_stage, extra, field, message):
    referral = ReferralFactory(provider=provider_user.organisation, stage=stage, **extra)
    with pytest.raises(ValidationError) as error:
        referral_transition(actor=provider_user, referral=referral, to_stage=to_stage, on_date=date(2026, 2, 1))
    assert message in error.value.message_dict[field][0]
    referral.refresh_from_db()
    assert referral.stage == stage
    assert not ReferralEvent.objects.exists()
    assert not AuditEvent.objects.filter(action="transition").exists()


def test_completion_needs_the_outcome(provider_user):
    referral = ReferralFactory(provider=provider_user.organisation, stage="intervention", intervention_type="letters")
    with pytest.raises(ValidationError) as error:
        referral_transition(actor=provider_user, referral=referral, to_stage="completed", on_date=date(2026, 2, 1))
    assert set(error.value.message_dict) == {"agreement_reached", "victim_satisfaction"}


@pytest.mark.parametrize(
    ("on_date", "message"),
    [(date(2026, 3, 3), "must be today or in the past"), (date(2026, 1, 1), "must be on or after 12 January 2026")],
)
def test_transition_dates_must_be_sensible(provider_user, on_date, message):
    referral = ReferralFactory(provider=provider_user.organisation)
    with pytest.raises(ValidationError) as error:
        referral_transition(actor=provider_user, referral=referral, to_stage="contacting", on_date=on_date)
    assert message in error.value.message_dict["on_date"][0]


# A referral's timeline stays in order when it is edited ------------------------------------


@pytest.fixture
def moved_referral(provider_user):
    """Received on 9 January, contacting from 20 January 2026."""
    team = ReferringTeamFactory(area=area(KENT))
    referral = referral_create(actor=provider_user, provider=provider_user.organisation, **values(team))
    return referral_transition(actor=provider_user, referral=referral, to_stage="contacting", on_date=date(2026, 1, 20))


def test_an_edit_may_not_move_the_received_date_after_the_first_move(provider_user, moved_referral):
    with pytest.raises(ValidationError) as error:
        referral_update(actor=provider_user, referral=moved_referral, received_on=date(2026, 1, 21))
    assert error.value.message_dict == {
        "received_on": [
            "The date the referral was received must be on or before 20 January 2026, when it moved to contacting"
        ]
    }
    moved_referral.refresh_from_db()
    assert moved_referral.received_on == date(2026, 1, 9)


def test_an_edit_up_to_the_first_move_is_allowed_and_moves_the_timelines_start(provider_user, moved_referral):
    referral_update(
        actor=provider_user, referral=moved_referral, referred_on=date(2026, 1, 19), received_on=date(2026, 1, 20)
    )
    first = moved_referral.events.order_by("happened_on", "id").first()
    assert (first.to_stage, first.happened_on) == ("referred", date(2026, 1, 20))


def test_a_referral_still_at_referred_moves_its_stage_date_with_the_received_date(provider_user):
    team = ReferringTeamFactory(area=area(KENT))
    referral = referral_create(actor=provider_user, provider=provider_user.organisation, **values(team))
    referral_update(actor=provider_user, referral=referral, received_on=date(2026, 2, 1))
    referral.refresh_from_db()
    assert referral.stage_changed_on == date(2026, 2, 1)
    assert referral.events.get().happened_on == date(2026, 2, 1)
