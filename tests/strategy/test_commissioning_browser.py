"""PCC office staff record a contract after fixing a mistake and find it in the list; the
provider records its accreditation; the office sees it with its status; the public see the
service on the area's page. No axe violations on any page along the way."""

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from strategy.models import Commission, ProviderRegistration
from tests.factories import KENT, TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


@pytest.fixture
def watched_page(page):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    return page


def sign_in(page, live_server, user):
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def fill_date(page, legend, day: datetime.date):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_a_contract_and_an_accreditation_from_both_sides(watched_page, live_server, axe, pcc_user, provider_user):
    page = watched_page
    today = datetime.date.today()
    provider = provider_user.organisation
    provider.name = "Kent RJ Service"
    provider.save()

    # PCC office staff record the contract, first with the end before the start.
    sign_in(page, live_server, pcc_user)
    page.goto(live_server.url + reverse("strategy:commissions"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Contracts with RJ providers")
    expect(page.get_by_text("No contracts have been recorded yet.")).to_be_visible()
    assert axe(page) == [], "contracts (empty)"

    page.get_by_role("button", name="Add a contract").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a contract with a provider")
    assert axe(page) == [], "contract form"
    page.get_by_label("RJ provider").select_option(label="Kent RJ Service")
    expect(page.get_by_label("Kent")).to_be_checked()
    fill_date(page, "Contract start date", today - datetime.timedelta(days=30))
    fill_date(page, "Contract end date (optional)", today - datetime.timedelta(days=31))
    page.get_by_label("Annual value (optional)").fill("85,000")
    page.get_by_label("Public name of the service (optional)").fill("Restorative Kent")
    page.get_by_label("Public phone number (optional)").fill("01632 960123")
    page.get_by_label("Public web page (optional)").fill("https://restorative-kent.example.org/")
    page.get_by_label("How a victim can ask for RJ themselves (optional)").fill("Call us on weekdays.")
    page.get_by_role("button", name="Save contract").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("The contract end date must be the same as or after its start date")
    assert page.title().startswith("Error: ")
    assert axe(page) == [], "contract form with errors"
    assert not Commission.objects.exists()

    fill_date(page, "Contract end date (optional)", today + datetime.timedelta(days=700))
    page.get_by_role("button", name="Save contract").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Contract with Kent RJ Service saved.")
    row = page.get_by_role("row").filter(has_text="Kent RJ Service")
    expect(row).to_contain_text("Kent")
    expect(row).to_contain_text("£85,000.00")
    expect(row).to_contain_text("Running")
    assert axe(page) == [], "contracts list"
    commission = Commission.objects.get()
    assert commission.commissioner == pcc_user.organisation

    row.get_by_role("link", name=re.compile(r"^Kent RJ Service\s*, contract from")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Contract with Kent RJ Service")
    assert axe(page) == [], "contract detail"

    page.goto(live_server.url + reverse("strategy:registrations"))
    expect(page.get_by_role("row").filter(has_text="Kent RJ Service")).to_contain_text("None recorded")
    assert axe(page) == [], "accreditation list (none recorded)"

    # The provider records its registration.
    sign_in(page, live_server, provider_user)
    page.goto(live_server.url + reverse("strategy:registrations"))
    assert axe(page) == [], "accreditation list (provider, empty)"
    page.get_by_role("button", name="Add an accreditation").click()
    assert axe(page) == [], "accreditation form"
    expect(page.get_by_label("RJC Registered Service Provider")).to_be_checked()
    awarded = today - datetime.timedelta(days=300)
    fill_date(page, "Date it was awarded", awarded)
    fill_date(page, "Expiry date", awarded)
    page.get_by_label("Certificate reference (optional)").fill("RSP-0042")
    page.get_by_role("button", name="Save accreditation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The expiry date must be after the date it was awarded"
    )
    assert axe(page) == [], "accreditation form with errors"
    assert not ProviderRegistration.objects.exists()

    expires = today + datetime.timedelta(days=60)
    fill_date(page, "Expiry date", expires)
    page.get_by_role("button", name="Save accreditation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved: expires on")
    assert axe(page) == [], "accreditation list (provider)"

    # The office sees it, expiring soon.
    sign_in(page, live_server, pcc_user)
    page.goto(live_server.url + reverse("strategy:registrations"))
    row = page.get_by_role("row").filter(has_text="Kent RJ Service")
    expect(row).to_contain_text("RSP-0042")
    expect(row.locator(".govuk-tag--yellow")).to_have_text("Expiring soon")
    assert axe(page) == [], "accreditation list (office)"

    # The public see the service, signed out.
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("strategy_public:area", kwargs={"code": KENT}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Restorative justice in Kent")
    expect(page.get_by_role("heading", name="Restorative Kent")).to_be_visible()
    expect(page.get_by_text("01632 960123")).to_be_visible()
    assert axe(page) == [], "public area page"
    assert page.console_errors == []
