"""The area dashboard's 10-ways scorecard and money panels, and spend in the quarterly return.

Every figure is worked out by hand. Today is 15 November 2025: quarters 1 to 3 of 2025/26 have
begun and quarter 4 (January to March 2026) has not. Kent's office recorded a budget of £10,000
(ringfenced; £6,000 from the Ministry of Justice grant, £4,000 from the PCC's core budget) and
spend of £1,000 in Q1 and £2,000 in Q2, £3,000 in all; Kent's providers received 60 referrals, 20
of which reached an RJ intervention."""

import csv
import io
import json
from datetime import date, timedelta

import plotly.graph_objects as go
import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from rjportal.periods import FinancialYear
from strategy.models import BenefitRatio, Commission, ProviderRegistration
from strategy.selectors import benefit_note
from strategy.services import benefit_ratio_choose, budget_save, spend_save, way_assessment_save
from tests.factories import (
    DYFED_POWYS,
    ESSEX,
    KENT,
    ProviderFactory,
    ReferralFactory,
    ReferringTeamFactory,
    area,
)
from tests.pledges.factories import CampaignFactory

pytestmark = pytest.mark.django_db

TODAY = date(2025, 11, 15)
YEAR = FinancialYear(2025)
KENT_DASHBOARD = reverse("dashboard:area", kwargs={"code": KENT})
KENT_RETURN = reverse("dashboard:return", kwargs={"code": KENT})
KENT_MONEY = reverse("strategy:money", kwargs={"code": KENT})
NINE = "£9 for every £1 spent"
EIGHT = "£8 for every £1 spent"
DATES = {
    "crime_reported_on": date(2025, 7, 28),
    "victim_informed_on": date(2025, 7, 29),
    "victim_requested_on": date(2025, 7, 30),
    "referred_on": date(2025, 7, 31),
    "received_on": date(2025, 8, 1),  # in Q2, the last complete quarter on 15 November
}
SUPPORTED = {
    "stage": "completed",
    "furthest_stage": "completed",
    "intervention_type": "letters",
    "agreement_reached": True,
    "victim_satisfaction": 4,
}


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def add_referrals(code, count, *, supported=0):
    """`count` referrals received in the area on 1 August 2025, the first `supported` of them
    having reached an RJ intervention."""
    place = area(code)
    provider = ProviderFactory(areas=[place])
    team = ReferringTeamFactory(area=place)
    for number in range(count):
        extra = SUPPORTED if number < supported else {}
        ReferralFactory(provider=provider, area=place, referring_team=team, **DATES, **extra)


def record_spend(actor, code, amounts):
    spend_save(actor=actor, area=area(code), financial_year=YEAR, amounts=amounts)


@pytest.fixture
def kent_money(admin_user):
    budget_save(
        actor=admin_user,
        area=area(KENT),
        financial_year=YEAR,
        amount_pence=1_000_000,
        ringfenced=True,
        funding={"moj_grant": 600_000, "pcc_core": 400_000},
    )
    record_spend(admin_user, KENT, {1: 100_000, 2: 200_000})
    add_referrals(KENT, 60, supported=20)


@pytest.fixture
def other_areas(admin_user):
    """Essex: £4,000 over 40 referrals (£100.00 each), 10 supported (£400.00 each). Dyfed-Powys:
    £1,200 over 20 referrals (£60.00 each), none supported (no cost per victim supported)."""
    record_spend(admin_user, ESSEX, {1: 400_000})
    add_referrals(ESSEX, 40, supported=10)
    record_spend(admin_user, DYFED_POWYS, {2: 120_000})
    add_referrals(DYFED_POWYS, 20)


def csv_rows(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def workbook(client, url, **params):
    return load_workbook(io.BytesIO(client.get(url, {**params, "format": "xlsx"}).content))


def sheet_rows(book, name):
    return [list(row) for row in book[name].values]


# Spend and budget ------------------------------------------------------------------------------


@pytest.mark.usefixtures("kent_money")
def test_spend_by_quarter_says_why_a_quarter_has_no_figure(client, pcc_user):
    client.force_login(pcc_user)
    assert csv_rows(client.get(KENT_DASHBOARD, {"export": "spend"})) == [
        ["Quarter", "Spend (£)"],
        ["Q1 (April to June 2025)", "1000.00"],
        ["Q2 (July to September 2025)", "2000.00"],
        ["Q3 (October to December 2025)", "Not recorded"],
        ["Q4 (January to March 2026)", "Not yet begun"],
        ["Year total", "3000.00"],
    ]
    # The panels are for the whole year: choosing a quarter narrows the referrals only.
    report = client.get(KENT_DASHBOARD, {"year": 2025, "quarter": 1}).context["report"]
    assert report.money.spend_pence == 300_000
    page = client.get(KENT_DASHBOARD).content.decode()
    assert "£3,000.00 in 2 of the 3 quarters begun (30% of the budget)" in page
    assert "3,000.00" in page and "Not yet begun" in page


@pytest.mark.usefixtures("kent_money")
def test_the_budget_table_gives_the_amount_ringfencing_and_funding(client, pcc_user):
    client.force_login(pcc_user)
    assert csv_rows(client.get(KENT_DASHBOARD, {"export": "budget"})) == [
        [
            "Financial year",
            "Budget (£)",
            "Ringfenced",
            "Funding: Ministry of Justice victim services grant (£)",
            "Funding: PCC core budget (£)",
            "Funding: Other (£)",
        ],
        ["2025/26", "10000.00", "Yes", "6000.00", "4000.00", "Not recorded"],
    ]
    assert "£10,000.00, ringfenced" in client.get(KENT_DASHBOARD).content.decode()


@pytest.mark.usefixtures("kent_money", "other_areas")
def test_the_spend_chart_is_valid_for_plotly_and_its_table_keeps_pence(client, pcc_user):
    client.force_login(pcc_user)
    chart = client.get(KENT_DASHBOARD).context["charts"]["spend"]
    plot = {key: value for key, value in chart.figure.items() if key != "config"}
    assert json.loads(go.Figure(plot).to_json()) == plot
    assert plot["data"][0]["y"] == [1000.0, 2000.0, None, None]
    assert chart.table["rows"][0] == ["Q1 (April to June 2025)", "1,000.00"]
    assert chart.table["rows"][3] == ["Q4 (January to March 2026)", "Not yet begun"]
    assert chart.summary == (
        "£3,000.00 recorded in 2 of the 3 quarters of 2025/26 that have begun. That is 30% of the budget of £10,000.00."
    )


# Costs -----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("kent_money", "other_areas")
def test_cost_per_referral_and_per_victim_supported_beside_the_national_median(client, pcc_user):
    client.force_login(pcc_user)
    # Kent £3,000 / 60 = £50.00 and / 20 = £150.00. Per referral: Kent £50, Essex £100, Dyfed-Powys
    # £60, median £60.00. Per victim supported: Kent £150, Essex £400 (Dyfed-Powys supported
    # nobody, so has no figure), median £275.00.
    assert csv_rows(client.get(KENT_DASHBOARD, {"export": "costs"})) == [
        ["Measure", "This area (£)", "National median (£)", "Area's spend (£)", "Referrals or victims supported"],
        ["Cost per referral", "50.00", "60.00", "3000.00", "60"],
        ["Cost per victim supported", "150.00", "275.00", "3000.00", "20"],
    ]
    page = client.get(KENT_DASHBOARD).content.decode()
    assert "£50.00 (60 referrals); national median £60.00" in page
    assert "£150.00 (20 victims supported); national median £275.00" in page


# Estimated benefit -------------------------------------------------------------------------------


@pytest.mark.usefixtures("kent_money")
def test_estimated_benefit_follows_the_ratio_chosen_and_names_it_everywhere(client, pcc_user, admin_user):
    client.force_login(pcc_user)
    for label, pence in [(NINE, 2_700_000), (EIGHT, 2_400_000)]:  # £3,000 x 9 and x 8
        ratio = BenefitRatio.objects.get(label=label)
        benefit_ratio_choose(actor=admin_user, ratio=ratio)
        note = benefit_note(ratio)
        response = client.get(KENT_DASHBOARD)
        assert response.context["report"].money.estimated_benefit_pence == pence
        page = response.content.decode()
        assert f"£{pence // 100:,}.00" in page
        assert escape(note) in page
        assert csv_rows(client.get(KENT_DASHBOARD, {"export": "benefit"})) == [
            ["Spend (£)", "Ratio used", "Estimated benefit (£)", "Source"],
            ["3000.00", label, f"{pence // 100}.00", ratio.citation],
        ]
        book = workbook(client, KENT_DASHBOARD)
        assert sheet_rows(book, "benefit")[2] == [3000, label, pence / 100, ratio.citation]
        assert book["benefit"]["C3"].number_format == "#,##0.00"
        assert [note] in sheet_rows(book, "About")
    assert "Shapland" in note


@pytest.mark.usefixtures("kent_money")
def test_without_a_ratio_in_use_no_benefit_is_estimated_and_the_page_says_so(client, pcc_user):
    BenefitRatio.objects.update(in_use=False)
    client.force_login(pcc_user)
    page = client.get(KENT_DASHBOARD).content.decode()
    assert "No benefit ratio has been chosen, so no benefit is estimated." in page
    assert csv_rows(client.get(KENT_DASHBOARD, {"export": "benefit"}))[1] == [
        "3000.00",
        "No ratio chosen",
        "",
        "No benefit ratio has been chosen, so no benefit is estimated.",
    ]


# The scorecard -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("kent_money")
def test_the_scorecard_summary_and_table(client, pcc_user):
    way_assessment_save(
        actor=pcc_user,
        area=area(KENT),
        financial_year=YEAR,
        way="dip_sampling",
        status="partly_met",
        evidence="Sampled 80 cases in July; no hate crime cases yet.",
    )
    client.force_login(pcc_user)
    response = client.get(KENT_DASHBOARD)
    # Met: the ringfenced budget and referrals in Q2. Partly met: the office's dip sampling.
    # Nothing else is recorded, and no pledge campaign is set up, so the other seven are unknown.
    assert [(row["label"], row["count"]) for row in response.context["report"].scorecard_counts] == [
        ("Met", 2),
        ("Partly met", 1),
        ("Not met", 0),
        ("Unknown", 7),
    ]
    rows = csv_rows(client.get(KENT_DASHBOARD, {"export": "scorecard"}))
    assert rows[0] == ["Way", "Status", "Evidence", "How it is worked out"]
    by_way = {row[0]: row for row in rows[1:]}
    assert len(by_way) == 10
    assert by_way["Ringfence a budget"][1:3] == ["Met", "Budget of £10,000, ringfenced."]
    assert by_way["Ringfence a budget"][3].startswith("Met when the year's RJ budget is ringfenced")
    assert by_way["Collect data"][1:3] == ["Met", "60 referrals recorded in 2025/26 Q2."]
    assert by_way["Dip-sample cases"] == [
        "Dip-sample cases",
        "Partly met",
        "Sampled 80 cases in July; no hate crime cases yet.",
        "Recorded by the office, last changed 15 November 2025. RJ Portal holds nothing to work this status out from.",
    ]
    assert by_way["Observe an RJ process"][1:] == [
        "Unknown",
        "Nothing recorded yet.",
        "Recorded by the office: nothing recorded yet. RJ Portal holds nothing to work this status out from.",
    ]
    page = response.content.decode()
    assert "10 ways scorecard, 2025/26" in page
    assert "2 of 10 ways" in page and "7 of 10 ways" in page
    link = reverse("strategy:area", kwargs={"code": KENT})
    assert f'href="{link}?year=2025">See and update the 10 ways for Kent</a>' in page
    assert f'href="{KENT_MONEY}?year=2025">See and update the RJ budget and spend for Kent</a>' in page


# Empty states ------------------------------------------------------------------------------------


def test_with_no_money_recorded_the_dashboard_says_so_and_links_to_record_it(client, pcc_user):
    client.force_login(pcc_user)
    response = client.get(KENT_DASHBOARD)
    page = response.content.decode()
    assert "No RJ budget or spend is recorded for Kent in 2025/26" in page
    assert f'href="{KENT_MONEY}?year=2025">Record the RJ budget and spend for Kent</a>' in page
    assert "spend" not in response.context["charts"]
    assert [row[1] for row in csv_rows(client.get(KENT_DASHBOARD, {"export": "spend"}))[1:]] == [
        "Not recorded",
        "Not recorded",
        "Not recorded",
        "Not yet begun",
        "Not recorded",
    ]
    assert csv_rows(client.get(KENT_DASHBOARD, {"export": "budget"}))[1:] == []
    assert csv_rows(client.get(KENT_DASHBOARD, {"export": "benefit"}))[1:] == []
    assert [row[1:3] for row in csv_rows(client.get(KENT_DASHBOARD, {"export": "costs"}))[1:]] == [["", ""], ["", ""]]
    # An earlier year with nothing recorded: every quarter has begun, none is recorded.
    earlier = csv_rows(client.get(KENT_DASHBOARD, {"year": 2024, "export": "spend"}))
    assert [row[1] for row in earlier[1:]] == ["Not recorded"] * 5


def test_a_budget_without_spend_estimates_no_benefit(client, pcc_user, admin_user):
    budget_save(
        actor=admin_user, area=area(KENT), financial_year=YEAR, amount_pence=500_000, ringfenced=False, funding={}
    )
    client.force_login(pcc_user)
    page = client.get(KENT_DASHBOARD).content.decode()
    assert "£5,000.00, not ringfenced" in page
    assert "No spend is recorded for 2025/26 yet." in page
    assert "No spend is recorded for 2025/26, so no benefit is estimated." in page
    assert "No RJ budget or spend is recorded" not in page


# The quarterly return ----------------------------------------------------------------------------


@pytest.mark.usefixtures("kent_money")
def test_the_quarterly_return_gives_spend_by_quarter(client, pcc_user):
    client.force_login(pcc_user)
    rows = csv_rows(client.get(KENT_RETURN, {"year": 2025, "format": "csv"}))
    assert rows[0][-1] == "Spend (£)"
    assert [row[3:] for row in rows[1:]] == [
        ["Q1", "0", "0", "1000.00"],
        ["Q2", "60", "20", "2000.00"],
        ["Q3 (so far: 46 of 92 days)", "0", "0", "Not recorded"],
        ["Q4 (not yet begun)", "Not yet ended", "Not yet ended", "Not yet begun"],
        ["Year so far", "60", "20", "3000.00"],
    ]
    book = workbook(client, KENT_RETURN, year=2025)
    assert [row[3:] for row in sheet_rows(book, "return")[2:]] == [
        ["Q1", 0, 0, 1000],
        ["Q2", 60, 20, 2000],
        ["Q3 (so far: 46 of 92 days)", 0, 0, "Not recorded"],
        ["Q4 (not yet begun)", "Not yet ended", "Not yet ended", "Not yet begun"],
        ["Year so far", 60, 20, 3000],
    ]
    about = [row[0] for row in sheet_rows(book, "About")]
    assert any("recorded by the PCC office in RJ Portal" in line for line in about)
    page = client.get(KENT_RETURN, {"year": 2025}).content.decode()
    assert "Spend is not yet recorded" not in page
    assert "recorded by the PCC office in RJ Portal" in page
    assert "Not yet begun" in page and "3,000.00" in page
    assert f'href="{KENT_MONEY}?year=2025">Record or change the RJ spend for Kent</a>' in page


def test_the_return_for_a_year_without_spend_says_not_recorded(client, pcc_user):
    client.force_login(pcc_user)
    rows = csv_rows(client.get(KENT_RETURN, {"year": 2024, "format": "csv"}))
    assert [row[-1] for row in rows[1:]] == ["Not recorded"] * 5


# The accreditation banner ------------------------------------------------------------------------


def commission_with_registration(office, *, expires_in_days):
    provider = ProviderFactory(name="Kent Restorative Service", areas=[area(KENT)])
    commission = Commission.objects.create(commissioner=office, provider=provider, starts_on=date(2025, 4, 1))
    commission.areas.set([area(KENT)])
    ProviderRegistration.objects.create(
        provider=provider,
        scheme="rjc_registered",
        awarded_on=date(2022, 12, 1),
        expires_on=TODAY + timedelta(days=expires_in_days),
    )


def test_pcc_staff_see_the_banner_when_a_commissioned_providers_registration_expires_soon(client, pcc_user, admin_user):
    commission_with_registration(pcc_user.organisation, expires_in_days=60)
    client.force_login(pcc_user)
    page = client.get(KENT_DASHBOARD).content.decode()
    assert "Provider accreditation" in page
    assert "Kent Restorative Service: RJC Registered Service Provider expires on 14 January 2026, in 60 days" in page
    # Administrators commission nobody: no banner for them.
    client.force_login(admin_user)
    assert "Provider accreditation" not in client.get(KENT_DASHBOARD).content.decode()


def test_no_banner_while_the_registration_has_more_than_90_days_left(client, pcc_user):
    commission_with_registration(pcc_user.organisation, expires_in_days=91)
    client.force_login(pcc_user)
    assert "Provider accreditation" not in client.get(KENT_DASHBOARD).content.decode()


# Access and cost ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("pcc", 200), ("other_pcc", 404), ("provider", 403), ("moderator", 403)],
    indirect=["persona"],
)
@pytest.mark.usefixtures("kent_money")
def test_who_sees_kents_panels_and_downloads(client, persona, status):
    client.force_login(persona)
    assert client.get(KENT_DASHBOARD).status_code == status
    for key in ("scorecard", "spend", "budget", "costs", "benefit"):
        assert client.get(KENT_DASHBOARD, {"export": key}).status_code == status
    assert client.get(KENT_RETURN, {"format": "csv"}).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(KENT_DASHBOARD, {"export": "spend"}).status_code == 302


def _page_queries(client):
    cache.clear()  # national counts are cached: each measure starts from nothing
    with CaptureQueriesContext(connection) as captured:
        assert client.get(KENT_DASHBOARD).status_code == 200
    return len(captured)


def test_the_dashboard_reads_the_strategy_panels_in_a_fixed_number_of_queries(client, pcc_user, admin_user):
    CampaignFactory()
    budget_save(
        actor=admin_user,
        area=area(KENT),
        financial_year=YEAR,
        amount_pence=1_000_000,
        ringfenced=True,
        funding={"moj_grant": 1_000_000},
    )
    record_spend(admin_user, KENT, {1: 100_000})
    add_referrals(KENT, 1)
    commission_with_registration(pcc_user.organisation, expires_in_days=30)
    client.force_login(pcc_user)
    few = _page_queries(client)

    record_spend(admin_user, KENT, {2: 100_000, 3: 100_000})
    for code in (ESSEX, DYFED_POWYS):
        record_spend(admin_user, code, {1: 50_000, 2: 50_000})
        add_referrals(code, 5, supported=2)
    add_referrals(KENT, 10, supported=3)
    for way in ("dip_sampling", "training", "observation"):
        way_assessment_save(
            actor=pcc_user, area=area(KENT), financial_year=YEAR, way=way, status="met", evidence="Seen."
        )
    for number in range(3):
        provider = ProviderFactory(areas=[area(KENT)])
        commission = Commission.objects.create(
            commissioner=pcc_user.organisation, provider=provider, starts_on=date(2025, 4, 1)
        )
        commission.areas.set([area(KENT)])
        ProviderRegistration.objects.create(
            provider=provider,
            scheme="rjc_registered",
            awarded_on=date(2023, 1, number + 1),
            expires_on=TODAY + timedelta(days=10 + number),
        )
    many = _page_queries(client)
    assert many == few
