"""Simultaneous pledge signups from one address: no more pass than the limit allows.

Needs PostgreSQL: SQLite runs one writing transaction at a time, so the race cannot happen there
(and its test database is in memory, which other threads cannot open); the test is skipped on it."""

import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from pledges import services
from pledges.constants import SIGNUPS_PER_IP_PER_HOUR
from pledges.models import Pledge, SignupAttempt
from pledges.services import RateLimited, pledge_sign
from tests.factories import KENT, area

from .factories import CampaignFactory

pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="needs PostgreSQL for concurrent transactions"
)
SIGNUPS = 12


def run_at_once(count, work):
    """Run work(number) in `count` threads released together; return what each returned or raised."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(number):
        try:
            barrier.wait()
            results[number] = work(number)
        except Exception as error:  # the outcome is what the test looks at
            results[number] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_simultaneous_signups_from_one_address_never_pass_the_limit(live_db, monkeypatch):
    today = timezone.localdate()
    campaign = CampaignFactory(opens_on=today - timedelta(days=1), closes_on=today + timedelta(days=30))
    kent = area(KENT)

    # Widen the gap between counting and recording, as a slow database would: without a lock,
    # every signup counts the same few earlier ones and passes.
    check = services._check_rate_limits

    def slow_check(**kwargs):
        check(**kwargs)
        time.sleep(0.2)

    monkeypatch.setattr(services, "_check_rate_limits", slow_check)

    def sign(number):
        return pledge_sign(
            campaign=campaign,
            name=f"Signer {number}",
            role="candidate",
            party="",
            area=kent,
            email=f"signer{number}@example.org",
            consent_to_publish=True,
            ip_address="198.51.100.1",
            site_url="http://testserver/",
        )

    results = run_at_once(SIGNUPS, sign)
    limited = [result for result in results if isinstance(result, RateLimited)]
    unexpected = [result for result in results if isinstance(result, Exception) and result not in limited]
    assert unexpected == []
    assert len(limited) == SIGNUPS - SIGNUPS_PER_IP_PER_HOUR
    assert Pledge.objects.count() == SIGNUPS_PER_IP_PER_HOUR
    assert SignupAttempt.objects.count() == SIGNUPS_PER_IP_PER_HOUR
