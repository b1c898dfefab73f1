"""A small world where every figure on Kent's dashboard is worked out by hand."""

from datetime import date

import pytest

from dashboard.reports import area_report, national_report
from referrals.selectors import ReferralScope, referral_counts_by_quarter, referral_teams_and_closures
from rjportal.areas.models import PoliceArea, RecordedCrime
from rjportal.periods import FinancialYear
from tests.factories import ESSEX, KENT, ProviderFactory, ReferralFactory, ReferringTeamFactory, area

pytestmark = pytest.mark.django_db

YEAR = FinancialYear(2025)
TODAY = date(2026, 3, 2)
DATES = {
    "crime_reported_on": date(2025, 6, 2),  # Monday: information due Monday 9 June
    "victim_informed_on": date(2025, 6, 3),
    "victim_requested_on": date(2025, 6, 4),  # due Friday 6 June
    "referred_on": date(2025, 6, 5),
    "received_on": date(2025, 6, 6),
}


@pytest.fixture
def world():
    kent, essex = area(KENT), area(ESSEX)
    year_ending = date(2023, 12, 31)
    for place, violence, robbery, total in [(kent, 10000, 1000, 20000), (essex, 20000, 500, 30000)]:
        RecordedCrime.objects.create(
            area=place, year_ending=year_ending, offence="violence_against_the_person", count=violence
        )
        RecordedCrime.objects.create(area=place, year_ending=year_ending, offence="robbery", count=robbery)
        RecordedCrime.objects.create(area=place, year_ending=year_ending, offence="total", count=total)
    # Rates use only a year loaded for every area: the others have a total and no group figures.
    for other in PoliceArea.objects.exclude(pk__in=[kent.pk, essex.pk]):
        RecordedCrime.objects.create(area=other, year_ending=year_ending, offence="total", count=100_000)
    kent_provider = ProviderFactory(areas=[kent])
    essex_provider = ProviderFactory(areas=[essex])
    response = ReferringTeamFactory(area=kent, name="Kent response", category="response", staff_count=20)
    ReferringTeamFactory(area=kent, name="Kent custody", category="custody", staff_count=5)
    essex_custody = ReferringTeamFactory(area=essex, name="Essex custody", category="custody")

    def kent_referral(**values):
        return ReferralFactory(provider=kent_provider, area=kent, referring_team=response, **{**DATES, **values})

    # Kent, 2025/26: 6 violence referrals, all from the response team.
    kent_referral(
        offence_group="violence_against_the_person",
        offence_subgroup="",
        stage="completed",
        furthest_stage="completed",
        intervention_type="face_to_face",
        agreement_reached=True,
        victim_satisfaction=5,
    )
    kent_referral(
        offence_group="violence_against_the_person",
        offence_subgroup="",
        stage="completed",
        furthest_stage="completed",
        intervention_type="letters",
        agreement_reached=False,
        victim_satisfaction=2,
    )
    kent_referral(
        offence_group="violence_against_the_person",
        offence_subgroup="",
        stage="closed",
        furthest_stage="assessing",
        closure_reason="declined_by_victim",
    )
    kent_referral(
        offence_group="violence_against_the_person",
        offence_subgroup="",
        stage="closed",
        furthest_stage="referred",
        closure_reason="no_contact",
    )
    kent_referral(
        offence_group="violence_against_the_person", offence_subgroup="", victim_informed_on=date(2025, 6, 20)
    )  # told late
    kent_referral(
        offence_group="violence_against_the_person",
        offence_subgroup="",
        referred_on=date(2025, 6, 9),
        received_on=date(2025, 6, 9),
    )  # referred late
    # Kent, a year earlier: 2 referrals in Q1 2024/25.
    for day in (3, 4):
        kent_referral(
            offence_group="robbery",
            offence_subgroup="",
            crime_reported_on=date(2024, 6, 2),
            victim_informed_on=date(2024, 6, 2),
            victim_requested_on=date(2024, 6, 2),
            referred_on=date(2024, 6, day),
            received_on=date(2024, 6, day),
        )
    # Essex, 2025/26: 40 violence referrals from custody.
    for number in range(40):
        ReferralFactory(
            provider=essex_provider,
            area=essex,
            referring_team=essex_custody,
            reference=f"E{number}",
            offence_group="violence_against_the_person",
            offence_subgroup="",
            **DATES,
        )
    return kent


def test_headlines(world):
    report = area_report(area=world, scope=ReferralScope(period=YEAR.period), financial_year=YEAR, today=TODAY)
    h = report.headlines
    assert (h["referrals"], h["referrals_last_year"], h["change"]) == (6, 2, 4)
    assert (h["direct"], h["indirect"]) == (1, 1)
    assert h["direct_rate"] == 1 / 6
    assert (h["completed"], h["agreements"], h["agreement_rate"]) == (2, 1, 0.5)
    assert h["victim_satisfaction"] == 3.5  # (5 + 2) / 2
    # Right 3: five told in time, one late.
    assert (h["information_met"], h["information_known"], h["information_rate"]) == (5, 6, 5 / 6)
    # Right 4: requested Wednesday 4 June, due Friday 6 June; one referred on Monday 9 June.
    assert (h["referral_met"], h["referral_known"]) == (5, 6)


def test_crime_type_gap_against_the_national_median(world):
    report = area_report(area=world, scope=ReferralScope(period=YEAR.period), financial_year=YEAR, today=TODAY)
    violence = next(row for row in report.crime_gaps if row["offence_group"] == "violence_against_the_person")
    # Kent 6 per 10,000 = 0.6 per 1,000; Essex 40 per 20,000 = 2.0 per 1,000. The other 41 areas have
    # no recorded crime in this world, so no rate: the median of [0.6, 2.0] is 1.3.
    assert violence["rate"] == pytest.approx(0.6)
    assert violence["national_median"] == pytest.approx(1.3)
    # The national rate pools both: 46 referrals over 30,000 crimes = 1.533 per 1,000.
    assert violence["national_rate"] == pytest.approx(46 / 30)
    assert violence["expected"] == pytest.approx(46 / 3)  # 1.533 * 10,000 / 1,000
    assert violence["gap"] == pytest.approx(46 / 3 - 6)
    assert violence["more_at_median"] == pytest.approx(7.0)  # 1.3 * 10,000 / 1,000 - 6
    robbery = next(row for row in report.crime_gaps if row["offence_group"] == "robbery")
    # Robbery: Kent 0 per 1,000, Essex 0 per 1,000 in 2025/26: median 0, no shortfall.
    assert (robbery["rate"], robbery["national_median"], robbery["gap"]) == (0, 0, 0)
    assert report.crime_gaps[0]["offence_group"] == "violence_against_the_person"


def test_team_gaps_and_silent_teams(world):
    report = area_report(area=world, scope=ReferralScope(period=YEAR.period), financial_year=YEAR, today=TODAY)
    assert [(team.name, team.referral_count) for team in report.teams] == [("Kent response", 6), ("Kent custody", 0)]
    assert [team.name for team in report.silent_teams] == ["Kent custody"]
    categories = {row["category"]: row for row in report.category_gaps}
    # Nationally 46 referrals: 6 response, 40 custody. Custody share 40/46 of Kent's 6 = 5.22 expected.
    assert categories["custody"]["national_share"] == pytest.approx(40 / 46)
    assert categories["custody"]["gap"] == pytest.approx(6 * 40 / 46)
    assert report.category_gaps[0]["category"] == "custody"


def test_funnel_and_drop_out(world):
    report = area_report(area=world, scope=ReferralScope(period=YEAR.period), financial_year=YEAR, today=TODAY)
    assert [(row["stage"], row["count"]) for row in report.funnel] == [
        ("referred", 6), ("contacting", 3), ("assessing", 3), ("preparing", 2), ("intervention", 2), ("completed", 2)
    ]  # fmt: skip
    assert report.closures == [
        {"stage": "Referred", "reason": "No contact possible", "count": 1},
        {"stage": "Assessing", "reason": "Declined by victim", "count": 1},
    ]


def test_trend_compares_each_quarter_with_a_year_earlier(world):
    report = area_report(area=world, scope=ReferralScope(period=YEAR.period), financial_year=YEAR, today=TODAY)
    # Today (2 March 2026) is in Q4, which has not ended: it says how far through it is.
    assert [(row["label"], row["referrals"], row["last_year"]) for row in report.trend] == [
        ("2025/26 Q1", 6, 2), ("2025/26 Q2", 0, 0), ("2025/26 Q3", 0, 0),
        ("2025/26 Q4 (so far: 61 of 90 days)", 0, 0),
    ]  # fmt: skip


def test_quarters_not_begun_have_no_count_rather_than_zero(world):
    report = area_report(
        area=world, scope=ReferralScope(period=YEAR.period), financial_year=YEAR, today=date(2025, 8, 1)
    )
    assert [(row["status"], row["referrals"]) for row in report.trend] == [
        ("ended", 6),
        ("current", 0),
        ("future", None),
        ("future", None),
    ]
    trend = next(table for table in report.tables() if table.key == "trend")
    assert [row[1] for row in trend.rows] == [6, 0, "Not yet begun", "Not yet begun"]


def test_filters_narrow_every_figure(world):
    scope = ReferralScope(period=YEAR.period, offence_group="robbery")
    report = area_report(area=world, scope=scope, financial_year=YEAR, today=TODAY)
    assert report.headlines["referrals"] == 0
    assert report.headlines["referrals_last_year"] == 2


def test_a_period_with_no_data(world):
    year = FinancialYear(2022)
    report = area_report(area=world, scope=ReferralScope(period=year.period), financial_year=year, today=TODAY)
    assert report.headlines["referrals"] == 0
    assert report.headlines["direct_rate"] is None
    assert all(row["count"] == 0 for row in report.funnel)


def test_national_league_ranks_by_rate_and_suppresses(world):
    report = national_report(scope=ReferralScope(period=YEAR.period), peer_of=world)
    # Totals: Kent 6 / 20,000 = 0.3 per 1,000; Essex 40 / 30,000 = 1.33 per 1,000.
    assert [(row["name"], row["rank"]) for row in report.league[:2]] == [("Essex", 1), ("Kent", 2)]
    assert report.league[1]["rate"] == pytest.approx(0.3)
    assert all(row["rate"] == 0 for row in report.league[2:])  # no referrals against their totals
    # The area itself comes first, so that its own rate stands beside its peers'.
    assert [(peer["name"], peer["is_self"]) for peer in report.peers[:2]] == [("Kent", True), ("Essex", False)]


def test_the_funnel_plot_judges_each_area_and_suppresses_small_counts(world):
    report = national_report(
        scope=ReferralScope(period=YEAR.period, offence_group="violence_against_the_person"), peer_of=None
    )
    rows = {row["name"]: row for row in report.funnel["rows"]}
    # Violence rates: Kent 6 / 10,000 = 0.6; Essex 40 / 20,000 = 2.0; the others have no figures.
    # The target is the national rate, 46 / 30,000 = 1.533 per 1,000 (the median is 1.3).
    assert report.funnel["target"] == pytest.approx(46 / 30)
    assert rows["Kent"]["expected"] == pytest.approx(46 / 3)
    # P(X <= 6 | mean 15.33) = 0.0062: below the 95% limit; P(X >= 40 | mean 30.67) = 0.060: within.
    assert rows["Kent"]["band"] == "Below the 95% limit"
    assert rows["Essex"]["band"] == "Within what chance would explain"
    assert rows["Dyfed-Powys"]["band"] == "No figures"
    limits = report.funnel["limits"]["95%"]
    assert all(lower < 1.3 < upper for lower, upper in zip(limits[1], limits[2], strict=True))
    assert report.opportunity["more_at_median"] == pytest.approx(7.0)  # Kent 13 - 6; Essex is above


def test_cached_national_counts_follow_new_and_changed_referrals(world):
    scope = ReferralScope(period=YEAR.period)
    essex_before = next(row for row in national_report(scope=scope, peer_of=None).league if row["name"] == "Essex")
    assert essex_before["referrals"] == 40
    # A new referral changes the newest id; a changed one the newest change time.
    added = ReferralFactory(
        provider=ProviderFactory(areas=[area(ESSEX)]),
        area=area(ESSEX),
        referring_team=ReferringTeamFactory(area=area(ESSEX)),
        reference="NEW",
        **DATES,
    )
    essex = next(row for row in national_report(scope=scope, peer_of=None).league if row["name"] == "Essex")
    assert essex["referrals"] == 41
    added.received_on = added.referred_on = date(2020, 1, 1)
    added.crime_reported_on = added.victim_informed_on = added.victim_requested_on = None
    added.save()
    essex = next(row for row in national_report(scope=scope, peer_of=None).league if row["name"] == "Essex")
    assert essex["referrals"] == 40


def test_cached_area_figures_follow_new_and_changed_referrals(world):
    def referrals():
        report = area_report(area=world, scope=ReferralScope(period=YEAR.period), financial_year=YEAR, today=TODAY)
        return report.headlines["referrals"]

    before = referrals()
    added = ReferralFactory(
        provider=ProviderFactory(areas=[world]),
        area=world,
        referring_team=ReferringTeamFactory(area=world),
        reference="NEW",
        **DATES,
    )
    assert referrals() == before + 1
    added.received_on = added.referred_on = date(2020, 1, 1)
    added.crime_reported_on = added.victim_informed_on = added.victim_requested_on = None
    added.save()
    assert referrals() == before


def test_cached_team_counts_follow_new_and_changed_referrals(world):
    """The teams table and the quarter-by-quarter counts behind the change alerts are kept
    between views too, and must not show figures older than the referrals."""
    scope = ReferralScope(period=YEAR.period)
    team = ReferringTeamFactory(area=world, name="Dover response")

    def counted():
        teams, _closures = referral_teams_and_closures(area=world, scope=scope)
        quarters = referral_counts_by_quarter(area=world, periods=YEAR.quarters())
        return next(t.referral_count for t in teams if t.pk == team.pk), sum(quarters.by_team[team.pk])

    assert counted() == (0, 0)
    added = ReferralFactory(
        provider=ProviderFactory(areas=[world]), area=world, referring_team=team, reference="NEW", **DATES
    )
    assert counted() == (1, 1)
    added.received_on = added.referred_on = date(2020, 1, 1)
    added.crime_reported_on = added.victim_informed_on = added.victim_requested_on = None
    added.save()
    assert counted() == (0, 0)
