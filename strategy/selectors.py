"""Reads of commissioning, accreditation, money and the 10-ways scorecard. Each works for
many areas at once in a fixed number of queries, so the national matrix costs what one area
costs."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median

from django.conf import settings
from django.db.models import Case, CharField, IntegerField, Q, Sum, Value, When
from django.utils import timezone

from pledges.selectors import current_term_pledges_by_area
from referrals.models import ReferringTeam
from referrals.selectors import ReferralScope, referral_counts_by_area, referral_supported_by_area
from reviews.selectors import dip_samples_by_area
from rjportal.areas.constants import PCC_ELECTION_DATES
from rjportal.areas.models import GoverningBody, PoliceArea
from rjportal.money import multiply_pence, pence_to_pounds
from rjportal.periods import FinancialYear, Period, financial_year_of, months_before

from .constants import EXPIRY_WARNING_DAYS, AccreditationScheme, AccreditationStatus, FundingSource, Way, WayStatus
from .models import (
    AreaBudget,
    AreaStrategy,
    BenefitRatio,
    Commission,
    CommunicationsActivity,
    CommunicationsPlan,
    CommunityRemedyDocument,
    Observation,
    ProviderRegistration,
    QuarterlySpend,
    TrainingRecord,
    WayAssessment,
)

# Accreditation --------------------------------------------------------------------------------


def registration_status(registration: ProviderRegistration | None, *, today: date) -> AccreditationStatus:
    """Current until EXPIRY_WARNING_DAYS before expiry; expiring from then to the expiry date
    itself (the last day it is valid); expired from the day after."""
    if registration is None:
        return AccreditationStatus.NONE
    if registration.expires_on < today:
        return AccreditationStatus.EXPIRED
    if registration.expires_on <= today + timedelta(days=EXPIRY_WARNING_DAYS):
        return AccreditationStatus.EXPIRING
    return AccreditationStatus.CURRENT


@dataclass(frozen=True)
class Accreditation:
    """A provider's standing: the registration that expires last, and its status on the day."""

    provider_id: int
    registration: ProviderRegistration | None
    status: AccreditationStatus

    @property
    def is_valid(self) -> bool:
        return self.status in (AccreditationStatus.CURRENT, AccreditationStatus.EXPIRING)

    @property
    def is_rjc_registered(self) -> bool:
        return self.registration is not None and self.registration.scheme == AccreditationScheme.RJC_REGISTERED

    def days_left(self, today: date) -> int | None:
        return (self.registration.expires_on - today).days if self.registration else None


def accreditations(provider_ids, *, today: date) -> dict[int, Accreditation]:
    """Each provider's standing, from the registration awarded by the day that expires last."""
    latest: dict[int, ProviderRegistration] = {}
    registrations = ProviderRegistration.objects.filter(
        provider_id__in=list(provider_ids), awarded_on__lte=today
    ).select_related("provider")
    for registration in registrations.order_by("expires_on", "pk"):
        latest[registration.provider_id] = registration
    return {
        provider_id: Accreditation(
            provider_id, latest.get(provider_id), registration_status(latest.get(provider_id), today=today)
        )
        for provider_id in provider_ids
    }


@dataclass(frozen=True)
class AccreditationAlert:
    provider: object
    accreditation: Accreditation
    days_left: int


def accreditation_alerts(user, *, today: date) -> list[AccreditationAlert]:
    """For PCC office staff: the providers their office commissions under a contract running
    today whose registration expires within EXPIRY_WARNING_DAYS or has expired."""
    if not user.is_authenticated or user.is_national_admin or not user.organisation_id:
        return []
    commissions = Commission.objects.editable_by(user).live_on(today).select_related("provider")
    providers = {commission.provider_id: commission.provider for commission in commissions}
    alerts = []
    for provider_id, accreditation in accreditations(providers, today=today).items():
        if accreditation.status in (AccreditationStatus.EXPIRING, AccreditationStatus.EXPIRED):
            alerts.append(
                AccreditationAlert(providers[provider_id], accreditation, accreditation.days_left(today) or 0)
            )
    return sorted(alerts, key=lambda alert: (alert.days_left, alert.provider.name))


def area_services(area: PoliceArea, *, today: date) -> list[Commission]:
    """The RJ services commissioned for the area today, for the public page."""
    return list(
        Commission.objects.live_on(today).filter(areas=area).select_related("provider").order_by("provider__name")
    )


# Money ----------------------------------------------------------------------------------------


def benefit_ratio_in_use() -> BenefitRatio | None:
    return BenefitRatio.objects.in_use()


@dataclass
class QuarterSpend:
    number: int
    period: Period
    amount_pence: int | None
    started: bool


@dataclass
class AreaMoney:
    """An area's RJ money for one financial year, with costs beside the national median."""

    area: PoliceArea
    year: FinancialYear
    budget: AreaBudget | None
    funding: dict[str, int]
    quarters: list[QuarterSpend]
    spend_pence: int | None
    ratio: BenefitRatio | None
    referrals: int
    supported: int
    national_cost_per_referral: int | None
    national_cost_per_supported: int | None

    @property
    def estimated_benefit_pence(self) -> int | None:
        if self.spend_pence is None or self.ratio is None:
            return None
        return multiply_pence(self.spend_pence, self.ratio.pounds_per_pound)

    @property
    def cost_per_referral_pence(self) -> int | None:
        return _cost_per(self.spend_pence, self.referrals)

    @property
    def cost_per_supported_pence(self) -> int | None:
        return _cost_per(self.spend_pence, self.supported)

    @property
    def funding_rows(self) -> list[tuple[str, int | None]]:
        return [(source.label, self.funding.get(source.value)) for source in FundingSource]

    @property
    def funding_total_pence(self) -> int:
        return sum(self.funding.values())

    @property
    def quarters_recorded(self) -> int:
        return sum(1 for quarter in self.quarters if quarter.amount_pence is not None)

    @property
    def spend_share_of_budget(self) -> float | None:
        if self.spend_pence is None or not self.budget or not self.budget.amount_pence:
            return None
        return self.spend_pence / self.budget.amount_pence


def _cost_per(spend_pence: int | None, count: int) -> int | None:
    if spend_pence is None or not count:
        return None
    return round(spend_pence / count)


def spend_by_area(year: FinancialYear) -> dict[int, int]:
    rows = (
        QuarterlySpend.objects.filter(financial_year=year.start_year)
        .values("area_id")
        .annotate(total=Sum("amount_pence"))
        .order_by()
    )
    return {row["area_id"]: row["total"] for row in rows}


def national_costs(year: FinancialYear) -> dict:
    """Spend per referral and per victim supported in every area that recorded spend and had
    referrals in the year, and the median of each across those areas."""
    scope = ReferralScope(period=year.period)
    spend = spend_by_area(year)
    referrals = referral_counts_by_area(scope=scope)
    supported = referral_supported_by_area(scope=scope)
    per_referral = {area_id: _cost_per(total, referrals.get(area_id, 0)) for area_id, total in spend.items()}
    per_supported = {area_id: _cost_per(total, supported.get(area_id, 0)) for area_id, total in spend.items()}
    known_referral = [value for value in per_referral.values() if value is not None]
    known_supported = [value for value in per_supported.values() if value is not None]
    return {
        "spend": spend,
        "referrals": referrals,
        "supported": supported,
        "median_per_referral": round(median(known_referral)) if known_referral else None,
        "median_per_supported": round(median(known_supported)) if known_supported else None,
        "areas_with_costs": len(known_referral),
    }


def quarterly_spend(*, area: PoliceArea, year: FinancialYear) -> dict[int, int]:
    """The area's recorded RJ spend in pence by quarter number (1 is April to June); a quarter
    without a record is left out, never 0."""
    return dict(
        QuarterlySpend.objects.filter(area=area, financial_year=year.start_year).values_list("quarter", "amount_pence")
    )


def area_money(*, area: PoliceArea, year: FinancialYear, today: date) -> AreaMoney:
    budget = AreaBudget.objects.filter(area=area, financial_year=year.start_year).first()
    funding = {line.source: line.amount_pence for line in budget.funding.all()} if budget else {}
    spent = quarterly_spend(area=area, year=year)
    quarters = [
        QuarterSpend(number, period, spent.get(number), period.start <= today)
        for number, period in enumerate(year.quarters(), start=1)
    ]
    costs = national_costs(year)
    return AreaMoney(
        area=area,
        year=year,
        budget=budget,
        funding=funding,
        quarters=quarters,
        spend_pence=sum(spent.values()) if spent else None,
        ratio=benefit_ratio_in_use(),
        referrals=costs["referrals"].get(area.pk, 0),
        supported=costs["supported"].get(area.pk, 0),
        national_cost_per_referral=costs["median_per_referral"],
        national_cost_per_supported=costs["median_per_supported"],
    )


def benefit_note(ratio: BenefitRatio | None) -> str:
    """What every estimate of benefit says about itself."""
    if ratio is None:
        return "No benefit ratio has been chosen, so no benefit is estimated."
    return (
        f"Estimated benefit is spend times {pence_to_pounds(int(ratio.pounds_per_pound * 100))} for every £1 spent "
        f"({ratio.label}; source: {ratio.citation})."
    )


# The 10-ways scorecard ------------------------------------------------------------------------

RULES = {
    Way.PLEDGE: "Met when the area's elected leader (PCC, PFCC or mayor) has a published RJ pledge in the "
    "campaign of the last election or a later one; partly met when only a deputy has; not met otherwise. "
    "Unknown while no pledge campaign is set up.",
    Way.PROVIDER: "Met when a contract running on the day covers the area and its provider's accreditation is "
    "current (RJC Registered Service Provider, or the older RSQM); partly met when the provider's accreditation "
    "has expired or is not recorded; not met when contracts are recorded but none is running.",
    Way.STRATEGY: "Met when the year's RJ strategy commits that every victim is told about RJ; partly met when "
    "it does not.",
    Way.DATA: "Met when RJ providers recorded referrals for the area in the last complete quarter; not met when "
    "they recorded none.",
    Way.BUDGET: "Met when the year's RJ budget is ringfenced; partly met when there is a budget that is not.",
    Way.TRAINING: "Staff trained as a share of staff in scope, from the latest figures for each team category: "
    "met at {met}% or more, partly met at {partly}% or more, not met below.",
    Way.COMMUNICATIONS: "Met when a communications activity took place in the 12 months to the day; partly met "
    "when there is a communications plan but no activity in those 12 months; not met when the last activity was "
    "earlier and there is no plan.",
    Way.DIP_SAMPLING: "Met when a dip sample of the area was completed in RJ Portal (Case reviews) in the 12 months "
    "to the day; partly met when one is in progress; otherwise the status is the one your office records.",
    Way.COMMUNITY_REMEDY: "Met when the current Community Remedy document includes RJ; not met when it does not.",
    Way.OBSERVATION: "Met when the elected leader (or a deputy) observed an RJ process in the current term, since "
    "the later of the last PCC election and the governing body's start; not met when the only observations "
    "recorded are earlier.",
}

FALLBACK_RULE = "Where RJ Portal holds nothing to work this out from, the status is the one your office records."


def rule_text(way: str) -> str:
    text = RULES[Way(way)]
    if way == Way.TRAINING:
        text = text.format(
            met=settings.SCORECARD_TRAINING_MET_PERCENT, partly=settings.SCORECARD_TRAINING_PARTLY_PERCENT
        )
    return text


@dataclass
class WayResult:
    way: Way
    status: WayStatus
    evidence: str
    changed_at: datetime | None = None
    computed: bool = True  # False: the status is the office's own record (or unknown)
    assessment: WayAssessment | None = None

    @property
    def rule(self) -> str:
        return rule_text(self.way)

    @property
    def label(self) -> str:
        return self.way.label


@dataclass
class AreaScorecard:
    area: PoliceArea
    year: FinancialYear
    on: date
    ways: list[WayResult] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(WayStatus.values, 0)
        for result in self.ways:
            counts[result.status] += 1
        return counts

    def by_way(self) -> dict[str, WayResult]:
        return {result.way.value: result for result in self.ways}


def scorecard_day(year: FinancialYear, *, today: date) -> date:
    """The day a year's scorecard is read on: today for the current year, the year's last
    day for a year that has ended."""
    return min(today, year.period.end)


def last_complete_quarter(on: date, *, today: date) -> Period:
    """The newest quarter that had ended by the day (and before today)."""
    year = financial_year_of(on)
    candidates = year.previous().quarters() + year.quarters()
    ended = [quarter for quarter in candidates if quarter.end <= on and quarter.end < today]
    return ended[-1]


def term_start(body: GoverningBody | None, on: date) -> date:
    elections = [day for day in PCC_ELECTION_DATES if day <= on]
    starts = [day for day in (elections[-1] if elections else None, body.start_date if body else None) if day]
    return max(starts) if starts else date.min


def _latest(rows, key):
    """The last row for each key, rows being in ascending order."""
    latest = {}
    for row in rows:
        latest[key(row)] = row
    return latest


def scorecards(areas, *, year: FinancialYear, today: date) -> dict[int, AreaScorecard]:
    """The scorecard of each area for the year, in a fixed number of queries whatever the
    number of areas."""
    areas = list(areas)
    area_ids = [area.pk for area in areas]
    on = scorecard_day(year, today=today)
    quarter = last_complete_quarter(on, today=today)

    has_campaign, leader_pledges, deputy_pledges = current_term_pledges_by_area(on=on)

    ever_commissioned = set(
        Commission.areas.through.objects.filter(policearea_id__in=area_ids, commission__starts_on__lte=on).values_list(
            "policearea_id", flat=True
        )
    )
    live = {commission.pk: commission for commission in Commission.objects.live_on(on).select_related("provider")}
    commissions = defaultdict(list)
    covered = Commission.areas.through.objects.filter(policearea_id__in=area_ids, commission_id__in=list(live))
    for area_id, commission_id in covered.values_list("policearea_id", "commission_id").order_by("commission_id"):
        commissions[area_id].append(live[commission_id])
    provider_ids = {commission.provider_id for items in commissions.values() for commission in items}
    standing = accreditations(provider_ids, today=on)

    strategies = {
        strategy.area_id: strategy
        for strategy in AreaStrategy.objects.filter(area_id__in=area_ids, financial_year=year.start_year)
    }
    referrals = referral_counts_by_area(scope=ReferralScope(period=quarter))
    budgets = {
        budget.area_id: budget
        for budget in AreaBudget.objects.filter(area_id__in=area_ids, financial_year=year.start_year)
    }
    training = _latest(
        TrainingRecord.objects.filter(area_id__in=area_ids, as_at__lte=on).order_by("as_at", "pk"),
        key=lambda record: (record.area_id, record.team_category),
    )
    year_ago = months_before(on, 12)
    activities = _latest(
        CommunicationsActivity.objects.filter(area_id__in=area_ids, happened_on__lte=on).order_by("happened_on", "pk"),
        key=lambda activity: activity.area_id,
    )
    plans = _latest(
        CommunicationsPlan.objects.filter(area_id__in=area_ids, published_on__lte=on).order_by("published_on", "pk"),
        key=lambda plan: plan.area_id,
    )
    remedies = _latest(
        CommunityRemedyDocument.objects.filter(area_id__in=area_ids, published_on__lte=on).order_by(
            "published_on", "pk"
        ),
        key=lambda document: document.area_id,
    )
    observations = _latest(
        Observation.objects.filter(area_id__in=area_ids, observed_on__lte=on).order_by("observed_on", "pk"),
        key=lambda observation: observation.area_id,
    )
    bodies = {body.area_id: body for body in GoverningBody.objects.current_on(on).filter(area_id__in=area_ids)}
    dip_samples = dip_samples_by_area(area_ids, since=year_ago + timedelta(days=1), on=on)
    assessments = {
        (assessment.area_id, assessment.way): assessment
        for assessment in WayAssessment.objects.filter(area_id__in=area_ids, financial_year=year.start_year)
    }

    results = {}
    for area in areas:
        found = {
            Way.PLEDGE: _pledge(has_campaign, leader_pledges.get(area.pk), deputy_pledges.get(area.pk)),
            Way.PROVIDER: _provider(area.pk in ever_commissioned, commissions.get(area.pk, []), standing, on),
            Way.STRATEGY: _strategy(strategies.get(area.pk)),
            Way.DATA: _data(referrals.get(area.pk, 0), quarter),
            Way.BUDGET: _budget(budgets.get(area.pk)),
            Way.TRAINING: _training([record for (area_id, _), record in training.items() if area_id == area.pk]),
            Way.COMMUNICATIONS: _communications(activities.get(area.pk), plans.get(area.pk), year_ago),
            Way.DIP_SAMPLING: _dip_sampling(dip_samples.get(area.pk, {})),
            Way.COMMUNITY_REMEDY: _remedy(remedies.get(area.pk)),
            Way.OBSERVATION: _observation(observations.get(area.pk), term_start(bodies.get(area.pk), on)),
        }
        scorecard = AreaScorecard(area=area, year=year, on=on)
        for way in Way:
            result = found[way]
            if result is None:
                assessment = assessments.get((area.pk, way.value))
                result = WayResult(
                    way,
                    WayStatus(assessment.status) if assessment else WayStatus.UNKNOWN,
                    assessment.evidence if assessment else "Nothing recorded yet.",
                    assessment.updated_at if assessment else None,
                    computed=False,
                    assessment=assessment,
                )
            scorecard.ways.append(result)
        results[area.pk] = scorecard
    return results


def area_scorecard(area: PoliceArea, *, year: FinancialYear, today: date) -> AreaScorecard:
    return scorecards([area], year=year, today=today)[area.pk]


# One function per way: each returns a WayResult, or None where the portal holds nothing to
# work the status out from (the office's own record is used instead).


def _day(value: date) -> str:
    return f"{value:%-d %B %Y}"


def _pledge(has_campaign, leader, deputy):
    if not has_campaign:
        return None
    if leader is not None:
        return WayResult(
            Way.PLEDGE,
            WayStatus.MET,
            f"{leader.name} ({leader.get_role_display()}) signed for the {leader.campaign.title}.",
            leader.published_at,
        )
    if deputy is not None:
        return WayResult(
            Way.PLEDGE,
            WayStatus.PARTLY_MET,
            f"{deputy.name} ({deputy.get_role_display()}) signed for the {deputy.campaign.title}; "
            "the elected leader has not.",
            deputy.published_at,
        )
    return WayResult(Way.PLEDGE, WayStatus.NOT_MET, "No published pledge from the area's elected leader.")


def _provider(ever_commissioned, commissions, standing, on):
    if not commissions:
        if not ever_commissioned:
            return None
        return WayResult(Way.PROVIDER, WayStatus.NOT_MET, f"No contract with an RJ provider was running on {_day(on)}.")
    described = []
    best = WayStatus.PARTLY_MET
    for commission in commissions:
        accreditation = standing[commission.provider_id]
        if accreditation.is_valid:
            best = WayStatus.MET
            described.append(
                f"{commission.provider.name}: {accreditation.registration.get_scheme_display()} to "
                f"{_day(accreditation.registration.expires_on)}"
            )
        elif accreditation.registration is not None:
            described.append(
                f"{commission.provider.name}: accreditation expired {_day(accreditation.registration.expires_on)}"
            )
        else:
            described.append(f"{commission.provider.name}: no accreditation recorded")
    changed = max(commission.updated_at for commission in commissions)
    return WayResult(Way.PROVIDER, best, "; ".join(described) + ".", changed)


def _strategy(strategy):
    if strategy is None:
        return None
    published = f"Strategy published {_day(strategy.published_on)}"
    if strategy.every_victim_informed:
        return WayResult(
            Way.STRATEGY,
            WayStatus.MET,
            f"{published}; commits that every victim is told about RJ.",
            strategy.updated_at,
        )
    return WayResult(
        Way.STRATEGY,
        WayStatus.PARTLY_MET,
        f"{published}; does not commit that every victim is told about RJ.",
        strategy.updated_at,
    )


def _data(count, quarter):
    if count:
        return WayResult(Way.DATA, WayStatus.MET, f"{count:,} referrals recorded in {quarter.label}.")
    return WayResult(Way.DATA, WayStatus.NOT_MET, f"No referrals recorded in {quarter.label}.")


def _budget(budget):
    if budget is None:
        return None
    amount = pence_to_pounds(budget.amount_pence, whole=True)
    if budget.ringfenced:
        return WayResult(Way.BUDGET, WayStatus.MET, f"Budget of {amount}, ringfenced.", budget.updated_at)
    return WayResult(Way.BUDGET, WayStatus.PARTLY_MET, f"Budget of {amount}, not ringfenced.", budget.updated_at)


def training_coverage(records) -> tuple[int, int]:
    return sum(record.staff_trained for record in records), sum(record.staff_in_scope for record in records)


def _training(records):
    if not records:
        return None
    trained, in_scope = training_coverage(records)
    changed = max(record.updated_at for record in records)
    if not in_scope:
        return WayResult(Way.TRAINING, WayStatus.UNKNOWN, "No staff are recorded as in scope.", changed, computed=True)
    percent = trained * 100 / in_scope
    if percent >= settings.SCORECARD_TRAINING_MET_PERCENT:
        status = WayStatus.MET
    elif percent >= settings.SCORECARD_TRAINING_PARTLY_PERCENT:
        status = WayStatus.PARTLY_MET
    else:
        status = WayStatus.NOT_MET
    as_at = max(record.as_at for record in records)
    return WayResult(
        Way.TRAINING,
        status,
        f"{trained:,} of {in_scope:,} staff in scope trained ({percent:.0f}%), latest figures as at {_day(as_at)}.",
        changed,
    )


def _communications(activity, plan, year_ago):
    if activity is None and plan is None:
        return None
    if activity is not None and activity.happened_on > year_ago:
        return WayResult(
            Way.COMMUNICATIONS,
            WayStatus.MET,
            f"Latest activity: {activity.get_channel_display().lower()} for {activity.audience}, "
            f"{_day(activity.happened_on)}.",
            activity.updated_at,
        )
    if plan is not None:
        return WayResult(
            Way.COMMUNICATIONS,
            WayStatus.PARTLY_MET,
            f"Communications plan of {_day(plan.published_on)}, but no activity in the 12 months to the day.",
            plan.updated_at,
        )
    return WayResult(
        Way.COMMUNICATIONS,
        WayStatus.NOT_MET,
        f"The latest activity was on {_day(activity.happened_on)}, more than 12 months earlier.",
        activity.updated_at,
    )


def _dip_sampling(samples):
    completed, in_progress = samples.get("completed"), samples.get("in_progress")
    if completed is not None:
        return WayResult(
            Way.DIP_SAMPLING,
            WayStatus.MET,
            f"Dip sample '{completed.title}' completed on {_day(timezone.localtime(completed.completed_at).date())}.",
            completed.completed_at,
        )
    if in_progress is not None:
        return WayResult(
            Way.DIP_SAMPLING,
            WayStatus.PARTLY_MET,
            f"Dip sample '{in_progress.title}' in progress, drawn on "
            f"{_day(timezone.localtime(in_progress.drawn_at).date())}.",
            in_progress.drawn_at,
        )
    return None


def _remedy(document):
    if document is None:
        return None
    if document.includes_rj:
        return WayResult(
            Way.COMMUNITY_REMEDY,
            WayStatus.MET,
            f"The Community Remedy of {_day(document.published_on)} includes RJ.",
            document.updated_at,
        )
    return WayResult(
        Way.COMMUNITY_REMEDY,
        WayStatus.NOT_MET,
        f"The Community Remedy of {_day(document.published_on)} does not include RJ.",
        document.updated_at,
    )


def _observation(observation, since):
    if observation is None:
        return None
    if observation.observed_on >= since:
        return WayResult(
            Way.OBSERVATION,
            WayStatus.MET,
            f"{observation.get_observer_role_display()} observed an RJ process on {_day(observation.observed_on)}.",
            observation.updated_at,
        )
    return WayResult(
        Way.OBSERVATION,
        WayStatus.NOT_MET,
        f"The latest observation, on {_day(observation.observed_on)}, was before the current term began on "
        f"{_day(since)}.",
        observation.updated_at,
    )


def strategy_years(*, today: date, count: int = 5) -> list[FinancialYear]:
    """The years offered for records and the scorecard: the current one and those before it."""
    current = financial_year_of(today)
    return [FinancialYear(current.start_year - offset) for offset in range(count)]


def areas_with_training_staff(area: PoliceArea) -> dict[str, int]:
    """Staff counts the office keeps for its referring teams, by category: a starting point for
    'staff in scope'."""
    rows = (
        ReferringTeam.objects.filter(area=area, staff_count__isnull=False)
        .values("category")
        .annotate(staff=Sum("staff_count"))
        .order_by()
    )
    return {row["category"]: row["staff"] for row in rows}


# Contract status ------------------------------------------------------------------------------
# A contract is "not started" before its start date, "ended" after its end date and "running"
# in between (the same rule as CommissionQuerySet.live_on). Derived on the day, never stored.

CONTRACT_STATUS_LABELS = {"running": "Running", "not_started": "Not started", "ended": "Ended"}


def contract_status(commission: Commission, *, today: date) -> str:
    if commission.starts_on > today:
        return "not_started"
    if commission.ends_on is not None and commission.ends_on < today:
        return "ended"
    return "running"


def with_contract_status(commissions, *, today: date):
    """Annotate each contract with `contract_status` (a key of CONTRACT_STATUS_LABELS) and
    `contract_status_order` (running, then not started, then ended), so that a list can filter
    and sort by it in the database."""
    not_started, ended = Q(starts_on__gt=today), Q(ends_on__lt=today)
    return commissions.annotate(
        contract_status=Case(
            When(not_started, then=Value("not_started")),
            When(ended, then=Value("ended")),
            default=Value("running"),
            output_field=CharField(),
        ),
        contract_status_order=Case(
            When(not_started, then=Value(1)), When(ended, then=Value(2)), default=Value(0), output_field=IntegerField()
        ),
    )
