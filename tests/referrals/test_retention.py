"""Referrals are deleted a set period after they were completed or closed; open ones are kept."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from referrals.models import Referral, ReferralEvent
from referrals.services import referrals_purge_expired
from rjportal.audit.models import AuditEvent
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db

TODAY = date(2032, 6, 15)  # 72 months on from 15 June 2026


def finished(stage: str, on: date, reference: str) -> Referral:
    extra = {"closure_reason": "declined_by_victim"} if stage == "closed" else {}
    if stage == "completed":
        extra = {"intervention_type": "face_to_face", "agreement_reached": True}
    referral = ReferralFactory(reference=reference, stage=stage, stage_changed_on=on, **extra)
    ReferralEvent.objects.create(referral=referral, from_stage="referred", to_stage=stage, happened_on=on)
    return referral


@pytest.fixture
def referrals():
    return {
        "closed_long_ago": finished("closed", date(2026, 6, 14), "OLD-CLOSED"),
        "completed_long_ago": finished("completed", date(2026, 1, 9), "OLD-DONE"),
        "closed_on_the_day": finished("closed", date(2026, 6, 15), "EDGE"),
        "closed_recently": finished("closed", date(2031, 1, 1), "RECENT"),
        "open_for_years": ReferralFactory(
            reference="STILL-OPEN", stage="contacting", stage_changed_on=date(2026, 2, 1)
        ),
    }


def references():
    return sorted(Referral.objects.values_list("reference", flat=True))


def test_finished_referrals_older_than_the_period_go_with_their_timelines(referrals):
    result = referrals_purge_expired(months=72, today=TODAY)

    assert result.finished_before == date(2026, 6, 15)
    assert (result.referrals, result.events) == (2, 2)
    assert references() == ["EDGE", "RECENT", "STILL-OPEN"]
    assert not ReferralEvent.objects.filter(referral__reference__startswith="OLD").exists()
    assert ReferralEvent.objects.filter(referral__reference="EDGE").exists()


def test_one_audit_event_says_how_many_and_never_which(referrals):
    referrals_purge_expired(months=72, today=TODAY)

    event = AuditEvent.objects.get(action="delete")
    assert event.actor is None
    assert event.summary == "Deleted 2 referrals completed or closed before 15 June 2026 (kept for 72 months)"
    assert event.changes == {"referrals": 2, "events": 2, "finished_before": "2026-06-15"}
    assert "OLD" not in event.summary + str(event.changes)


def test_a_dry_run_counts_and_changes_nothing(referrals):
    result = referrals_purge_expired(months=72, today=TODAY, dry_run=True)

    assert result.referrals == 2
    assert len(references()) == 5
    assert not AuditEvent.objects.filter(action="delete").exists()


def test_a_second_run_finds_nothing_and_writes_no_audit_event(referrals):
    referrals_purge_expired(months=72, today=TODAY)
    again = referrals_purge_expired(months=72, today=TODAY)

    assert again.referrals == 0
    assert AuditEvent.objects.filter(action="delete").count() == 1


def test_the_period_comes_from_the_setting(referrals, settings):
    settings.REFERRAL_RETENTION_MONTHS = 12

    result = referrals_purge_expired(today=TODAY)

    assert result.finished_before == date(2031, 6, 15)
    assert references() == ["STILL-OPEN"]


def test_less_than_a_year_is_refused(referrals):
    with pytest.raises(ValueError, match="at least 12 months"):
        referrals_purge_expired(months=11, today=TODAY)
    assert len(references()) == 5


def test_the_command_reports_and_deletes(referrals, capsys, time_machine):
    time_machine.move_to(TODAY)

    call_command("purge_expired_referrals", "--dry-run")
    assert "Would delete 2 referral(s) completed or closed before 15 June 2026, with 2 timeline event(s)." in (
        capsys.readouterr().out
    )
    assert len(references()) == 5

    call_command("purge_expired_referrals")
    assert "Deleted 2 referral(s)" in capsys.readouterr().out
    assert references() == ["EDGE", "RECENT", "STILL-OPEN"]


def test_the_command_refuses_a_short_period(referrals):
    with pytest.raises(CommandError, match="12 or more"):
        call_command("purge_expired_referrals", "--months", "3")
    assert len(references()) == 5
