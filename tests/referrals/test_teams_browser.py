"""PCC office staff add a referring team, or a file of them, make a mistake, fix it and find the
teams in the list, with their referrals in the financial year they choose."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from referrals.models import ReferringTeam
from rjportal.periods import financial_year_of
from tests.factories import KENT, TEST_PASSWORD, ReferralFactory, ReferringTeamFactory, area

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


def test_pcc_staff_upload_a_file_of_teams_after_fixing_it_and_look_at_an_earlier_year(page, live_server, axe, pcc_user):
    last_year = financial_year_of(timezone.localdate()).previous()
    medway = ReferringTeamFactory(area=area(KENT), name="Medway Neighbourhood", category="neighbourhood")
    ReferralFactory(
        referring_team=medway,
        crime_reported_on=None,
        victim_informed_on=None,
        victim_requested_on=None,
        referred_on=last_year.period.start,
        received_on=last_year.period.start + timedelta(days=1),
    )
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Email address").fill(pcc_user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server.url + reverse("referrals:teams"))
    page.get_by_role("button", name="Upload a file of teams").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload referring teams")
    expect(page.get_by_role("table", name="category codes")).to_contain_text("Victim care unit")
    assert axe(page) == []

    wrong = "police_area_code,name,category,staff_count\n,Swale Response,response,lots\n,swale RESPONSE,made up,\n"
    page.get_by_label("Upload a file of teams").set_input_files(
        files=[{"name": "teams.csv", "mimeType": "text/csv", "buffer": wrong.encode()}]
    )
    page.get_by_role("button", name="Upload and check").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("The file has 3 problems, listed below. Nothing was saved")
    problems = page.get_by_role("table", name="Problems found")
    expect(problems.get_by_role("row").filter(has_text="This team is also on row 2")).to_contain_text("name")
    expect(problems).to_contain_text("Enter a category code or name from the column guide")
    assert page.title().startswith("Error: ")
    assert axe(page) == []
    assert ReferringTeam.objects.count() == 1

    right = (
        "police_area_code,name,category,staff_count\n,Swale Response,response,25\n"
        ",medway neighbourhood,Neighbourhood,40\n"
    )
    page.get_by_label("Upload a file of teams").set_input_files(
        files=[{"name": "teams.csv", "mimeType": "text/csv", "buffer": right.encode()}]
    )
    page.get_by_role("button", name="Upload and check").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Teams uploaded from teams.csv: 1 added, 1 changed, 0 unchanged."
    )
    expect(page.get_by_role("row").filter(has_text="Swale Response")).to_contain_text("25")
    expect(page.get_by_role("row").filter(has_text="Medway Neighbourhood")).to_contain_text("40")
    assert axe(page) == []

    expect(page.get_by_role("row").filter(has_text="Medway Neighbourhood").get_by_role("cell").nth(3)).to_have_text("0")
    page.get_by_label("Referrals in the financial year").select_option(last_year.label)
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("columnheader", name=f"Referrals in {last_year.label}")).to_be_visible()
    medway_row = page.get_by_role("row").filter(has_text="Medway Neighbourhood")
    expect(medway_row.get_by_role("cell").nth(3)).to_have_text("1")
    assert axe(page) == []

    page.goto(live_server.url + reverse("referrals:teams") + "?year=1999")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a financial year from the list")
    page.locator(".govuk-error-summary").get_by_role("link").click()
    expect(page.get_by_label("Referrals in the financial year")).to_be_focused()
    assert axe(page) == []
    assert errors == []
