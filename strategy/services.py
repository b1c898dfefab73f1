"""Every change to commissioning, accreditation, money and the 10-ways records: validated,
written in a transaction and audited. Rules are checked here with messages people can act on;
the database's constraints are the backstop."""

from collections.abc import Callable
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from rjportal.accounts.constants import Role
from rjportal.areas.models import PoliceArea
from rjportal.audit.constants import AuditAction
from rjportal.audit.services import audit_record, audited_update, model_changes
from rjportal.money import pence_to_pounds
from rjportal.organisations.constants import OrganisationKind
from rjportal.periods import FinancialYear

from .constants import REMINDER_DAYS, FundingSource, Way, WayStatus
from .models import (
    AccreditationReminder,
    AreaBudget,
    AreaStrategy,
    BenefitRatio,
    BudgetFunding,
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
from .selectors import accreditations


def _day(value: date) -> str:
    return f"{value:%-d %B %Y}"


def _not_in_future(errors: dict, record, field: str, label: str, today: date):
    value = getattr(record, field)
    if value is not None and value > today and field not in errors:
        errors[field] = f"{label} must be today or in the past"


def _field_errors(record: models.Model, exclude=()) -> dict[str, list[str]]:
    """Field-level problems (required, too long, not a choice, not a web address)."""
    try:
        record.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return dict(error.message_dict)
    return {}


def _raise_if(errors: dict):
    if errors:
        raise ValidationError(dict(errors))


# Commissioning ------------------------------------------------------------------------------

COMMISSION_FIELDS = [
    "provider",
    "starts_on",
    "ends_on",
    "annual_value_pence",
    "service_name",
    "phone",
    "email",
    "web_page",
    "how_to_ask",
]


def validate_commission(commission: Commission, areas: list[PoliceArea]):
    errors = _field_errors(commission, exclude=["commissioner"])
    if commission.ends_on and commission.starts_on and commission.ends_on < commission.starts_on:
        errors.setdefault("ends_on", "The contract end date must be the same as or after its start date")
    if commission.provider_id and commission.provider.kind != OrganisationKind.RJ_PROVIDER:
        errors.setdefault("provider", "Select an RJ provider")
    if commission.commissioner.kind != OrganisationKind.PCC_OFFICE:
        errors.setdefault("commissioner", "Only a PCC office commissions an RJ provider")
    if not areas:
        errors["areas"] = "Select at least one police area the contract covers"
    else:
        served = set(commission.commissioner.areas.values_list("pk", flat=True))
        outside = [area.name for area in areas if area.pk not in served]
        if outside:
            errors["areas"] = f"{commission.commissioner} does not serve {', '.join(outside)}"
    _raise_if(errors)


@transaction.atomic
def commission_create(*, actor, commissioner, areas, **values) -> Commission:
    commission = Commission(commissioner=commissioner, **values)
    areas = list(areas)
    validate_commission(commission, areas)
    commission.save()
    commission.areas.set(areas)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=commission,
        summary=f"Recorded a contract: {commission}",
        changes={"areas": sorted(area.code for area in areas), **_plain_values(commission, COMMISSION_FIELDS)},
    )
    return commission


@transaction.atomic
def commission_update(*, actor, commission: Commission, areas=None, **values) -> Commission:
    """Change a contract; `areas`, when given, replaces the areas it covers."""
    areas_before = sorted(commission.areas.values_list("code", flat=True))
    new_areas = list(areas) if areas is not None else list(commission.areas.all())
    audited_update(
        actor=actor,
        instance=commission,
        fields=COMMISSION_FIELDS,
        values=values,
        validate=lambda commission: validate_commission(commission, new_areas),
        summary=lambda commission: f"Changed the contract {commission}",
    )
    areas_after = sorted(area.code for area in new_areas)
    if areas is not None and areas_after != areas_before:
        commission.areas.set(new_areas)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=commission,
            summary=f"Changed the areas of the contract {commission}",
            changes={"areas": {"from": areas_before, "to": areas_after}},
        )
    return commission


def _plain_values(instance, fields) -> dict:
    return {field: change["to"] for field, change in model_changes(instance, fields, {}).items()}


# Accreditation ------------------------------------------------------------------------------

REGISTRATION_FIELDS = [
    "scheme",
    "awarded_on",
    "expires_on",
    "certificate_reference",
    "certificate_url",
    "evidence_note",
]


def validate_registration(registration: ProviderRegistration, *, today: date):
    errors = _field_errors(registration, exclude=["provider"])
    _not_in_future(errors, registration, "awarded_on", "The date it was awarded", today)
    if registration.awarded_on and registration.expires_on and registration.expires_on <= registration.awarded_on:
        errors.setdefault("expires_on", "The expiry date must be after the date it was awarded")
    if registration.provider.kind != OrganisationKind.RJ_PROVIDER:
        errors.setdefault("provider", "Only an RJ provider holds an accreditation")
    if (
        registration.scheme
        and registration.awarded_on
        and ProviderRegistration.objects.filter(
            provider=registration.provider, scheme=registration.scheme, awarded_on=registration.awarded_on
        )
        .exclude(pk=registration.pk)
        .exists()
    ):
        errors.setdefault(
            "awarded_on",
            f"{registration.provider} already has an accreditation ({registration.get_scheme_display()}) awarded "
            f"on {_day(registration.awarded_on)}: change that one instead",
        )
    _raise_if(errors)


@transaction.atomic
def registration_create(*, actor, provider, **values) -> ProviderRegistration:
    registration = ProviderRegistration(provider=provider, **values)
    validate_registration(registration, today=timezone.localdate())
    registration.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=registration,
        summary=f"Recorded an accreditation: {registration}",
        changes=_plain_values(registration, REGISTRATION_FIELDS),
    )
    return registration


@transaction.atomic
def registration_update(*, actor, registration: ProviderRegistration, **values) -> ProviderRegistration:
    audited_update(
        actor=actor,
        instance=registration,
        fields=REGISTRATION_FIELDS,
        values=values,
        validate=lambda registration: validate_registration(registration, today=timezone.localdate()),
        summary=lambda registration: f"Changed the accreditation {registration}",
    )
    return registration


# Money --------------------------------------------------------------------------------------


@transaction.atomic
def budget_save(
    *, actor, area: PoliceArea, financial_year: FinancialYear, amount_pence: int, ringfenced: bool, funding: dict
) -> AreaBudget:
    """Record or change an area's RJ budget for a year, with the amount from each funding
    source (a source missing from `funding`, or None, has no amount)."""
    errors = {}
    if amount_pence is None or amount_pence < 0:
        errors["amount_pence"] = "The budget must be £0 or more"
    for source, pence in funding.items():
        if source not in FundingSource.values:
            raise ValueError(f"Unknown funding source {source!r}")
        if pence is not None and pence < 0:
            errors[f"funding_{source}"] = f"{FundingSource(source).label} must be £0 or more"
    _raise_if(errors)
    budget = AreaBudget.objects.select_for_update().filter(area=area, financial_year=financial_year.start_year).first()
    created = budget is None
    before = {} if created else {"amount_pence": budget.amount_pence, "ringfenced": budget.ringfenced}
    if created:
        budget = AreaBudget(area=area, financial_year=financial_year.start_year)
    budget.amount_pence, budget.ringfenced = amount_pence, ringfenced
    budget.save()
    changes = model_changes(budget, ["amount_pence", "ringfenced"], before)
    existing = {line.source: line for line in budget.funding.all()}
    for source, pence in funding.items():
        line = existing.get(source)
        old = line.amount_pence if line else None
        if pence == old:
            continue
        if pence is None:
            line.delete()
        elif line is None:
            BudgetFunding.objects.create(budget=budget, source=source, amount_pence=pence)
        else:
            line.amount_pence = pence
            line.save(update_fields=["amount_pence"])
        changes[f"funding_{source}"] = {"from": old, "to": pence}
    if changes:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            target=budget,
            summary=f"{'Recorded' if created else 'Changed'} the {budget}: {pence_to_pounds(amount_pence)}"
            f"{', ringfenced' if ringfenced else ''}",
            changes=changes,
        )
    return budget


def spend_quarters_open(financial_year: FinancialYear, *, today: date) -> list[int]:
    """The quarters of the year that have begun: spend cannot be recorded for later ones."""
    return [number for number, quarter in enumerate(financial_year.quarters(), start=1) if quarter.start <= today]


@transaction.atomic
def spend_save(*, actor, area: PoliceArea, financial_year: FinancialYear, amounts: dict[int, int | None]):
    """Record the area's spend in each quarter given (None clears a quarter). A quarter outside
    1 to 4, or one that has not begun, is refused."""
    today = timezone.localdate()
    errors = {}
    open_quarters = spend_quarters_open(financial_year, today=today)
    for quarter, pence in amounts.items():
        if quarter not in (1, 2, 3, 4):
            errors[f"quarter_{quarter}"] = "A financial year has quarters 1 to 4"
        elif pence is not None and quarter not in open_quarters:
            period = financial_year.quarter(quarter)
            errors[f"quarter_{quarter}"] = (
                f"Quarter {quarter} of {financial_year.label} starts on {_day(period.start)}: "
                "spend can be recorded once it has begun"
            )
        elif pence is not None and pence < 0:
            errors[f"quarter_{quarter}"] = f"Spend in quarter {quarter} must be £0 or more"
    _raise_if(errors)
    existing = {
        spend.quarter: spend
        for spend in QuarterlySpend.objects.select_for_update().filter(
            area=area, financial_year=financial_year.start_year
        )
    }
    changes = {}
    for quarter, pence in sorted(amounts.items()):
        spend = existing.get(quarter)
        old = spend.amount_pence if spend else None
        if pence == old:
            continue
        if pence is None:
            spend.delete()
        elif spend is None:
            QuarterlySpend.objects.create(
                area=area, financial_year=financial_year.start_year, quarter=quarter, amount_pence=pence
            )
        else:
            spend.amount_pence = pence
            spend.save(update_fields=["amount_pence", "updated_at"])
        changes[f"Q{quarter}"] = {"from": old, "to": pence}
    if changes:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=area,
            summary=f"Changed RJ spend in {area}, {financial_year.label}: {', '.join(changes)}",
            changes=changes,
        )
    return changes


@transaction.atomic
def benefit_ratio_choose(*, actor, ratio: BenefitRatio) -> BenefitRatio:
    """Use `ratio` for every estimate of benefit from now on."""
    current = BenefitRatio.objects.select_for_update().filter(in_use=True).first()
    if current is not None and current.pk == ratio.pk:
        return ratio
    BenefitRatio.objects.filter(in_use=True).update(in_use=False)
    ratio.in_use = True
    ratio.save(update_fields=["in_use", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=ratio,
        summary=f"Estimates of benefit now use {ratio}",
        changes={"in_use": {"from": str(current) if current else None, "to": str(ratio)}},
    )
    return ratio


@transaction.atomic
def benefit_ratio_create(*, actor, label: str, pounds_per_pound, citation: str, url: str = "") -> BenefitRatio:
    ratio = BenefitRatio(label=label.strip(), pounds_per_pound=pounds_per_pound, citation=citation.strip(), url=url)
    errors = _field_errors(ratio)
    if pounds_per_pound is not None and pounds_per_pound <= 0:
        errors.setdefault("pounds_per_pound", "The benefit for every £1 must be more than £0")
    if ratio.label and BenefitRatio.objects.filter(label__iexact=ratio.label).exists():
        errors.setdefault("label", f"There is already a ratio called {ratio.label}")
    _raise_if(errors)
    ratio.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=ratio,
        summary=f"Added the benefit ratio {ratio}",
        changes={"pounds_per_pound": str(ratio.pounds_per_pound), "citation": ratio.citation},
    )
    return ratio


# The area's other records ---------------------------------------------------------------------
# Strategies, training, communications, Community Remedy documents and observations share one
# shape: a record of one area, created, changed and deleted by its PCC office. Each kind names
# the fields staff change and the rules it must meet.


def _validate_strategy(record: AreaStrategy, errors: dict, today: date):
    _not_in_future(errors, record, "published_on", "The date it was published", today)
    if record.review_on and record.published_on and record.review_on < record.published_on:
        errors.setdefault("review_on", "The review date must be the same as or after the date it was published")
    duplicate = AreaStrategy.objects.filter(area=record.area, financial_year=record.financial_year).exclude(
        pk=record.pk
    )
    if record.financial_year and duplicate.exists():
        errors.setdefault(
            "financial_year",
            f"{record.area} already has a strategy for {FinancialYear(record.financial_year).label}: "
            "change that one instead",
        )


def _validate_training(record: TrainingRecord, errors: dict, today: date):
    _not_in_future(errors, record, "as_at", "The date of the figures", today)
    trained, in_scope = record.staff_trained, record.staff_in_scope
    if trained is not None and in_scope is not None and trained > in_scope:
        errors.setdefault("staff_trained", "Staff trained must be no more than the staff in scope")
    duplicate = TrainingRecord.objects.filter(
        area=record.area, team_category=record.team_category, as_at=record.as_at
    ).exclude(pk=record.pk)
    if record.as_at and duplicate.exists():
        errors.setdefault(
            "as_at",
            f"There are already figures for {record.get_team_category_display().lower()} teams as at "
            f"{_day(record.as_at)}: change those instead",
        )


def _validate_plan(record: CommunicationsPlan, errors: dict, today: date):
    _not_in_future(errors, record, "published_on", "The date of the plan", today)
    duplicate = CommunicationsPlan.objects.filter(area=record.area, published_on=record.published_on)
    if record.published_on and duplicate.exclude(pk=record.pk).exists():
        errors.setdefault("published_on", f"There is already a plan dated {_day(record.published_on)}")


def _validate_activity(record: CommunicationsActivity, errors: dict, today: date):
    _not_in_future(errors, record, "happened_on", "The date of the activity", today)


def _validate_remedy(record: CommunityRemedyDocument, errors: dict, today: date):
    _not_in_future(errors, record, "published_on", "The date it was published", today)
    duplicate = CommunityRemedyDocument.objects.filter(area=record.area, published_on=record.published_on)
    if record.published_on and duplicate.exclude(pk=record.pk).exists():
        errors.setdefault(
            "published_on", f"There is already a Community Remedy document dated {_day(record.published_on)}"
        )


def _validate_observation(record: Observation, errors: dict, today: date):
    _not_in_future(errors, record, "observed_on", "The date of the observation", today)


AREA_RECORD_RULES: dict[type, tuple[list[str], Callable]] = {
    AreaStrategy: (["financial_year", "published_on", "url", "review_on", "every_victim_informed"], _validate_strategy),
    TrainingRecord: (["team_category", "as_at", "staff_in_scope", "staff_trained"], _validate_training),
    CommunicationsPlan: (["published_on", "url"], _validate_plan),
    CommunicationsActivity: (["happened_on", "channel", "audience", "estimated_reach"], _validate_activity),
    CommunityRemedyDocument: (["published_on", "url", "includes_rj"], _validate_remedy),
    Observation: (["observed_on", "observer_role", "note"], _validate_observation),
}


def area_record_fields(model) -> list[str]:
    return AREA_RECORD_RULES[model][0]


def validate_area_record(record):
    _fields, rule = AREA_RECORD_RULES[type(record)]
    errors = _field_errors(record, exclude=["area"])
    rule(record, errors, timezone.localdate())
    _raise_if(errors)


@transaction.atomic
def area_record_create(*, actor, model, area: PoliceArea, **values):
    fields = area_record_fields(model)
    unknown = set(values) - set(fields)
    if unknown:
        raise TypeError(f"Cannot set {', '.join(sorted(unknown))} here.")
    record = model(area=area, **values)
    validate_area_record(record)
    record.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=record,
        summary=f"Recorded: {record}",
        changes=_plain_values(record, fields),
    )
    return record


@transaction.atomic
def area_record_update(*, actor, record, **values):
    audited_update(
        actor=actor,
        instance=record,
        fields=area_record_fields(type(record)),
        values=values,
        validate=validate_area_record,
        summary=lambda record: f"Changed: {record}",
    )
    return record


@transaction.atomic
def area_record_delete(*, actor, record):
    fields = area_record_fields(type(record))
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        target=record,
        summary=f"Deleted: {record}",
        changes=_plain_values(record, fields),
    )
    record.delete()


# The scorecard --------------------------------------------------------------------------------


@transaction.atomic
def way_assessment_save(
    *, actor, area: PoliceArea, financial_year: FinancialYear, way: str, status: str, evidence: str
) -> WayAssessment:
    """Record staff's own status for a way in a year, for ways the portal cannot work out."""
    evidence = (evidence or "").strip()
    errors = {}
    if way not in Way.values:
        errors["way"] = "Select one of the 10 ways"
    if status not in WayStatus.values:
        errors["status"] = "Select a status"
    elif status != WayStatus.UNKNOWN and not evidence:
        errors["evidence"] = "Enter the evidence for this status"
    if len(evidence) > 2000:
        errors["evidence"] = "The evidence must be 2,000 characters or fewer"
    _raise_if(errors)
    assessment = WayAssessment.objects.filter(area=area, financial_year=financial_year.start_year, way=way).first()
    if assessment is None:
        assessment = WayAssessment.objects.create(
            area=area,
            financial_year=financial_year.start_year,
            way=way,
            status=status,
            evidence=evidence,
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=assessment,
            summary=f"Recorded the status of {assessment}: {assessment.get_status_display()}",
            changes={"status": status, "evidence": evidence},
        )
        return assessment
    changes = audited_update(
        actor=actor,
        instance=assessment,
        fields=["status", "evidence"],
        values={"status": status, "evidence": evidence},
        validate=lambda assessment: None,
        summary=lambda assessment: f"Changed the status of {assessment} to {assessment.get_status_display()}",
    )
    if changes:
        assessment.recorded_by = actor if actor is not None and actor.is_authenticated else None
        assessment.save(update_fields=["recorded_by"])
    return assessment


# Accreditation reminders ----------------------------------------------------------------------
# Run daily (manage.py send_accreditation_reminders). For each provider named in a contract
# running today, the registration that expires last is the one that counts: the commissioning
# offices are told REMINDER_DAYS before it expires, each step once. AccreditationReminder's
# unique (registration, days_before) is what keeps a second run, the same day or later, silent.


class ReminderNotice:
    """One reminder to send: a registration, the step it is for, and the offices to tell, each
    with its addresses and the areas its running contracts with the provider cover."""

    def __init__(self, *, registration, days_before: int, days_left: int, offices: list, passed: list[int]):
        self.registration = registration
        self.days_before = days_before
        self.days_left = days_left
        self.offices = offices  # [(office, [addresses], [area names])]
        self.passed = passed  # earlier steps not sent, recorded as passed so they are never sent late

    @property
    def addresses(self) -> int:
        return sum(len(addresses) for _office, addresses, _areas in self.offices)


class ReminderRun:
    def __init__(self, *, today: date, dry_run: bool):
        self.today = today
        self.dry_run = dry_run
        self.sent: list[ReminderNotice] = []
        self.unreachable: list[ReminderNotice] = []  # no office had an address: tried again tomorrow
        self.failed: list[tuple[ReminderNotice, str]] = []
        self.emails = 0

    @property
    def addresses(self) -> int:
        return sum(notice.addresses for notice in self.sent)


def reminder_addresses(office) -> list[str]:
    """Where a PCC office is told: its shared address, or else its active staff's own."""
    if office.email:
        return [office.email]
    staff = get_user_model().objects.filter(organisation=office, role=Role.PCC_STAFF, is_active=True).exclude(email="")
    return sorted(staff.values_list("email", flat=True))


def accreditation_reminders_due(*, today: date) -> list[ReminderNotice]:
    """The reminders a run on `today` sends, unsent so far. One per provider at most: for the
    nearest step reached (a registration first seen with 20 days left gets the 30-day one only)."""
    contracts_by_provider: dict[int, dict] = {}
    live = Commission.objects.live_on(today).select_related("commissioner").prefetch_related("areas")
    for commission in live.order_by("commissioner__name", "pk"):
        offices = contracts_by_provider.setdefault(commission.provider_id, {})
        offices.setdefault(commission.commissioner, set()).update(area.name for area in commission.areas.all())
    standing = accreditations(list(contracts_by_provider), today=today)
    latest = {item.registration.pk: item.registration for item in standing.values() if item.registration is not None}
    done = {
        (registration_id, days_before)
        for registration_id, days_before in AccreditationReminder.objects.filter(
            registration_id__in=list(latest)
        ).values_list("registration_id", "days_before")
    }
    notices = []
    for registration in sorted(latest.values(), key=lambda registration: (registration.provider.name, registration.pk)):
        days_left = (registration.expires_on - today).days
        reached = sorted(step for step in REMINDER_DAYS if 0 <= days_left <= step)
        if not reached or (registration.pk, reached[0]) in done:
            continue
        offices = [
            (office, reminder_addresses(office), sorted(areas))
            for office, areas in contracts_by_provider[registration.provider_id].items()
        ]
        notices.append(
            ReminderNotice(
                registration=registration,
                days_before=reached[0],
                days_left=days_left,
                offices=offices,
                passed=[step for step in reached[1:] if (registration.pk, step) not in done],
            )
        )
    return notices


def _reminder_subject(notice: ReminderNotice) -> str:
    registration = notice.registration
    when = "today" if notice.days_left == 0 else f"in {notice.days_left} day{'s' if notice.days_left != 1 else ''}"
    return f"{registration.provider.name}: RJ accreditation expires {when} ({_day(registration.expires_on)})"


def accreditation_reminders_send(*, today: date, dry_run: bool = False, site_url: str = "") -> ReminderRun:
    """Email the commissioning offices of each provider whose latest registration has reached
    a reminder step, and record that it was sent. Safe to run daily: each step is sent once.
    With dry_run, works out what would be sent and changes nothing. `site_url` (like
    https://rjportal.example.org) makes the email's link to the accreditation page absolute."""
    run = ReminderRun(today=today, dry_run=dry_run)
    link = f"{site_url.rstrip('/')}{reverse('strategy:registrations')}" if site_url else ""
    for notice in accreditation_reminders_due(today=today):
        if not notice.addresses:
            run.unreachable.append(notice)
            continue
        if dry_run:
            run.sent.append(notice)
            continue
        emails = 0
        try:
            with transaction.atomic():
                # Recorded first: a run racing this one stops at the unique constraint, unsent.
                AccreditationReminder.objects.create(
                    registration=notice.registration, days_before=notice.days_before, recipients=notice.addresses
                )
                for step in notice.passed:
                    AccreditationReminder.objects.create(
                        registration=notice.registration, days_before=step, recipients=0
                    )
                for office, addresses, areas in notice.offices:
                    if not addresses:
                        continue
                    context = {"notice": notice, "office": office, "areas": areas, "link": link, "today": today}
                    message = render_to_string("strategy/email/accreditation_reminder.txt", context)
                    # One email per address: staff of an office without a shared address do not
                    # see each other's.
                    for address in addresses:
                        send_mail(
                            subject=_reminder_subject(notice),
                            message=message,
                            from_email=None,
                            recipient_list=[address],
                        )
                        emails += 1
        except IntegrityError:
            continue
        except OSError as error:  # the mail server refused or could not be reached: tell the others still
            run.failed.append((notice, str(error) or error.__class__.__name__))
            continue
        run.sent.append(notice)
        run.emails += emails
    if run.sent and not dry_run:
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            summary=f"Accreditation reminders on {_day(today)}: sent {len(run.sent)} reminder(s) in {run.emails} "
            f"email(s) to {run.addresses} address(es)",
            changes={
                "reminders": [
                    {
                        "provider": notice.registration.provider.name,
                        "registration": notice.registration.pk,
                        "days_before": notice.days_before,
                        "expires_on": notice.registration.expires_on.isoformat(),
                        "offices": [office.name for office, addresses, _areas in notice.offices if addresses],
                    }
                    for notice in run.sent
                ]
            },
        )
    return run
