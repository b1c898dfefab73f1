"""Requests with an API token: refused when the token is unknown, expired or revoked, or its
creator may no longer hold one; throttled per token with 429 and Retry-After."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from rjportal.accounts.constants import Role
from rjportal.apitokens.models import ApiToken, token_digest
from rjportal.apitokens.services import api_token_create, api_token_revoke
from tests.factories import PccOfficeFactory, ReferralFactory

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
NOW = datetime.datetime(2026, 2, 2, 12, 0, tzinfo=LONDON)
REFERRALS = reverse("api:referral-list")


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def token_and_secret(provider_user):
    return api_token_create(actor=provider_user, name="Case system", expires_in_days=30)


def call(client, secret, url=REFERRALS):
    return client.get(url, headers={"Authorization": f"Token {secret}"})


def test_a_token_acts_as_its_creator(client, provider_user, token_and_secret):
    _, secret = token_and_secret
    own = ReferralFactory(provider=provider_user.organisation)
    ReferralFactory()  # another provider's
    response = call(client, secret)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [own.pk]


def test_an_unknown_token_is_401(client, token_and_secret):
    _, secret = token_and_secret
    response = call(client, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_the_stored_hash_is_not_a_token(client, token_and_secret):
    token, _ = token_and_secret
    assert call(client, token.key_hash).status_code == 401


def test_an_expired_token_is_401(client, token_and_secret, frozen_time):
    _, secret = token_and_secret
    frozen_time.move_to(NOW + datetime.timedelta(days=30))
    response = call(client, secret)
    assert response.status_code == 401
    assert response.json() == {"detail": "This token has expired."}


def test_a_revoked_token_is_401(client, provider_user, token_and_secret):
    token, secret = token_and_secret
    assert call(client, secret).status_code == 200
    api_token_revoke(actor=provider_user, token=token)
    response = call(client, secret)
    assert response.status_code == 401
    assert response.json() == {"detail": "This token has been revoked."}


def test_a_deactivated_creators_token_is_401(client, provider_user, token_and_secret):
    _, secret = token_and_secret
    provider_user.is_active = False
    provider_user.save()
    assert call(client, secret).status_code == 401


def test_a_token_stops_when_its_creator_is_no_longer_provider_staff(client, provider_user, token_and_secret):
    _, secret = token_and_secret
    provider_user.role = Role.PCC_STAFF
    provider_user.organisation = PccOfficeFactory()
    provider_user.save()
    assert call(client, secret).status_code == 401


def test_a_national_administrators_token_is_refused(client, admin_user):
    """However one came to exist (the service will not make one), it never works."""
    secret = "an-administrators-token-made-directly-in-the-database"
    ApiToken.objects.create(
        user=admin_user,
        organisation=PccOfficeFactory(),
        name="Admin",
        key_prefix=secret[:8],
        key_hash=token_digest(secret),
        expires_at=NOW + datetime.timedelta(days=30),
    )
    response = call(client, secret)
    assert response.status_code == 401
    assert response.json() == {"detail": "This token's user can no longer use the API."}


def test_a_provider_promoted_to_administrator_loses_their_token(client, provider_user, token_and_secret):
    _, secret = token_and_secret
    provider_user.is_superuser = True
    provider_user.save()
    assert call(client, secret).status_code == 401


def test_last_used_is_written_at_most_once_a_minute(client, token_and_secret, frozen_time):
    token, secret = token_and_secret
    call(client, secret)
    token.refresh_from_db()
    assert token.last_used_at == NOW
    frozen_time.move_to(NOW + datetime.timedelta(seconds=59))
    call(client, secret)
    token.refresh_from_db()
    assert token.last_used_at == NOW
    frozen_time.move_to(NOW + datetime.timedelta(seconds=61))
    call(client, secret)
    token.refresh_from_db()
    assert token.last_used_at == NOW + datetime.timedelta(seconds=61)


def test_the_old_authtoken_app_is_gone():
    from django.apps import apps

    assert not apps.is_installed("rest_framework.authtoken")


# Throttling ------------------------------------------------------------------------------


@pytest.fixture
def low_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_burst": "3/second", "api_sustained": "5/hour"},
    }


def test_a_burst_is_throttled_with_retry_after(client, low_rates, token_and_secret, frozen_time):
    _, secret = token_and_secret
    assert [call(client, secret).status_code for _ in range(3)] == [200, 200, 200]
    response = call(client, secret)
    assert response.status_code == 429
    assert response["Retry-After"] == "1"
    frozen_time.move_to(NOW + datetime.timedelta(seconds=2))
    assert call(client, secret).status_code == 200


def test_the_sustained_rate_is_throttled_per_token(client, low_rates, provider_user, token_and_secret, frozen_time):
    _, secret = token_and_secret
    _, second_secret = api_token_create(actor=provider_user, name="Second system", expires_in_days=30)
    for step in range(5):
        frozen_time.move_to(NOW + datetime.timedelta(seconds=10 * step))
        assert call(client, secret).status_code == 200
    response = call(client, secret)
    assert response.status_code == 429
    assert 3500 <= int(response["Retry-After"]) <= 3600
    # Another token (even of the same person) has its own allowance.
    assert call(client, second_secret).status_code == 200


def test_a_session_is_throttled_per_person(client, low_rates, pcc_user):
    client.force_login(pcc_user)
    assert [client.get(REFERRALS).status_code for _ in range(4)] == [200, 200, 200, 429]
