"""Browser journey: a national administrator's first sign-in with two-factor required."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.accounts.test_two_factor import code_for, wrong_code
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_an_administrator_sets_up_an_authenticator_app_at_first_sign_in(page, live_server, axe, admin_user, settings):
    settings.ADMIN_TWO_FACTOR_REQUIRED = True
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Email address").fill(admin_user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    assert axe(page) == []
    device = TOTPDevice.objects.get(user=admin_user)

    page.get_by_label("Code from your authenticator app").fill(wrong_code(device))
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("That code is not right")
    assert axe(page) == []

    page.wait_for_timeout(2000)  # a wrong code makes the next try wait a second
    page.get_by_label("Code from your authenticator app").fill(code_for(device))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(live_server.url + reverse("home"), timeout=15_000)
    # Wait for the page itself: the address changes before the new page has loaded.
    expect(page.locator("main")).to_contain_text("National administrator")
