"""A data protection officer (a national administrator) reviews unusual access and follows a
row to the audit log behind it."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from rjportal.audit.constants import AuditAction
from rjportal.audit.services import audit_record
from tests.factories import TEST_PASSWORD, ReferralFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_an_administrator_reviews_unusual_access(page, live_server, axe, settings, admin_user, pcc_user, provider_user):
    settings.AUDIT_UNUSUAL_VIEWS_PER_DAY = 3
    referral = ReferralFactory(provider=provider_user.organisation, reference="KENT-7")
    # Four views of a referral by the PCC user on a recent weekday at 10:00; one on a Sunday night.
    today = timezone.localdate()
    weekday = today - timedelta(days=(today.weekday() + 7 - 1) % 7 or 7)  # the last Tuesday before today
    sunday = today - timedelta(days=(today.weekday() + 1) % 7 or 7)
    for moment, count in [((weekday, 10), 4), ((sunday, 22), 1)]:
        day, hour = moment
        at = timezone.make_aware(timezone.datetime(day.year, day.month, day.day, hour))
        with time_machine.travel(at, tick=False):
            for _ in range(count):
                audit_record(actor=pcc_user, action=AuditAction.VIEW, target=referral, summary="Viewed referral KENT-7")
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Email address").fill(admin_user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server.url + reverse("audit:list"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    assert axe(page) == []
    page.get_by_role("link", name="Unusual access").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unusual access")
    heavy = page.get_by_role("row").filter(has_text="pcc@example.org").filter(has_text=weekday.strftime("%-d %b %Y"))
    expect(heavy.first).to_contain_text("4")
    assert axe(page) == []

    page.get_by_role("link", name=f"Audit log for pcc@example.org on {weekday:%-d %B %Y}").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    expect(page.get_by_role("table").get_by_role("row").filter(has_text="Viewed referral KENT-7")).to_have_count(4)
    expect(page.get_by_label("Email of person")).to_have_value("pcc@example.org")
    assert axe(page) == []
    assert errors == []
