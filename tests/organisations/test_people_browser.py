"""An administrator invites someone; the invited person sets a password through the emailed link
and signs in. A PCC office manager changes a colleague and deactivates another."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from rjportal.accounts.models import User
from tests.factories import KENT, TEST_PASSWORD, PccStaffFactory, area

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]

NEW_PASSWORD = "a-brand-new-password-42"


def sign_in(page, live_server, email, password=TEST_PASSWORD):
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_an_administrator_invites_someone_who_sets_a_password(page, live_server, axe, admin_user, pcc_user):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, live_server, admin_user.email)
    page.goto(live_server.url + reverse("organisations:list"))
    page.get_by_role("link", name="Invite and manage people").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    assert axe(page) == []

    page.get_by_role("button", name="Invite someone").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite someone")
    assert axe(page) == []
    page.get_by_label("Email address").fill("pcc@example.org")
    page.get_by_label("Full name").fill("Pat Newcomer")
    page.get_by_label("PCC office staff").check()
    page.get_by_role("button", name="Send invitation").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Someone with this email address already has an account")
    expect(summary).to_contain_text("Choose the PCC office this person works for")
    assert page.title().startswith("Error: ")
    assert axe(page) == []

    page.get_by_label("Email address").fill("pat.newcomer@example.org")
    page.get_by_label("Organisation (for PCC office and RJ provider staff)").select_option(
        label=pcc_user.organisation.name
    )
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Invitation sent to pat.newcomer@example.org")
    row = page.get_by_role("row").filter(has_text="pat.newcomer@example.org")
    expect(row).to_contain_text("Invited")
    assert axe(page) == []

    [message] = mail.outbox
    link = re.search(r"https?://\S+/accounts/invitation/\S+/", message.body).group(0)
    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set your password")
    assert axe(page) == []
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been set")
    assert axe(page) == []

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This invitation link does not work")
    assert axe(page) == []

    sign_in(page, live_server, "pat.newcomer@example.org", NEW_PASSWORD)
    expect(page.get_by_role("link", name="Sign out").or_(page.get_by_role("button", name="Sign out"))).to_be_visible()
    assert User.objects.get(email="pat.newcomer@example.org").check_password(NEW_PASSWORD)
    assert errors == []


def test_a_pcc_manager_changes_and_deactivates_colleagues(page, live_server, axe, pcc_user):
    manager = PccStaffFactory(email="manager@example.org", organisation=pcc_user.organisation, manages_users=True)
    PccStaffFactory(email="leaver@example.org", full_name="Lee Leaver", organisation=pcc_user.organisation)
    PccStaffFactory(email="stranger@example.org", organisation__areas=[area(KENT)])
    sign_in(page, live_server, manager.email)
    page.goto(live_server.url + reverse("organisations:people"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"People at {pcc_user.organisation.name}")
    expect(page.get_by_text("stranger@example.org")).to_have_count(0)
    assert axe(page) == []

    page.get_by_role("link", name="Change pcc@example.org").click()
    assert axe(page) == []
    page.get_by_label("They can invite, change and deactivate their organisation's staff").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Changes to pcc@example.org saved")
    assert User.objects.get(email="pcc@example.org").manages_users

    page.get_by_role("link", name="Deactivate leaver@example.org").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deactivate Lee Leaver?")
    assert axe(page) == []
    page.get_by_role("button", name="Deactivate account").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("leaver@example.org has been deactivated")
    assert not User.objects.get(email="leaver@example.org").is_active
    assert axe(page) == []
