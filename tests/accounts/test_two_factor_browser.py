"""Browser journeys through two-factor sign-in: an administrator's first sign-in with an
authenticator app, later sign-ins of PCC office staff and moderators with a code or a backup
code, and passkeys (a virtual authenticator through the DevTools protocol) set up from the
security page and at a first sign-in, then used to sign in."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from rjportal.accounts.services import backup_codes_generate
from rjportal.audit.models import AuditEvent
from tests.accounts.test_two_factor import code_for, confirmed_device, wrong_code
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


@pytest.fixture(autouse=True)
def required(settings, live_server):
    """Two-factor sign-in on, and passkeys accepted from the live server's origin (localhost:
    a secure context, as WebAuthn needs, where 127.0.0.1 is not)."""
    assert live_server.url.startswith("http://localhost:")
    settings.TWO_FACTOR_REQUIRED = True
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]


@pytest.fixture
def watched_page(page):
    """A page that records console errors, so that CSP refusals and script failures fail tests."""
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    return page


@pytest.fixture
def authenticator(watched_page):
    """A platform authenticator (like a laptop's fingerprint reader) that always says yes."""
    client = watched_page.context.new_cdp_session(watched_page)
    client.send("WebAuthn.enable")
    client.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return client


def sign_in(page, live_server, user, next_url=""):
    page.goto(live_server.url + reverse("login") + (f"?next={next_url}" if next_url else ""))
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page):
    page.get_by_role("button", name="Sign out").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to RJ Portal")


def test_an_administrator_sets_up_an_authenticator_app_at_first_sign_in(watched_page, live_server, axe, admin_user):
    page = watched_page
    sign_in(page, live_server, admin_user)

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.get_by_role("img", name="QR code to add RJ Portal to an authenticator app")).to_be_visible()
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

    expect(page.get_by_role("heading", level=1)).to_have_text("Save your backup codes")
    codes = StaticToken.objects.filter(device__user=admin_user).values_list("token", flat=True)
    assert len(codes) == 10
    for code in codes:
        expect(page.locator("main")).to_contain_text(code)
    assert axe(page) == []
    page.get_by_role("link", name="Continue").click()
    expect(page).to_have_url(live_server.url + reverse("home"), timeout=15_000)
    # Wait for the page itself: the address changes before the new page has loaded.
    expect(page.locator("main")).to_contain_text("National administrator")
    assert page.console_errors == []


@pytest.mark.parametrize("persona", ["pcc", "moderator"], indirect=True)
def test_pcc_staff_and_moderators_sign_in_with_a_code(watched_page, live_server, axe, persona):
    page = watched_page
    device = confirmed_device(persona)
    sign_in(page, live_server, persona, next_url=reverse("areas:list"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code from your authenticator app")
    assert axe(page) == []
    page.get_by_label("Code from your authenticator app").fill(code_for(device))
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(live_server.url + reverse("areas:list"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.console_errors == []


def test_a_moderator_signs_in_with_a_backup_code_once(watched_page, live_server, axe, moderator_user):
    page = watched_page
    confirmed_device(moderator_user)
    code = backup_codes_generate(user=moderator_user)[0]
    sign_in(page, live_server, moderator_user)

    page.get_by_role("link", name="Use a backup code instead").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter a backup code")
    assert axe(page) == []
    page.get_by_label("Backup code").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("main")).to_contain_text("Pledge moderator")

    sign_out(page)
    sign_in(page, live_server, moderator_user)
    page.get_by_role("link", name="Use a backup code instead").click()
    page.get_by_label("Backup code").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("has been used already")
    assert page.title().startswith("Error: Enter a backup code")
    assert axe(page) == []


def test_provider_staff_add_a_passkey_and_then_sign_in_with_it(
    watched_page, live_server, axe, authenticator, provider_user
):
    page = watched_page
    sign_in(page, live_server, provider_user)
    expect(page.locator("main")).to_contain_text("RJ provider staff")  # not asked: optional for providers

    page.goto(live_server.url + reverse("account_security"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in")
    assert axe(page) == []
    # The passkey script binds the button when it has loaded: wait for it under load.
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Add a passkey").click()

    # A first factor comes with backup codes.
    expect(page.get_by_role("heading", level=1)).to_have_text("Save your backup codes", timeout=15_000)
    passkey = WebAuthnCredential.objects.get(user=provider_user)
    assert AuditEvent.objects.filter(actor=provider_user, summary__contains="Added a passkey").exists()
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in")
    expect(page.locator(".govuk-summary-list")).to_contain_text(passkey.name)
    assert axe(page) == []

    # From now on the provider confirms each sign-in with it.
    sign_out(page)
    sign_in(page, live_server, provider_user, next_url=reverse("referrals:list"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you with your passkey")
    assert axe(page) == []
    # The passkey script binds the button when it has loaded: wait for it under load.
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Use your passkey").click()
    expect(page).to_have_url(live_server.url + reverse("referrals:list"), timeout=15_000)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None
    assert page.console_errors == []


def test_pcc_staff_choose_a_passkey_at_first_sign_in(watched_page, live_server, axe, authenticator, pcc_user):
    page = watched_page
    sign_in(page, live_server, pcc_user)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")

    # The passkey script binds the button when it has loaded: wait for it under load.

    page.wait_for_load_state("networkidle")

    page.get_by_role("button", name="Set up a passkey").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Save your backup codes", timeout=15_000)
    page.get_by_role("link", name="Continue").click()
    expect(page.locator("main")).to_contain_text("PCC office staff")
    assert WebAuthnCredential.objects.filter(user=pcc_user).count() == 1
    # The app offered first was never confirmed, so the passkey is the only factor.
    assert not TOTPDevice.objects.filter(user=pcc_user, confirmed=True).exists()
    assert page.console_errors == []
