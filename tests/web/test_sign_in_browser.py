"""Browser journeys: signing in as each role, the error path, and keyboard-only use."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


@pytest.fixture
def watched_page(page):
    """A page that records console errors, so that CSP refusals and script failures fail tests."""
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    return page


def sign_in(page, live_server, email, password):
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("persona", ["admin", "pcc", "provider", "moderator"], indirect=True)
def test_each_role_signs_in_and_reaches_an_accessible_home_page(watched_page, live_server, axe, persona):
    page = watched_page
    sign_in(page, live_server, persona.email, TEST_PASSWORD)
    page.wait_for_url(live_server.url + reverse("home"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert persona.get_role_display() in page.content() or "National administrator" in page.content()
    assert axe(page) == []
    assert page.console_errors == []


def test_a_wrong_password_shows_an_error_summary(watched_page, live_server, axe, pcc_user):
    page = watched_page
    sign_in(page, live_server, pcc_user.email, "not the password")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert "Enter a correct email address and password" in summary.inner_text()
    assert axe(page) == []
    assert page.console_errors == []


def test_signing_in_with_the_keyboard_alone(page, live_server, pcc_user):
    page.goto(live_server.url + reverse("login"))
    # Tab from the top of the page: the skip link comes first, then on to the form.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    page.keyboard.press("Enter")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "username":
            break
    page.keyboard.type(pcc_user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    # The skip link's #main-content fragment survives the redirect, so match the path only.
    page.wait_for_url(lambda url: urlsplit(url).path == reverse("home"))
    assert "Signed in as PCC office staff" in page.content()


def test_public_pages_are_accessible(watched_page, live_server, axe):
    page = watched_page
    for name in ["home", "pages:accessibility", "pages:privacy", "pages:cookies", "password_reset"]:
        page.goto(live_server.url + reverse(name))
        assert axe(page) == [], name
    assert page.console_errors == []


def test_staff_pages_are_accessible(watched_page, live_server, axe, admin_user, pcc_user):
    page = watched_page
    sign_in(page, live_server, admin_user.email, TEST_PASSWORD)
    page.wait_for_url(live_server.url + reverse("home"))
    for url in [
        reverse("areas:list"),
        reverse("areas:detail", kwargs={"code": "E23000032"}),
        reverse("organisations:list"),
        reverse("organisations:detail", kwargs={"pk": pcc_user.organisation.pk}),
        reverse("audit:list"),
        reverse("dashboard:index"),
        reverse("password_change"),
        "/no-such-page/",
    ]:
        page.goto(live_server.url + url)
        assert axe(page) == [], url
    assert [error for error in page.console_errors if "404" not in error] == []
