"""PCC office staff add a referring team, make a mistake, fix it and find the team in the list."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from referrals.models import ReferringTeam
from tests.factories import KENT, TEST_PASSWORD, ReferringTeamFactory, area

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_pcc_staff_add_a_team_after_fixing_a_mistake(page, live_server, axe, pcc_user):
    ReferringTeamFactory(area=area(KENT), name="Medway Neighbourhood", category="neighbourhood", staff_count=40)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Email address").fill(pcc_user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Referrals").first.click()
    page.get_by_role("link", name="Referring teams").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referring teams in Kent")
    expect(page.get_by_role("cell", name="Medway Neighbourhood", exact=True)).to_be_visible()
    assert axe(page) == []

    page.get_by_role("button", name="Add a team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a referring team")
    assert axe(page) == []
    page.get_by_label("Team name").fill("medway neighbourhood")
    page.get_by_label("Youth justice").check()
    page.get_by_label("Number of officers or staff (optional)").fill("twelve")
    page.get_by_role("button", name="Save team").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Kent already has a team called Medway Neighbourhood")
    expect(summary).to_contain_text("Enter the number of officers or staff as a whole number, like 12")
    assert page.title().startswith("Error: ")
    assert axe(page) == []
    summary.get_by_role("link", name="Kent already has a team called Medway Neighbourhood").click()
    expect(page.get_by_label("Team name")).to_be_focused()
    assert ReferringTeam.objects.count() == 1

    page.get_by_label("Team name").fill("Medway Youth Offending")
    page.get_by_label("Number of officers or staff (optional)").fill("12")
    page.get_by_role("button", name="Save team").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Medway Youth Offending added to the referring teams of Kent."
    )
    row = page.get_by_role("row").filter(has_text="Medway Youth Offending")
    expect(row).to_contain_text("Youth justice")
    expect(row).to_contain_text("12")
    assert axe(page) == []
    assert errors == []
