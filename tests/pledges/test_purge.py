"""manage.py purge_pledge_personal_data: emails and unpublished signups go a set period after
the campaign closes; dry runs change nothing; running twice is harmless."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from pledges.constants import PledgeStatus
from pledges.models import Pledge, SignupAttempt
from rjportal.audit.constants import AuditAction
from rjportal.audit.models import AuditEvent

from .factories import CampaignFactory, PledgeFactory, PublishedPledgeFactory

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def pledges(db):
    """An old campaign (closed 30 April 2026) and a newer one still within its period."""
    old = CampaignFactory(title="Old", closes_on=datetime.date(2026, 4, 30))
    recent = CampaignFactory(title="Recent", opens_on=datetime.date(2026, 9, 1), closes_on=datetime.date(2026, 10, 1))
    return {
        "published": PublishedPledgeFactory(campaign=old, email="published@example.org"),
        "withdrawn": PledgeFactory(campaign=old, status=PledgeStatus.WITHDRAWN, email="withdrawn@example.org"),
        "verified": PledgeFactory(campaign=old),
        "unverified": PledgeFactory(campaign=old, status=PledgeStatus.UNVERIFIED, verified_at=None),
        "rejected": PledgeFactory(campaign=old, status=PledgeStatus.REJECTED, rejection_reason="Fake"),
        "recent": PledgeFactory(campaign=recent, email="recent@example.org"),
    }


def run(*args):
    out = StringIO()
    with time_machine.travel(datetime.datetime(2026, 11, 1, 3, 0, tzinfo=LONDON), tick=False):
        call_command("purge_pledge_personal_data", *args, stdout=out)
    return out.getvalue()


def test_purge_removes_emails_and_unpublished_signups(pledges):
    output = run()
    assert "Removed 2 email address(es)" in output
    assert "Removed 3 unpublished signup(s)" in output
    remaining = {pledge.pk: pledge for pledge in Pledge.objects.all()}
    assert set(remaining) == {pledges["published"].pk, pledges["withdrawn"].pk, pledges["recent"].pk}
    assert remaining[pledges["published"].pk].email == ""
    assert remaining[pledges["published"].pk].status == PledgeStatus.PUBLISHED
    assert remaining[pledges["withdrawn"].pk].email == ""
    assert remaining[pledges["recent"].pk].email == "recent@example.org"
    event = AuditEvent.objects.get(action=AuditAction.DELETE)
    assert "removed 2 email address(es)" in event.summary


def test_dry_run_changes_nothing(pledges):
    output = run("--dry-run")
    assert "Would remove 3 unpublished signup(s)" in output
    assert "Dry run" in output
    assert Pledge.objects.count() == 6
    assert Pledge.objects.get(pk=pledges["published"].pk).email == "published@example.org"
    assert not AuditEvent.objects.filter(action=AuditAction.DELETE).exists()


def test_purge_is_idempotent(pledges):
    run()
    output = run()
    assert "Removed 0 email address(es)" in output
    assert "Removed 0 unpublished signup(s)" in output
    assert Pledge.objects.count() == 3
    assert AuditEvent.objects.filter(action=AuditAction.DELETE).count() == 1


def test_months_can_be_given(pledges):
    run("--months", "0")
    assert not Pledge.objects.filter(pk=pledges["recent"].pk).exists()


def test_months_come_from_settings(pledges, settings):
    settings.PLEDGE_PERSONAL_DATA_MONTHS = 12
    run()
    assert Pledge.objects.count() == 6


def test_campaigns_within_the_period_are_left_alone(pledges):
    run("--months", "7")
    assert Pledge.objects.count() == 6


def test_old_signup_attempts_are_deleted(db):
    with time_machine.travel(datetime.datetime(2026, 10, 1, tzinfo=LONDON)):
        SignupAttempt.objects.create(ip_hash="a", email_hash="b")
    with time_machine.travel(datetime.datetime(2026, 10, 30, tzinfo=LONDON)):
        SignupAttempt.objects.create(ip_hash="c", email_hash="d")
    run()
    assert list(SignupAttempt.objects.values_list("ip_hash", flat=True)) == ["c"]
