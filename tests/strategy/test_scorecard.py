"""The 10-ways scorecard: each rule the portal works out, met and not met, and the office's
own status where the portal holds nothing."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pledges.constants import PledgeRole
from rjportal.areas.models import PoliceArea
from rjportal.periods import FinancialYear
from strategy.constants import Way, WayStatus
from strategy.models import (
    AreaBudget,
    AreaStrategy,
    Commission,
    CommunicationsActivity,
    CommunicationsPlan,
    CommunityRemedyDocument,
    Observation,
    ProviderRegistration,
    TrainingRecord,
)
from strategy.selectors import area_scorecard, last_complete_quarter, scorecards, term_start
from strategy.services import way_assessment_save
from tests.factories import KENT, PccOfficeFactory, ProviderFactory, ReferralFactory, area
from tests.pledges.factories import CampaignFactory, PublishedPledgeFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)  # 2026/27, quarter 3
THIS_YEAR = FinancialYear(2026)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def kent():
    return area(KENT)


def status(kent, way, year=THIS_YEAR):
    return area_scorecard(kent, year=year, today=TODAY).by_way()[way.value]


def test_with_nothing_recorded_every_way_is_unknown_but_data_which_is_not_met(kent):
    results = area_scorecard(kent, year=THIS_YEAR, today=TODAY).by_way()
    assert results["data"].status == WayStatus.NOT_MET
    assert {result.status for way, result in results.items() if way != "data"} == {WayStatus.UNKNOWN}
    assert all(not results[way].computed for way in results if way != "data")


# 1. The pledge


def test_pledge_met_by_the_elected_leader_and_partly_met_by_a_deputy(kent):
    campaign = CampaignFactory(election_date=date(2024, 5, 2), opens_on=date(2024, 3, 1), closes_on=date(2024, 4, 30))
    assert status(kent, Way.PLEDGE).status == WayStatus.NOT_MET
    PublishedPledgeFactory(campaign=campaign, area=kent, role=PledgeRole.DEPUTY_PCC)
    assert status(kent, Way.PLEDGE).status == WayStatus.PARTLY_MET
    PublishedPledgeFactory(campaign=campaign, area=kent, role=PledgeRole.PCC, name="Alex Example")
    result = status(kent, Way.PLEDGE)
    assert result.status == WayStatus.MET
    assert "Alex Example" in result.evidence


def test_a_pledge_from_before_the_last_election_does_not_count(kent):
    old = CampaignFactory(election_date=date(2021, 5, 6), opens_on=date(2021, 3, 1), closes_on=date(2021, 4, 30))
    CampaignFactory(election_date=date(2024, 5, 2), opens_on=date(2024, 3, 1), closes_on=date(2024, 4, 30))
    PublishedPledgeFactory(campaign=old, area=kent, role=PledgeRole.PCC)
    assert status(kent, Way.PLEDGE).status == WayStatus.NOT_MET


def test_a_candidates_pledge_is_not_the_leaders(kent):
    campaign = CampaignFactory(election_date=date(2024, 5, 2), opens_on=date(2024, 3, 1), closes_on=date(2024, 4, 30))
    PublishedPledgeFactory(campaign=campaign, area=kent, role=PledgeRole.CANDIDATE)
    assert status(kent, Way.PLEDGE).status == WayStatus.NOT_MET


# 2. An accredited provider


def commission(kent, *, starts_on=date(2025, 4, 1), ends_on=None):
    office = PccOfficeFactory(areas=[kent])
    provider = ProviderFactory(areas=[kent])
    contract = Commission.objects.create(commissioner=office, provider=provider, starts_on=starts_on, ends_on=ends_on)
    contract.areas.set([kent])
    return contract


def test_provider_met_only_while_its_accreditation_is_valid(kent):
    contract = commission(kent)
    assert status(kent, Way.PROVIDER).status == WayStatus.PARTLY_MET  # no registration recorded
    registration = ProviderRegistration.objects.create(
        provider=contract.provider, scheme="rjc_registered", awarded_on=date(2024, 1, 1), expires_on=TODAY
    )
    assert status(kent, Way.PROVIDER).status == WayStatus.MET  # its last valid day
    registration.expires_on = TODAY - timedelta(days=1)
    registration.save()
    result = status(kent, Way.PROVIDER)
    assert result.status == WayStatus.PARTLY_MET
    assert "expired" in result.evidence


def test_provider_not_met_when_every_contract_has_ended(kent):
    commission(kent, starts_on=date(2023, 4, 1), ends_on=date(2026, 3, 31))
    assert status(kent, Way.PROVIDER).status == WayStatus.NOT_MET


def test_a_past_years_scorecard_reads_the_contracts_running_at_its_end(kent):
    commission(kent, starts_on=date(2023, 4, 1), ends_on=date(2026, 3, 31))
    assert status(kent, Way.PROVIDER, FinancialYear(2025)).status == WayStatus.PARTLY_MET


# 3. Strategy


def test_strategy_met_when_it_commits_to_informing_every_victim(kent):
    strategy = AreaStrategy.objects.create(
        area=kent, financial_year=2026, published_on=date(2026, 4, 10), every_victim_informed=False
    )
    assert status(kent, Way.STRATEGY).status == WayStatus.PARTLY_MET
    strategy.every_victim_informed = True
    strategy.save()
    assert status(kent, Way.STRATEGY).status == WayStatus.MET
    assert status(kent, Way.STRATEGY, FinancialYear(2025)).status == WayStatus.UNKNOWN  # another year's


# 4. Data


def test_data_met_by_referrals_in_the_last_complete_quarter(kent):
    ReferralFactory(area=kent, referred_on=date(2026, 6, 30), received_on=date(2026, 7, 1))  # Q2 2026/27
    assert last_complete_quarter(TODAY, today=TODAY).label == "2026/27 Q2"
    assert status(kent, Way.DATA).status == WayStatus.MET


def test_data_not_met_by_referrals_only_in_the_quarter_still_running(kent):
    ReferralFactory(area=kent, referred_on=date(2026, 10, 2), received_on=date(2026, 10, 5))  # Q3, not over
    assert status(kent, Way.DATA).status == WayStatus.NOT_MET


def test_the_last_complete_quarter_of_a_past_year_is_its_fourth():
    assert last_complete_quarter(date(2026, 3, 31), today=TODAY).label == "2025/26 Q4"
    assert last_complete_quarter(date(2026, 4, 1), today=date(2026, 4, 1)).label == "2025/26 Q4"


# 5. Budget


def test_budget_met_when_ringfenced(kent):
    budget = AreaBudget.objects.create(area=kent, financial_year=2026, amount_pence=5_000_000, ringfenced=False)
    assert status(kent, Way.BUDGET).status == WayStatus.PARTLY_MET
    budget.ringfenced = True
    budget.save()
    result = status(kent, Way.BUDGET)
    assert result.status == WayStatus.MET
    assert "£50,000" in result.evidence


# 6. Training


@pytest.mark.parametrize(
    ("trained", "expected"),
    [(80, WayStatus.MET), (79, WayStatus.PARTLY_MET), (40, WayStatus.PARTLY_MET), (39, WayStatus.NOT_MET)],
)
def test_training_thresholds(kent, trained, expected):
    TrainingRecord.objects.create(
        area=kent, team_category="response", as_at=date(2026, 9, 1), staff_in_scope=100, staff_trained=trained
    )
    assert status(kent, Way.TRAINING).status == expected


def test_training_reads_the_latest_figures_of_each_category(kent):
    TrainingRecord.objects.create(
        area=kent, team_category="response", as_at=date(2026, 5, 1), staff_in_scope=100, staff_trained=0
    )
    TrainingRecord.objects.create(
        area=kent, team_category="response", as_at=date(2026, 9, 1), staff_in_scope=100, staff_trained=90
    )
    TrainingRecord.objects.create(
        area=kent, team_category="custody", as_at=date(2026, 9, 1), staff_in_scope=100, staff_trained=70
    )
    result = status(kent, Way.TRAINING)
    assert result.status == WayStatus.MET  # (90 + 70) / 200 = 80%
    assert "160 of 200" in result.evidence


def test_training_thresholds_are_configurable(kent, settings):
    settings.SCORECARD_TRAINING_MET_PERCENT = 95
    TrainingRecord.objects.create(
        area=kent, team_category="response", as_at=date(2026, 9, 1), staff_in_scope=100, staff_trained=90
    )
    assert status(kent, Way.TRAINING).status == WayStatus.PARTLY_MET


# 7. Communications


def test_communications_met_by_an_activity_in_the_last_12_months(kent):
    CommunicationsActivity.objects.create(
        area=kent, happened_on=date(2025, 11, 21), channel="press", audience="Victims in Kent"
    )
    assert status(kent, Way.COMMUNICATIONS).status == WayStatus.MET
    CommunicationsActivity.objects.all().update(happened_on=date(2025, 11, 20))  # exactly 12 months: too old
    assert status(kent, Way.COMMUNICATIONS).status == WayStatus.NOT_MET
    CommunicationsPlan.objects.create(area=kent, published_on=date(2026, 4, 1))
    assert status(kent, Way.COMMUNICATIONS).status == WayStatus.PARTLY_MET


# 9. Community Remedy


def test_community_remedy_reads_the_newest_document(kent):
    CommunityRemedyDocument.objects.create(area=kent, published_on=date(2024, 1, 1), includes_rj=True)
    assert status(kent, Way.COMMUNITY_REMEDY).status == WayStatus.MET
    CommunityRemedyDocument.objects.create(area=kent, published_on=date(2026, 1, 1), includes_rj=False)
    assert status(kent, Way.COMMUNITY_REMEDY).status == WayStatus.NOT_MET


# 10. Observation


def test_observation_met_only_in_the_current_term(kent):
    assert term_start(kent.governing_bodies.current().first(), TODAY) == date(2024, 5, 2)
    Observation.objects.create(area=kent, observed_on=date(2024, 5, 1), observer_role="pcc")
    assert status(kent, Way.OBSERVATION).status == WayStatus.NOT_MET
    Observation.objects.create(area=kent, observed_on=date(2024, 5, 2), observer_role="deputy")
    assert status(kent, Way.OBSERVATION).status == WayStatus.MET


# 8. Dip sampling, and the office's own status


def test_dip_sampling_is_the_offices_own_status_without_a_dip_sample(kent, pcc_user):
    way_assessment_save(
        actor=pcc_user,
        area=kent,
        financial_year=THIS_YEAR,
        way="dip_sampling",
        status="partly_met",
        evidence="Sample of 90 cases in June",
    )
    result = status(kent, Way.DIP_SAMPLING)
    assert (result.status, result.evidence, result.computed) == (
        WayStatus.PARTLY_MET,
        "Sample of 90 cases in June",
        False,
    )
    assert status(kent, Way.DIP_SAMPLING, FinancialYear(2025)).status == WayStatus.UNKNOWN


def _dip_sample(kent, status_, *, drawn, completed=None):
    from reviews.models import DipSample

    return DipSample.objects.create(
        area=kent,
        title=f"Sample {status_}",
        source="register",
        status=status_,
        sample_size=10,
        minimum_per_flagged_stratum=2,
        seed=1,
        drawn_at=drawn,
        completed_at=completed,
    )


def test_dip_sampling_is_met_by_a_sample_completed_in_the_12_months_and_partly_met_while_one_is_in_progress(
    kent, pcc_user
):
    from django.utils import timezone

    way_assessment_save(
        actor=pcc_user, area=kent, financial_year=THIS_YEAR, way="dip_sampling", status="not_met", evidence="None"
    )
    at = timezone.make_aware
    # Completed 20 November 2025: the 12 months to 20 November 2026 begin on 21 November 2025.
    _dip_sample(kent, "completed", drawn=at(datetime(2025, 10, 1, 12)), completed=at(datetime(2025, 11, 20, 12)))
    assert status(kent, Way.DIP_SAMPLING).status == WayStatus.NOT_MET  # the office's own: too old

    _dip_sample(kent, "reviewing", drawn=at(datetime(2026, 10, 1, 12)))
    result = status(kent, Way.DIP_SAMPLING)
    assert (result.status, result.computed) == (WayStatus.PARTLY_MET, True)
    assert result.evidence == "Dip sample 'Sample reviewing' in progress, drawn on 1 October 2026."

    _dip_sample(kent, "completed", drawn=at(datetime(2025, 11, 1, 12)), completed=at(datetime(2025, 11, 21, 12)))
    result = status(kent, Way.DIP_SAMPLING)
    assert (result.status, result.computed) == (WayStatus.MET, True)
    assert result.evidence == "Dip sample 'Sample completed' completed on 21 November 2025."
    # Another area's samples count for nothing here; last year's scorecard reads last year's day.
    assert status(area("E23000028"), Way.DIP_SAMPLING).status == WayStatus.UNKNOWN


def test_an_offices_status_gives_way_to_data_once_recorded(kent, pcc_user):
    way_assessment_save(
        actor=pcc_user, area=kent, financial_year=THIS_YEAR, way="budget", status="met", evidence="Board paper"
    )
    assert status(kent, Way.BUDGET).status == WayStatus.MET
    AreaBudget.objects.create(area=kent, financial_year=2026, amount_pence=100, ringfenced=False)
    result = status(kent, Way.BUDGET)
    assert (result.status, result.computed) == (WayStatus.PARTLY_MET, True)


def test_the_national_scorecard_costs_a_fixed_number_of_queries(kent):
    areas = list(PoliceArea.objects.all())
    commission(kent)
    with CaptureQueriesContext(connection) as few:
        scorecards([kent], year=THIS_YEAR, today=TODAY)
    for other in areas[:10]:
        AreaBudget.objects.create(area=other, financial_year=2026, amount_pence=100, ringfenced=True)
    cache.clear()  # national referral counts are cached; count the queries of a first reading
    with CaptureQueriesContext(connection) as many:
        cards = scorecards(areas, year=THIS_YEAR, today=TODAY)
    assert len(cards) == 43
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_national_scorecard_downloads_as_csv_and_xlsx(client, pcc_user, kent):
    import csv
    import io

    from openpyxl import load_workbook

    AreaBudget.objects.create(area=kent, financial_year=2026, amount_pence=5_000_000, ringfenced=True)
    client.force_login(pcc_user)
    url = reverse("strategy:scorecard")
    response = client.get(url, {"format": "csv", "year": 2026})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1 + 43 * 10
    kent_budget = next(row for row in rows if row[0] == KENT and row[3] == "Ringfence a budget")
    assert kent_budget[4:7] == ["Met", "Budget of £50,000, ringfenced.", "Worked out by RJ Portal"]

    workbook = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx", "year": 2026}).content))
    assert workbook.sheetnames == ["About", "Matrix", "Detail"]
    matrix = list(workbook["Matrix"].values)
    assert matrix[0][2:] == tuple(way.label for way in Way)
    kent_row = next(row for row in matrix if row[0] == KENT)
    assert kent_row[2 + list(Way).index(Way.BUDGET)] == "Met"
    assert any("Met when the year's RJ budget is ringfenced" in (row[0] or "") for row in workbook["About"].values)
