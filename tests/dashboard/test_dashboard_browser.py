"""PCC office staff read their area's dashboard and the national comparison in a real browser:
every chart draws under the CSP, nothing leaves the site, and axe finds nothing."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from rjportal.periods import FinancialYear
from strategy.models import Commission, ProviderRegistration
from strategy.services import budget_save, spend_save
from tests.factories import ESSEX, KENT, TEST_PASSWORD, ProviderFactory, ReferralFactory, ReferringTeamFactory, area
from tests.pledges.factories import CampaignFactory, PublishedPledgeFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]

DATES = {
    "crime_reported_on": date(2025, 6, 2),
    "victim_informed_on": date(2025, 6, 3),
    "victim_requested_on": date(2025, 6, 4),
    "referred_on": date(2025, 6, 5),
}


@pytest.fixture
def referrals(live_db):
    call_command("import_recorded_crime", "rjportal/areas/data/recorded_crime_by_pfa_2023.csv", verbosity=0)
    PublishedPledgeFactory(campaign=CampaignFactory(title="2024 PCC elections"), role="pcc", area=area(KENT))
    for code in (KENT, ESSEX):
        provider = ProviderFactory(areas=[area(code)])
        team = ReferringTeamFactory(area=area(code), category="response", staff_count=40)
        ReferringTeamFactory(area=area(code), category="custody")
        for number in range(12):
            ReferralFactory(
                provider=provider,
                area=area(code),
                referring_team=team,
                received_on=date(2025, 6 + number % 6, 10),
                offence_group="theft_offences" if number % 3 else "robbery",
                offence_subgroup="",
                **DATES,
            )


@pytest.fixture
def money(live_db, pcc_user):
    """Kent's budget and spend in 2025/26, and a commissioned provider whose registration
    expires in 60 days: the money panels, the spend chart and the accreditation banner."""
    kent, year = area(KENT), FinancialYear(2025)
    budget_save(actor=pcc_user, area=kent, financial_year=year, amount_pence=1_000_000, ringfenced=True, funding={})
    spend_save(actor=pcc_user, area=kent, financial_year=year, amounts={1: 100_000, 2: 250_050, 3: 90_000})
    provider = ProviderFactory(name="Kent Restorative Service", areas=[kent])
    commission = Commission.objects.create(
        commissioner=pcc_user.organisation, provider=provider, starts_on=date(2025, 4, 1)
    )
    commission.areas.set([kent])
    today = timezone.localdate()
    ProviderRegistration.objects.create(
        provider=provider,
        scheme="rjc_registered",
        awarded_on=today - timedelta(days=1000),
        expires_on=today + timedelta(days=60),
    )


def open_page(page, live_server, url, axe):
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(live_server.url + url)
    expect(page.locator(".rj-chart__plot--drawn, .rj-chart__plot--failed")).to_have_count(
        page.locator("[data-rj-chart]").count(), timeout=30_000
    )
    assert page.locator(".rj-chart__plot--failed").count() == 0
    assert [request for request in requests if not request.startswith(live_server.url + "/")] == []
    assert errors == []
    assert axe(page) == []


@pytest.mark.usefixtures("referrals", "money")
def test_pcc_staff_read_their_area_dashboard_and_the_national_view(page, live_server, axe, pcc_user, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Email address").fill(pcc_user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Dashboard").first.click()
    area_url = reverse("dashboard:area", kwargs={"code": KENT}) + "?year=2025"
    open_page(page, live_server, area_url, axe)
    assert page.get_by_role("heading", level=1).inner_text() == "Kent referral dashboard"
    assert page.locator("[data-rj-chart]").count() == 6  # spend by quarter is the sixth
    assert page.get_by_role("region", name="Provider accreditation").is_visible()
    page.screenshot(path=str(tmp_path / "area.png"), full_page=True)

    open_page(page, live_server, reverse("dashboard:index") + "?year=2025", axe)
    assert page.locator(".rj-chart__plot--map .geo, .rj-chart__plot--map path").count() > 40
    page.screenshot(path=str(tmp_path / "national.png"), full_page=True)

    open_page(page, live_server, reverse("dashboard:index") + "?year=2025&colour=pledges", axe)
    assert "Pledges by police area: 2024 PCC elections" in page.content()

    page.goto(live_server.url + reverse("dashboard:return", kwargs={"code": KENT}) + "?year=2025")
    assert axe(page) == []
