"""A signer whose pledge was published asks for a link, changes their details, and the pledge
is back in the moderation queue. No axe violations along the way."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from pledges.constants import PledgeStatus
from pledges.models import Pledge

from .factories import CampaignFactory, PublishedPledgeFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_a_signer_changes_their_published_pledge(page, live_server, axe):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    today = datetime.date.today()
    campaign = CampaignFactory(
        title="Change elections",
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=30),
        election_date=today + datetime.timedelta(days=40),
    )
    pledge = PublishedPledgeFactory(campaign=campaign, name="Alex Exmaple", email="alex@example.org")

    page.goto(live_server.url + reverse("pledges:privacy"))
    page.get_by_role("link", name="change your pledge details").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your pledge details")
    assert axe(page) == []
    page.get_by_role("button", name="Send me a link").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    assert axe(page) == []
    page.get_by_label("Email address").fill("alex@example.org")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert axe(page) == []

    link = re.search(r"https?://\S+/pledges/change/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your pledge details")
    assert axe(page) == []
    page.get_by_label("Your full name").fill("Alex Example")
    page.get_by_role("button", name="Save and send for review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your pledge details have been changed")
    assert axe(page) == []
    pledge.refresh_from_db()
    assert (pledge.name, pledge.status) == ("Alex Example", PledgeStatus.VERIFIED)
    assert not Pledge.objects.published().exists()
    assert errors == []

    page.goto(link)  # answered 410 Gone
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has already been used")
    assert axe(page) == []
