"""PCC office staff record their area's budget and spend, fixing a mistake on the way, and see
the 10-ways scorecard change."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from strategy.models import AreaBudget, QuarterlySpend
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def budget_row(page):
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="5. Ringfence a budget"))


def test_pcc_staff_record_a_budget_and_spend_and_see_the_scorecard_change(page, live_server, axe, pcc_user):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Email address").fill(pcc_user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="10 ways").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("The 10 ways in")
    expect(budget_row(page)).to_contain_text("Unknown")
    assert axe(page) == []

    page.get_by_role("link", name="Money: budget, spend and estimated benefit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("RJ money in")
    assert axe(page) == []
    page.get_by_role("button", name="Record the budget").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("RJ budget for")
    assert axe(page) == []

    page.get_by_label("RJ budget for the year, in pounds").fill("-40,000")
    page.get_by_label("Ministry of Justice victim services grant (optional)").fill("25,000")
    page.get_by_role("button", name="Save budget").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The budget must be £0 or more")
    expect(summary).to_contain_text("Select yes if the budget is ringfenced")
    assert page.title().startswith("Error: ")
    assert axe(page) == []
    assert AreaBudget.objects.count() == 0

    page.get_by_label("RJ budget for the year, in pounds").fill("40,000")
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Save budget").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("RJ budget for Kent")
    expect(page.locator(".govuk-summary-list")).to_contain_text("£40,000.00")
    assert axe(page) == []

    page.get_by_role("button", name="Record spend").click()
    page.get_by_label("Quarter 1").fill("9,000")
    page.get_by_role("button", name="Save spend").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("RJ spend for Kent")
    expect(page.get_by_text("£9,000 spent is estimated to bring £81,000 of benefit.")).to_be_visible()
    expect(page.get_by_text("£9 for every £1 spent").first).to_be_visible()
    assert axe(page) == []
    assert QuarterlySpend.objects.get().amount_pence == 900_000

    page.get_by_role("link", name="The 10 ways in Kent").click()
    expect(budget_row(page)).to_contain_text("Met")
    expect(budget_row(page)).to_contain_text("Budget of £40,000, ringfenced.")
    assert axe(page) == []

    page.get_by_role("link", name="Compare with the other areas").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("The 10-ways scorecard")
    assert axe(page) == []
    assert errors == []
