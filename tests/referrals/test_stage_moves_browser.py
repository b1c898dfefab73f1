"""A provider records a referral's completion in one go, then corrects it."""

from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from referrals.models import ReferralEvent
from tests.factories import TEST_PASSWORD, ReferralFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_provider_moves_straight_to_completed_and_corrects_it(page, live_server, axe, provider_user):
    referral = ReferralFactory(provider=provider_user.organisation, reference="QUICK-1")
    ReferralEvent.objects.create(referral=referral, to_stage="referred", happened_on=referral.received_on)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Email address").fill(provider_user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server.url + referral.get_absolute_url())
    page.get_by_role("button", name="Move to the next stage or close").click()
    assert axe(page) == []

    page.get_by_label("Completed", exact=True).check()
    # Only what completing needs shows: no closing date or reason.
    expect(page.get_by_role("group", name="Date it was closed")).to_be_hidden()
    expect(page.get_by_label("Reason for closing")).to_be_hidden()
    contacting = page.get_by_role("group", name="Date it reached contacting")
    expect(contacting).to_be_visible()
    contacting.get_by_label("Day").fill("13")
    contacting.get_by_label("Month").fill("1")
    contacting.get_by_label("Year").fill("2026")
    completed = page.get_by_role("group", name="Date it reached completed")
    completed.get_by_label("Day").fill("10")
    completed.get_by_label("Month").fill("2")
    completed.get_by_label("Year").fill("2026")
    for stage in ("assessing", "preparing", "intervention"):
        group = page.get_by_role("group", name=f"Date it reached {stage}")
        for part in ("Day", "Month", "Year"):
            group.get_by_label(part).fill("")  # the day of the stage after it
    page.get_by_label("Type of intervention").select_option("shuttle")
    page.get_by_label("Was an agreement reached?").select_option("yes")
    page.get_by_label("Victim satisfaction (1 very dissatisfied to 5 very satisfied)").select_option("4")
    assert axe(page) == []
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Check before you move referral QUICK-1")
    assert axe(page) == []
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("moved to completed, through contacting")
    assert axe(page) == []
    referral.refresh_from_db()
    assert (referral.stage, referral.victim_satisfaction, referral.contact_attempts) == ("completed", 4, 1)
    assert referral.events.get(to_stage="intervention").happened_on == date(2026, 2, 10)

    page.get_by_role("button", name="Correct the latest move").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Correct the latest move")
    assert axe(page) == []
    page.get_by_role("button", name="Correct the move").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select why the move is being corrected")
    assert axe(page) == []
    page.get_by_label("Recorded at the wrong stage").check()
    page.get_by_role("button", name="Correct the move").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("back at intervention")
    expect(page.get_by_text("Corrected", exact=True)).to_be_visible()
    assert axe(page) == []
    referral.refresh_from_db()
    assert (referral.stage, referral.victim_satisfaction) == ("intervention", None)
    assert referral.events.get(to_stage="completed").correction_reason == "wrong_stage"
    assert errors == []
