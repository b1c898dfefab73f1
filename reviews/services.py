"""Every change to case reviews, return sign-offs and actions: validated, written in a
transaction and audited."""

import secrets
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from referrals.models import Referral
from rjportal.accounts.constants import Role
from rjportal.audit.constants import AuditAction
from rjportal.audit.services import audit_record, audited_update
from rjportal.periods import FinancialYear

from .constants import ActionPrompt, ActionStatus, DipSampleStatus, EvidenceSource, PopulationSource
from .importing import read_case_register
from .managers import review_areas_for
from .models import Action, DipSample, DipSampleCase, ReturnSignOff
from .sampling import allocate, draw, populations_of, stratum_key
from .selectors import return_checks, sample_progress

MAX_SEED = 2**63 - 1


def _check_area(actor, area):
    if not review_areas_for(actor).filter(pk=area.pk).exists():
        raise PermissionDenied("You cannot work on this area's case reviews.")


def _day(value: date) -> str:
    return f"{value:%-d %B %Y}"


# Dip samples --------------------------------------------------------------------------------------


def _create_sample(*, actor, area, title: str, cases, **values) -> DipSample:
    sample = DipSample.objects.create(area=area, title=title, created_by=actor, **values)
    DipSampleCase.objects.bulk_create(
        [
            DipSampleCase(
                sample=sample,
                crime_reference=case.crime_reference,
                offence_group=case.offence_group,
                reported_on=case.reported_on,
                hate_crime=case.hate_crime,
                domestic_abuse=case.domestic_abuse,
                sexual_harm=case.sexual_harm,
            )
            for case in cases
        ],
        batch_size=1000,
    )
    return sample


def _title_errors(title: str) -> dict:
    return {} if title.strip() else {"title": "Enter a name for the dip sample"}


@transaction.atomic
def dip_sample_create_from_register(*, actor, area, title: str, content: bytes, filename: str) -> DipSample:
    """A dip sample whose population is an uploaded case register. Raises ImportRejected, and
    saves nothing, if any row is wrong."""
    _check_area(actor, area)
    if errors := _title_errors(title):
        raise ValidationError(errors)
    cases = read_case_register(content=content, filename=filename, today=timezone.localdate())
    sample = _create_sample(
        actor=actor, area=area, title=title.strip(), cases=cases, source=PopulationSource.REGISTER, filename=filename
    )
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        target=sample,
        summary=f"Uploaded a case register of {len(cases):,} cases for {sample}",
        changes={"filename": filename, "cases": len(cases)},
    )
    return sample


@transaction.atomic
def dip_sample_create_from_referrals(*, actor, area, title: str, start: date, end: date) -> DipSample:
    """A dip sample whose population is the area's referrals received from `start` to `end`.
    A case's reference is the provider's id and case reference, its date the crime report (or,
    where not recorded, the day the referral was received)."""
    _check_area(actor, area)
    errors = _title_errors(title)
    if end < start:
        errors["window_end"] = "The end of the window must be the same as or after its start"
    elif end > timezone.localdate():
        errors["window_end"] = "The end of the window must be today or in the past"
    if errors:
        raise ValidationError(errors)
    referrals = Referral.objects.filter(area=area, received_on__gte=start, received_on__lte=end).values(
        "provider_id",
        "reference",
        "offence_group",
        "crime_reported_on",
        "received_on",
        "hate_crime",
        "domestic_abuse",
        "sexual_harm",
    )
    cases = [
        DipSampleCase(
            crime_reference=f"P{row['provider_id']}-{row['reference']}"[:60],
            offence_group=row["offence_group"],
            reported_on=row["crime_reported_on"] or row["received_on"],
            hate_crime=row["hate_crime"],
            domestic_abuse=row["domestic_abuse"],
            sexual_harm=row["sexual_harm"],
        )
        for row in referrals
    ]
    if not cases:
        raise ValidationError(
            {
                "window_start": f"{area.name} has no referrals received from {_day(start)} to "
                f"{_day(end)}. Choose a wider window"
            }
        )
    sample = _create_sample(
        actor=actor,
        area=area,
        title=title.strip(),
        cases=cases,
        source=PopulationSource.REFERRALS,
        window_start=start,
        window_end=end,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=sample,
        summary=f"Took {len(cases):,} referrals received from {_day(start)} to {_day(end)} as the population of "
        f"{sample}",
        changes={"window_start": start.isoformat(), "window_end": end.isoformat(), "cases": len(cases)},
    )
    return sample


def dip_sample_design(*, sample: DipSample, sample_size: int, minimum: int, by_offence_group: bool):
    """The strata and their sample sizes for these settings (nothing is saved)."""
    cases = list(sample.cases.only("hate_crime", "domestic_abuse", "sexual_harm", "offence_group"))
    return allocate(populations_of(cases, by_offence_group=by_offence_group), sample_size=sample_size, minimum=minimum)


def new_seed() -> int:
    return secrets.randbelow(2**31)


@transaction.atomic
def dip_sample_draw(
    *, actor, sample: DipSample, sample_size: int, minimum: int, by_offence_group: bool, seed: int | None
) -> DipSample:
    """Draw (or, before any case is reviewed, draw again) the stratified sample. Redrawing needs
    the seed to be entered: it is never picked silently a second time."""
    sample = DipSample.objects.select_for_update().get(pk=sample.pk)
    _check_area(actor, sample.area)
    if sample.status == DipSampleStatus.COMPLETED:
        raise ValidationError({"sample_size": "This dip sample is completed: it cannot be drawn again"})
    if sample.is_drawn and sample_progress(sample).reviewed:
        raise ValidationError({"sample_size": "Cases of this sample have been reviewed: it cannot be drawn again"})
    if seed is None:
        if sample.is_drawn:
            raise ValidationError({"seed": "Enter the seed to draw the sample again"})
        raise ValidationError({"seed": "Enter the seed, or leave it to RJ Portal to choose one"})
    if not 0 <= seed <= MAX_SEED:
        raise ValidationError({"seed": "Enter the seed as a whole number of 0 or more"})
    cases = list(sample.cases.all())
    strata = allocate(
        populations_of(cases, by_offence_group=by_offence_group), sample_size=sample_size, minimum=minimum
    )
    drawn = draw(cases, strata, seed=seed, by_offence_group=by_offence_group)
    chosen = {case.pk for picks in drawn.values() for case in picks}
    for case in cases:
        case.stratum = stratum_key(case, by_offence_group=by_offence_group)
        case.selected = case.pk in chosen
    DipSampleCase.objects.bulk_update(cases, ["stratum", "selected"], batch_size=1000)
    before = {
        "sample_size": sample.sample_size,
        "minimum_per_flagged_stratum": sample.minimum_per_flagged_stratum,
        "by_offence_group": sample.by_offence_group,
        "seed": sample.seed,
    }
    redraw = sample.is_drawn
    sample.sample_size, sample.minimum_per_flagged_stratum = sample_size, minimum
    sample.by_offence_group, sample.seed = by_offence_group, seed
    sample.status, sample.drawn_by, sample.drawn_at = DipSampleStatus.REVIEWING, actor, timezone.now()
    sample.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE if redraw else AuditAction.CREATE,
        target=sample,
        summary=f"{'Drew again' if redraw else 'Drew'} {sample_size:,} cases for {sample} with seed {seed}",
        changes={
            "before": before if redraw else None,
            "sample_size": sample_size,
            "minimum_per_flagged_stratum": minimum,
            "by_offence_group": by_offence_group,
            "seed": seed,
            "strata": {stratum.key: [stratum.population, stratum.sample] for stratum in strata},
        },
    )
    return sample


REVIEW_FIELDS = ["offered", "evidence_source", "evidence_other", "referred"]


@transaction.atomic
def case_review_save(
    *, actor, case: DipSampleCase, offered: str, evidence_source: str, evidence_other: str = "", referred: bool
) -> DipSampleCase:
    case = DipSampleCase.objects.select_for_update().select_related("sample__area").get(pk=case.pk)
    _check_area(actor, case.sample.area)
    if not case.selected:
        raise ValidationError({"offered": "This case is not in the sample"})
    if case.sample.status != DipSampleStatus.REVIEWING:
        raise ValidationError({"offered": "This dip sample is completed: its reviews cannot change"})
    evidence_other = evidence_other.strip() if evidence_source == EvidenceSource.OTHER else ""

    def validate(case):
        errors = {}
        if case.evidence_source == EvidenceSource.OTHER and not case.evidence_other:
            errors["evidence_other"] = "Enter where the evidence was found"
        if errors:
            raise ValidationError(errors)
        case.reviewed_by, case.reviewed_at = actor, timezone.now()

    audited_update(
        actor=actor,
        instance=case,
        fields=REVIEW_FIELDS,
        values={
            "offered": offered,
            "evidence_source": evidence_source,
            "evidence_other": evidence_other,
            "referred": referred,
        },
        validate=validate,
        summary=lambda case: f"Reviewed case {case.crime_reference} of {case.sample}",
    )
    return case


@transaction.atomic
def dip_sample_complete(*, actor, sample: DipSample) -> DipSample:
    sample = DipSample.objects.select_for_update().get(pk=sample.pk)
    _check_area(actor, sample.area)
    progress = sample_progress(sample)
    if sample.status != DipSampleStatus.REVIEWING:
        raise ValidationError({"__all__": "Only a dip sample in progress can be completed"})
    if not progress.complete:
        raise ValidationError(
            {"__all__": f"Review every sampled case first: {progress.reviewed} of {progress.sampled} reviewed"}
        )
    sample.status, sample.completed_by, sample.completed_at = DipSampleStatus.COMPLETED, actor, timezone.now()
    sample.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=sample,
        summary=f"Completed {sample}",
        changes={"status": {"from": DipSampleStatus.REVIEWING, "to": DipSampleStatus.COMPLETED}},
    )
    return sample


# The quarterly return ------------------------------------------------------------------------------


@transaction.atomic
def return_sign_off(
    *, actor, area, financial_year: FinancialYear, quarter: int, today: date, spend_by_quarter: dict[int, int]
) -> ReturnSignOff:
    """Sign off one ended quarter of the return, keeping its figures and checks as they are now.
    spend_by_quarter is the office's recorded spend for the year (see return_checks)."""
    _check_area(actor, area)
    if not actor.is_national_admin and actor.role != Role.PCC_STAFF:
        raise PermissionDenied("Only PCC office staff sign off a return.")
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": "Choose a quarter from 1 to 4"})
    check = return_checks(area=area, financial_year=financial_year, today=today, spend_by_quarter=spend_by_quarter)[
        quarter - 1
    ]
    if not check.ended:
        raise ValidationError({"quarter": f"{check.label} of {financial_year.label} has not yet ended"})
    if check.sign_off is not None and not check.differs:
        raise ValidationError({"quarter": f"{check.label} is already signed off with these figures"})
    sign_off = ReturnSignOff.objects.create(
        area=area,
        financial_year=financial_year.start_year,
        quarter=quarter,
        referrals=check.referrals,
        victims_supported=check.victims_supported,
        spend_pence=check.spend_pence,
        checks=check.checks,
        signed_by=actor,
        signed_by_email=actor.email,
        signed_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=sign_off,
        summary=f"Signed off the RJ return for {area}, {financial_year.label} {check.label}",
        changes={**check.figures, "checks": check.checks},
    )
    return sign_off


# Actions --------------------------------------------------------------------------------------------

ACTION_FIELDS = ["what", "owner", "due_on", "status", "prompt", "gap", "dip_sample", "way"]


def office_staff_for(area):
    """The people who may own an action in the area: active PCC office staff of an office serving it."""
    return (
        get_user_model().objects.filter(role=Role.PCC_STAFF, is_active=True, organisation__areas=area).order_by("email")
    )


def validate_action(action: Action):
    errors = {}
    if not action.what.strip():
        errors["what"] = "Enter what will be done"
    if action.owner_id and not office_staff_for(action.area).filter(pk=action.owner_id).exists():
        errors["owner"] = f"Choose someone of a PCC office serving {action.area.name}"
    if action.prompt == ActionPrompt.GAP and not action.gap:
        errors["gap"] = "Choose the gap that prompted the action"
    if action.prompt == ActionPrompt.DIP_SAMPLE:
        if action.dip_sample_id is None:
            errors["dip_sample"] = "Choose the dip sample that prompted the action"
        elif action.dip_sample.area_id != action.area_id:
            errors["dip_sample"] = f"Choose a dip sample of {action.area.name}"
    if action.prompt == ActionPrompt.SCORECARD and not action.way:
        errors["way"] = "Choose the scorecard way that prompted the action"
    if action.status not in ActionStatus.values:
        errors["status"] = "Choose open, done or dropped"
    # Only the prompt chosen keeps its link.
    if action.prompt != ActionPrompt.GAP:
        action.gap = ""
    if action.prompt != ActionPrompt.DIP_SAMPLE:
        action.dip_sample = None
    if action.prompt != ActionPrompt.SCORECARD:
        action.way = ""
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def action_create(*, actor, area, **values) -> Action:
    _check_area(actor, area)
    action = Action(area=area, created_by=actor, **values)
    validate_action(action)
    action.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=action,
        summary=f"Recorded an action: {action}",
        changes={
            "what": action.what,
            "owner": action.owner.email,
            "due_on": action.due_on.isoformat(),
            "prompt": action.prompt,
        },
    )
    return action


@transaction.atomic
def action_update(*, actor, action: Action, **values) -> Action:
    _check_area(actor, action.area)
    audited_update(
        actor=actor,
        instance=action,
        fields=ACTION_FIELDS,
        values=values,
        validate=validate_action,
        summary=lambda action: f"Changed the action {action}",
    )
    return action
