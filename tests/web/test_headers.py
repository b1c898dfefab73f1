"""Headers on every response: Permissions-Policy everywhere, and Cache-Control: no-store on
whatever a signed-in person sees, on the API and on every download."""

import pytest
from django.urls import reverse

from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, str]:
    return dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/pledges/",
        "/healthz",
        "/no-such-page/",
        "/.well-known/security.txt",
        "/static/js/app.js",
        "/api/v1/referrals/",
    ],
)
def test_every_response_has_a_permissions_policy(client, path):
    response = client.get(path)
    features = policy(response)
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "serial", "display-capture"):
        assert features[feature] == "()"
    # Passkeys work on the portal's own pages.
    assert features["publickey-credentials-get"] == "(self)"
    assert features["publickey-credentials-create"] == "(self)"


@pytest.mark.parametrize("persona", ["admin", "pcc", "provider", "moderator"], indirect=True)
def test_nothing_a_signed_in_person_sees_is_stored(client, persona):
    client.force_login(persona)
    for path in ["/", "/pledges/", reverse("pages:privacy")]:
        assert no_store(client.get(path)), path


def test_case_level_pages_and_their_downloads_are_not_stored(client, provider_user):
    referral = ReferralFactory(provider=provider_user.organisation)
    client.force_login(provider_user)
    for response in [
        client.get(reverse("referrals:list")),
        client.get(referral.get_absolute_url()),
        client.get(reverse("referrals:list"), {"format": "csv"}),
        client.get(reverse("referrals:list"), {"format": "xlsx"}),
    ]:
        assert response.status_code == 200
        assert no_store(response)


def test_api_responses_are_not_stored(client, provider_user):
    # Refused for want of a token: no one is signed in, and still not stored.
    response = client.get("/api/v1/referrals/")
    assert response.status_code == 401
    assert no_store(response)
    assert no_store(client.get("/api/schema/"))


def test_public_downloads_are_not_stored_but_public_pages_may_be(client):
    assert no_store(client.get(reverse("pledges:register_csv")))
    assert not no_store(client.get(reverse("pledges:register")))
    assert not no_store(client.get("/static/js/app.js"))
