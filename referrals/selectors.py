"""Aggregate reads of referrals for reports and the dashboard. Every figure is counted in the
database (GROUP BY and conditional aggregates); callers get small dicts, never rows of cases."""

import hashlib
from dataclasses import dataclass, replace
from datetime import date

from django.core.cache import cache
from django.db.models import Count, F, Max, Q, Sum

from rjportal.periods import Period

from .constants import DIRECT_INTERVENTIONS, PATH_STAGES, JusticeStage, Stage
from .managers import information_clock_missed
from .models import Referral, ReferringTeam

# A victim counts as supported once their referral reached an RJ intervention (direct or indirect).
SUPPORTED_STAGES = [Stage.INTERVENTION, Stage.COMPLETED]


NARROWING_FIELDS = ("offence_group", "justice_stage", "initiator")


@dataclass(frozen=True)
class ReferralScope:
    """Which referrals a figure counts: received in the period, optionally narrowed."""

    period: Period
    offence_group: str = ""
    justice_stage: str = ""
    initiator: str = ""

    def last_year(self) -> "ReferralScope":
        return replace(self, period=self.period.same_period_last_year())

    def q(self, prefix: str = "") -> Q:
        condition = Q(**{f"{prefix}received_on__gte": self.period.start, f"{prefix}received_on__lte": self.period.end})
        for field in NARROWING_FIELDS:
            if getattr(self, field):
                condition &= Q(**{f"{prefix}{field}": getattr(self, field)})
        return condition


def _count(condition: Q | None = None) -> Count:
    """Referrals meeting `condition`. Counts received_on, which is never empty, rather than id:
    received_on is in the index the area figures are read from, id is not, and counting id
    would send PostgreSQL to the table for every row."""
    return Count("received_on", filter=condition)


def _period_aggregates(scope: ReferralScope, periods: list[Period]) -> dict:
    narrowing = replace(scope, period=Period(min(p.start for p in periods), max(p.end for p in periods), "")).q()
    supported = Q(furthest_stage__in=SUPPORTED_STAGES)
    aggregates = {}
    for index, period in enumerate(periods):
        within = narrowing & Q(received_on__gte=period.start, received_on__lte=period.end)
        aggregates[f"received_{index}"] = _count(within)
        aggregates[f"supported_{index}"] = _count(within & supported)
    return aggregates


def _by_period(figures: dict, periods: list[Period]) -> dict:
    return {
        period: {"received": figures[f"received_{index}"], "supported": figures[f"supported_{index}"]}
        for index, period in enumerate(periods)
    }


def _area_rows(area, *scopes: ReferralScope):
    """The area's referrals in any of the scopes' periods: one date range, so that the
    (area, received_on) index bounds the scan."""
    return Referral.objects.filter(
        area=area,
        received_on__gte=min(scope.period.start for scope in scopes),
        received_on__lte=max(scope.period.end for scope in scopes),
    )


SENSITIVE_FLAGS = ("hate_crime", "domestic_abuse", "sexual_harm")


def _mix_aggregates(scope: ReferralScope) -> dict:
    """Referrals with each sensitive-case flag, and at each justice stage (the same columns
    nationally and for an area, so that shares compare)."""
    this = scope.q()
    aggregates = {f"flag_{flag}": _count(this & Q(**{flag: True})) for flag in SENSITIVE_FLAGS}
    aggregates.update({f"stage_{stage.value}": _count(this & Q(justice_stage=stage)) for stage in JusticeStage})
    return aggregates


def _mix(figures: dict) -> dict:
    return {
        "flags": {flag: figures[f"flag_{flag}"] for flag in SENSITIVE_FLAGS},
        "justice_stages": {stage.value: figures[f"stage_{stage.value}"] for stage in JusticeStage},
    }


def referral_mix_national(*, scope: ReferralScope) -> dict:
    """The national count of each sensitive-case flag and justice stage, and the total."""

    def compute():
        figures = Referral.objects.filter(scope.q()).aggregate(total=_count(), **_mix_aggregates(scope))
        return {"total": figures["total"], **_mix(figures)}

    return _national("mix", scope, compute)


def _day_aggregates(today: date) -> dict:
    """What the area dashboard counts of each day's referrals (see referral_area_figures): the
    headlines, how far referrals got, victims supported and the case mix, each a plain count
    with no date in its condition."""
    information_met = Q(information_due_on__isnull=False, victim_informed_on__lte=F("information_due_on"))
    referral_known = Q(referral_due_on__isnull=False)
    aggregates = {
        "referrals": _count(),
        "supported": _count(Q(furthest_stage__in=SUPPORTED_STAGES)),
        "direct": _count(Q(intervention_type__in=DIRECT_INTERVENTIONS)),
        "indirect": _count(~Q(intervention_type="") & ~Q(intervention_type__in=DIRECT_INTERVENTIONS)),
        "completed": _count(Q(stage=Stage.COMPLETED)),
        "agreements": _count(Q(stage=Stage.COMPLETED, agreement_reached=True)),
        "satisfaction_total": Sum("victim_satisfaction"),
        "satisfaction_count": Count("victim_satisfaction"),
        "information_met": _count(information_met),
        "information_missed": _count(information_clock_missed(today)),
        "referral_known": _count(referral_known),
        "referral_met": _count(referral_known & Q(referred_on__lte=F("referral_due_on"))),
    }
    for index, stage in enumerate(PATH_STAGES):
        aggregates[f"reached_{stage.value}"] = _count(
            Q(furthest_stage__in=[later.value for later in PATH_STAGES[index:]])
        )
    aggregates.update({f"flag_{flag}": _count(Q(**{flag: True})) for flag in SENSITIVE_FLAGS})
    aggregates.update({f"stage_{stage.value}": _count(Q(justice_stage=stage)) for stage in JusticeStage})
    return aggregates


def referral_area_figures(*, area, scope: ReferralScope, today: date, periods: list[Period]) -> dict:
    """Everything the area dashboard counts over the area's own referrals (see _area_figures),
    kept until the referrals change, as the national counts are: an office's staff open the
    same dashboard again and again between uploads."""
    key = f"referrals:area:{area.pk}:{_scope_key(scope)}:{today}:{_periods_key(periods)}"
    return _cached(key, lambda: _area_figures(area=area, scope=scope, today=today, periods=periods))


def _periods_key(periods: list[Period]) -> str:
    """The periods hashed: a cache key must stay short (250 characters for memcached)."""
    return hashlib.sha256(",".join(f"{period.start}-{period.end}" for period in periods).encode()).hexdigest()[:16]


def _area_figures(*, area, scope: ReferralScope, today: date, periods: list[Period]) -> dict:
    """Everything the area dashboard counts over the area's own referrals, in one pass:
    headlines, how far referrals got, and referrals received (and victims supported) in each of
    `periods`. The database counts each day's referrals (one GROUP BY over the area's covering
    index, in its order); the days are then added up into the period, the same period a year
    earlier and each of `periods` here. Counting by day keeps the dates out of every
    condition, which is most of the work for SQLite: a few hundred days, not tens of thousands
    of rows, meet a date test."""
    span = ReferralScope(period=Period(min(p.start for p in periods), max(p.end for p in periods), ""))
    narrowing = {field: getattr(scope, field) for field in NARROWING_FIELDS if getattr(scope, field)}
    aggregates = _day_aggregates(today)
    days = (
        _area_rows(area, scope, scope.last_year(), span)
        .filter(**narrowing)
        .values("received_on")
        .annotate(**aggregates)
        .order_by()
    )
    this, last = scope.period, scope.last_year().period
    totals = dict.fromkeys(aggregates, 0)
    last_year = 0
    by_period = {period: {"received": 0, "supported": 0} for period in periods}
    for day in days:
        on = day["received_on"]
        if this.start <= on <= this.end:
            for key in totals:
                totals[key] += day[key] or 0
        if last.start <= on <= last.end:
            last_year += day["referrals"]
        for period in periods:
            if period.start <= on <= period.end:
                by_period[period]["received"] += day["referrals"]
                by_period[period]["supported"] += day["supported"]
    satisfaction = totals["satisfaction_total"] / totals["satisfaction_count"] if totals["satisfaction_count"] else None
    headlines = {
        "referrals": totals["referrals"],
        "referrals_last_year": last_year,
        **{
            key: totals[key]
            for key in (
                "direct",
                "indirect",
                "completed",
                "agreements",
                "information_met",
                "information_missed",
                "referral_known",
                "referral_met",
            )
        },
        "victim_satisfaction": satisfaction,
    }
    return {
        "mix": _mix(totals),
        "headlines": headlines,
        "reached": {stage.value: totals[f"reached_{stage.value}"] for stage in PATH_STAGES},
        "by_period": by_period,
    }


NATIONAL_CACHE_SECONDS = 60 * 60


def _data_version() -> str:
    """Changes whenever a referral is added or changed: the newest id and change time, each read
    from an index. (Not when referrals are deleted: only the retention purge deletes them, years
    after they finished, and cached counts expire within NATIONAL_CACHE_SECONDS anyway.)"""
    # Two queries, not one: SQLite reads a lone MIN or MAX from an index, but not two together.
    last_id = Referral.objects.aggregate(value=Max("id"))["value"]
    last_change = Referral.objects.aggregate(value=Max("updated_at"))["value"]
    return f"{last_id}-{last_change.isoformat() if last_change else ''}"


def _scope_key(scope: ReferralScope) -> str:
    return f"{scope.period.start}:{scope.period.end}:{scope.offence_group}:{scope.justice_stage}:{scope.initiator}"


def _national(name: str, scope: ReferralScope, compute):
    """National counts are the same for every viewer of a period, and scanning a year of
    referrals across all areas is the costliest read on the dashboard: keep each result until
    the referrals change."""
    return _cached(f"referrals:{name}:{_scope_key(scope)}", compute)


def _cached(key: str, compute):
    """compute()'s result, kept under `key` until any referral is added or changed."""
    key += f":{_data_version()}"
    result = cache.get(key)
    if result is None:
        result = compute()
        cache.set(key, result, NATIONAL_CACHE_SECONDS)
    return result


def referral_counts_by_area_and_offence(*, scope: ReferralScope) -> dict[tuple[int, str], int]:
    def compute():
        rows = Referral.objects.filter(scope.q()).values("area_id", "offence_group").annotate(count=Count("id"))
        return {(row["area_id"], row["offence_group"]): row["count"] for row in rows.order_by()}

    return _national("by_area_and_offence", scope, compute)


def referral_counts_by_area(*, scope: ReferralScope) -> dict[int, int]:
    """Added up from the counts by area and offence group, which the area dashboard keeps too:
    after a change, the first dashboard seen scans the period's referrals once for both."""
    totals: dict[int, int] = {}
    for (area_id, _group), count in referral_counts_by_area_and_offence(scope=scope).items():
        totals[area_id] = totals.get(area_id, 0) + count
    return totals


def referral_supported_by_area(*, scope: ReferralScope) -> dict[int, int]:
    """Victims supported (referrals that reached an RJ intervention), by area, of the referrals
    received in the scope: the denominator of cost per victim supported."""

    def compute():
        rows = (
            Referral.objects.filter(scope.q(), furthest_stage__in=SUPPORTED_STAGES)
            .values("area_id")
            .annotate(count=Count("id"))
        )
        return {row["area_id"]: row["count"] for row in rows.order_by()}

    return _national("supported_by_area", scope, compute)


def referral_counts_by_team_category(*, scope: ReferralScope) -> dict[str, int]:
    """Referrals in scope across all areas, by the national category of the referring team."""

    def compute():
        rows = Referral.objects.filter(scope.q()).values("referring_team__category").annotate(count=Count("id"))
        return {row["referring_team__category"]: row["count"] for row in rows.order_by()}

    return _national("by_team_category", scope, compute)


def referral_teams_and_closures(*, area, scope: ReferralScope) -> tuple[list, dict[tuple[str, str], int]]:
    """Every team of the area with its referrals in scope (`referral_count`; those with none
    included, most first), and why referrals closed, by the stage they had reached and reason.
    One GROUP BY over the area's referrals gives both, so its rows are read once; its rows are
    kept until the referrals change, as the area's figures are. The teams are read each time,
    so that a renamed or new team shows at once."""
    rows = _cached(
        f"referrals:teams_and_closures:{area.pk}:{_scope_key(scope)}",
        lambda: list(
            _area_rows(area, scope)
            .filter(scope.q())
            .values_list("referring_team_id", "stage", "furthest_stage", "closure_reason")
            .annotate(count=_count())
            .order_by()
        ),
    )
    by_team, closures = {}, {}
    for team_id, stage, furthest_stage, closure_reason, count in rows:
        by_team[team_id] = by_team.get(team_id, 0) + count
        if stage == Stage.CLOSED:
            closures[furthest_stage, closure_reason] = closures.get((furthest_stage, closure_reason), 0) + count
    teams = list(ReferringTeam.objects.filter(area=area))
    for team in teams:
        team.referral_count = by_team.get(team.pk, 0)
    return sorted(teams, key=lambda team: (-team.referral_count, team.name)), closures


def referral_counts_by_period(*, area, scope: ReferralScope, periods: list[Period]) -> dict:
    """Referrals received, and victims supported (reached an RJ intervention), in each period, in
    one query. Narrowing filters in `scope` apply; its own period is ignored."""
    span = ReferralScope(period=Period(min(p.start for p in periods), max(p.end for p in periods), ""))
    return _by_period(_area_rows(area, span).aggregate(**_period_aggregates(scope, periods)), periods)


@dataclass(frozen=True)
class QuarterCounts:
    """An area's referrals received in each of a list of periods (oldest first), by referring
    team, team category and offence group. Each maps a key (a team's id, a category's value, an
    offence group's value) to one count per period. `teams` are the teams counted, by id: the
    area's own, with or without referrals, and any other team its referrals name."""

    periods: list[Period]
    teams: dict[int, ReferringTeam]
    by_team: dict[int, list[int]]
    by_team_category: dict[str, list[int]]
    by_offence_group: dict[str, list[int]]


def referral_counts_by_quarter(*, area, periods: list[Period]) -> QuarterCounts:
    """Referrals the area's providers received in each period, by referring team, team category
    and offence group: every referral in the area, whatever its stage, counted on its received
    date. Two queries whatever the data: one GROUP BY over the area's referrals in the span (team
    and offence group, with one conditional count per period), and the teams themselves. A team's
    category is its current one, as the referral list's filter reads it. The GROUP BY's rows are
    kept until the referrals change (two small queries of the newest id and change say when)."""
    span = ReferralScope(period=Period(min(p.start for p in periods), max(p.end for p in periods), ""))
    counts = {
        f"received_{index}": _count(Q(received_on__gte=period.start, received_on__lte=period.end))
        for index, period in enumerate(periods)
    }
    rows = _cached(
        f"referrals:by_quarter:{area.pk}:{_periods_key(periods)}",
        lambda: list(
            _area_rows(area, span).values_list("referring_team_id", "offence_group").annotate(**counts).order_by()
        ),
    )
    named = {team_id for team_id, _group, *_counts in rows}
    teams = {team.pk: team for team in ReferringTeam.objects.filter(Q(area=area) | Q(pk__in=named)).order_by("name")}
    empty = [0] * len(periods)
    by_team = {team_id: list(empty) for team_id in teams}
    by_category, by_group = {}, {}
    for team_id, group, *per_period in rows:
        category = teams[team_id].category
        for totals, key in ((by_team, team_id), (by_category, category), (by_group, group)):
            totals.setdefault(key, list(empty))
            totals[key] = [total + count for total, count in zip(totals[key], per_period, strict=True)]
    return QuarterCounts(
        periods=list(periods),
        teams=teams,
        by_team=by_team,
        by_team_category=by_category,
        by_offence_group=by_group,
    )
