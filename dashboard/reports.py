"""The dashboard's figures, gathered once per request from the domain apps' selectors. Pages,
charts, CSV and XLSX downloads all read the same tables from here, so they never disagree."""

from dataclasses import dataclass, field
from datetime import date

from pledges.selectors import elected_leader_pledge
from referrals.constants import PATH_STAGES, ClosureReason, Stage, TeamCategory
from referrals.selectors import (
    ReferralScope,
    referral_area_figures,
    referral_counts_by_area,
    referral_counts_by_area_and_offence,
    referral_counts_by_period,
    referral_counts_by_team_category,
    referral_teams_and_closures,
)
from rjportal.areas.constants import Offence
from rjportal.areas.models import PoliceArea, RecordedCrime
from rjportal.areas.selectors import recorded_crime_by_area_and_offence
from rjportal.disclosure import shown_count, shown_rate
from rjportal.periods import FinancialYear

from .gaps import crime_type_gaps, national_spreads, peer_areas, team_category_gaps


@dataclass
class Table:
    """One chart's data: what the page shows under the chart and what its CSV holds."""

    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    numeric: list[bool] = field(default_factory=list)


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

    @property
    def silent_teams(self):
        return [team for team in self.teams if team.referral_count == 0]

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
                    "Expected at national median",
                    "Shortfall",
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
                        _round(row["expected"]),
                        _round(row["gap"]),
                    ]
                    for row in self.crime_gaps
                ],
                [False] + [True] * 8,
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
                ],
                [
                    [
                        row["label"],
                        row["referrals"],
                        _percent(row["share"]),
                        _percent(row["national_share"]),
                        _round(row["expected"]),
                        _round(row["gap"]),
                    ]
                    for row in self.category_gaps
                ],
                [False] + [True] * 5,
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
            Table(
                "trend",
                "Referrals by quarter, against the same quarter a year earlier",
                ["Quarter", "Referrals", "Same quarter a year earlier"],
                [[row["label"], row["referrals"], row["last_year"]] for row in self.trend],
                [False, True, True],
            ),
        ]


def _percent(ratio):
    return round(ratio * 100, 1) if ratio is not None else None


def area_report(*, area: PoliceArea, scope: ReferralScope, financial_year: FinancialYear, today: date) -> AreaReport:
    areas = list(PoliceArea.objects.values_list("pk", flat=True))
    year_ending = RecordedCrime.objects.latest_year_ending()
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
    trend = [
        {"label": quarter.label, "referrals": by_quarter[quarter]["received"],
         "last_year": by_quarter[earlier]["received"]}
        for quarter, earlier in zip(this_year, last_year, strict=True)
    ]  # fmt: skip

    other_offences = [
        {"label": Offence(group).label, "referrals": referrals.get((area.pk, group), 0)}
        for group in (Offence.FRAUD, Offence.OTHER)
    ]
    pledge_campaign, leader_pledge = elected_leader_pledge(area)
    return AreaReport(
        pledge_campaign=pledge_campaign,
        leader_pledge=leader_pledge,
        area=area,
        scope=scope,
        year_ending=year_ending,
        headlines=headlines,
        crime_gaps=crime_type_gaps(area_id=area.pk, referrals=referrals, crime=crime, spreads=spreads),
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
    league: list[dict]
    peers: list[dict]
    peer_of: PoliceArea | None

    def tables(self) -> list[Table]:
        return [
            Table(
                "league",
                "Referrals per 1,000 recorded crimes by police area",
                ["Rank", "Police area", "ONS code", "Referrals", "Recorded crime", "Rate per 1,000"],
                [
                    [
                        row["rank"],
                        row["name"],
                        row["code"],
                        row["referrals"],
                        row["recorded_crime"],
                        _round(row["rate"], 2),
                    ]
                    for row in self.league
                ],
                [True, False, False, True, True, True],
            ),
            Table(
                "peers",
                f"Areas most like {self.peer_of.name if self.peer_of else 'this area'} in recorded crime",
                ["Police area", "Referrals", "Rate per 1,000"],
                [[row["name"], row["referrals"], _round(row["rate"], 2)] for row in self.peers],
                [False, True, True],
            ),
        ]


def national_report(*, scope: ReferralScope, peer_of: PoliceArea | None) -> NationalReport:
    """Every area's referral rate, with small counts suppressed: this view is beyond any one
    area's own data, whoever looks at it."""
    year_ending = RecordedCrime.objects.latest_year_ending()
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
        peers = [
            {**by_id[area_id], "distance": distance}
            for area_id, distance in peer_areas(area_id=peer_of.pk, crime=crime, area_ids=list(by_id))
        ]
    return NationalReport(scope=scope, year_ending=year_ending, league=ranked, peers=peers, peer_of=peer_of)


def quarterly_return(*, area: PoliceArea, financial_year: FinancialYear) -> Table:
    quarters = financial_year.quarters()
    counts = referral_counts_by_period(area=area, scope=ReferralScope(period=financial_year.period), periods=quarters)
    rows = [
        [
            area.code,
            area.name,
            financial_year.label,
            f"Q{number}",
            counts[quarter]["received"],
            counts[quarter]["supported"],
        ]
        for number, quarter in enumerate(quarters, start=1)
    ]
    rows.append([area.code, area.name, financial_year.label, "Year", sum(r[4] for r in rows), sum(r[5] for r in rows)])
    return Table(
        "return",
        f"RJ quarterly return, {area.name}, {financial_year.label}",
        ["Police area code", "Police area", "Financial year", "Quarter", "Referrals", "Victims supported"],
        rows,
        [False, False, False, False, True, True],
    )
