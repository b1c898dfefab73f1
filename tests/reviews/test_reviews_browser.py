"""PCC office staff draw a dip sample, review three cases and see the results."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD
from tests.reviews.factories import dip_sample

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_draw_a_sample_review_three_cases_and_see_results(page, live_server, axe, pcc_user):
    dip_sample({"none": 30, "hate_crime": 3, "domestic_abuse": 6}, title="Browser sample")
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Email address").fill(pcc_user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Case reviews").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case reviews")
    assert axe(page) == []
    page.get_by_role("link", name="Browser sample").click()
    page.get_by_role("button", name="Set the sample design").click()
    assert axe(page) == []
    page.get_by_label("Total sample size").fill("50")
    page.get_by_label("Minimum per flagged stratum").fill("3")
    page.get_by_role("button", name="Show the sample design").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("larger than the population (39 cases)")
    assert page.title().startswith("Error: ")
    assert axe(page) == []
    page.get_by_label("Total sample size").fill("12")
    page.get_by_label("Seed").fill("2026")
    page.get_by_role("button", name="Show the sample design").click()
    expect(page.get_by_text("12 cases drawn with seed 2026.")).to_be_visible()
    assert axe(page) == []
    page.get_by_role("button", name="Draw the sample").click()
    expect(page.get_by_text("0 / 12 reviewed")).to_be_visible()
    assert axe(page) == []
    for answer in ("Yes", "No", "Cannot tell"):
        page.locator("table").last.get_by_role("link").filter(has_text=": review").first.click()
        assert axe(page) == []
        page.get_by_label(answer, exact=True).first.check()
        page.get_by_label("Crime record").check()
        page.locator("input[name=referred][value=no]").check()
        page.get_by_role("button", name="Save review").click()
    expect(page.get_by_text("3 / 12 reviewed")).to_be_visible()
    page.get_by_role("link", name="See the results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Results")
    expect(page.get_by_text("1 case answered 'cannot tell'", exact=False)).to_be_visible()
    expect(page.get_by_text("finite population correction", exact=False)).to_be_visible()
    assert axe(page) == []
    assert errors == []
