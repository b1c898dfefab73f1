"""Reads of case reviews, return sign-offs and actions: a dip sample's design, progress and
results, the return's completeness checks and sign-off, the dip samples the 10-ways scorecard
reads, and overdue actions."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q

from referrals.constants import Stage, TeamCategory
from referrals.models import Referral
from referrals.selectors import ReferralScope, referral_counts_by_period
from rjportal.periods import FinancialYear, months_before

from .constants import STUCK_AT_REFERRED_DAYS, DipSampleStatus, Offered
from .managers import review_areas_for
from .models import Action, DipSample, DipSampleCase, ReturnSignOff
from .sampling import Stratum, stratum_label
from .statistics import Interval, StratumCounts, stratified, wilson

# Dip samples ----------------------------------------------------------------------------------


def sample_strata(sample: DipSample) -> list[Stratum]:
    """The drawn design: population and sample size per stratum."""
    rows = (
        DipSampleCase.objects.filter(sample=sample)
        .values("stratum")
        .annotate(population=Count("pk"), sampled=Count("pk", filter=Q(selected=True)))
        .order_by("stratum")
    )
    return [Stratum(row["stratum"], row["population"], row["sampled"]) for row in rows]


@dataclass(frozen=True)
class Progress:
    reviewed: int
    sampled: int

    @property
    def complete(self) -> bool:
        return self.sampled > 0 and self.reviewed == self.sampled


def sample_progress(sample: DipSample) -> Progress:
    counts = DipSampleCase.objects.filter(sample=sample, selected=True).aggregate(
        sampled=Count("pk"), reviewed=Count("pk", filter=~Q(offered=""))
    )
    return Progress(reviewed=counts["reviewed"], sampled=counts["sampled"])


def progress_by_sample(samples) -> dict[int, Progress]:
    rows = (
        DipSampleCase.objects.filter(sample__in=samples, selected=True)
        .values("sample_id")
        .annotate(sampled=Count("pk"), reviewed=Count("pk", filter=~Q(offered="")))
    )
    return {row["sample_id"]: Progress(row["reviewed"], row["sampled"]) for row in rows}


@dataclass
class StratumResult:
    key: str
    population: int
    sampled: int
    reviewed: int
    yes: int
    no: int
    cannot_tell: int
    referred: int
    interval: Interval | None

    @property
    def label(self) -> str:
        return stratum_label(self.key)

    @property
    def answered(self) -> int:
        return self.yes + self.no

    @property
    def weight(self) -> float:
        return self.population / self.sampled if self.sampled else 0.0


@dataclass
class SampleResults:
    strata: list[StratumResult] = field(default_factory=list)
    overall: Interval | None = None

    @property
    def population(self) -> int:
        return sum(row.population for row in self.strata)

    @property
    def totals(self) -> dict[str, int]:
        return {
            name: sum(getattr(row, name) for row in self.strata)
            for name in ("sampled", "reviewed", "yes", "no", "cannot_tell", "referred")
        }


def sample_results(sample: DipSample) -> SampleResults:
    """Per stratum: the proportion offered RJ among the cases answered yes or no, with a Wilson
    95% interval; overall: the stratified estimate weighted back to the population. 'Cannot
    tell' is counted separately and left out of both."""
    rows = (
        DipSampleCase.objects.filter(sample=sample)
        .values("stratum")
        .annotate(
            population=Count("pk"),
            sampled=Count("pk", filter=Q(selected=True)),
            reviewed=Count("pk", filter=~Q(offered="")),
            yes=Count("pk", filter=Q(offered=Offered.YES)),
            no=Count("pk", filter=Q(offered=Offered.NO)),
            cannot_tell=Count("pk", filter=Q(offered=Offered.CANNOT_TELL)),
            referred=Count("pk", filter=Q(referred=True)),
        )
        .order_by("stratum")
    )
    results = SampleResults()
    for row in rows:
        results.strata.append(
            StratumResult(
                key=row["stratum"],
                interval=wilson(row["yes"], row["yes"] + row["no"]),
                **{
                    name: row[name]
                    for name in ("population", "sampled", "reviewed", "yes", "no", "cannot_tell", "referred")
                },
            )
        )
    results.overall = stratified(
        [StratumCounts(row.population, row.sampled, row.answered, row.yes) for row in results.strata]
    )
    return results


def sampled_cases(sample: DipSample):
    return DipSampleCase.objects.filter(sample=sample, selected=True).order_by("stratum", "crime_reference")


def dip_samples_by_area(area_ids, *, since: date, on: date) -> dict[int, dict[str, DipSample]]:
    """For the 10-ways scorecard, in one query: each area's latest dip sample completed from
    `since` to `on` ('completed'), and its latest in progress drawn by `on` ('in_progress')."""
    found: dict[int, dict[str, DipSample]] = defaultdict(dict)
    samples = DipSample.objects.filter(area_id__in=list(area_ids)).filter(
        Q(status=DipSampleStatus.COMPLETED, completed_at__date__gte=since, completed_at__date__lte=on)
        | Q(status=DipSampleStatus.REVIEWING, drawn_at__date__lte=on)
    )
    for sample in samples.order_by("completed_at", "drawn_at", "pk"):
        kind = "completed" if sample.status == DipSampleStatus.COMPLETED else "in_progress"
        found[sample.area_id][kind] = sample
    return found


# The quarterly return ---------------------------------------------------------------------------


@dataclass
class QuarterCheck:
    number: int
    start: date
    end: date
    ended: bool
    unknown_right_3: int | None = None
    unknown_right_4: int | None = None
    stuck_at_referred: int | None = None
    uncategorised_team: int | None = None
    referrals: int | None = None
    victims_supported: int | None = None
    spend_pence: int | None = None  # None: the office has not recorded the quarter's spend
    sign_off: ReturnSignOff | None = None

    @property
    def label(self) -> str:
        return f"Q{self.number}"

    @property
    def problems(self) -> int:
        if not self.ended:
            return 0
        return self.unknown_right_3 + self.unknown_right_4 + self.stuck_at_referred + self.uncategorised_team

    @property
    def figures(self) -> dict:
        return {
            "referrals": self.referrals,
            "victims_supported": self.victims_supported,
            "spend_pence": self.spend_pence,
        }

    @property
    def checks(self) -> dict:
        return {
            "unknown_right_3": self.unknown_right_3,
            "unknown_right_4": self.unknown_right_4,
            "stuck_at_referred": self.stuck_at_referred,
            "uncategorised_team": self.uncategorised_team,
        }

    @property
    def differs(self) -> bool:
        """The figures now differ from those signed off."""
        return self.sign_off is not None and (
            self.sign_off.referrals != self.referrals
            or self.sign_off.victims_supported != self.victims_supported
            or self.sign_off.spend_pence != self.spend_pence
        )


def return_checks(
    *, area, financial_year: FinancialYear, today: date, spend_by_quarter: dict[int, int]
) -> list[QuarterCheck]:
    """For each quarter of the year: whether it has ended, and for an ended quarter the
    completeness checks, the return's figures and the latest sign-off. A quarter not yet ended
    has no figures (shown as 'not yet ended', never 0). Spend is the PCC office's record, read
    by the caller (the strategy app keeps it, and sits above this one): quarter number to
    pence, a quarter without a record left out."""
    quarters = financial_year.quarters()
    counts = referral_counts_by_period(area=area, scope=ReferralScope(period=financial_year.period), periods=quarters)
    stuck_before = today - timedelta(days=STUCK_AT_REFERRED_DAYS)
    aggregates = {}
    for index, quarter in enumerate(quarters):
        within = Q(received_on__gte=quarter.start, received_on__lte=quarter.end)
        aggregates[f"r3_{index}"] = Count("pk", filter=within & Q(information_due_on__isnull=True))
        aggregates[f"r4_{index}"] = Count("pk", filter=within & Q(referral_due_on__isnull=True))
        aggregates[f"stuck_{index}"] = Count(
            "pk", filter=within & Q(stage=Stage.REFERRED, received_on__lt=stuck_before)
        )
        aggregates[f"team_{index}"] = Count("pk", filter=within & Q(referring_team__category=TeamCategory.OTHER))
    figures = Referral.objects.filter(
        area=area, received_on__gte=financial_year.period.start, received_on__lte=financial_year.period.end
    ).aggregate(**aggregates)
    sign_offs = {}
    for sign_off in ReturnSignOff.objects.filter(area=area, financial_year=financial_year.start_year).order_by(
        "signed_at", "pk"
    ):
        sign_offs[sign_off.quarter] = sign_off
    checks = []
    for index, quarter in enumerate(quarters):
        check = QuarterCheck(index + 1, quarter.start, quarter.end, ended=quarter.end < today)
        if check.ended:
            check.unknown_right_3 = figures[f"r3_{index}"]
            check.unknown_right_4 = figures[f"r4_{index}"]
            check.stuck_at_referred = figures[f"stuck_{index}"]
            check.uncategorised_team = figures[f"team_{index}"]
            check.referrals = counts[quarter]["received"]
            check.victims_supported = counts[quarter]["supported"]
            check.spend_pence = spend_by_quarter.get(index + 1)
            check.sign_off = sign_offs.get(index + 1)
        checks.append(check)
    return checks


# Actions -----------------------------------------------------------------------------------------


def overdue_actions(user, *, today: date):
    """Open actions past their due date in the PCC office's areas (PCC office staff only: the
    home page of a national administrator would list every area's)."""
    if not user.is_authenticated or user.is_national_admin:
        return Action.objects.none()
    return Action.objects.for_user(user).overdue(today).select_related("area", "owner").order_by("due_on", "pk")


def scorecard_window_start(on: date) -> date:
    """The first day of the 12 months to `on` that way 8 reads."""
    return months_before(on, 12) + timedelta(days=1)


def can_sign_off_return(user, area) -> bool:
    """PCC office staff of the area and national administrators see the checks and sign off."""
    return review_areas_for(user).filter(pk=area.pk).exists()
