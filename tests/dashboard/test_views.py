import csv
import io
from datetime import date

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import ESSEX, KENT, ProviderFactory, ReferralFactory, ReferringTeamFactory, area

pytestmark = pytest.mark.django_db

EARLY_2025 = {
    "referred_on": date(2025, 5, 1),
    "crime_reported_on": date(2025, 4, 28),
    "victim_informed_on": date(2025, 4, 29),
    "victim_requested_on": date(2025, 4, 30),
}


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(date(2026, 3, 2), tick=False):
        yield


def kent_url(**params):
    return reverse("dashboard:area", kwargs={"code": KENT})


@pytest.mark.parametrize(
    ("persona", "national", "kent", "essex"),
    [("admin", 200, 200, 200), ("pcc", 200, 200, 404), ("provider", 403, 403, 403), ("moderator", 403, 403, 403)],
    indirect=["persona"],
)
def test_dashboard_access_by_persona(client, persona, national, kent, essex):
    client.force_login(persona)
    assert client.get(reverse("dashboard:index")).status_code == national
    assert client.get(reverse("dashboard:area", kwargs={"code": KENT})).status_code == kent
    assert client.get(reverse("dashboard:area", kwargs={"code": ESSEX})).status_code == essex
    assert client.get(reverse("dashboard:return", kwargs={"code": ESSEX})).status_code == essex


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in [reverse("dashboard:index"), kent_url(), reverse("dashboard:mine")]:
        assert client.get(url).status_code == 302


def test_pcc_staff_land_on_their_own_area(client, pcc_user):
    client.force_login(pcc_user)
    assert client.get(reverse("dashboard:mine")).url == kent_url()


def test_admins_land_on_the_national_view(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("dashboard:mine")).url == reverse("dashboard:index")


def test_an_area_with_no_referrals_shows_empty_figures(client, pcc_user):
    call_command("import_recorded_crime", "rjportal/areas/data/recorded_crime_by_pfa_2023.csv", verbosity=0)
    client.force_login(pcc_user)
    response = client.get(kent_url())
    page = response.content.decode()
    assert response.context["report"].headlines["referrals"] == 0
    assert "No shortfall is beyond what chance would explain." in page
    assert "Not available" in page
    # 2025/26 uses the year ending December 2025, which is not loaded: 2023 stands in, and says so.
    assert "Crime figures are from an earlier year" in page
    assert "year ending 31 December 2023" in page


def test_a_financial_year_uses_the_crime_year_it_overlaps_most(client, pcc_user):
    from rjportal.areas.models import RecordedCrime

    call_command("import_recorded_crime", "rjportal/areas/data/recorded_crime_by_pfa_2023.csv", verbosity=0)
    for row in RecordedCrime.objects.filter(year_ending=date(2023, 12, 31)):
        RecordedCrime.objects.create(
            area=row.area, year_ending=date(2025, 12, 31), offence=row.offence, count=row.count
        )
    client.force_login(pcc_user)
    report = client.get(kent_url(), {"year": 2025}).context["report"]
    assert (report.year_ending, report.crime_year.is_earlier) == (date(2025, 12, 31), False)
    report = client.get(kent_url(), {"year": 2024}).context["report"]
    assert (report.year_ending, report.crime_year.is_earlier) == (date(2023, 12, 31), True)
    report = client.get(kent_url(), {"year": 2022}).context["report"]
    assert report.year_ending is None  # nothing for 2022 or earlier
    workbook = load_workbook(io.BytesIO(client.get(kent_url(), {"year": 2024, "format": "xlsx"}).content))
    assert any("Crime figures are from an earlier year" in str(row[0]) for row in workbook["About"].values)


def test_a_year_loaded_for_some_areas_only_is_not_used_for_rates(client, pcc_user):
    from rjportal.areas.models import RecordedCrime

    call_command("import_recorded_crime", "rjportal/areas/data/recorded_crime_by_pfa_2023.csv", verbosity=0)
    RecordedCrime.objects.create(area=area(KENT), year_ending=date(2025, 12, 31), offence="total", count=100)
    client.force_login(pcc_user)
    report = client.get(kent_url(), {"year": 2025}).context["report"]
    assert report.year_ending == date(2023, 12, 31)


def test_national_view_suppresses_small_counts_in_page_and_exports(client, pcc_user):
    essex_provider = ProviderFactory(areas=[area(ESSEX)])
    essex_team = ReferringTeamFactory(area=area(ESSEX))
    for number in range(3):
        ReferralFactory(
            provider=essex_provider,
            area=area(ESSEX),
            referring_team=essex_team,
            received_on=date(2025, 5, number + 1),
            **EARLY_2025,
        )
    client.force_login(pcc_user)
    response = client.get(reverse("dashboard:index"), {"year": 2025})
    essex = next(row for row in response.context["report"].league if row["code"] == ESSEX)
    assert (essex["referrals"], essex["rate"]) == ("<5", None)
    assert "&lt;5" in response.content.decode()
    exported = client.get(reverse("dashboard:index"), {"year": 2025, "export": "league"})
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    essex_row = next(row for row in rows if row[2] == ESSEX)
    assert essex_row[3:6] == ["<5", "", ""]
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("dashboard:index"), {"year": 2025, "format": "xlsx"}).content)
    )
    league = next(row for row in workbook["league"].values if row[2] == ESSEX)
    assert league[3] == "<5"
    assert league[5] is None


def test_own_area_counts_are_shown_in_full(client, pcc_user):
    provider = ProviderFactory(areas=[area(KENT)])
    team = ReferringTeamFactory(area=area(KENT))
    ReferralFactory(provider=provider, referring_team=team, received_on=date(2025, 5, 1), **EARLY_2025)
    client.force_login(pcc_user)
    report = client.get(kent_url(), {"year": 2025}).context["report"]
    assert report.headlines["referrals"] == 1
    violence = next(row for row in report.crime_gaps if row["offence_group"] == "violence_against_the_person")
    assert violence["referrals"] == 1


def test_each_table_downloads_as_csv_and_the_whole_dashboard_as_xlsx(client, pcc_user):
    client.force_login(pcc_user)
    keys = [
        "crime_type", "teams", "team_categories", "funnel", "drop_out", "complex_cases", "justice_stages", "trend",
        "change_alerts",
    ]  # fmt: skip
    keys += ["scorecard", "spend", "budget", "costs", "benefit"]
    for key in keys:
        response = client.get(kent_url(), {"export": key})
        assert response.status_code == 200, key
        assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert client.get(kent_url(), {"export": "nonsense"}).status_code == 404
    workbook = load_workbook(io.BytesIO(client.get(kent_url(), {"format": "xlsx"}).content))
    assert workbook.sheetnames == ["About", *keys]


def test_an_invalid_year_gets_an_error_summary_and_falls_back(client, pcc_user):
    client.force_login(pcc_user)
    response = client.get(kent_url(), {"year": "1999"})
    assert "There is a problem" in response.content.decode()
    assert response.context["report"].scope.period.start == date(2025, 4, 1)


def test_quarterly_return_counts_referrals_and_victims_supported(client, pcc_user):
    provider = ProviderFactory(areas=[area(KENT)])
    team = ReferringTeamFactory(area=area(KENT))
    ReferralFactory(provider=provider, referring_team=team, received_on=date(2025, 5, 2), **EARLY_2025)
    ReferralFactory(
        provider=provider,
        referring_team=team,
        received_on=date(2025, 8, 2),
        stage="completed",
        furthest_stage="completed",
        intervention_type="letters",
        agreement_reached=True,
        victim_satisfaction=4,
        **EARLY_2025,
    )
    client.force_login(pcc_user)
    response = client.get(reverse("dashboard:return", kwargs={"code": KENT}), {"year": 2025, "format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == [
        "Police area code",
        "Police area",
        "Financial year",
        "Quarter",
        "Referrals",
        "Victims supported",
        "Spend (£)",
    ]
    # Every quarter of 2025/26 has begun by 2 March 2026, and Q4 is under way, which it says;
    # the office recorded no spend.
    assert [row[3:] for row in rows[1:]] == [
        ["Q1", "1", "0", "Not recorded"],
        ["Q2", "1", "1", "Not recorded"],
        ["Q3", "0", "0", "Not recorded"],
        ["Q4 (so far: 61 of 90 days)", "0", "0", "Not recorded"],
        ["Year so far", "2", "1", "Not recorded"],
    ]
    page = client.get(reverse("dashboard:return", kwargs={"code": KENT}), {"year": 2025})
    assert "Quarterly RJ return for Kent, 2025/26" in page.content.decode()


def test_without_recorded_crime_the_dashboard_says_no_rates_can_be_worked_out(client, pcc_user):
    client.force_login(pcc_user)
    page = client.get(kent_url()).content.decode()
    assert "No police recorded crime figures are loaded, so no rates can be worked out." in page


def test_league_rows_link_to_the_dashboards_the_viewer_may_open(client, admin_user, pcc_user):
    call_command("import_recorded_crime", "rjportal/areas/data/recorded_crime_by_pfa_2023.csv", verbosity=0)
    client.force_login(admin_user)
    page = client.get(reverse("dashboard:index")).content.decode()
    assert f'<a class="govuk-link" href="{reverse("dashboard:area", args=[ESSEX])}">Essex</a>' in page
    assert f'<a class="govuk-link" href="{reverse("dashboard:area", args=[KENT])}">Kent</a>' in page
    client.force_login(pcc_user)
    page = client.get(reverse("dashboard:index")).content.decode()
    assert f'href="{reverse("dashboard:area", args=[KENT])}">Kent</a>' in page
    assert f'href="{reverse("dashboard:area", args=[ESSEX])}"' not in page


def test_administrators_pick_an_area_and_pcc_staff_only_their_own(client, admin_user, pcc_user):
    client.force_login(admin_user)
    page = client.get(reverse("dashboard:index")).content.decode()
    assert "Open an area&#x27;s dashboard" in page or "Open an area's dashboard" in page
    response = client.get(reverse("dashboard:pick"), {"code": ESSEX})
    assert response.url == reverse("dashboard:area", args=[ESSEX])
    client.force_login(pcc_user)
    assert client.get(reverse("dashboard:pick"), {"code": ESSEX}).status_code == 404
    assert client.get(reverse("dashboard:pick"), {"code": KENT}).url == reverse("dashboard:area", args=[KENT])


def test_the_national_page_shows_the_funnel_plot_with_its_table(client, pcc_user):
    call_command("import_recorded_crime", "rjportal/areas/data/recorded_crime_by_pfa_2023.csv", verbosity=0)
    client.force_login(pcc_user)
    response = client.get(reverse("dashboard:index"), {"offence_group": "robbery"})
    page = response.content.decode()
    assert "Which areas stand out from chance" in page
    assert "Robbery referrals per 1,000 recorded crimes against recorded crime, with control limits" in page
    rows = list(csv.reader(io.StringIO(b"".join(
        client.get(reverse("dashboard:index"), {"offence_group": "robbery", "export": "funnel_plot"}).streaming_content
    ).decode("utf-8-sig"))))  # fmt: skip
    assert rows[0] == [
        "Police area", "Recorded crime", "Referrals", "Rate per 1,000", "Expected at the national rate",
        "Against chance",
    ]  # fmt: skip
    assert len(rows) == 44
