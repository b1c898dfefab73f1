"""The shared rate limiter: counts within a window, records nothing when used up, holds under
simultaneous requests (PostgreSQL), and throttles password reset requests without saying so."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.urls import reverse

from rjportal.web.models import RateLimitUse
from rjportal.web.ratelimits import Limit, keyed_hash, rate_limits_take

HOUR = timedelta(hours=1)
on_postgresql = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="needs PostgreSQL for concurrent transactions"
)


@pytest.mark.django_db
def test_a_limit_passes_its_number_of_uses_in_the_window_then_refuses():
    limit = Limit(keyed_hash("test", "a"), 3, HOUR)
    with time_machine.travel(datetime(2026, 3, 3, 10, tzinfo=UTC), tick=False) as traveller:
        assert [rate_limits_take(limit) for _ in range(4)] == [None, None, None, limit]
        assert RateLimitUse.objects.count() == 3  # the refused use is not recorded
        traveller.shift(HOUR + timedelta(seconds=1))
        assert rate_limits_take(limit) is None
        # Uses whose window has ended are deleted.
        assert RateLimitUse.objects.count() == 1


@pytest.mark.django_db
def test_when_one_limit_is_used_up_nothing_is_recorded_under_the_others():
    address, email = Limit(keyed_hash("test", "addr"), 5, HOUR), Limit(keyed_hash("test", "mail"), 1, HOUR)
    assert rate_limits_take(address, email) is None
    assert rate_limits_take(address, email) == email
    assert RateLimitUse.objects.filter(key=address.key).count() == 1


def test_keys_are_keyed_hashes_not_the_values():
    key = keyed_hash("password-reset-email", "Person@Example.org ")
    assert key == keyed_hash("password-reset-email", "person@example.org")
    assert "example" not in key and len(key) == 64
    assert key != keyed_hash("password-reset-address", "person@example.org")


@on_postgresql
def test_simultaneous_requests_never_pass_the_limit(live_db, monkeypatch):
    limit = Limit(keyed_hash("test", "race"), 5, HOUR)
    # Widen the gap between counting and recording: without the lock every request would pass.
    create = RateLimitUse.objects.bulk_create

    def slow_create(*args, **kwargs):
        time.sleep(0.1)
        return create(*args, **kwargs)

    monkeypatch.setattr(RateLimitUse.objects, "bulk_create", slow_create)
    barrier = threading.Barrier(12)
    results = []

    def request():
        try:
            barrier.wait()
            results.append(rate_limits_take(limit))
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(result is None for result in results) == [False] * 7 + [True] * 5
    assert RateLimitUse.objects.filter(key=limit.key).count() == 5


# Password reset requests -----------------------------------------------------------------------


def ask_for_reset(client, email, address="198.51.100.1"):
    response = client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    return response


@pytest.mark.django_db
def test_password_reset_emails_are_limited_per_email(client, settings, pcc_user):
    settings.PASSWORD_RESETS_PER_EMAIL_PER_DAY = 3
    for number in range(5):
        ask_for_reset(client, "PCC@example.org", address=f"198.51.100.{number}")
    assert len(mail.outbox) == 3
    # Another person is not held back.
    ask_for_reset(client, "provider@example.org", address="198.51.100.9")


@pytest.mark.django_db
def test_password_reset_requests_are_limited_per_address(client, settings, pcc_user, provider_user):
    settings.PASSWORD_RESETS_PER_ADDRESS_PER_HOUR = 2
    ask_for_reset(client, "nobody@example.org")
    ask_for_reset(client, pcc_user.email)
    ask_for_reset(client, provider_user.email)  # over the limit for this address: no email
    assert [message.to for message in mail.outbox] == [[pcc_user.email]]
    ask_for_reset(client, provider_user.email, address="198.51.100.2")
    assert [message.to for message in mail.outbox] == [[pcc_user.email], [provider_user.email]]


@pytest.mark.django_db
def test_a_throttled_reset_looks_the_same_as_any_other(client, settings, pcc_user):
    settings.PASSWORD_RESETS_PER_EMAIL_PER_DAY = 1
    first = ask_for_reset(client, pcc_user.email)
    throttled = ask_for_reset(client, pcc_user.email)
    unknown = ask_for_reset(client, "nobody@example.org")
    assert first.url == throttled.url == unknown.url
    done = client.get(reverse("password_reset_done")).content.decode()
    assert len(mail.outbox) == 1
    assert "too many" not in done.lower()
