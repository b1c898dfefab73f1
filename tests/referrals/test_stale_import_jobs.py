"""Jobs that a background worker left running when it stopped (a restart, a crash) are marked
failed, so that their pages stop saying "checking" and ask for the file again."""

from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from referrals.models import Referral, ReferralImportJob
from referrals.tasks import STALE_AFTER, referral_import_jobs_fail_stale, run_referral_import
from tests import factories

FILES = Path(__file__).parent / "files"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.get_default_timezone())

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def job(provider, status, *, started=None, **fields) -> ReferralImportJob:
    return ReferralImportJob.objects.create(
        provider=provider,
        filename="big.csv",
        size=10,
        content=(FILES / "referrals_good.csv").read_bytes(),
        status=status,
        started_at=None if started is None else NOW - started,
        **fields,
    )


def test_only_jobs_running_for_longer_than_any_import_takes_are_marked_failed(provider_user):
    provider = provider_user.organisation
    left = job(provider, "running", started=STALE_AFTER + timedelta(minutes=1), phase="check", rows_done=5000)
    busy = job(provider, "running", started=STALE_AFTER - timedelta(minutes=1))
    queued = job(provider, "queued")
    done = job(provider, "done", started=timedelta(days=2))

    assert referral_import_jobs_fail_stale() == 1

    left.refresh_from_db()
    assert (left.status, bytes(left.content), left.phase, left.finished_at) == ("failed", b"", "", NOW)
    statuses = dict(ReferralImportJob.objects.values_list("pk", "status"))
    assert [statuses[busy.pk], statuses[queued.pk], statuses[done.pk]] == ["running", "queued", "done"]
    assert bytes(ReferralImportJob.objects.get(pk=busy.pk).content) != b""
    assert referral_import_jobs_fail_stale() == 0  # nothing more to do


def test_the_next_import_marks_jobs_left_running_failed(provider_user):
    factories.ReferringTeamFactory(name="Canterbury neighbourhood policing")
    provider = provider_user.organisation
    left = job(provider, "running", started=timedelta(hours=3))
    queued = job(provider, "queued", uploaded_by=provider_user)

    assert run_referral_import.call(queued.pk) == "done"

    left.refresh_from_db()
    assert left.status == "failed"
    assert Referral.objects.count() == 3  # the queued file alone


def test_the_command_says_how_many_it_marked(provider_user):
    job(provider_user.organisation, "running", started=timedelta(hours=2))
    out = StringIO()
    call_command("fail_stale_imports", stdout=out)
    assert out.getvalue() == "Marked 1 import(s) left running as failed.\n"
    assert ReferralImportJob.objects.get().status == "failed"


def test_the_page_of_a_job_marked_failed_asks_for_the_file_again(client, provider_user):
    left = job(provider_user.organisation, "running", started=timedelta(hours=2))
    referral_import_jobs_fail_stale()
    client.force_login(provider_user)
    page = client.get(left.get_absolute_url()).content.decode()
    assert "The import stopped" in page
    assert "Upload the file again" in page
