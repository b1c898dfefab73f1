"""The dashboard's figures, gathered once per request from the domain apps' selectors. Pages,
charts, CSV and XLSX downloads all read the same tables from here, so they never disagree."""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from pledges.selectors import elected_leader_pledge
from referrals.constants import PATH_STAGES, ClosureReason, JusticeStage, Stage, TeamCategory
from referrals.selectors import (
    ReferralScope,
    referral_area_figures,
    referral_counts_by_area,
    referral_counts_by_area_and_offence,
    referral_counts_by_period,
    referral_counts_by_team_category,
    referral_mix_national,
    referral_teams_and_closures,
)
from rjportal.areas.constants import Offence
from rjportal.areas.models import PoliceArea
from rjportal.areas.selectors import CrimeYear, crime_year_for, recorded_crime_by_area_and_offence
from rjportal.disclosure import is_suppressed, shown_count, shown_rate
from rjportal.periods import FinancialYear, financial_year_of
from strategy.constants import FundingSource, WayStatus
from strategy.selectors import AreaMoney, AreaScorecard, area_money, area_scorecard, benefit_note

from .alerts import QuarterAlerts, quarter_alerts
from .drilldown import scope_list_url
from .gaps import (
    crime_type_gaps,
    most_significant_shortfall,
    national_spreads,
    peer_areas,
    rate_per_1000,
    share_gaps,
    shortfalls_below_95,
    team_category_gaps,
)
from .limits import LEVELS, control_limit, judge

SENSITIVE_FLAG_LABELS = [
    ("hate_crime", "Hate crime"),
    ("domestic_abuse", "Domestic abuse"),
    ("sexual_harm", "Sexual harm"),
]


@dataclass
class Table:
    """One chart's data: what the page shows under the chart and what its CSV holds."""

    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    numeric: list[bool] = field(default_factory=list)
    empty: str = ""  # what the page says when there are no rows
    # The page links each row's first cell to this address (None: no link). Downloads hold the
    # rows alone, so they stay plain text.
    links: list[str | None] = field(default_factory=list)


def _ratio(part, whole):
    return part / whole if whole else None


def _round(value, digits=1):
    return round(value, digits) if value is not None else None


@dataclass
class AreaReport:
    area: PoliceArea
    scope: ReferralScope
    year_ending: date | None
    headlines: dict
    crime_gaps: list[dict]
    other_offences: list[dict]
    teams: list
    category_gaps: list[dict]
    funnel: list[dict]
    closures: list[dict]
    trend: list[dict]
    pledge_campaign: object = None
    leader_pledge: object = None
    crime_year: CrimeYear | None = None
    headline_gap: dict | None = None  # the most significant shortfall beyond 99.8%, of either kind
    below_95: tuple[int, int] = (0, 0)  # shortfalls below only the 95% limit, of how many counts judged
    complex_cases: list[dict] = field(default_factory=list)  # hate crime, domestic abuse, sexual harm
    justice_stages: list[dict] = field(default_factory=list)
    scorecard: AreaScorecard | None = None
    money: AreaMoney | None = None
    change_alerts: QuarterAlerts | None = None  # the last complete quarter's, whatever the period chosen

    @property
    def silent_teams(self):
        return [team for team in self.teams if team.referral_count == 0]

    @property
    def opportunity(self) -> dict:
        """Across the offence groups with rates: referrals made, and how many more victims would
        have been referred at the national median and upper-quartile rates."""
        rows = [row for row in self.crime_gaps if row["expected"] is not None]
        return {
            "referrals": sum(row["referrals"] for row in rows),
            "more_at_median": sum(row["more_at_median"] for row in rows),
            "more_at_upper_quartile": sum(row["more_at_upper_quartile"] or 0 for row in rows),
        }

    @property
    def scorecard_counts(self) -> list[dict]:
        """How many of the 10 ways are met, partly met, not met and unknown, in that order."""
        counts = self.scorecard.counts()
        return [{"status": status, "label": status.label, "count": counts[status.value]} for status in WayStatus]

    @property
    def money_recorded(self) -> bool:
        """Whether the office has recorded a budget or any spend for the year."""
        return self.money.budget is not None or self.money.spend_pence is not None

    @property
    def benefit_note(self) -> str:
        return benefit_note(self.money.ratio)

    @property
    def quarters_begun(self) -> int:
        return sum(1 for quarter in self.money.quarters if quarter.started)

    def tables(self) -> list[Table]:
        return [
            Table(
                "crime_type",
                "Referrals per 1,000 recorded crimes by offence group",
                [
                    "Offence group",
                    "Referrals",
                    "Recorded crime",
                    "Rate per 1,000",
                    "National lower quartile",
                    "National median",
                    "National upper quartile",
                    "National rate",
                    "Expected at national rate",
                    "Shortfall",
                    "Against chance",
                    "More referred at the upper-quartile rate",
                ],
                [
                    [
                        row["label"],
                        row["referrals"],
                        row["recorded_crime"],
                        _round(row["rate"], 2),
                        _round(row["national_q1"], 2),
                        _round(row["national_median"], 2),
                        _round(row["national_q3"], 2),
                        _round(row["national_rate"], 2),
                        _round(row["expected"]),
                        _round(row["gap"]),
                        band_label(row),
                        _round(row["more_at_upper_quartile"]),
                    ]
                    for row in self.crime_gaps
                ],
                [False] + [True] * 9 + [False, True],
                links=[self.list_url(offence_group=row["offence_group"]) for row in self.crime_gaps],
            ),
            Table(
                "teams",
                "Referrals by referring team",
                ["Team", "Category", "Referrals", "Staff", "Referrals per 10 staff"],
                [
                    [
                        team.name,
                        team.get_category_display(),
                        team.referral_count,
                        team.staff_count,
                        _round(team.referral_count * 10 / team.staff_count, 1) if team.staff_count else None,
                    ]
                    for team in self.teams
                ],
                [False, False, True, True, True],
                links=[self.list_url(team_id=team.pk) for team in self.teams],
            ),
            Table(
                "team_categories",
                "Referrals by team category against the national share",
                [
                    "Category",
                    "Referrals",
                    "Share of area's referrals (%)",
                    "National share (%)",
                    "Expected at national share",
                    "Shortfall",
                    "Against chance",
                ],
                [
                    [
                        row["label"],
                        row["referrals"],
                        _percent(row["share"]),
                        _percent(row["national_share"]),
                        _round(row["expected"]),
                        _round(row["gap"]),
                        band_label(row),
                    ]
                    for row in self.category_gaps
                ],
                [False] + [True] * 5 + [False],
                links=[self.list_url(team_category=row["category"]) for row in self.category_gaps],
            ),
            Table(
                "funnel",
                "Referrals by the furthest stage reached",
                ["Stage reached", "Referrals", "Share of referrals (%)"],
                [[row["label"], row["count"], _percent(row["share"])] for row in self.funnel],
                [False, True, True],
            ),
            Table(
                "drop_out",
                "Why referrals closed, by the stage they had reached",
                ["Stage reached", "Reason", "Referrals"],
                [[row["stage"], row["reason"], row["count"]] for row in self.closures],
                [False, False, True],
            ),
            *self.mix_tables(),
            Table(
                "trend",
                "Referrals by quarter, against the same quarter a year earlier",
                ["Quarter", "Referrals", "Same quarter a year earlier"],
                [
                    [row["label"], NOT_BEGUN if row["referrals"] is None else row["referrals"], row["last_year"]]
                    for row in self.trend
                ],
                [False, True, True],
            ),
            *self.alert_tables(),
            *self.strategy_tables(),
        ]

    def list_url(self, **narrowing) -> str | None:
        """The referral list filtered to the referrals a figure counts (dashboard.drilldown)."""
        return scope_list_url(area_id=self.area.pk, scope=self.scope, **narrowing)

    def alert_tables(self) -> list[Table]:
        """The change alerts of the last complete quarter, whatever the period or filters chosen."""
        if self.change_alerts is None:
            return []
        alerts = self.change_alerts.alerts
        return [
            Table(
                "change_alerts",
                f"Falls in referrals beyond chance, {self.change_alerts.quarter_label}",
                [
                    "Team, category or offence group",
                    "Kind",
                    "Referrals in the quarter",
                    "Average of the previous four quarters",
                    "Same quarter a year earlier",
                    "Compared with",
                    "Chance of a count this low",
                ],
                [
                    [
                        alert.name,
                        alert.kind.label,
                        alert.observed,
                        _round(alert.previous_average),
                        alert.same_quarter_last_year,
                        alert.baseline.label,
                        alert.chance,
                    ]
                    for alert in alerts
                ],
                [False, False, True, True, True, False, False],
                empty="No team, team category or offence group fell below what chance would explain.",
                links=[alert.link for alert in alerts],
            )
        ]

    def mix_tables(self) -> list[Table]:
        columns = [
            "Referrals",
            "Share of area's referrals (%)",
            "National share (%)",
            "Expected at national share",
            "Against chance",
        ]
        return [
            Table(
                key,
                title,
                [first, *columns],
                [
                    [
                        row["label"],
                        row["referrals"],
                        _percent(row["share"]),
                        _percent(row["national_share"]),
                        _round(row["expected"]),
                        band_label(row),
                    ]
                    for row in rows
                ],
                [False, True, True, True, True, False],
            )
            for key, title, first, rows in (
                ("complex_cases", "Complex cases: shares of the area's referrals", "Flag", self.complex_cases),
                ("justice_stages", "Referrals by criminal justice stage", "Justice stage", self.justice_stages),
            )
        ]

    def strategy_tables(self) -> list[Table]:
        """The 10-ways scorecard and the money panels, for the whole financial year whatever
        the quarter or filters chosen: budgets and spend are recorded by year and quarter."""
        if self.scorecard is None or self.money is None:
            return []
        money, label = self.money, self.money.year.label
        ratio = money.ratio
        benefit_rows = []
        if money.spend_pence is not None:
            benefit_rows.append(
                [
                    in_pounds(money.spend_pence),
                    ratio.label if ratio else "No ratio chosen",
                    in_pounds(money.estimated_benefit_pence),
                    _ratio_source(ratio) if ratio else self.benefit_note,
                ]
            )
        budget = money.budget
        return [
            Table(
                "scorecard",
                f"The 10 ways in {self.area.name}, {self.scorecard.year.label}, as at {self.scorecard.on:%-d %B %Y}",
                ["Way", "Status", "Evidence", "How it is worked out"],
                [
                    [result.label, WayStatus(result.status).label, result.evidence, _how_worked_out(result)]
                    for result in self.scorecard.ways
                ],
                [False, False, False, False],
            ),
            Table(
                "spend",
                f"RJ spend by quarter, {label}",
                ["Quarter", "Spend (£)"],
                [[_quarter_label(quarter), spend_cell(quarter)] for quarter in money.quarters]
                + [
                    [
                        "Year total",
                        in_pounds(money.spend_pence) if money.spend_pence is not None else NOT_RECORDED,
                    ]
                ],
                [False, True],
            ),
            Table(
                "budget",
                f"RJ budget, {label}",
                [
                    "Financial year",
                    "Budget (£)",
                    "Ringfenced",
                    *(f"Funding: {source.label} (£)" for source in FundingSource),
                ],
                [
                    [
                        label,
                        in_pounds(budget.amount_pence),
                        "Yes" if budget.ringfenced else "No",
                        *(
                            NOT_RECORDED if amount is None else in_pounds(amount)
                            for _source, amount in money.funding_rows
                        ),
                    ]
                ]
                if budget
                else [],
                [False, True, False, *(True for _source in FundingSource)],
                empty=f"No RJ budget is recorded for {label}.",
            ),
            Table(
                "costs",
                f"Cost per referral and per victim supported, {label}",
                [
                    "Measure",
                    "This area (£)",
                    "National median (£)",
                    "Area's spend (£)",
                    "Referrals or victims supported",
                ],
                [
                    [
                        "Cost per referral",
                        in_pounds(money.cost_per_referral_pence),
                        in_pounds(money.national_cost_per_referral),
                        in_pounds(money.spend_pence),
                        money.referrals,
                    ],
                    [
                        "Cost per victim supported",
                        in_pounds(money.cost_per_supported_pence),
                        in_pounds(money.national_cost_per_supported),
                        in_pounds(money.spend_pence),
                        money.supported,
                    ],
                ],
                [False, True, True, True, True],
            ),
            Table(
                "benefit",
                f"Estimated benefit of RJ spend, {label}",
                ["Spend (£)", "Ratio used", "Estimated benefit (£)", "Source"],
                benefit_rows,
                [True, False, True, False],
                empty=f"No spend is recorded for {label}, so no benefit is estimated.",
            ),
        ]


def _percent(ratio):
    return round(ratio * 100, 1) if ratio is not None else None


def band_label(row) -> str:
    return row["band"].label if row.get("band") else "Nothing expected"


def quarter_progress(quarter, today: date) -> dict:
    """Whether a quarter has ended, is under way (with the days so far) or has not begun."""
    if quarter.end < today:
        return {"status": "ended", "label": quarter.label}
    if quarter.start > today:
        return {"status": "future", "label": f"{quarter.label} (not yet begun)"}
    elapsed, length = (today - quarter.start).days + 1, (quarter.end - quarter.start).days + 1
    return {"status": "current", "label": f"{quarter.label} (so far: {elapsed} of {length} days)"}


NOT_BEGUN = "Not yet begun"
NOT_YET_ENDED = "Not yet ended"
NOT_RECORDED = "Not recorded"
OFFICE_RECORD = "Recorded by the office"


def in_pounds(pence: int | None) -> Decimal | None:
    """Pence as pounds to two decimal places, the unit of every money column: a number in the
    XLSX, 1234.50 in the CSV, 1,234.50 on the page."""
    return None if pence is None else (Decimal(pence) / 100).quantize(Decimal("0.01"))


def spend_cell(quarter) -> Decimal | str:
    """A quarter's spend: its amount, or why there is none. Never 0 for a missing figure."""
    if quarter.amount_pence is not None:
        return in_pounds(quarter.amount_pence)
    return NOT_RECORDED if quarter.started else NOT_BEGUN


def _quarter_label(quarter) -> str:
    return f"Q{quarter.number} ({quarter.period.start:%B} to {quarter.period.end:%B %Y})"


def _ratio_source(ratio) -> str:
    return f"{ratio.citation} ({ratio.url})" if ratio.url else ratio.citation


def _how_worked_out(result) -> str:
    """The rule for a way the portal works out; for the others, that the office records it."""
    if result.computed:
        return result.rule
    changed = result.changed_at
    if changed is None:
        return f"{OFFICE_RECORD}: nothing recorded yet. RJ Portal holds nothing to work this status out from."
    day = timezone.localdate(changed) if isinstance(changed, datetime) else changed
    return f"{OFFICE_RECORD}, last changed {day:%-d %B %Y}. RJ Portal holds nothing to work this status out from."


def area_report(*, area: PoliceArea, scope: ReferralScope, financial_year: FinancialYear, today: date) -> AreaReport:
    areas = list(PoliceArea.objects.values_list("pk", flat=True))
    crime_year = crime_year_for(financial_year)
    year_ending = crime_year.year_ending if crime_year else None
    crime = recorded_crime_by_area_and_offence(year_ending) if year_ending else {}
    referrals = referral_counts_by_area_and_offence(scope=scope)
    spreads = national_spreads(referrals=referrals, crime=crime, area_ids=areas)

    this_year, last_year = financial_year.quarters(), financial_year.previous().quarters()
    figures = referral_area_figures(area=area, scope=scope, today=today, periods=this_year + last_year)
    headlines = figures["headlines"]
    total = headlines["referrals"]
    information_known = headlines["information_met"] + headlines["information_missed"]
    headlines.update(
        change=total - headlines["referrals_last_year"],
        direct_rate=_ratio(headlines["direct"], total),
        indirect_rate=_ratio(headlines["indirect"], total),
        agreement_rate=_ratio(headlines["agreements"], headlines["completed"]),
        information_known=information_known,
        information_rate=_ratio(headlines["information_met"], information_known),
        referral_rate=_ratio(headlines["referral_met"], headlines["referral_known"]),
    )

    teams, closure_counts = referral_teams_and_closures(area=area, scope=scope)
    area_categories = {}
    for team in teams:
        area_categories[team.category] = area_categories.get(team.category, 0) + team.referral_count
    category_gaps = team_category_gaps(
        area_counts=area_categories,
        national_counts=referral_counts_by_team_category(scope=scope),
        categories=TeamCategory.choices,
    )

    reached = figures["reached"]
    funnel = [
        {"stage": stage.value, "label": stage.label, "count": reached[stage.value],
         "share": _ratio(reached[stage.value], reached[Stage.REFERRED])}
        for stage in PATH_STAGES
    ]  # fmt: skip
    closures = [
        {"stage": Stage(stage).label, "reason": ClosureReason(reason).label, "count": count}
        for (stage, reason), count in sorted(
            closure_counts.items(),
            key=lambda item: (PATH_STAGES.index(item[0][0]), -item[1]),
        )
    ]

    by_quarter = figures["by_period"]
    trend = []
    for quarter, earlier in zip(this_year, last_year, strict=True):
        progress = quarter_progress(quarter, today)
        received = None if progress["status"] == "future" else by_quarter[quarter]["received"]
        trend.append({**progress, "referrals": received, "last_year": by_quarter[earlier]["received"]})
    crime_gaps = crime_type_gaps(area_id=area.pk, referrals=referrals, crime=crime, spreads=spreads)
    mix, national_mix = figures["mix"], referral_mix_national(scope=scope)
    complex_cases = share_gaps(
        area_counts=mix["flags"],
        area_total=total,
        national_counts=national_mix["flags"],
        national_total=national_mix["total"],
        categories=SENSITIVE_FLAG_LABELS,
    )
    justice_stages = share_gaps(
        area_counts=mix["justice_stages"],
        area_total=total,
        national_counts=national_mix["justice_stages"],
        national_total=national_mix["total"],
        categories=JusticeStage.choices,
    )

    other_offences = [
        {"label": Offence(group).label, "referrals": referrals.get((area.pk, group), 0)}
        for group in (Offence.FRAUD, Offence.OTHER)
    ]
    pledge_campaign, leader_pledge = elected_leader_pledge(area)
    return AreaReport(
        pledge_campaign=pledge_campaign,
        leader_pledge=leader_pledge,
        scorecard=area_scorecard(area, year=financial_year, today=today),
        money=area_money(area=area, year=financial_year, today=today),
        change_alerts=quarter_alerts(area=area, today=today),
        area=area,
        scope=scope,
        year_ending=year_ending,
        crime_year=crime_year,
        headline_gap=most_significant_shortfall(crime_gaps, category_gaps),
        below_95=shortfalls_below_95(crime_gaps, category_gaps),
        complex_cases=complex_cases,
        justice_stages=justice_stages,
        headlines=headlines,
        crime_gaps=crime_gaps,
        other_offences=other_offences,
        teams=teams,
        category_gaps=category_gaps,
        funnel=funnel,
        closures=closures,
        trend=trend,
    )


@dataclass
class NationalReport:
    scope: ReferralScope
    year_ending: date | None
    crime_year: CrimeYear | None
    league: list[dict]
    peers: list[dict]
    peer_of: PoliceArea | None
    funnel: dict | None = None  # the funnel plot's points, target and limits, or None without crime figures
    openable_codes: frozenset = frozenset()  # the areas whose dashboards the viewer may open

    @property
    def opportunity(self) -> dict:
        """Nationally: referrals in the areas with rates, and how many more victims would have
        been referred if every area below the median (or upper-quartile) rate had reached it."""
        return self.funnel["opportunity"] if self.funnel else {}

    def tables(self) -> list[Table]:
        return [
            Table(
                "league",
                "Referrals per 1,000 recorded crimes by police area",
                ["Police area", "Rank", "ONS code", "Referrals", "Recorded crime", "Rate per 1,000"],
                [
                    [
                        row["name"],
                        row["rank"],
                        row["code"],
                        row["referrals"],
                        row["recorded_crime"],
                        _round(row["rate"], 2),
                    ]
                    for row in self.league
                ],
                [False, True, False, True, True, True],
                # Each area the viewer may open links to its dashboard.
                links=[
                    reverse("dashboard:area", args=[row["code"]]) if row["code"] in self.openable_codes else None
                    for row in self.league
                ],
            ),
            Table(
                "peers",
                f"Areas most like {self.peer_of.name if self.peer_of else 'this area'} in recorded crime",
                ["Police area", "Referrals", "Rate per 1,000"],
                [[row["name"], row["referrals"], _round(row["rate"], 2)] for row in self.peers],
                [False, True, True],
            ),
            Table(
                "funnel_plot",
                f"{self.funnel_label} referrals per 1,000 recorded crimes against recorded crime, with control limits",
                [
                    "Police area",
                    "Recorded crime",
                    "Referrals",
                    "Rate per 1,000",
                    "Expected at the national rate",
                    "Against chance",
                ],
                [
                    [
                        row["name"],
                        row["recorded_crime"],
                        row["referrals"],
                        _round(row["rate"], 2),
                        _round(row["expected"]),
                        row["band"],
                    ]
                    for row in (self.funnel["rows"] if self.funnel else [])
                ],
                [False, True, True, True, True, False],
            ),
        ]

    @property
    def funnel_label(self) -> str:
        return Offence(self.scope.offence_group).label if self.scope.offence_group else "All"


def national_report(
    *, scope: ReferralScope, peer_of: PoliceArea | None, openable_codes: frozenset = frozenset()
) -> NationalReport:
    """Every area's referral rate, with small counts suppressed: this view is beyond any one
    area's own data, whoever looks at it."""
    crime_year = crime_year_for(financial_year_of(scope.period.start))
    year_ending = crime_year.year_ending if crime_year else None
    crime = recorded_crime_by_area_and_offence(year_ending) if year_ending else {}
    counts = referral_counts_by_area(scope=scope)
    denominator_offence = scope.offence_group or Offence.TOTAL
    rows = []
    for area in PoliceArea.objects.order_by("name"):
        count = counts.get(area.pk, 0)
        recorded = crime.get((area.pk, denominator_offence))
        rows.append(
            {
                "area_id": area.pk,
                "code": area.code,
                "name": area.name,
                "referrals": shown_count(count),
                "recorded_crime": recorded,
                "rate": shown_rate(count, recorded),
            }
        )
    ranked = sorted(rows, key=lambda row: (row["rate"] is None, -(row["rate"] or 0), row["name"]))
    for position, row in enumerate(ranked, start=1):
        row["rank"] = position if row["rate"] is not None else None
    peers = []
    if peer_of is not None:
        by_id = {row["area_id"]: row for row in rows}
        found = peer_areas(area_id=peer_of.pk, crime=crime, area_ids=list(by_id))
        if found:
            # The area itself first, so that its rate stands beside its peers'.
            peers = [{**by_id[peer_of.pk], "distance": 0.0, "is_self": True}] + [
                {**by_id[area_id], "distance": distance, "is_self": False} for area_id, distance in found
            ]
    return NationalReport(
        scope=scope,
        year_ending=year_ending,
        crime_year=crime_year,
        league=ranked,
        peers=peers,
        peer_of=peer_of,
        funnel=funnel_data(counts=counts, crime=crime, offence=denominator_offence) if crime else None,
        openable_codes=openable_codes,
    )


FUNNEL_STEPS = 40


def funnel_data(*, counts: dict[int, int], crime: dict, offence: str) -> dict | None:
    """Each area's rate against its recorded crime in `offence`, the national median rate as
    the target, and the 95% and 99.8% control limits across the range of recorded crime.
    Rates and bands are worked out from true counts but shown only where the count is (1 to 4
    is "<5", with no rate or band), as everywhere beyond an area."""
    areas = list(PoliceArea.objects.order_by("name").values_list("pk", "code", "name"))
    sizes = {pk: crime.get((pk, offence)) for pk, _code, _name in areas}
    true_rates = [rate_per_1000(counts.get(pk, 0), size) for pk, size in sizes.items() if size]
    if not true_rates:
        return None
    # The target is the national rate (every area's referrals over all their recorded crime), as
    # in the area dashboard's gaps; the median and upper quartile of the areas' rates give the
    # opportunity.
    target = rate_per_1000(
        sum(counts.get(pk, 0) for pk, size in sizes.items() if size), sum(size for size in sizes.values() if size)
    )
    median = statistics.median(true_rates)
    rows = []
    for pk, code, name in areas:
        size, count = sizes[pk], counts.get(pk, 0)
        expected = target * size / 1000 if size else None
        judgement = judge(count, expected)
        hidden = is_suppressed(count)
        rows.append(
            {
                "area_id": pk,
                "code": code,
                "name": name,
                "recorded_crime": size,
                "referrals": shown_count(count),
                "rate": shown_rate(count, size),
                "expected": expected,
                "band": "Not shown (fewer than 5)" if hidden else (judgement.band.label if judgement else "No figures"),
                "more_at_median": max(0.0, median * size / 1000 - count) if size else 0.0,
            }
        )
    known = [size for size in sizes.values() if size]
    low, high = max(1, min(known) // 2), max(known) * 1.1
    steps = [low * (high / low) ** (step / (FUNNEL_STEPS - 1)) for step in range(FUNNEL_STEPS)]
    limits = {
        label: (
            steps,
            [control_limit(target * size / 1000, probability) * 1000 / size for size in steps],
            [control_limit(target * size / 1000, 1 - probability) * 1000 / size for size in steps],
        )
        for label, probability in (("95%", LEVELS["95"]), ("99.8%", LEVELS["99.8"]))
    }
    q3 = statistics.quantiles(true_rates, n=4, method="inclusive")[2] if len(true_rates) > 1 else median
    with_crime = [(pk, size) for pk, size in sizes.items() if size]
    return {
        "target": target,
        "rows": rows,
        "limits": limits,
        "opportunity": {
            "referrals": sum(counts.get(pk, 0) for pk, _size in with_crime),
            "more_at_median": sum(max(0.0, median * size / 1000 - counts.get(pk, 0)) for pk, size in with_crime),
            "more_at_upper_quartile": sum(max(0.0, q3 * size / 1000 - counts.get(pk, 0)) for pk, size in with_crime),
        },
    }


def quarterly_return(*, area: PoliceArea, financial_year: FinancialYear, today: date) -> Table:
    """The Ministry of Justice return: referrals, victims supported and spend by quarter. Spend
    is what the PCC office recorded; a quarter without a figure says why, never 0."""
    quarters = financial_year.quarters()
    counts = referral_counts_by_period(area=area, scope=ReferralScope(period=financial_year.period), periods=quarters)
    money = area_money(area=area, year=financial_year, today=today)
    rows = []
    for number, (quarter, spent) in enumerate(zip(quarters, money.quarters, strict=True), start=1):
        progress = quarter_progress(quarter, today)
        if progress["status"] == "future":
            # A quarter that has not begun has no figures yet: never 0.
            received = supported = NOT_YET_ENDED
        else:
            received, supported = counts[quarter]["received"], counts[quarter]["supported"]
        label = f"Q{number}" if progress["status"] == "ended" else f"Q{number} ({progress['label'].split(' (')[1]}"
        rows.append([area.code, area.name, financial_year.label, label, received, supported, spend_cell(spent)])
    counted = [row for row in rows if isinstance(row[4], int)]
    year_label = "Year" if len(counted) == len(rows) and quarters[-1].end < today else "Year so far"
    rows.append(
        [
            area.code,
            area.name,
            financial_year.label,
            year_label,
            sum(row[4] for row in counted),
            sum(row[5] for row in counted),
            NOT_RECORDED if money.spend_pence is None else in_pounds(money.spend_pence),
        ]
    )
    return Table(
        "return",
        f"RJ quarterly return, {area.name}, {financial_year.label}",
        [
            "Police area code",
            "Police area",
            "Financial year",
            "Quarter",
            "Referrals",
            "Victims supported",
            "Spend (£)",
        ],
        rows,
        [False, False, False, False, True, True, True],
    )
