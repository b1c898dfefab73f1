"""Synthetic referrals for demos and benchmarks.

Nothing here describes a real case. The shapes follow the domain notes: referral rates that
differ by area and offence group, Victims' Code clocks that are sometimes missed, and a funnel
in which most referrals close before any intervention (about 8% reach a direct intervention
and 19% an indirect one).

Row `i` of seed `s` depends only on (s, i), the area plans and today's date, so a run with the
same seed makes the same referrals whatever the count, and a larger count extends a smaller
one. References are `SYN-<seed>-<i>`; rows whose reference is already there are skipped.

The national world (`SyntheticWorld`, `generate_referrals --world`, what the demo loads) is
the other way to fill the portal: every area refers at one national rate per 1,000 recorded
crimes, with Poisson noise, except for PLANTED_SHORTFALLS. Its rows come from the same row
builder (`SyntheticReferrals.row`).

`area_plans`, `world_areas`, `SyntheticReferrals` and `SyntheticWorld` are the pure part and are
tested directly; the `ensure_*`, `existing_*`, `recorded_crime_*` and `write_referrals`
functions touch the database."""

import io
import random
from bisect import bisect
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from types import SimpleNamespace

from rjportal.areas.constants import Offence

from .constants import (
    REFERRAL_OFFENCE_GROUPS,
    ClosureReason,
    Initiator,
    InterventionType,
    JusticeStage,
    Stage,
    TeamCategory,
)

REFERENCE_PREFIX = "SYN"
PROVIDER_NAME = "{area} RJ service (synthetic)"

# Teams every area gets: (name after the area's name, category, staff per 100,000 people).
TEAM_TEMPLATES = [
    ("response team", TeamCategory.RESPONSE, 40),
    ("neighbourhood team", TeamCategory.NEIGHBOURHOOD, 30),
    ("investigation team", TeamCategory.INVESTIGATION, 20),
    ("custody suite", TeamCategory.CUSTODY, 6),
    ("victim care unit", TeamCategory.VICTIM_CARE_UNIT, 3),
    ("youth justice service", TeamCategory.YOUTH_JUSTICE, 2),
    ("probation delivery unit", TeamCategory.PROBATION, 8),
    ("prison resettlement team", TeamCategory.PRISON, 1),
    ("court witness care", TeamCategory.COURT, 1),
    ("victim support hub", TeamCategory.VICTIM_SERVICE, 2),
    ("self-referral", TeamCategory.SELF_REFERRAL, 0),
    ("community safety partnership", TeamCategory.OTHER, 1),
]

# How readily an offence in each recorded crime group turns into an RJ referral (there has to
# be someone harmed who can take part), relative to violence.
RJ_PROPENSITY = {
    Offence.VIOLENCE: 1.0,
    Offence.SEXUAL_OFFENCES: 1.1,
    Offence.ROBBERY: 0.8,
    Offence.THEFT: 0.6,
    Offence.CRIMINAL_DAMAGE: 1.2,
    Offence.DRUG_OFFENCES: 0.05,
    Offence.WEAPONS: 0.1,
    Offence.PUBLIC_ORDER: 0.5,
    Offence.MISCELLANEOUS: 0.1,
}
# Shares of recorded crime in England and Wales (roughly, year ending December 2023), used
# when no recorded crime is loaded.
NATIONAL_GROUP_SHARES = {
    Offence.VIOLENCE: 38.0,
    Offence.SEXUAL_OFFENCES: 3.6,
    Offence.ROBBERY: 1.5,
    Offence.THEFT: 32.0,
    Offence.CRIMINAL_DAMAGE: 9.0,
    Offence.DRUG_OFFENCES: 3.3,
    Offence.WEAPONS: 1.0,
    Offence.PUBLIC_ORDER: 7.0,
    Offence.MISCELLANEOUS: 2.5,
}
MIN_AREA_SHARE = 0.003  # of all referrals, at least, for every area
OUTSIDE_RECORDED_CRIME = {Offence.FRAUD: 0.03, Offence.OTHER: 0.02}  # shares of all referrals
SUBGROUP_WEIGHTS = {
    Offence.VIOLENCE: {
        Offence.HOMICIDE: 0.2,
        Offence.VIOLENCE_WITH_INJURY: 33,
        Offence.VIOLENCE_WITHOUT_INJURY: 36,
        Offence.STALKING_AND_HARASSMENT: 30,
        Offence.UNLAWFUL_DRIVING: 0.8,
    },
    Offence.THEFT: {
        Offence.BURGLARY: 18,
        Offence.VEHICLE_OFFENCES: 16,
        Offence.THEFT_FROM_THE_PERSON: 6,
        Offence.BICYCLE_THEFT: 4,
        Offence.SHOPLIFTING: 20,
        Offence.OTHER_THEFT: 36,
    },
}
SUBGROUP_RECORDED = 0.9  # the rest leave the subgroup empty

# Sensitive case flags, by offence group (overall about 5% hate crime, 15% domestic abuse and
# 5% sexual harm with the default mix).
HATE_CRIME = {Offence.PUBLIC_ORDER: 0.25, Offence.VIOLENCE: 0.06, Offence.CRIMINAL_DAMAGE: 0.05}
DOMESTIC_ABUSE = {Offence.VIOLENCE: 0.28, Offence.SEXUAL_OFFENCES: 0.25, Offence.CRIMINAL_DAMAGE: 0.12}
SEXUAL_HARM = {Offence.SEXUAL_OFFENCES: 0.95, Offence.VIOLENCE: 0.02}
HATE_CRIME_OTHERWISE = 0.015
DOMESTIC_ABUSE_OTHERWISE = 0.03

OFFENDER_UNDER_18 = 0.10
ENHANCED_RIGHTS = 0.10  # plus ENHANCED_RIGHTS_FLAGGED for cases with a sensitive flag
ENHANCED_RIGHTS_FLAGGED = 0.25

JUSTICE_STAGES = [
    (JusticeStage.NOT_REPORTED, 8),
    (JusticeStage.OUT_OF_COURT, 24),
    (JusticeStage.PRE_SENTENCE, 22),
    (JusticeStage.POST_SENTENCE_COMMUNITY, 26),
    (JusticeStage.POST_SENTENCE_CUSTODY, 20),
]
INITIATORS = {
    JusticeStage.NOT_REPORTED: [(Initiator.VICTIM, 75), (Initiator.PRACTITIONER, 20), (Initiator.OFFENDER, 5)],
    JusticeStage.OUT_OF_COURT: [(Initiator.PRACTITIONER, 70), (Initiator.VICTIM, 25), (Initiator.OFFENDER, 5)],
    JusticeStage.PRE_SENTENCE: [(Initiator.PRACTITIONER, 60), (Initiator.VICTIM, 30), (Initiator.OFFENDER, 10)],
    JusticeStage.POST_SENTENCE_COMMUNITY: [
        (Initiator.PRACTITIONER, 55),
        (Initiator.VICTIM, 25),
        (Initiator.OFFENDER, 20),
    ],
    JusticeStage.POST_SENTENCE_CUSTODY: [
        (Initiator.PRACTITIONER, 45),
        (Initiator.OFFENDER, 35),
        (Initiator.VICTIM, 20),
    ],
}
TEAM_CATEGORIES = {
    JusticeStage.NOT_REPORTED: [
        (TeamCategory.SELF_REFERRAL, 45),
        (TeamCategory.VICTIM_SERVICE, 35),
        (TeamCategory.OTHER, 20),
    ],
    JusticeStage.OUT_OF_COURT: [
        (TeamCategory.NEIGHBOURHOOD, 35),
        (TeamCategory.RESPONSE, 30),
        (TeamCategory.INVESTIGATION, 10),
        (TeamCategory.CUSTODY, 10),
        (TeamCategory.VICTIM_CARE_UNIT, 10),
        (TeamCategory.OTHER, 5),
    ],
    JusticeStage.PRE_SENTENCE: [
        (TeamCategory.INVESTIGATION, 25),
        (TeamCategory.VICTIM_CARE_UNIT, 25),
        (TeamCategory.COURT, 25),
        (TeamCategory.PROBATION, 15),
        (TeamCategory.CUSTODY, 10),
    ],
    JusticeStage.POST_SENTENCE_COMMUNITY: [
        (TeamCategory.PROBATION, 55),
        (TeamCategory.VICTIM_SERVICE, 20),
        (TeamCategory.VICTIM_CARE_UNIT, 15),
        (TeamCategory.SELF_REFERRAL, 10),
    ],
    JusticeStage.POST_SENTENCE_CUSTODY: [
        (TeamCategory.PRISON, 55),
        (TeamCategory.PROBATION, 25),
        (TeamCategory.VICTIM_SERVICE, 10),
        (TeamCategory.SELF_REFERRAL, 10),
    ],
}
YOUTH_JUSTICE_WHEN_UNDER_18 = 0.6
VICTIM_ASKS = {Initiator.VICTIM: 1.0, Initiator.PRACTITIONER: 0.6, Initiator.OFFENDER: 0.0}

# Victims' Code clocks.
INFORMED_LATE = 0.17
INFORMED_NEVER = 0.03  # of reported crimes; counts as missed once the deadline has passed
REFERRED_LATE = 0.10  # of referrals the victim asked for
# Days from telling the victim about RJ to the request (or referral), by justice stage.
INFORMED_TO_REQUEST_DAYS = {
    JusticeStage.NOT_REPORTED: (0, 5),
    JusticeStage.OUT_OF_COURT: (0, 21),
    JusticeStage.PRE_SENTENCE: (5, 150),
    JusticeStage.POST_SENTENCE_COMMUNITY: (60, 400),
    JusticeStage.POST_SENTENCE_CUSTODY: (120, 900),
}

# The funnel.
DIRECT_INTERVENTION = 0.08
INDIRECT_INTERVENTION = 0.19
INTERVENTION_COMPLETED = 0.88  # the rest close during the intervention
# Where the other referrals close, and why.
CLOSED_AT = [(Stage.REFERRED, 25), (Stage.CONTACTING, 40), (Stage.ASSESSING, 25), (Stage.PREPARING, 10)]
CLOSURE_REASONS = {
    Stage.REFERRED: [
        (ClosureReason.OFFENDER_NOT_IDENTIFIED, 45),
        (ClosureReason.NOT_SUITABLE, 30),
        (ClosureReason.WITHDRAWN, 15),
        (ClosureReason.OTHER, 10),
    ],
    Stage.CONTACTING: [
        (ClosureReason.NO_CONTACT, 40),
        (ClosureReason.DECLINED_BY_VICTIM, 35),
        (ClosureReason.DECLINED_BY_OFFENDER, 20),
        (ClosureReason.OTHER, 5),
    ],
    Stage.ASSESSING: [
        (ClosureReason.NOT_SUITABLE, 40),
        (ClosureReason.DECLINED_BY_OFFENDER, 25),
        (ClosureReason.DECLINED_BY_VICTIM, 20),
        (ClosureReason.WITHDRAWN, 15),
    ],
    Stage.PREPARING: [
        (ClosureReason.WITHDRAWN, 40),
        (ClosureReason.DECLINED_BY_VICTIM, 25),
        (ClosureReason.DECLINED_BY_OFFENDER, 25),
        (ClosureReason.NOT_SUITABLE, 10),
    ],
    Stage.INTERVENTION: [
        (ClosureReason.WITHDRAWN, 60),
        (ClosureReason.DECLINED_BY_OFFENDER, 20),
        (ClosureReason.DECLINED_BY_VICTIM, 20),
    ],
}
DIRECT_TYPES = [(InterventionType.FACE_TO_FACE, 75), (InterventionType.VIDEO, 25)]
INDIRECT_TYPES = [
    (InterventionType.SHUTTLE, 50),
    (InterventionType.LETTERS, 40),
    (InterventionType.RECORDED_MESSAGE, 10),
]
# Days spent at each stage before moving on (or closing), as (low, high).
DAYS_AT_STAGE = {
    Stage.REFERRED: (1, 14),
    Stage.CONTACTING: (3, 35),
    Stage.ASSESSING: (7, 45),
    Stage.PREPARING: (10, 90),
    Stage.INTERVENTION: (1, 45),
}
PATH = [Stage.REFERRED, Stage.CONTACTING, Stage.ASSESSING, Stage.PREPARING, Stage.INTERVENTION, Stage.COMPLETED]
AGREEMENT_REACHED = {True: 0.85, False: 0.70}  # by whether the intervention was direct
VICTIM_SATISFACTION = [(1, 2), (2, 4), (3, 10), (4, 34), (5, 50)]
OFFENDER_SATISFACTION = [(1, 3), (2, 6), (3, 16), (4, 35), (5, 40)]
OFFENDER_SATISFACTION_RECORDED = 0.75


class _Table:
    """A weighted choice drawn with one random number."""

    __slots__ = ("cumulative", "total", "values")

    def __init__(self, pairs):
        self.values = [value for value, _weight in pairs]
        self.cumulative = list(accumulate(weight for _value, weight in pairs))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random):
        return self.values[bisect(self.cumulative, rng.random() * self.total)]


def _tables(mapping):
    return {key: _Table(pairs) for key, pairs in mapping.items()}


_JUSTICE_STAGES = _Table(JUSTICE_STAGES)
_INITIATORS = _tables(INITIATORS)
_TEAM_CATEGORIES = _tables(TEAM_CATEGORIES)
_CLOSED_AT = _Table(CLOSED_AT)
_CLOSURE_REASONS = _tables(CLOSURE_REASONS)
_DIRECT_TYPES = _Table(DIRECT_TYPES)
_INDIRECT_TYPES = _Table(INDIRECT_TYPES)
_SUBGROUPS = {group: _Table(list(weights.items())) for group, weights in SUBGROUP_WEIGHTS.items()}
_VICTIM_SATISFACTION = _Table(VICTIM_SATISFACTION)
_OFFENDER_SATISFACTION = _Table(OFFENDER_SATISFACTION)


def _team_categories_and_stages():
    """The joint shares of justice stage and team category that the tables above give (a youth
    justice team for some of the referrals with an offender under 18, otherwise the stage's
    own mix): each category's national share of referrals, and the mix of justice stages
    within each category, so that a referral can be drawn category first."""
    youth = OFFENDER_UNDER_18 * YOUTH_JUSTICE_WHEN_UNDER_18
    stage_total = sum(weight for _stage, weight in JUSTICE_STAGES)
    joint: dict = {}
    for stage, stage_weight in JUSTICE_STAGES:
        stage_share = stage_weight / stage_total
        pairs = TEAM_CATEGORIES[stage]
        category_total = sum(weight for _category, weight in pairs)
        joint[TeamCategory.YOUTH_JUSTICE, stage] = stage_share * youth
        for category, weight in pairs:
            joint[category, stage] = (
                joint.get((category, stage), 0) + stage_share * (1 - youth) * weight / category_total
            )
    shares = dict.fromkeys(TeamCategory, 0.0)
    for (category, _stage), share in joint.items():
        shares[category] += share
    stages = {
        category: [(stage, joint[category, stage]) for stage, _w in JUSTICE_STAGES if (category, stage) in joint]
        for category in TeamCategory
        if shares[category]
    }
    return shares, stages, OFFENDER_UNDER_18 * (1 - YOUTH_JUSTICE_WHEN_UNDER_18) / (1 - youth)


# Each team category's share of referrals nationally (about 21% probation, 11% victim care
# unit, 10% prison, 9% victim service ... 6% youth justice, 4% custody), and the justice stages
# within each.
NATIONAL_TEAM_SHARES, JUSTICE_STAGES_GIVEN_CATEGORY, UNDER_18_OUTSIDE_YOUTH_JUSTICE = _team_categories_and_stages()
_JUSTICE_STAGE_GIVEN_CATEGORY = _tables(JUSTICE_STAGES_GIVEN_CATEGORY)


def synthetic_reference(seed: int, index: int) -> str:
    return f"{REFERENCE_PREFIX}-{seed}-{index:07d}"


def reference_prefix(seed: int) -> str:
    return f"{REFERENCE_PREFIX}-{seed}-"


def financial_year_start(day: date) -> date:
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def generation_window(today: date, years: int = 3) -> tuple[date, date]:
    """From 1 April `years - 1` financial years before the current one, to today: the current
    financial year so far and the ones before it."""
    start = financial_year_start(today)
    return start.replace(year=start.year - (years - 1)), today


@dataclass(frozen=True)
class AreaPlan:
    """What the generator needs to know about one area."""

    area_id: int
    code: str
    weight: float  # relative number of referrals
    provider_ids: tuple[int, ...]
    teams: dict  # TeamCategory -> tuple of team ids
    offences: _Table  # offence group


def offence_group_weights(recorded: dict[str, int] | None) -> list[tuple[str, float]]:
    """Weights of each referral offence group: recorded crime by group (or the national mix)
    times how readily that group leads to RJ, plus fixed shares of fraud and other."""
    shares = {group: recorded.get(group, 0) for group in RJ_PROPENSITY} if recorded else {}
    if not shares or not sum(shares.values()):
        shares = NATIONAL_GROUP_SHARES
    weighted = {group: shares[group] * RJ_PROPENSITY[group] for group in RJ_PROPENSITY}
    total = sum(weighted.values())
    inside = 1 - sum(OUTSIDE_RECORDED_CRIME.values())
    pairs = [(str(group), inside * weight / total) for group, weight in weighted.items()]
    pairs += [(str(group), share) for group, share in OUTSIDE_RECORDED_CRIME.items()]
    assert {value for value, _weight in pairs} == {str(group) for group in REFERRAL_OFFENCE_GROUPS}
    return pairs


def area_multipliers(codes, seed: int, sigma: float = 0.4) -> dict[str, float]:
    """A referral rate multiplier for each area, drawn from the seed: some areas refer far
    more than their size suggests, others far less."""
    rng = random.Random(f"area-multipliers-{seed}")  # noqa: S311 (synthetic data, not security)
    return {code: min(3.0, max(0.33, rng.lognormvariate(0, sigma))) for code in sorted(codes)}


def area_plans(areas, *, seed: int, teams, providers, recorded_crime=None) -> list[AreaPlan]:
    """Plans for every area. `areas` is [(id, code, size)], size being recorded crime or
    population; `teams` {area id: {category: [team ids]}}; `providers` {area id: [provider
    ids]}; `recorded_crime` {area id: {offence group: count}}, or None."""
    multipliers = area_multipliers([code for _id, code, _size in areas], seed)
    weights = {code: size * multipliers[code] for _id, code, size in areas}
    # A floor, so that the smallest area (the City of London) still shows up in a few thousand.
    floor = MIN_AREA_SHARE * sum(weights.values())
    recorded_crime = recorded_crime or {}
    plans = []
    for area_id, code, _size in sorted(areas, key=lambda area: area[1]):
        plans.append(
            AreaPlan(
                area_id=area_id,
                code=code,
                weight=max(weights[code], floor),
                provider_ids=tuple(sorted(providers[area_id])),
                teams={category: tuple(sorted(ids)) for category, ids in teams[area_id].items()},
                offences=_Table(offence_group_weights(recorded_crime.get(area_id))),
            )
        )
    return plans


class SyntheticReferrals:
    """Makes the field values of synthetic referral number `index` for a seed."""

    def __init__(self, plans: list[AreaPlan], *, seed: int, today: date):
        if not plans:
            raise ValueError("No areas to generate referrals for.")
        self.seed = seed
        self.plans = plans
        self.areas = _Table([(plan, plan.weight) for plan in plans])
        self.today = today
        start, end = generation_window(today)
        self.first_day = start.toordinal()
        self.last_day = end.toordinal()
        self.rng = random.Random()  # noqa: S311 (synthetic data, not security)

    def values(self, index: int) -> tuple[dict, str]:
        """The referral's field values, and the stage it was at before its current one ("" if
        it is still at 'referred'), for its timeline."""
        rng = self.rng
        rng.seed(self.seed * 1_000_003 + index)  # each row stands alone, so rows can be skipped
        plan = self.areas.pick(rng)
        return self.row(rng, plan, plan.offences.pick(rng), synthetic_reference(self.seed, index))

    def row(self, rng, plan: AreaPlan, offence_group: str, reference: str, *, category=None, received=None):
        """The rest of a referral of `offence_group` in the plan's area, drawn from `rng`: its
        flags, justice stage, team, dates, clocks and progress to today. With `category` (the
        referring team's) the justice stage and the offender's age follow from it; with
        `received` (a day's ordinal) that is the day the provider received it."""
        randint, chance = rng.randint, rng.random
        subgroups = _SUBGROUPS.get(offence_group)
        offence_subgroup = subgroups.pick(rng) if subgroups and chance() < SUBGROUP_RECORDED else ""
        hate_crime = chance() < HATE_CRIME.get(offence_group, HATE_CRIME_OTHERWISE)
        domestic_abuse = chance() < DOMESTIC_ABUSE.get(offence_group, DOMESTIC_ABUSE_OTHERWISE)
        sexual_harm = chance() < SEXUAL_HARM.get(offence_group, 0.0)
        flagged = hate_crime or domestic_abuse or sexual_harm
        enhanced = chance() < ENHANCED_RIGHTS + (ENHANCED_RIGHTS_FLAGGED if flagged else 0.0)
        if category is None:
            under_18 = chance() < OFFENDER_UNDER_18
            justice_stage = _JUSTICE_STAGES.pick(rng)
            initiator = _INITIATORS[justice_stage].pick(rng)
            if under_18 and chance() < YOUTH_JUSTICE_WHEN_UNDER_18:
                category = TeamCategory.YOUTH_JUSTICE
            else:
                category = _TEAM_CATEGORIES[justice_stage].pick(rng)
        else:
            under_18 = category == TeamCategory.YOUTH_JUSTICE or chance() < UNDER_18_OUTSIDE_YOUTH_JUSTICE
            justice_stage = _JUSTICE_STAGE_GIVEN_CATEGORY[category].pick(rng)
            initiator = _INITIATORS[justice_stage].pick(rng)
        team_ids = plan.teams.get(category) or next(iter(plan.teams.values()))
        providers = plan.provider_ids

        # Dates, working back from the day the provider received the referral, so that their
        # order always holds: reported <= informed <= requested <= referred <= received.
        if received is None:
            received = weekday_mostly(rng, randint(self.first_day, self.last_day), self.last_day)
        lag = chance()
        referred = received - (0 if lag < 0.55 else 1 if lag < 0.8 else randint(2, 7))
        victim_asked = chance() < VICTIM_ASKS[initiator]
        if victim_asked:
            requested = referred - (randint(5, 25) if chance() < REFERRED_LATE else randint(0, 2))
            before_request = requested
        else:
            requested = None
            before_request = referred
        low, high = INFORMED_TO_REQUEST_DAYS[justice_stage]
        informed = before_request - randint(low, high)
        if justice_stage == JusticeStage.NOT_REPORTED:
            reported = None
            if chance() < 0.3:
                informed = None
        else:
            late = chance()
            if late < INFORMED_LATE:
                reported = informed - (randint(4, 30) if enhanced else randint(9, 60))
            else:
                reported = informed - randint(0, 1 if enhanced else 5)
                if late > 1 - INFORMED_NEVER:
                    informed = None

        stage, previous, changed, attempts, outcome = self._funnel(rng, received)

        return (
            {
                "provider_id": providers[0] if len(providers) == 1 else providers[randint(0, len(providers) - 1)],
                "area_id": plan.area_id,
                "reference": reference,
                "referring_team_id": team_ids[0] if len(team_ids) == 1 else team_ids[randint(0, len(team_ids) - 1)],
                "initiator": initiator.value,
                "offence_group": offence_group,
                "offence_subgroup": str(offence_subgroup),
                "hate_crime": hate_crime,
                "domestic_abuse": domestic_abuse,
                "sexual_harm": sexual_harm,
                "justice_stage": justice_stage.value,
                "offender_under_18": under_18,
                "victim_enhanced_rights": enhanced,
                "crime_reported_on": _day(reported),
                "victim_informed_on": _day(informed),
                "victim_requested_on": _day(requested),
                "referred_on": _day(referred),
                "received_on": _day(received),
                "stage": stage.value,
                "stage_changed_on": _day(changed),
                "furthest_stage": (previous if stage == Stage.CLOSED else stage).value,
                "contact_attempts": attempts,
                **outcome,
            },
            previous.value if previous else "",
        )

    def _funnel(self, rng: random.Random, received: int):
        """Walk the referral along its path until it reaches its end or today."""
        randint, chance = rng.randint, rng.random
        draw = chance()
        if draw < DIRECT_INTERVENTION + INDIRECT_INTERVENTION:
            direct = draw < DIRECT_INTERVENTION
            intervention_type = (_DIRECT_TYPES if direct else _INDIRECT_TYPES).pick(rng).value
            end = Stage.COMPLETED if chance() < INTERVENTION_COMPLETED else Stage.INTERVENTION
            closes = end == Stage.INTERVENTION
        else:
            direct, intervention_type = False, ""
            end = _CLOSED_AT.pick(rng)
            closes = True

        stage, previous, day = Stage.REFERRED, None, received
        while stage != end:
            low, high = DAYS_AT_STAGE[stage]
            next_day = day + randint(low, high)
            if next_day > self.last_day:
                break
            previous, stage, day = stage, PATH[PATH.index(stage) + 1], next_day
        outcome = {
            "intervention_type": intervention_type if stage in (Stage.INTERVENTION, Stage.COMPLETED) else "",
            "closure_reason": "",
            "agreement_reached": None,
            "victim_satisfaction": None,
            "offender_satisfaction": None,
        }
        if stage == end and closes:
            low, high = DAYS_AT_STAGE[stage]
            close_day = day + randint(low, high)
            if close_day <= self.last_day:
                outcome["closure_reason"] = _CLOSURE_REASONS[stage].pick(rng).value
                previous, stage, day = stage, Stage.CLOSED, close_day
        if stage == Stage.COMPLETED:
            outcome["agreement_reached"] = chance() < AGREEMENT_REACHED[direct]
            outcome["victim_satisfaction"] = _VICTIM_SATISFACTION.pick(rng)
            if chance() < OFFENDER_SATISFACTION_RECORDED:
                outcome["offender_satisfaction"] = _OFFENDER_SATISFACTION.pick(rng)
        reached = PATH.index(previous if stage == Stage.CLOSED else stage)
        if reached == 0:
            attempts = 0
        elif outcome["closure_reason"] == ClosureReason.NO_CONTACT:
            attempts = randint(3, 10)
        else:
            attempts = randint(1, 3) + randint(0, reached)
        return stage, previous, day, attempts, outcome


def weekday_mostly(rng: random.Random, received: int, last_day: int) -> int:
    """Fewer referrals arrive at weekends: most move to the Monday, if that is not after
    `last_day`. An ordinal's remainder by 7 is 6 on a Saturday and 0 on a Sunday."""
    remainder = received % 7
    if remainder in (0, 6) and rng.random() < 0.8:
        monday = received + (1 if remainder == 0 else 2)
        if monday <= last_day:
            return monday
    return received


def _day(ordinal: int | None) -> date | None:
    return None if ordinal is None else date.fromordinal(ordinal)


# A national world -----------------------------------------------------------------------
#
# Instead of a count of referrals spread over the areas, a world in which every area refers at
# one national rate: its referrals in each offence group follow its recorded crime (so many per
# 1,000), with Poisson noise, and come from its team categories in fixed national shares, over
# the current financial year so far and the one before. Only the planted shortfalls stand out,
# so that the dashboard's medians, funnels and gap alerts have something true to find.

WORLD_REFERENCE_PREFIX = "SYNW"
# Referrals per 1,000 recorded crimes nationally, before each group's RJ_PROPENSITY: 6 gives
# violence 6 per 1,000, theft 3.6 and drug offences 0.3, about 4.6 per 1,000 of all recorded
# crime, or some 26,000 referrals a year across England and Wales (fraud and other included).
WORLD_RATE_PER_1000 = 6.0
WORLD_YEARS = 2  # the current financial year so far and the one before


@dataclass(frozen=True)
class Shortfall:
    """A shortfall planted in the world: in the area with ONS code `code`, referrals in
    `offence_group` at `factor` times the national rate, or from teams of `team_category` at
    `factor` times the national share (the area's other categories make up the difference, so
    its total follows its recorded crime)."""

    code: str
    factor: float
    offence_group: str = ""
    team_category: str = ""

    def __post_init__(self):
        if bool(self.offence_group) == bool(self.team_category) or not 0 <= self.factor < 1:
            raise ValueError("A shortfall is in an offence group or a team category, at a factor from 0 to below 1.")


# The world's planted shortfalls: large and small areas, offence groups and team categories.
# Everywhere else, every count is within what chance would explain (apart from chance itself).
PLANTED_SHORTFALLS = (
    # Kent (large; the demo PCC office's area, so its dashboard leads with a shortfall): custody
    # teams refer at a tenth of their national share.
    Shortfall("E23000032", 0.1, team_category=TeamCategory.CUSTODY),
    # West Midlands (large): theft offences at a third of the national rate.
    Shortfall("E23000014", 1 / 3, offence_group=Offence.THEFT),
    # Northamptonshire (medium): violence against the person at half the national rate.
    Shortfall("E23000022", 0.5, offence_group=Offence.VIOLENCE),
    # Cumbria (small): no referrals at all from probation.
    Shortfall("E23000002", 0.0, team_category=TeamCategory.PROBATION),
)


@dataclass(frozen=True)
class WorldArea:
    plan: AreaPlan
    per_year: dict  # offence group -> referrals expected in a whole financial year
    categories: _Table  # team category, in national shares with any planted shortfall


def world_areas(
    areas, *, teams, providers, recorded_crime, rate=WORLD_RATE_PER_1000, shortfalls=PLANTED_SHORTFALLS
) -> list[WorldArea]:
    """The world's areas. `areas` is [(id, code)]; `teams` and `providers` as for area_plans;
    `recorded_crime` {area id: {offence group: count}} (an area without any gets no referrals)."""
    by_code: dict[str, list[Shortfall]] = {}
    for shortfall in shortfalls:
        by_code.setdefault(shortfall.code, []).append(shortfall)
    outside = sum(OUTSIDE_RECORDED_CRIME.values())
    result = []
    for area_id, code in sorted(areas, key=lambda area: area[1]):
        recorded = recorded_crime.get(area_id) or {}
        per_year = {
            str(group): rate * propensity * recorded.get(group, 0) / 1000 for group, propensity in RJ_PROPENSITY.items()
        }
        inside = sum(per_year.values())
        for group, share in OUTSIDE_RECORDED_CRIME.items():
            per_year[str(group)] = inside * share / (1 - outside)
        shares = dict(NATIONAL_TEAM_SHARES)
        for shortfall in by_code.get(code, []):
            if shortfall.offence_group:
                per_year[str(shortfall.offence_group)] *= shortfall.factor
            else:
                shares[shortfall.team_category] *= shortfall.factor
        plan = AreaPlan(
            area_id=area_id,
            code=code,
            weight=1.0,
            provider_ids=tuple(sorted(providers[area_id])),
            teams={category: tuple(sorted(ids)) for category, ids in teams[area_id].items()},
            offences=_Table([(group, 1.0) for group in per_year]),
        )
        categories = _Table([(category, share) for category, share in shares.items() if share > 0])
        result.append(WorldArea(plan, per_year, categories))
    return result


def world_reference_prefix(seed: int) -> str:
    return f"{WORLD_REFERENCE_PREFIX}-{seed}-"


class SyntheticWorld:
    """The referrals of a national world, received up to `today`. Each (area, financial year,
    offence group) has a whole year's count, drawn from a Poisson distribution; referral `n` of
    it has the reference SYNW-<seed>-<area code>-<year>-<group number>-<n> and depends on nothing
    else, so that a second run finds every one already there, and a later one adds those
    received in between."""

    def __init__(self, areas: list[WorldArea], *, seed: int, today: date, years: int = WORLD_YEARS):
        self.areas = areas
        self.seed = seed
        self.today = today
        current = financial_year_start(today)
        self.year_starts = [current.replace(year=current.year - back) for back in range(years - 1, -1, -1)]
        self.builder = SyntheticReferrals([area.plan for area in areas], seed=seed, today=today)

    def cells(self):
        """(area, year start, offence group, its number, whole year's count), in a fixed order."""
        from scipy.stats import poisson

        rng = random.Random()  # noqa: S311 (synthetic data, not security)
        for area in self.areas:
            for start in self.year_starts:
                for number, group in enumerate(REFERRAL_OFFENCE_GROUPS):
                    mean = area.per_year[str(group)]
                    rng.seed(f"{world_reference_prefix(self.seed)}{area.plan.code}-{start.year}-{number:02d}")
                    count = int(poisson.ppf(rng.random(), mean)) if mean > 0 else 0
                    yield area, start, str(group), number, count

    def rows(self, *, skip=frozenset()):
        """The field values (and previous stage) of each referral received by today whose
        reference is not in `skip`."""
        rng, today = self.builder.rng, self.today.toordinal()
        prefix = world_reference_prefix(self.seed)
        for area, start, group, number, count in self.cells():
            first = start.toordinal()
            last = start.replace(year=start.year + 1).toordinal() - 1
            if first > today:
                continue
            stem = f"{prefix}{area.plan.code}-{start.year}-{number:02d}-"
            for n in range(count):
                reference = f"{stem}{n:05d}"
                if reference in skip:
                    continue
                rng.seed(reference)
                received = rng.randint(first, last)
                if received > today:
                    continue
                received = weekday_mostly(rng, received, min(last, today))
                category = area.categories.pick(rng)
                yield self.builder.row(rng, area.plan, group, reference, category=category, received=received)


# Database side -------------------------------------------------------------------------


def ensure_referring_teams(areas) -> dict[int, dict[str, list[int]]]:
    """Every area gets one team of each category (created once, matched by name), with a
    staff count in proportion to its population. Returns {area id: {category: [team ids]}}."""
    from .models import ReferringTeam

    existing = {
        (area_id, name.lower()): (pk, category)
        for pk, area_id, name, category in ReferringTeam.objects.values_list("pk", "area_id", "name", "category")
    }
    missing = []
    for area in areas:
        for suffix, category, per_100k in TEAM_TEMPLATES:
            name = f"{area.name} {suffix}"
            if (area.pk, name.lower()) not in existing:
                staff = round(area.population * per_100k / 100_000) if per_100k else None
                missing.append(ReferringTeam(area=area, name=name, category=category, staff_count=staff))
    ReferringTeam.objects.bulk_create(missing)
    teams: dict[int, dict[str, list[int]]] = {area.pk: {} for area in areas}
    names = {(area.pk, f"{area.name} {suffix}".lower()) for area in areas for suffix, _c, _s in TEAM_TEMPLATES}
    for pk, area_id, name, category in ReferringTeam.objects.filter(area__in=areas).values_list(
        "pk", "area_id", "name", "category"
    ):
        if (area_id, name.lower()) in names:
            teams[area_id].setdefault(category, []).append(pk)
    return teams


def ensure_synthetic_providers(areas, *, actor=None) -> dict[int, int]:
    """One synthetic RJ provider serving each area, made through the organisation service
    the first time. Returns {area id: provider id}."""
    from rjportal.organisations.constants import OrganisationKind
    from rjportal.organisations.models import Organisation
    from rjportal.organisations.services import organisation_create

    providers = {}
    for area in areas:
        name = PROVIDER_NAME.format(area=area.name)
        organisation = Organisation.objects.filter(name__iexact=name).first()
        if organisation is None:
            organisation = organisation_create(actor=actor, name=name, kind=OrganisationKind.RJ_PROVIDER, areas=[area])
        elif organisation.kind != OrganisationKind.RJ_PROVIDER or not organisation.areas.filter(pk=area.pk).exists():
            raise ValueError(f"{name} exists but is not an RJ provider serving {area.name}.")
        providers[area.pk] = organisation.pk
    return providers


def providers_by_area(areas, synthetic: dict[int, int], *, own_only: bool) -> dict[int, list[int]]:
    """The providers referrals in each area may go to: the synthetic one only, or every RJ
    provider that serves the area (so that demo provider accounts see cases too)."""
    from rjportal.organisations.constants import OrganisationKind
    from rjportal.organisations.models import Organisation

    result = {area.pk: [synthetic[area.pk]] for area in areas}
    if not own_only:
        served = Organisation.areas.through.objects.filter(
            organisation__kind=OrganisationKind.RJ_PROVIDER, policearea__in=areas
        ).values_list("policearea_id", "organisation_id")
        for area_id, organisation_id in served:
            if organisation_id not in result[area_id]:
                result[area_id].append(organisation_id)
    return result


def recorded_crime_by_area() -> tuple[dict[int, dict[str, int]], dict[int, int]]:
    """The latest year of recorded crime: counts by area and group, and total by area. Empty
    when none is loaded."""
    from rjportal.areas.constants import Offence as AreaOffence
    from rjportal.areas.models import RecordedCrime

    latest = RecordedCrime.objects.latest_year_ending()
    if latest is None:
        return {}, {}
    groups: dict[int, dict[str, int]] = {}
    totals: dict[int, int] = {}
    for area_id, offence, count in RecordedCrime.objects.filter(year_ending=latest).values_list(
        "area_id", "offence", "count"
    ):
        if offence == AreaOffence.TOTAL:
            totals[area_id] = count
        elif offence in RJ_PROPENSITY:
            groups.setdefault(area_id, {})[offence] = count
    return groups, totals


def recorded_crime_for_world() -> dict[int, dict[str, int]]:
    """Recorded crime by area and offence group in the latest year loaded for every area (a
    year loaded for some areas only is never used, as on the dashboard). Empty when none is."""
    from rjportal.areas.models import RecordedCrime
    from rjportal.areas.selectors import complete_crime_years

    years = complete_crime_years()
    if not years:
        return {}
    groups: dict[int, dict[str, int]] = {}
    rows = RecordedCrime.objects.filter(year_ending=years[-1], offence__in=list(RJ_PROPENSITY))
    for area_id, offence, count in rows.values_list("area_id", "offence", "count"):
        groups.setdefault(area_id, {})[offence] = count
    return groups


def existing_world_references(seed: int) -> set[str]:
    """References of this seed's world referrals already in the database."""
    from .models import Referral

    prefix = world_reference_prefix(seed)
    return set(Referral.objects.filter(reference__startswith=prefix).values_list("reference", flat=True))


def existing_indices(seed: int) -> set[int]:
    """Row numbers of this seed's referrals already in the database, whoever holds them."""
    from .models import Referral

    prefix = reference_prefix(seed)
    indices = set()
    for reference in Referral.objects.filter(reference__startswith=prefix).values_list("reference", flat=True):
        tail = reference[len(prefix) :]
        if tail.isdigit():
            indices.add(int(tail))
    return indices


def write_referrals(rows: list[tuple[dict, str]], *, events: bool = True) -> None:
    """Insert one batch of generated referrals, with their deadlines and (if `events`) one
    timeline event each, in one transaction. PostgreSQL takes them by COPY, several times
    faster than a multi-row INSERT of this width; SQLite by one prepared INSERT run for every
    row (bulk_create spends most of its time building SQL); other databases through bulk_create."""
    from django.db import connection, transaction

    from .models import Referral, ReferralEvent
    from .services import set_clock_deadlines

    with transaction.atomic():
        if connection.vendor == "postgresql":
            _copy_referrals(connection, rows, events=events)
            return
        if connection.vendor == "sqlite":
            _insert_referrals_sqlite(connection, rows, events=events)
            return
        referrals = []
        for values, _previous in rows:
            referral = Referral(**values)
            set_clock_deadlines(referral)
            referrals.append(referral)
        Referral.objects.bulk_create(referrals)
        if events and connection.features.can_return_rows_from_bulk_insert:
            ReferralEvent.objects.bulk_create(
                ReferralEvent(
                    referral_id=referral.pk,
                    from_stage=previous,
                    to_stage=referral.stage,
                    happened_on=referral.stage_changed_on,
                    reason=referral.closure_reason,
                )
                for referral, (_values, previous) in zip(referrals, rows, strict=True)
            )


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    return str(value)  # int, or a date in ISO form


def _copy_referrals(connection, rows, *, events: bool) -> None:
    from django.utils import timezone

    from .models import Referral, ReferralEvent
    from .services import set_clock_deadlines

    table = Referral._meta.db_table
    fields = Referral._meta.concrete_fields
    now = timezone.now().isoformat()
    # Columns the generator does not set take their model default, as with bulk_create.
    defaults = {field.attname: _copy_value(field.get_default()) for field in fields if field.has_default()}
    with connection.cursor() as cursor:
        # Take the ids first, so that the events can point at their referrals.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(rows)]
        )
        ids = [row[0] for row in cursor.fetchall()]
        referrals, timeline = io.StringIO(), io.StringIO()
        for pk, (values, previous) in zip(ids, rows, strict=True):
            dates = SimpleNamespace(**values)
            set_clock_deadlines(dates)
            line = []
            for field in fields:
                name = field.attname
                if name == "id":
                    line.append(str(pk))
                elif name in ("created_at", "updated_at"):
                    line.append(now)
                elif name in ("information_due_on", "referral_due_on"):
                    line.append(_copy_value(getattr(dates, name)))
                elif name in values:
                    line.append(_copy_value(values[name]))
                else:
                    line.append(defaults.get(name, "\\N"))
            referrals.write("\t".join(line) + "\n")
            if events:
                event = [pk, previous, values["stage"], values["stage_changed_on"], values["closure_reason"], None]
                timeline.write("\t".join(map(_copy_value, event)) + f"\t{now}\n")
        referrals.seek(0)
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", referrals)
        if events:
            timeline.seek(0)
            event_columns = "referral_id, from_stage, to_stage, happened_on, reason, actor_id, created_at"
            cursor.cursor.copy_expert(f"COPY {ReferralEvent._meta.db_table} ({event_columns}) FROM STDIN", timeline)


def _insert_referrals_sqlite(connection, rows, *, events: bool) -> None:
    """The SQLite counterpart of _copy_referrals: ids taken first (past the highest id ever
    given, so none is reused), then one executemany for the referrals and one for the events.
    Runs inside write_referrals' transaction."""
    from django.utils import timezone

    from .models import Referral, ReferralEvent
    from .services import set_clock_deadlines

    table = Referral._meta.db_table
    fields = Referral._meta.concrete_fields
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    dates = {field.attname for field in fields if field.get_internal_type() == "DateField"}
    defaults = {field.attname: field.get_db_prep_save(field.get_default(), connection) for field in fields}
    names = [field.attname for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0), "  # noqa: S608 (our own table's name)
            "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        first = cursor.fetchone()[0] + 1
        referrals, timeline = [], []
        for pk, (values, previous) in enumerate(rows, start=first):
            clocks = SimpleNamespace(**values)
            set_clock_deadlines(clocks)
            line = []
            for name in names:
                if name == "id":
                    value = pk
                elif name in ("created_at", "updated_at"):
                    value = now
                elif name in ("information_due_on", "referral_due_on"):
                    value = getattr(clocks, name)
                elif name in values:
                    value = values[name]
                else:
                    value = defaults[name]
                line.append(value.isoformat() if name in dates and value is not None else value)
            referrals.append(line)
            if events:
                timeline.append(
                    [
                        pk,
                        previous,
                        values["stage"],
                        values["stage_changed_on"].isoformat(),
                        values["closure_reason"],
                        now,
                    ]
                )
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", referrals)  # noqa: S608
        if events:
            cursor.executemany(
                f"INSERT INTO {ReferralEvent._meta.db_table} "  # noqa: S608
                "(referral_id, from_stage, to_stage, happened_on, reason, created_at) VALUES (%s, %s, %s, %s, %s, %s)",
                timeline,
            )
