"""A provider creates an API token, copies it, sees it work, and revokes it."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from rjportal.apitokens.models import ApiToken, token_digest
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_a_provider_creates_and_revokes_a_token(page, live_server, axe, provider_user):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Email address").fill(provider_user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    expect(page.get_by_text("Your organisation has no API tokens yet.")).to_be_visible()
    assert axe(page) == []

    page.get_by_role("button", name="Create a token").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an API token")
    expect(page.get_by_label("90 days")).to_be_checked()
    assert axe(page) == []
    page.get_by_role("button", name="Create token").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a name for the token")
    assert page.title().startswith("Error: ")
    assert axe(page) == []
    assert not ApiToken.objects.exists()

    page.get_by_label("Name").fill("Case system")
    page.get_by_label("30 days").check()
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API token created")
    expect(page.locator(".govuk-warning-text")).to_contain_text("Copy the token now")
    secret = page.get_by_label("Your token").input_value()
    token = ApiToken.objects.get()
    assert token.key_hash == token_digest(secret)
    assert axe(page) == []

    # The token works for the API.
    response = page.request.get(
        live_server.url + reverse("api:referral-list"), headers={"Authorization": f"Token {secret}"}
    )
    assert response.status == 200

    page.get_by_role("link", name="Back to API tokens").click()
    row = page.get_by_role("row").filter(has_text="Case system")
    expect(row).to_contain_text(token.key_prefix)
    expect(row).to_contain_text("Active")
    assert secret not in page.content()
    row.get_by_role("link", name="Revoke").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure you want to revoke this token?")
    assert axe(page) == []
    page.get_by_role("button", name="Revoke token").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text("Token Case system revoked")
    expect(page.get_by_role("row").filter(has_text="Case system")).to_contain_text("Revoked")
    assert axe(page) == []
    token.refresh_from_db()
    assert token.revoked_by == provider_user
    response = page.request.get(
        live_server.url + reverse("api:referral-list"), headers={"Authorization": f"Token {secret}"}
    )
    assert response.status == 401
    assert errors == []
