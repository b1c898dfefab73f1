"""A provider's large file is checked in the background: the import page shows its progress,
then the result, without reloading by hand."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from referrals.models import ReferralImportJob
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_the_import_page_follows_a_running_import_to_its_result(page, live_server, axe, provider_user):
    job = ReferralImportJob.objects.create(
        provider=provider_user.organisation,
        uploaded_by=provider_user,
        filename="big.xlsx",
        size=15_000_000,
        status="running",
        phase="check",
        rows_done=40000,
    )
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Email address").fill(provider_user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(live_server.url + reverse("referral_imports:upload"))
    expect(page.get_by_role("heading", name="Recent imports")).to_be_visible()
    assert axe(page) == []
    page.get_by_role("link", name="big.xlsx").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Checking your file")
    expect(page.locator("#import-progress")).to_contain_text("Checking rows: 40,000 rows checked so far.")
    assert axe(page) == []

    ReferralImportJob.objects.filter(pk=job.pk).update(rows_done=90000)
    expect(page.locator("#import-progress")).to_contain_text("90,000 rows checked so far.", timeout=10_000)

    ReferralImportJob.objects.filter(pk=job.pk).update(status="done", created=90000, updated=5, unchanged=0)
    expect(page.locator(".govuk-panel")).to_contain_text("90,000 created, 5 updated, 0 unchanged", timeout=10_000)
    assert axe(page) == []
    assert errors == []


def test_an_imports_result_leads_to_its_referrals_and_the_guide_explains_stages(page, live_server, axe, provider_user):
    from tests.factories import ReferralFactory

    job = ReferralImportJob.objects.create(
        provider=provider_user.organisation,
        uploaded_by=provider_user,
        filename="monthly.csv",
        status="done",
        created=1,
        updated=0,
        moved=1,
    )
    referral = ReferralFactory(provider=provider_user.organisation, reference="FROM-THE-FILE")
    referral.__class__.objects.filter(pk=referral.pk).update(last_import=job)
    ReferralFactory(provider=provider_user.organisation, reference="TYPED-IN")
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Email address").fill(provider_user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(live_server.url + reverse("referral_imports:job", args=[job.pk]))
    expect(page.locator("main")).to_contain_text("1 referral moved on to a later stage")
    assert axe(page) == []
    page.get_by_role("link", name="See the 1 referral this file created or changed").click()
    expect(page.locator(".govuk-inset-text")).to_contain_text("Showing the referrals that monthly.csv")
    expect(page.get_by_role("link", name="FROM-THE-FILE")).to_be_visible()
    expect(page.get_by_role("link", name="TYPED-IN")).to_have_count(0)
    assert axe(page) == []

    page.goto(live_server.url + reverse("referral_imports:guide"))
    expect(page.get_by_role("heading", name="Stages and outcomes")).to_be_visible()
    assert axe(page) == []
