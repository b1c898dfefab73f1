"""The whole pledge journey in a browser: sign, follow the emailed link, confirm; a moderator
signs in and publishes; the pledge is on the register and in the CSV. No axe violations on any
page along the way."""

import csv
import datetime
import io
import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD, ModeratorFactory

from .factories import CampaignFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


@pytest.fixture
def watched_page(page):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    return page


def test_sign_confirm_moderate_and_publish(watched_page, live_server, axe):
    page = watched_page
    today = datetime.date.today()
    CampaignFactory(
        title="Journey elections",
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=30),
        election_date=today + datetime.timedelta(days=40),
    )
    moderator = ModeratorFactory(email="moderator@example.org")

    page.goto(live_server.url + reverse("pledges:register"))
    assert axe(page) == [], "register (empty)"

    page.goto(live_server.url + reverse("pledges:sign"))
    assert axe(page) == [], "sign form"
    page.get_by_role("button", name="Sign the pledge").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert axe(page) == [], "sign form with errors"

    page.get_by_label("Your full name").fill("Robin Journey")
    page.get_by_label("Police and Crime Commissioner (PCC)").check()
    page.get_by_label("Your party (optional)").fill("Purple")
    page.get_by_label("Police force area").select_option(label="Kent")
    page.get_by_label("Email address").fill("robin@example.org")
    page.get_by_label("Public statement (optional)").fill("Restorative justice works for victims.")
    page.get_by_label("I agree to my name").check()
    page.get_by_role("button", name="Sign the pledge").click()
    page.wait_for_url(live_server.url + reverse("pledges:check_email"))
    assert axe(page) == [], "check your email"

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/pledges/confirm/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", name="Confirm your pledge")).to_be_visible()
    assert axe(page) == [], "confirm page"
    page.get_by_role("button", name="Confirm your pledge").click()
    page.wait_for_url(live_server.url + reverse("pledges:confirmed"))
    assert axe(page) == [], "confirmed"

    page.goto(live_server.url + reverse("pledges:privacy"))
    assert axe(page) == [], "privacy"

    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Email address").fill(moderator.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + reverse("home"))

    page.goto(live_server.url + reverse("pledges:moderation"))
    assert axe(page) == [], "moderation queue"
    page.get_by_role("link", name="Robin Journey").click()
    page.wait_for_url("**/pledges/moderation/*/")
    assert axe(page) == [], "moderation detail"
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", name="Publish the pledge of Robin Journey?")).to_be_visible()
    assert axe(page) == [], "publish check"
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(live_server.url + reverse("pledges:moderation"))
    assert "is published on the register" in page.content()
    assert axe(page) == [], "moderation queue after publishing"

    page.goto(live_server.url + reverse("pledges:register"))
    table = page.locator("table.govuk-table").first
    assert "Robin Journey" in table.inner_text()
    assert "1 of 43" in page.content()
    page.wait_for_selector("[data-rj-chart] .main-svg")
    assert axe(page) == [], "register with the pledge"

    page.goto(live_server.url + reverse("pledges:area", kwargs={"code": "E23000032"}))
    assert "Robin Journey" in page.content()
    assert axe(page) == [], "area page"

    response = page.request.get(live_server.url + reverse("pledges:register_csv"))
    rows = list(csv.DictReader(io.StringIO(response.text().lstrip("\ufeff"))))
    assert [row["name"] for row in rows] == ["Robin Journey"]
    assert "robin@example.org" not in response.text()
    assert page.console_errors == []
