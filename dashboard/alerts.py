"""Change alerts: a referring team, team category or offence group whose referrals in the last
complete quarter fell well below its own recent level.

The rule, for each of an area's referring teams, team categories and offence groups:

- Count its referrals received in the last complete quarter (one that ended before today: a
  quarter still under way is never judged), and in each of the four quarters before it.
- Compare that count with two recent levels: the average of the previous four quarters, and the
  same quarter a year earlier (the fourth of those quarters).
- Treat the quarter's count as a Poisson count with the recent level as its mean, and raise an
  alert when a count as low or lower would happen by chance less than once in 1,000 times: below
  the 99.8% lower limit (dashboard.limits.judge, band "far below").
- Judge only against a level of at least MIN_BASELINE referrals a quarter: from a level of 1 or 2,
  a quarter with none means little.

When both levels raise an alert, the one the fall is least likely to be chance against is
reported. Alerts are ordered by that chance, least likely first. Every figure comes from one
selector (referrals.selectors.referral_counts_by_quarter): two queries whatever the data."""

from dataclasses import dataclass

from referrals.constants import REFERRAL_OFFENCE_GROUPS, TeamCategory
from referrals.selectors import referral_counts_by_quarter
from rjportal.periods import FinancialYear, Period, financial_year_of

from .constants import AlertKind, Baseline
from .drilldown import referral_list_url
from .limits import Band, Judgement, judge

# A recent level below this many referrals a quarter is not judged.
MIN_BASELINE = 5
# The band a count must fall in: below the 99.8% limit, less than once in 1,000 by chance.
ALERT_BAND = Band.FAR_BELOW
# The quarters before the judged one that its recent levels are read from.
QUARTERS_BEFORE = 4

RULE = (
    "A referring team, team category or offence group is listed when its referrals in the last complete quarter "
    "were far below its own recent level: the average of the four quarters before, or the same quarter a year "
    "earlier. Far below means so few that chance alone would give a count that low less than once in 1,000 times "
    "(below the 99.8% limit of a Poisson count). A recent level under "
    f"{MIN_BASELINE} referrals a quarter is not judged, so that a fall from 1 or 2 referrals to none is not an "
    "alert. A quarter still under way is never judged."
)

OFFENCE_LABELS = {group.value: group.label for group in REFERRAL_OFFENCE_GROUPS}
CATEGORY_LABELS = dict(TeamCategory.choices)


def complete_quarters(today, count: int) -> list[Period]:
    """The last `count` financial-year quarters that ended before `today`, oldest first."""
    year = financial_year_of(today)
    quarters = []
    for start_year in range(year.start_year - (count + 3) // 4 - 1, year.start_year + 1):
        quarters += FinancialYear(start_year).quarters()
    return [quarter for quarter in quarters if quarter.end < today][-count:]


def last_complete_quarter(today) -> Period:
    return complete_quarters(today, 1)[0]


def quarter_label(quarter: Period) -> str:
    """Like 'Q2 2025/26 (July to September 2025)'."""
    year, number = quarter.label.split(" ")
    return f"{number} {year} ({quarter.start:%B} to {quarter.end:%B %Y})"


@dataclass(frozen=True)
class ChangeAlert:
    kind: AlertKind
    key: str  # the team's id, the category's or offence group's value
    name: str
    quarter: Period
    observed: int
    previous: tuple[int, ...]  # the four quarters before, oldest first
    baseline: Baseline  # the recent level the fall is least likely to be chance against
    judgement: Judgement
    link: str  # the referral list, filtered to the referrals counted in `observed`

    @property
    def previous_average(self) -> float:
        return sum(self.previous) / len(self.previous)

    @property
    def same_quarter_last_year(self) -> int:
        return self.previous[0]

    @property
    def expected(self) -> float:
        return self.judgement.expected

    @property
    def band(self) -> Band:
        return self.judgement.band

    @property
    def p_below(self) -> float:
        return self.judgement.p_below

    @property
    def chance(self) -> str:
        """The chance of a count this low, in words: 'about 1 in 31,000'."""
        return chance_in_words(self.p_below)


def chance_in_words(probability: float) -> str:
    if probability <= 0:
        return "less than 1 in a billion"
    one_in = 1 / probability
    if one_in >= 1_000_000_000:
        return "less than 1 in a billion"
    digits = len(str(int(one_in))) - 2
    rounded = round(one_in, -digits) if digits > 0 else round(one_in)
    return f"about 1 in {int(rounded):,}"


@dataclass(frozen=True)
class QuarterAlerts:
    """An area's change alerts for the last complete quarter."""

    quarter: Period
    alerts: list[ChangeAlert]
    rule: str = RULE

    @property
    def quarter_label(self) -> str:
        return quarter_label(self.quarter)


def judge_change(observed: int, previous: list[int]) -> tuple[Baseline, Judgement] | None:
    """The recent level a count fell furthest below, beyond chance, with its judgement; None
    when it is not an alert. `previous` holds the four quarters before, oldest first."""
    levels = [(Baseline.PREVIOUS_FOUR, sum(previous) / len(previous)), (Baseline.SAME_QUARTER, previous[0])]
    alerts = []
    for baseline, level in levels:
        if level < MIN_BASELINE:
            continue
        judgement = judge(observed, level)
        if judgement is not None and judgement.band == ALERT_BAND:
            alerts.append((baseline, judgement))
    return min(alerts, key=lambda pair: pair[1].p_below, default=None)


def quarter_alerts(*, area, today) -> QuarterAlerts:
    """The area's change alerts for the last quarter that ended before `today`."""
    quarters = complete_quarters(today, QUARTERS_BEFORE + 1)
    quarter = quarters[-1]
    counts = referral_counts_by_quarter(area=area, periods=quarters)

    def link(**narrowing):
        return referral_list_url(area_id=area.pk, start=quarter.start, end=quarter.end, **narrowing)

    candidates = [
        (AlertKind.TEAM, str(team_id), counts.teams[team_id].name, series, link(team_id=team_id))
        for team_id, series in counts.by_team.items()
    ]
    candidates += [
        (
            AlertKind.TEAM_CATEGORY,
            category,
            CATEGORY_LABELS.get(category, category),
            series,
            link(team_category=category),
        )
        for category, series in counts.by_team_category.items()
    ]
    candidates += [
        (AlertKind.OFFENCE_GROUP, group, OFFENCE_LABELS.get(group, group), series, link(offence_group=group))
        for group, series in counts.by_offence_group.items()
    ]
    alerts = []
    for kind, key, name, series, url in candidates:
        *previous, observed = series
        judged = judge_change(observed, previous)
        if judged is None:
            continue
        baseline, judgement = judged
        alerts.append(ChangeAlert(kind, key, name, quarter, observed, tuple(previous), baseline, judgement, url))
    kinds = list(AlertKind)
    alerts.sort(key=lambda alert: (alert.p_below, kinds.index(alert.kind), alert.name))
    return QuarterAlerts(quarter=quarter, alerts=alerts)
