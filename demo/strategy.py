"""Commissioning, accreditation, money and the 10-ways records of the demo areas, written
through the strategy services in the demo administrator's name.

Dates count from the day it runs, so the demo tells the same story whatever the date: Kent meets
most of the 10 ways and its provider's registration expires within weeks; Avon and Somerset
partly meets several and its provider's registration has just expired; Dyfed-Powys has little
recorded. Every record is looked for before it is made (by what identifies it, never by a date
counted from today), so a second run adds nothing."""

from dataclasses import dataclass
from datetime import date, timedelta

from referrals.constants import TeamCategory
from rjportal.areas.models import GoverningBody, PoliceArea
from rjportal.organisations.models import Organisation
from rjportal.periods import FinancialYear, financial_year_of, months_before
from strategy.constants import AccreditationScheme, Channel, FundingSource, ObserverRole, Way, WayStatus
from strategy.models import (
    AreaBudget,
    AreaStrategy,
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
from strategy.selectors import term_start
from strategy.services import (
    area_record_create,
    budget_save,
    commission_create,
    registration_create,
    spend_quarters_open,
    spend_save,
    way_assessment_save,
)

from .organisations import (
    AVON_AND_SOMERSET,
    AVON_AND_SOMERSET_OFFICE,
    DYFED_POWYS,
    KENT,
    KENT_OFFICE,
    KENT_PROVIDER,
    SOUTH_WEST_PROVIDER,
)

DEMO_AREAS = (KENT, AVON_AND_SOMERSET, DYFED_POWYS)

# Kent's provider is registered for a few more weeks (the Kent PCC office sees the expiry
# banner); the South West service's registration lapsed a few weeks ago.
KENT_REGISTRATION_DAYS_LEFT = 45
SOUTH_WEST_REGISTRATION_EXPIRED_DAYS_AGO = 20
REGISTRATION_MONTHS = 36


def _pence(pounds: int) -> int:
    return pounds * 100


def seed_strategy(*, actor, today: date) -> int:
    """Record whatever is missing for the demo areas; returns how many records were made."""
    areas = {area.code: area for area in PoliceArea.objects.filter(code__in=DEMO_AREAS)}
    organisations = {
        organisation.name: organisation
        for organisation in Organisation.objects.filter(
            name__in=[KENT_OFFICE, AVON_AND_SOMERSET_OFFICE, KENT_PROVIDER, SOUTH_WEST_PROVIDER]
        )
    }
    current = financial_year_of(today)
    return (
        _seed_commissions(actor, areas, organisations, current)
        + _seed_registrations(actor, today, organisations)
        + _seed_money(actor, today, areas, current)
        + _seed_area_records(actor, today, areas, current)
        + _seed_assessments(actor, areas, current)
    )


# Commissioning and accreditation ----------------------------------------------------------------


def _seed_commissions(actor, areas, organisations, current: FinancialYear) -> int:
    contracts = [
        {
            "commissioner": organisations[KENT_OFFICE],
            "provider": organisations[KENT_PROVIDER],
            "areas": [areas[KENT]],
            "starts_on": current.previous().period.start,
            "ends_on": FinancialYear(current.start_year + 1).period.end,
            "annual_value_pence": _pence(150_000),
            "service_name": "Kent Restorative Approaches",
            "phone": "01632 960123",
            "email": "kent-rj@example.org",
            "web_page": "https://example.org/demo/kent-restorative-approaches",
            "how_to_ask": "Call or email the service, or ask the officer dealing with your case to refer you. "
            "You can ask at any time, whether or not the crime was reported to the police.",
        },
        {
            "commissioner": organisations[AVON_AND_SOMERSET_OFFICE],
            "provider": organisations[SOUTH_WEST_PROVIDER],
            "areas": [areas[AVON_AND_SOMERSET]],
            "starts_on": FinancialYear(current.start_year - 2).period.start,
            "ends_on": current.period.end,
            "annual_value_pence": _pence(110_000),
            "service_name": "South West Restorative Justice Service",
            "phone": "01632 960456",
            "email": "south-west-rj@example.org",
            "web_page": "https://example.org/demo/south-west-restorative-justice",
            "how_to_ask": "Fill in the form on the service's web page or call the team. A practitioner will call "
            "you back to talk it through; nothing happens without your agreement.",
        },
    ]
    created = 0
    for contract in contracts:
        if Commission.objects.filter(commissioner=contract["commissioner"], provider=contract["provider"]).exists():
            continue
        commission_create(actor=actor, **contract)
        created += 1
    return created


def _seed_registrations(actor, today, organisations) -> int:
    kent_expires = today + timedelta(days=KENT_REGISTRATION_DAYS_LEFT)
    south_west_expires = today - timedelta(days=SOUTH_WEST_REGISTRATION_EXPIRED_DAYS_AGO)
    registrations = [
        (organisations[KENT_PROVIDER], AccreditationScheme.RJC_REGISTERED, kent_expires, "RSP-DEMO-0101"),
        (organisations[SOUTH_WEST_PROVIDER], AccreditationScheme.RJC_REGISTERED, south_west_expires, "RSP-DEMO-0202"),
    ]
    created = 0
    for provider, scheme, expires_on, reference in registrations:
        if ProviderRegistration.objects.filter(provider=provider, scheme=scheme).exists():
            continue
        registration_create(
            actor=actor,
            provider=provider,
            scheme=scheme,
            awarded_on=months_before(expires_on, REGISTRATION_MONTHS),
            expires_on=expires_on,
            certificate_reference=reference,
            certificate_url=f"https://example.org/demo/certificates/{reference.lower()}",
            evidence_note="Demonstration record.",
        )
        created += 1
    # History: the quality mark the South West service held before the RJC scheme replaced it.
    south_west = organisations[SOUTH_WEST_PROVIDER]
    if not ProviderRegistration.objects.filter(provider=south_west, scheme=AccreditationScheme.RSQM).exists():
        registration_create(
            actor=actor,
            provider=south_west,
            scheme=AccreditationScheme.RSQM,
            awarded_on=date(2016, 9, 1),
            expires_on=date(2019, 9, 1),
            certificate_reference="RSQM-DEMO-0202",
            evidence_note="Demonstration record.",
        )
        created += 1
    return created


# Money --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoMoney:
    area: str
    ringfenced: bool
    # Pounds, for the previous financial year and the current one.
    budgets: tuple[dict[str, int], dict[str, int]]
    spend: tuple[tuple[int, int, int, int], tuple[int, int, int, int]]


DEMO_MONEY = [
    DemoMoney(
        area=KENT,
        ringfenced=True,
        budgets=(
            {FundingSource.MOJ_GRANT: 140_000, FundingSource.PCC_CORE: 32_000},
            {FundingSource.MOJ_GRANT: 150_000, FundingSource.PCC_CORE: 35_000},
        ),
        spend=((41_250, 43_800, 44_100, 39_900), (44_500, 46_200, 45_100, 43_700)),
    ),
    DemoMoney(
        area=AVON_AND_SOMERSET,
        ringfenced=False,
        budgets=(
            {FundingSource.MOJ_GRANT: 118_000},
            {FundingSource.MOJ_GRANT: 110_000, FundingSource.OTHER: 14_000},
        ),
        spend=((27_400, 29_900, 31_200, 26_800), (30_100, 31_800, 29_500, 30_600)),
    ),
]


def _seed_money(actor, today, areas, current: FinancialYear) -> int:
    """A budget for the previous and the current financial year, and spend in every quarter of
    them that has begun (later quarters are filled in by a run once they begin)."""
    created = 0
    for money in DEMO_MONEY:
        area = areas[money.area]
        for year, funding, spend in zip((current.previous(), current), money.budgets, money.spend, strict=True):
            if not AreaBudget.objects.filter(area=area, financial_year=year.start_year).exists():
                budget_save(
                    actor=actor,
                    area=area,
                    financial_year=year,
                    amount_pence=_pence(sum(funding.values())),
                    ringfenced=money.ringfenced,
                    funding={source: _pence(pounds) for source, pounds in funding.items()},
                )
                created += 1
            recorded = set(
                QuarterlySpend.objects.filter(area=area, financial_year=year.start_year).values_list(
                    "quarter", flat=True
                )
            )
            missing = {
                quarter: _pence(spend[quarter - 1])
                for quarter in spend_quarters_open(year, today=today)
                if quarter not in recorded
            }
            if missing:
                spend_save(actor=actor, area=area, financial_year=year, amounts=missing)
                created += len(missing)
    return created


# Strategy, training, communications, Community Remedy and observations -----------------------------


@dataclass(frozen=True)
class DemoRecord:
    area: str
    model: type
    values: dict
    # The fields (besides the area) that identify the record across runs on different days.
    key: tuple[str, ...] = ()


def _demo_records(today: date, current: FinancialYear, terms: dict[str, date]) -> list[DemoRecord]:
    def days_ago(days: int) -> date:
        return today - timedelta(days=days)

    strategy = {
        "financial_year": current.start_year,
        "published_on": current.period.start - timedelta(days=14),
        "review_on": current.period.end,
    }
    return [
        # Kent: a strategy that commits to telling every victim, most staff trained, a plan and
        # recent activity, RJ in the Community Remedy, and an observation this term.
        DemoRecord(
            KENT,
            AreaStrategy,
            {**strategy, "url": "https://example.org/demo/kent/rj-strategy", "every_victim_informed": True},
            key=("financial_year",),
        ),
        *(
            DemoRecord(
                KENT,
                TrainingRecord,
                {"team_category": category, "as_at": days_ago(30), "staff_in_scope": scope, "staff_trained": trained},
                key=("team_category",),
            )
            for category, scope, trained in (
                (TeamCategory.RESPONSE, 240, 212),
                (TeamCategory.NEIGHBOURHOOD, 150, 131),
                (TeamCategory.CUSTODY, 60, 49),
            )
        ),
        DemoRecord(
            KENT,
            CommunicationsPlan,
            {"published_on": days_ago(150), "url": "https://example.org/demo/kent/rj-communications-plan"},
        ),
        DemoRecord(
            KENT,
            CommunicationsActivity,
            {
                "happened_on": days_ago(12),
                "channel": Channel.SOCIAL_MEDIA,
                "audience": "Victims and the public in Kent",
                "estimated_reach": 18_500,
            },
            key=("channel",),
        ),
        DemoRecord(
            KENT,
            CommunicationsActivity,
            {
                "happened_on": days_ago(64),
                "channel": Channel.PARTNER_BRIEFING,
                "audience": "Neighbourhood policing teams",
                "estimated_reach": 320,
            },
            key=("channel",),
        ),
        DemoRecord(
            KENT,
            CommunityRemedyDocument,
            {
                "published_on": days_ago(220),
                "url": "https://example.org/demo/kent/community-remedy",
                "includes_rj": True,
            },
        ),
        DemoRecord(
            KENT,
            Observation,
            {
                "observed_on": max(days_ago(45), terms[KENT]),
                "observer_role": ObserverRole.PCC,
                "note": "Observed a face-to-face conference prepared by the commissioned service (demonstration).",
            },
        ),
        # Avon and Somerset: a strategy without the commitment, about half of staff trained, and
        # a Community Remedy without RJ.
        DemoRecord(
            AVON_AND_SOMERSET,
            AreaStrategy,
            {
                **strategy,
                "url": "https://example.org/demo/avon-and-somerset/rj-strategy",
                "every_victim_informed": False,
            },
            key=("financial_year",),
        ),
        *(
            DemoRecord(
                AVON_AND_SOMERSET,
                TrainingRecord,
                {"team_category": category, "as_at": days_ago(75), "staff_in_scope": scope, "staff_trained": trained},
                key=("team_category",),
            )
            for category, scope, trained in ((TeamCategory.RESPONSE, 240, 120), (TeamCategory.NEIGHBOURHOOD, 120, 75))
        ),
        DemoRecord(
            AVON_AND_SOMERSET,
            CommunityRemedyDocument,
            {
                "published_on": days_ago(300),
                "url": "https://example.org/demo/avon-and-somerset/community-remedy",
                "includes_rj": False,
            },
        ),
        # Dyfed-Powys: few staff trained, and the only observation from before the current term.
        *(
            DemoRecord(
                DYFED_POWYS,
                TrainingRecord,
                {"team_category": category, "as_at": days_ago(100), "staff_in_scope": scope, "staff_trained": trained},
                key=("team_category",),
            )
            for category, scope, trained in ((TeamCategory.RESPONSE, 160, 30), (TeamCategory.CUSTODY, 40, 12))
        ),
        DemoRecord(
            DYFED_POWYS,
            Observation,
            {
                "observed_on": terms[DYFED_POWYS] - timedelta(days=180),
                "observer_role": ObserverRole.PCC,
                "note": "Observed an indirect process by letter (demonstration).",
            },
        ),
    ]


def _term_starts(areas, today: date) -> dict[str, date]:
    bodies = {body.area_id: body for body in GoverningBody.objects.current_on(today).filter(area__in=areas.values())}
    return {code: term_start(bodies.get(area.pk), today) for code, area in areas.items()}


def _seed_area_records(actor, today, areas, current: FinancialYear) -> int:
    created = 0
    for record in _demo_records(today, current, _term_starts(areas, today)):
        area = areas[record.area]
        identity = {field: record.values[field] for field in record.key}
        if record.model.objects.filter(area=area, **identity).exists():
            continue
        area_record_create(actor=actor, model=record.model, area=area, **record.values)
        created += 1
    return created


# The office's own record, for a way the portal cannot work out ---------------------------------

DIP_SAMPLE_EVIDENCE = (
    "Demonstration: a dip sample of 96 cases from a random 4-day window, with domestic abuse, hate crime and "
    "sexual offences oversampled. 58% of victims were offered RJ (95% confidence interval 48% to 68%); the "
    "custody and investigation teams are to be briefed again."
)


def _seed_assessments(actor, areas, current: FinancialYear) -> int:
    kent = areas[KENT]
    recorded = WayAssessment.objects.filter(area=kent, financial_year=current.start_year, way=Way.DIP_SAMPLING)
    if recorded.exists():
        return 0
    way_assessment_save(
        actor=actor,
        area=kent,
        financial_year=current,
        way=Way.DIP_SAMPLING,
        status=WayStatus.PARTLY_MET,
        evidence=DIP_SAMPLE_EVIDENCE,
    )
    return 1
