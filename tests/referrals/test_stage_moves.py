"""Quicker moves: a later stage recorded directly with the date of each stage passed, the
latest move corrected (kept in the timeline, marked corrected), and contact attempts counted."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from referrals.models import Referral, ReferralEvent
from referrals.services import (
    referral_advance,
    referral_contact_attempt_record,
    referral_move_correct,
    referral_transition,
)
from rjportal.audit.models import AuditEvent
from tests.factories import ESSEX, ProviderFactory, ReferralFactory, area

pytestmark = pytest.mark.django_db

COMPLETION = {"intervention_type": "face_to_face", "agreement_reached": True, "victim_satisfaction": 4}


@pytest.fixture(autouse=True)
def today_is_2_march_2026():
    with time_machine.travel(date(2026, 3, 2), tick=False):
        yield


@pytest.fixture
def referral(provider_user):
    referral = ReferralFactory(provider=provider_user.organisation, reference="KENT-1")
    ReferralEvent.objects.create(referral=referral, to_stage="referred", happened_on=referral.received_on)
    return referral


def moves(referral):
    return list(
        referral.events.exclude(from_stage="").values_list("from_stage", "to_stage", "happened_on", "corrected_at")
    )


# The service ---------------------------------------------------------------------------------


def test_advance_to_completed_moves_through_every_stage_with_its_date(provider_user, referral):
    dates = {
        "contacting": date(2026, 1, 13),
        "assessing": date(2026, 1, 20),
        "preparing": date(2026, 1, 27),
        "intervention": date(2026, 2, 3),
        "completed": date(2026, 2, 10),
    }
    referral_advance(actor=provider_user, referral=referral, to_stage="completed", dates=dates, **COMPLETION)
    referral.refresh_from_db()
    assert (referral.stage, referral.stage_changed_on, referral.furthest_stage) == (
        "completed",
        date(2026, 2, 10),
        "completed",
    )
    assert (referral.intervention_type, referral.agreement_reached, referral.victim_satisfaction) == (
        "face_to_face",
        True,
        4,
    )
    assert referral.contact_attempts == 1  # reaching contacting counts as the first attempt
    assert moves(referral) == [
        ("referred", "contacting", date(2026, 1, 13), None),
        ("contacting", "assessing", date(2026, 1, 20), None),
        ("assessing", "preparing", date(2026, 1, 27), None),
        ("preparing", "intervention", date(2026, 2, 3), None),
        ("intervention", "completed", date(2026, 2, 10), None),
    ]
    assert AuditEvent.objects.for_target(referral).filter(action="transition").count() == 5


def test_a_missing_date_in_between_is_the_day_of_the_stage_after_it(provider_user, referral):
    referral_advance(
        actor=provider_user,
        referral=referral,
        to_stage="preparing",
        dates={"contacting": date(2026, 1, 13), "preparing": date(2026, 2, 1)},
    )
    assert [happened for _, _, happened, _ in moves(referral)] == [
        date(2026, 1, 13),
        date(2026, 2, 1),
        date(2026, 2, 1),
    ]


@pytest.mark.parametrize(
    ("to_stage", "dates", "extra", "expected"),
    [
        (
            "assessing",
            {"contacting": date(2026, 1, 20), "assessing": date(2026, 1, 14)},
            {},
            {"assessing_on": "on or after 20 January 2026, when it reached contacting"},
        ),
        (
            "contacting",
            {"contacting": date(2026, 1, 2)},
            {},
            {"contacting_on": "on or after 12 January 2026, when it reached referred"},
        ),
        ("contacting", {"contacting": date(2026, 3, 3)}, {}, {"contacting_on": "today or in the past"}),
        ("assessing", {}, {}, {"assessing_on": "Enter the date the referral reached assessing"}),
        (
            "completed",
            {"completed": date(2026, 2, 1)},
            {},
            {
                "intervention_type": "Select the type of intervention",
                "agreement_reached": "Select whether an agreement was reached",
                "victim_satisfaction": "Select the victim's satisfaction from 1 to 5",
            },
        ),
        ("closed", {"closed": date(2026, 2, 1)}, {}, {"reason": "Select why the referral was closed"}),
        ("referred", {"referred": date(2026, 2, 1)}, {}, {"to_stage": "can move to a later stage or close"}),
    ],
)
def test_bad_moves_say_every_problem_and_change_nothing(provider_user, referral, to_stage, dates, extra, expected):
    with pytest.raises(ValidationError) as error:
        referral_advance(actor=provider_user, referral=referral, to_stage=to_stage, dates=dates, **extra)
    found = error.value.message_dict
    assert set(found) == set(expected)
    for field, message in expected.items():
        assert message in found[field][0]
    referral.refresh_from_db()
    assert (referral.stage, referral.contact_attempts) == ("referred", 0)
    assert not moves(referral)
    assert not AuditEvent.objects.filter(action="transition").exists()


def test_an_ended_referral_cannot_move(provider_user, referral):
    referral_advance(
        actor=provider_user,
        referral=referral,
        to_stage="closed",
        dates={"closed": date(2026, 2, 1)},
        reason="withdrawn",
    )
    with pytest.raises(ValidationError) as error:
        referral_advance(actor=provider_user, referral=referral, to_stage="completed", dates={}, **COMPLETION)
    assert error.value.message_dict["to_stage"] == ["The referral is closed: it cannot move any further"]


def test_correcting_the_latest_move_keeps_it_marked_and_goes_back(provider_user, referral):
    referral_advance(
        actor=provider_user,
        referral=referral,
        to_stage="completed",
        dates={stage: date(2026, 2, 1) for stage in ("contacting", "intervention")} | {"completed": date(2026, 2, 9)},
        **COMPLETION,
    )
    referral_move_correct(actor=provider_user, referral=referral, reason="wrong_stage")
    referral.refresh_from_db()
    assert (referral.stage, referral.stage_changed_on, referral.furthest_stage) == (
        "intervention",
        date(2026, 2, 1),
        "intervention",
    )
    assert (referral.agreement_reached, referral.victim_satisfaction, referral.intervention_type) == (
        None,
        None,
        "face_to_face",
    )
    corrected = referral.events.get(to_stage="completed")
    assert (corrected.corrected_by, corrected.correction_reason) == (provider_user, "wrong_stage")
    assert corrected.corrected_at is not None
    audit = AuditEvent.objects.for_target(referral).filter(action="transition").order_by("-id").first()
    assert "Corrected the move" in audit.summary
    assert audit.changes["corrected_event"] == corrected.pk

    # The next correction undoes the move before it; the corrected one stays corrected.
    referral_move_correct(actor=provider_user, referral=referral, reason="wrong_date")
    referral.refresh_from_db()
    assert (referral.stage, referral.intervention_type) == ("preparing", "")
    assert referral.events.filter(corrected_at__isnull=False).count() == 2

    # Moving on again is checked against the stage it is back at.
    referral_transition(
        actor=provider_user,
        referral=referral,
        to_stage="intervention",
        on_date=date(2026, 2, 2),
        intervention_type="letters",
    )
    referral.refresh_from_db()
    assert (referral.stage, referral.intervention_type) == ("intervention", "letters")


def test_correcting_contacting_takes_off_its_attempt_and_closing_its_reason(provider_user, referral):
    referral_advance(
        actor=provider_user, referral=referral, to_stage="contacting", dates={"contacting": date(2026, 2, 1)}
    )
    referral_advance(
        actor=provider_user,
        referral=referral,
        to_stage="closed",
        dates={"closed": date(2026, 2, 2)},
        reason="no_contact",
    )
    referral_move_correct(actor=provider_user, referral=referral, reason="other")
    referral.refresh_from_db()
    assert (referral.stage, referral.closure_reason, referral.contact_attempts) == ("contacting", "", 1)
    referral_move_correct(actor=provider_user, referral=referral, reason="wrong_referral")
    referral.refresh_from_db()
    assert (referral.stage, referral.stage_changed_on, referral.contact_attempts) == (
        "referred",
        date(2026, 1, 12),
        0,
    )
    with pytest.raises(ValidationError) as error:
        referral_move_correct(actor=provider_user, referral=referral, reason="other")
    assert "no move to correct" in error.value.messages[0]


def test_a_correction_needs_a_known_reason(provider_user, referral):
    referral_advance(
        actor=provider_user, referral=referral, to_stage="contacting", dates={"contacting": date(2026, 2, 1)}
    )
    with pytest.raises(ValidationError) as error:
        referral_move_correct(actor=provider_user, referral=referral, reason="because I said so")
    assert error.value.message_dict["reason"] == ["Select why the move is being corrected"]
    assert not referral.events.filter(corrected_at__isnull=False).exists()


def test_the_database_refuses_a_correction_without_a_reason_or_of_the_receipt(referral):
    event = referral.events.get()
    event.corrected_at = event.created_at
    event.correction_reason = "other"
    with pytest.raises(IntegrityError), transaction.atomic():
        event.save()  # the receipt is never corrected
    move = ReferralEvent.objects.create(
        referral=referral, from_stage="referred", to_stage="contacting", happened_on=date(2026, 2, 1)
    )
    move.corrected_at = move.created_at
    with pytest.raises(IntegrityError), transaction.atomic():
        move.save()  # no reason


def test_a_corrected_move_does_not_hold_back_the_received_date(provider_user, referral):
    from referrals.services import referral_update

    referral_advance(
        actor=provider_user, referral=referral, to_stage="contacting", dates={"contacting": date(2026, 1, 13)}
    )
    referral_move_correct(actor=provider_user, referral=referral, reason="wrong_date")
    referral_update(actor=provider_user, referral=referral, received_on=date(2026, 1, 20))
    referral.refresh_from_db()
    assert referral.received_on == date(2026, 1, 20)


def test_contact_attempts_count_from_contacting(provider_user, referral):
    with pytest.raises(ValidationError) as error:
        referral_contact_attempt_record(actor=provider_user, referral=referral)
    assert "Move the referral to contacting first" in error.value.messages[0]
    referral_advance(
        actor=provider_user, referral=referral, to_stage="contacting", dates={"contacting": date(2026, 2, 1)}
    )
    referral_contact_attempt_record(actor=provider_user, referral=referral)
    referral.refresh_from_db()
    assert referral.contact_attempts == 2
    audit = AuditEvent.objects.for_target(referral).filter(action="update").get()
    assert audit.changes == {"contact_attempts": {"from": 1, "to": 2}}


# The pages -----------------------------------------------------------------------------------


def date_fields(name, day, month, year=2026):
    return {f"{name}_0": str(day), f"{name}_1": str(month), f"{name}_2": str(year)}


def test_the_stage_page_offers_every_later_stage_with_today_filled_in(client, provider_user, referral):
    client.force_login(provider_user)
    page = client.get(reverse("referrals:transition", args=[referral.pk])).content.decode()
    for stage in ("Contacting", "Assessing", "Preparing", "Intervention", "Completed", "Closed"):
        assert f">\n    {stage}\n" in page or f"> {stage}" in page or f">{stage}<" in page or stage in page
    assert page.count('value="2"') >= 6 and page.count('value="2026"') >= 6  # today in each date
    assert 'src="/static/js/stage-move.js"' in page
    assert "<script>" not in page


def test_provider_records_completed_directly_with_one_confirmation(client, provider_user, referral):
    client.force_login(provider_user)
    url = reverse("referrals:transition", args=[referral.pk])
    data = {
        "to_stage": "completed",
        **date_fields("contacting_on", 13, 1),
        **date_fields("assessing_on", 20, 1),
        **{f"preparing_on_{i}": "" for i in range(3)},  # left empty: the day of intervention
        **date_fields("intervention_on", 3, 2),
        **date_fields("completed_on", 10, 2),
        **date_fields("closed_on", 2, 3),  # not the chosen stage: ignored
        "reason": "withdrawn",  # ignored too
        "intervention_type": "video",
        "agreement_reached": "yes",
        "victim_satisfaction": "5",
        "offender_satisfaction": "",
    }
    page = client.post(url, data).content.decode()
    assert "Check before you move referral KENT-1" in page
    assert "3 February 2026" in page and "10 February 2026" in page
    assert Referral.objects.get(pk=referral.pk).stage == "referred"
    response = client.post(url, {**data, "confirm": "yes"}, follow=True)
    assert "moved to completed, through contacting, assessing, preparing, intervention" in response.content.decode()
    referral.refresh_from_db()
    assert (referral.stage, referral.closure_reason, referral.intervention_type) == ("completed", "", "video")
    assert referral.events.get(to_stage="preparing").happened_on == date(2026, 2, 3)


def test_dates_out_of_order_are_shown_on_their_fields_before_confirmation(client, provider_user, referral):
    client.force_login(provider_user)
    data = {
        "to_stage": "assessing",
        **date_fields("contacting_on", 20, 1),
        **date_fields("assessing_on", 14, 1),
        **date_fields("closed_on", 99, 1),  # not the chosen stage, and not a real date
    }
    page = client.post(reverse("referrals:transition", args=[referral.pk]), data).content.decode()
    assert "<title>Error: " in page
    assert "The date must be on or after 20 January 2026, when it reached contacting" in page
    assert "Check before" not in page
    assert Referral.objects.get(pk=referral.pk).stage == "referred"


def test_provider_corrects_the_latest_move(client, provider_user, referral):
    referral_advance(
        actor=provider_user, referral=referral, to_stage="assessing", dates={"assessing": date(2026, 2, 1)}
    )
    client.force_login(provider_user)
    detail = client.get(referral.get_absolute_url()).content.decode()
    assert "Correct the latest move" in detail
    url = reverse("referrals:move_correct", args=[referral.pk])
    page = client.get(url).content.decode()
    assert "From contacting to assessing on 1 February 2026" in page
    page = client.post(url, {}).content.decode()
    assert "Select why the move is being corrected" in page and "<title>Error: " in page
    response = client.post(url, {"reason": "wrong_stage"}, follow=True)
    assert "is back at contacting" in response.content.decode()
    assert "Corrected" in response.content.decode()
    referral.refresh_from_db()
    assert referral.stage == "contacting"


def test_provider_records_a_contact_attempt(client, provider_user, referral):
    client.force_login(provider_user)
    assert "Record a contact attempt" not in client.get(referral.get_absolute_url()).content.decode()
    referral_advance(
        actor=provider_user, referral=referral, to_stage="contacting", dates={"contacting": date(2026, 2, 1)}
    )
    assert "Record a contact attempt" in client.get(referral.get_absolute_url()).content.decode()
    response = client.post(reverse("referrals:contact_attempt", args=[referral.pk]), follow=True)
    assert "has 2 contact attempts" in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).contact_attempts == 2


def test_pcc_staff_cannot_move_correct_or_count(client, pcc_user, provider_user, referral):
    referral_advance(
        actor=provider_user, referral=referral, to_stage="contacting", dates={"contacting": date(2026, 2, 1)}
    )
    client.force_login(pcc_user)
    for name, data in [
        ("transition", {"to_stage": "assessing", **date_fields("assessing_on", 2, 2), "confirm": "yes"}),
        ("move_correct", {"reason": "other"}),
        ("contact_attempt", {}),
    ]:
        assert client.post(reverse(f"referrals:{name}", args=[referral.pk]), data).status_code == 403
    referral.refresh_from_db()
    assert (referral.stage, referral.contact_attempts) == ("contacting", 1)
    assert not referral.events.filter(corrected_at__isnull=False).exists()


def test_another_providers_referral_is_not_found(client, provider_user):
    other = ReferralFactory(provider=ProviderFactory(areas=[area(ESSEX)]), area=area(ESSEX), stage="contacting")
    client.force_login(provider_user)
    for name in ("transition", "move_correct", "contact_attempt"):
        assert client.post(reverse(f"referrals:{name}", args=[other.pk]), {"reason": "other"}).status_code == 404
    assert client.get(reverse("referrals:move_correct", args=[other.pk])).status_code == 404
