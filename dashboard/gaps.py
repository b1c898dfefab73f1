"""Where referrals are missing: comparisons of aggregated counts. Every input here is already
counted by the database (dozens of numbers, never rows of cases); these functions only divide,
rank and compare them, so that each figure can be checked by hand in a test.

Everything here is computed from the true counts. Small-number suppression changes only what is
shown beyond an area (rjportal.disclosure), never what is computed: leaving out the areas with 1
to 4 referrals, but not those with none, would pull a sparse group's median down to 0."""

import math
import statistics
from dataclasses import dataclass

from rjportal.areas.constants import OFFENCE_LEVEL, Offence, OffenceLevel

from .limits import Band, judge

RECORDED_CRIME_GROUPS = [offence for offence, level in OFFENCE_LEVEL.items() if level == OffenceLevel.GROUP]


@dataclass(frozen=True)
class Spread:
    """The lower quartile, median and upper quartile of a set of rates (None when empty), and
    the national rate: all areas' referrals over all their recorded crime."""

    q1: float | None
    median: float | None
    q3: float | None
    areas: int
    national_rate: float | None = None


def spread(values) -> Spread:
    """Quartiles by the 'inclusive' method (the one spreadsheets call QUARTILE.INC)."""
    values = sorted(value for value in values if value is not None)
    if not values:
        return Spread(None, None, None, 0)
    if len(values) == 1:
        return Spread(values[0], values[0], values[0], 1)
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Spread(q1, median, q3, len(values))


def rate_per_1000(count: int, recorded: int | None) -> float | None:
    return count * 1000 / recorded if recorded else None


def national_spreads(*, referrals, crime, area_ids) -> dict[str, Spread]:
    """For each offence group, the spread across areas of referrals per 1,000 recorded crimes,
    over every area with recorded crime in the group (small counts included: see above), and
    the national rate that expected counts use. The national rate pools every area's referrals
    and crime, as funnel plots' targets do: a median of area rates is itself noisy where most
    areas refer few victims, and would put large areas outside their limits by chance."""
    spreads = {}
    for group in RECORDED_CRIME_GROUPS:
        with_crime = [area_id for area_id in area_ids if crime.get((area_id, group))]
        rates = [rate_per_1000(referrals.get((area_id, group), 0), crime[(area_id, group)]) for area_id in with_crime]
        total_crime = sum(crime[(area_id, group)] for area_id in with_crime)
        total_referrals = sum(referrals.get((area_id, group), 0) for area_id in with_crime)
        quartiles = spread(rates)
        spreads[group] = Spread(
            quartiles.q1,
            quartiles.median,
            quartiles.q3,
            quartiles.areas,
            national_rate=rate_per_1000(total_referrals, total_crime),
        )
    return spreads


def _judged(row: dict) -> dict:
    """Add how far the referrals stand from the expected count against chance: `judgement`
    (dashboard.limits.Judgement or None) and `band`."""
    judgement = judge(row["referrals"], row["expected"])
    row["judgement"] = judgement
    row["band"] = judgement.band if judgement else None
    return row


def by_significance(rows: list[dict]) -> list[dict]:
    """Most significant shortfall first (the smallest chance of a count so low), then the
    rest; rows with nothing expected last."""
    return sorted(
        rows,
        key=lambda row: (
            row["judgement"] is None,
            row["judgement"].p_below if row["judgement"] else 1,
            -(row["gap"] or 0),
            row["label"],
        ),
    )


def crime_type_gaps(*, area_id, referrals, crime, spreads) -> list[dict]:
    """The area's referrals by offence group against the national rate: expected (the national
    rate times the area's recorded crime) minus actual, and how far outside chance the actual
    count is; most significant shortfall first. Opportunity is at the median and upper-quartile
    rates of the areas."""
    rows = []
    for group in RECORDED_CRIME_GROUPS:
        actual = referrals.get((area_id, group), 0)
        recorded = crime.get((area_id, group))
        national = spreads[group]
        expected = national.national_rate * recorded / 1000 if national.national_rate is not None and recorded else None
        at_median = national.median * recorded / 1000 if national.median is not None and recorded else None
        upper_quartile = national.q3 * recorded / 1000 if national.q3 is not None and recorded else None
        rows.append(
            _judged(
                {
                    "offence_group": group,
                    "label": Offence(group).label,
                    "referrals": actual,
                    "recorded_crime": recorded,
                    "rate": rate_per_1000(actual, recorded),
                    "national_q1": national.q1,
                    "national_median": national.median,
                    "national_q3": national.q3,
                    "national_rate": national.national_rate,
                    "expected": expected,
                    "gap": expected - actual if expected is not None else None,
                    # Opportunity: how many more victims would have been referred at the
                    # national median and upper-quartile rates (never below what was referred).
                    "more_at_median": max(0.0, at_median - actual) if at_median is not None else None,
                    "more_at_upper_quartile": max(0.0, upper_quartile - actual) if upper_quartile is not None else None,
                }
            )
        )
    return by_significance(rows)


def team_category_gaps(*, area_counts: dict[str, int], national_counts: dict[str, int], categories) -> list[dict]:
    """Each team category's share of the area's referrals against its share nationally, how
    many referrals the area would have from that category at the national share, and how far
    outside chance its count is; most significant shortfall first."""
    return share_gaps(
        area_counts=area_counts,
        area_total=sum(area_counts.values()),
        national_counts=national_counts,
        national_total=sum(national_counts.values()),
        categories=categories,
    )


def share_gaps(*, area_counts, area_total: int, national_counts, national_total: int, categories) -> list[dict]:
    """Each category's share of the area's referrals (of `area_total`, as categories may
    overlap, like sensitive-case flags) against its national share, the count expected at the
    national share, and how far outside chance the area's count is; most significant first."""
    rows = []
    for value, label in categories:
        count = area_counts.get(value, 0)
        national = national_counts.get(value, 0)
        national_share = national / national_total if national_total else None
        expected = national_share * area_total if national_share is not None else None
        rows.append(
            _judged(
                {
                    "category": value,
                    "label": label,
                    "referrals": count,
                    "share": count / area_total if area_total else None,
                    "national_share": national_share,
                    "expected": expected,
                    "gap": expected - count if expected is not None else None,
                }
            )
        )
    return by_significance(rows)


def most_significant_shortfall(*row_lists: list[dict]) -> dict | None:
    """Of offence groups and team categories alike, the shortfall least likely to be chance, if
    any is beyond the 99.8% limit; None otherwise. The headline asks for 99.8% because an area
    is judged on some thirty counts at once: at 95%, one or two would fall below by chance in
    an area with no real gap."""
    shortfalls = [
        row for rows in row_lists for row in rows if row["judgement"] and row["judgement"].band == Band.FAR_BELOW
    ]
    return min(shortfalls, key=lambda row: row["judgement"].p_below, default=None)


def shortfalls_below_95(*row_lists: list[dict]) -> tuple[int, int]:
    """How many counts are below the 95% limit (but not the 99.8% one), and how many counts
    were judged: about one in 40 judged would be below it by chance."""
    judged = [row for rows in row_lists for row in rows if row["judgement"]]
    return sum(1 for row in judged if row["judgement"].band == Band.BELOW), len(judged)


# Peers balance volume and mix: the volume feature (log of total recorded crime) carries half
# the weight, the nine offence groups' shares of the total the other half between them.
PEER_VOLUME_WEIGHT = 0.5
PEER_MIX_WEIGHT = 0.5


def peer_areas(*, area_id, crime, area_ids, how_many=5) -> list[tuple[int, float]]:
    """The areas most alike in recorded crime volume (log of the total) and mix (each group's
    share of the total): weighted Euclidean distance on standardised features, volume and mix
    weighted PEER_VOLUME_WEIGHT and PEER_MIX_WEIGHT. Returns (area id, distance), closest first."""
    features = {}
    for candidate in area_ids:
        total = crime.get((candidate, Offence.TOTAL))
        if not total:
            continue
        features[candidate] = [math.log(total)] + [
            crime.get((candidate, group), 0) / total for group in RECORDED_CRIME_GROUPS
        ]
    if area_id not in features or len(features) < 2:
        return []
    columns = list(zip(*features.values(), strict=True))
    means = [statistics.fmean(column) for column in columns]
    deviations = [statistics.pstdev(column) or 1.0 for column in columns]
    weights = [PEER_VOLUME_WEIGHT] + [PEER_MIX_WEIGHT / len(RECORDED_CRIME_GROUPS)] * len(RECORDED_CRIME_GROUPS)

    def standardised(values):
        return [
            (value - mean) / deviation * math.sqrt(weight)
            for value, mean, deviation, weight in zip(values, means, deviations, weights, strict=True)
        ]

    target = standardised(features[area_id])
    distances = [
        (candidate, math.dist(target, standardised(values)))
        for candidate, values in features.items()
        if candidate != area_id
    ]
    return sorted(distances, key=lambda pair: pair[1])[:how_many]
