from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rjportal.audit.constants import AuditAction
from rjportal.audit.services import audit_record, audited_update
from rjportal.organisations.constants import OrganisationKind
from rjportal.periods import months_before

from .clocks import add_working_days
from .columns import EDITABLE_FIELDS
from .constants import (
    INFORMATION_DEADLINE_DAYS,
    INFORMATION_DEADLINE_DAYS_ENHANCED,
    NEXT_STAGE,
    OPEN_STAGES,
    PATH_STAGES,
    REFERRAL_DEADLINE_DAYS,
    SATISFACTION_SCALE,
    CorrectionReason,
    Stage,
)
from .models import Referral, ReferralEvent, ReferringTeam
from .validation import referral_value_errors


def set_clock_deadlines(referral: Referral) -> None:
    """Work out the Victims' Code deadlines from the referral's dates."""
    if referral.crime_reported_on is None:
        referral.information_due_on = None
    else:
        days = INFORMATION_DEADLINE_DAYS_ENHANCED if referral.victim_enhanced_rights else INFORMATION_DEADLINE_DAYS
        referral.information_due_on = add_working_days(referral.crime_reported_on, days)
    if referral.victim_requested_on is None:
        referral.referral_due_on = None
    else:
        referral.referral_due_on = add_working_days(referral.victim_requested_on, REFERRAL_DEADLINE_DAYS)


def first_moves(referrals) -> dict[int, tuple[date, str]]:
    """For each of `referrals` (ids or a queryset) that has moved on from "referred", the date
    of its first move and the stage it moved to: the latest its received date can be."""
    moves = {}
    events = ReferralEvent.objects.filter(referral__in=referrals, corrected_at__isnull=True).exclude(from_stage="")
    for referral_id, happened_on, to_stage in events.order_by("-happened_on", "-id").values_list(
        "referral_id", "happened_on", "to_stage"
    ):
        moves[referral_id] = (happened_on, to_stage)  # the earliest comes last
    return moves


def received_after_first_move(received_on: date | None, first_move: tuple[date, str] | None) -> str | None:
    """The error when a changed received date would fall after the referral's first move."""
    if received_on is None or first_move is None or received_on <= first_move[0]:
        return None
    moved_on, to_stage = first_move
    return (
        f"The date the referral was received must be on or before {moved_on:%-d %B %Y}, "
        f"when it moved to {Stage(to_stage).label.lower()}"
    )


def validate_referral(referral: Referral, *, today: date | None = None) -> None:
    """Every rule a referral must meet, raised together as one ValidationError by field."""
    errors = referral_value_errors(
        {field: getattr(referral, field) for field in EDITABLE_FIELDS}, today=today or timezone.localdate()
    )
    if referral.reference and "reference" not in errors:
        taken = Referral.objects.filter(provider_id=referral.provider_id, reference__iexact=referral.reference.strip())
        existing = taken.exclude(pk=referral.pk).first()
        if existing is not None:
            errors["reference"] = f"You already have a referral with the reference {existing.reference}"
    if referral.pk is not None and "received_on" not in errors:
        # Its timeline must stay in order: received, then each move.
        problem = received_after_first_move(referral.received_on, first_moves([referral.pk]).get(referral.pk))
        if problem:
            errors["received_on"] = problem
    provider = referral.provider
    if provider.kind != OrganisationKind.RJ_PROVIDER:
        errors["provider"] = f"{provider.name} is not an RJ provider"
    elif referral.area_id and not provider.areas.filter(pk=referral.area_id).exists():
        errors["area"] = f"{provider.name} does not serve {referral.area.name}"
    if referral.referring_team_id and referral.area_id and referral.referring_team.area_id != referral.area_id:
        errors["referring_team"] = f"Choose a team from {referral.area.name}"
    try:
        # Uniqueness is checked above, in words; the constraint behind it names no field.
        referral.full_clean(exclude=[*errors, "stage_changed_on"], validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages[0])
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def referral_create(*, actor, provider, **values) -> Referral:
    referral = Referral(provider=provider, stage=Stage.REFERRED, **values)
    referral.stage_changed_on = referral.received_on
    validate_referral(referral)
    set_clock_deadlines(referral)
    referral.save()
    ReferralEvent.objects.create(
        referral=referral, from_stage="", to_stage=Stage.REFERRED, happened_on=referral.received_on, actor=actor
    )
    audit_record(actor=actor, action=AuditAction.CREATE, target=referral, summary=f"Recorded referral {referral}")
    return referral


@transaction.atomic
def referral_update(*, actor, referral: Referral, **values) -> Referral:
    def validate(referral):
        validate_referral(referral)
        set_clock_deadlines(referral)

    changes = audited_update(
        actor=actor,
        instance=referral,
        fields=EDITABLE_FIELDS,
        values=values,
        validate=validate,
        summary=lambda referral: f"Changed referral {referral}",
    )
    if "received_on" in changes:
        # The timeline starts on the received date.
        referral.events.filter(from_stage="").update(happened_on=referral.received_on)
        if referral.stage == Stage.REFERRED:
            referral.stage_changed_on = referral.received_on
            referral.save(update_fields=["stage_changed_on"])
    return referral


def allowed_transitions(referral: Referral) -> list[Stage]:
    if referral.stage not in OPEN_STAGES:
        return []
    return [NEXT_STAGE[Stage(referral.stage)], Stage.CLOSED]


def _date_error(on_date: date | None, *, after: date, after_stage: Stage, today: date) -> str | None:
    if on_date is None:
        return None
    if on_date > today:
        return "The date must be today or in the past"
    if on_date < after:
        return f"The date must be on or after {after:%-d %B %Y}, when it reached {after_stage.label.lower()}"
    return None


def _move_errors(
    stages,
    *,
    reason: str,
    intervention_type: str,
    agreement_reached: bool | None,
    victim_satisfaction: int | None,
    offender_satisfaction: int | None,
) -> dict[str, str]:
    """What the moves into `stages` need besides their dates."""
    errors = {}
    if Stage.CLOSED in stages and not reason:
        errors["reason"] = "Select why the referral was closed"
    if Stage.INTERVENTION in stages and not intervention_type:
        errors["intervention_type"] = "Select the type of intervention"
    if Stage.COMPLETED in stages:
        if agreement_reached is None:
            errors["agreement_reached"] = "Select whether an agreement was reached"
        if victim_satisfaction not in SATISFACTION_SCALE:
            errors["victim_satisfaction"] = "Select the victim's satisfaction from 1 to 5"
        if offender_satisfaction is not None and offender_satisfaction not in SATISFACTION_SCALE:
            errors["offender_satisfaction"] = "Select the offender's satisfaction from 1 to 5"
    return errors


@transaction.atomic
def referral_transition(
    *,
    actor,
    referral: Referral,
    to_stage: str,
    on_date: date,
    reason: str = "",
    intervention_type: str = "",
    agreement_reached: bool | None = None,
    victim_satisfaction: int | None = None,
    offender_satisfaction: int | None = None,
) -> Referral:
    """Move a referral to its next stage, or close it with a reason. Anything not allowed from
    the current stage is refused and nothing changes. Reaching "contacting" counts as the first
    contact attempt."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    from_stage = Stage(referral.stage)
    if to_stage not in allowed_transitions(referral):
        allowed = " or ".join(stage.label.lower() for stage in allowed_transitions(referral)) or "nothing: it has ended"
        wanted = Stage(to_stage).label.lower() if to_stage in Stage.values else repr(to_stage)
        raise ValidationError(
            {"to_stage": f"A referral at {from_stage.label.lower()} can move to {allowed}, not {wanted}"}
        )
    errors = _move_errors(
        [to_stage],
        reason=reason,
        intervention_type=intervention_type,
        agreement_reached=agreement_reached,
        victim_satisfaction=victim_satisfaction,
        offender_satisfaction=offender_satisfaction,
    )
    date_error = _date_error(
        on_date, after=referral.stage_changed_on, after_stage=from_stage, today=timezone.localdate()
    )
    if date_error:
        errors["on_date"] = date_error
    if errors:
        raise ValidationError(errors)

    referral.stage = to_stage
    referral.stage_changed_on = on_date
    if to_stage != Stage.CLOSED:
        referral.furthest_stage = to_stage
    if to_stage == Stage.CLOSED:
        referral.closure_reason = reason
    if to_stage == Stage.CONTACTING:
        referral.contact_attempts += 1
    if to_stage == Stage.INTERVENTION:
        referral.intervention_type = intervention_type
    if to_stage == Stage.COMPLETED:
        referral.agreement_reached = agreement_reached
        referral.victim_satisfaction = victim_satisfaction
        referral.offender_satisfaction = offender_satisfaction
    referral.save()
    ReferralEvent.objects.create(
        referral=referral,
        from_stage=from_stage,
        to_stage=to_stage,
        happened_on=on_date,
        reason=reason if to_stage == Stage.CLOSED else "",
        actor=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        target=referral,
        summary=f"Moved referral {referral} from {from_stage.label.lower()} to {Stage(to_stage).label.lower()}",
        changes={"stage": {"from": from_stage.value, "to": to_stage}, "on": on_date.isoformat()},
    )
    return referral


def later_stages(referral: Referral) -> list[Stage]:
    """The stages a referral may be moved to in one go: any later stage on the path to
    completion, or closed. None once it has ended."""
    if referral.stage not in OPEN_STAGES:
        return []
    position = PATH_STAGES.index(Stage(referral.stage))
    return [*PATH_STAGES[position + 1 :], Stage.CLOSED]


def stages_passed(from_stage: str, to_stage: str) -> list[Stage]:
    """The stages a move from `from_stage` to `to_stage` goes through, in order, ending with
    `to_stage`. Closing goes straight there."""
    if to_stage == Stage.CLOSED:
        return [Stage.CLOSED]
    start, end = PATH_STAGES.index(Stage(from_stage)), PATH_STAGES.index(Stage(to_stage))
    return list(PATH_STAGES[start + 1 : end + 1])


def date_field(stage: str) -> str:
    """The name under which the date a referral reached `stage` is asked for and checked."""
    return f"{stage}_on"


@dataclass(frozen=True)
class AdvancePlan:
    """The moves a referral_advance would make: each stage with the date it was reached."""

    moves: list[tuple[Stage, date]]

    @property
    def to_stage(self) -> Stage:
        return self.moves[-1][0]


def advance_plan(
    referral: Referral,
    *,
    to_stage: str,
    dates: dict[str, date | None],
    reason: str = "",
    intervention_type: str = "",
    agreement_reached: bool | None = None,
    victim_satisfaction: int | None = None,
    offender_satisfaction: int | None = None,
) -> AdvancePlan:
    """Check a move to a later stage without making it: the plan, or a ValidationError with
    every problem by field (`<stage>_on` for dates). A stage in between without a date is taken
    to have been reached on the day of the stage after it. The stage page asks this before
    its confirmation, and referral_advance again before it writes."""
    from_stage = Stage(referral.stage)
    if to_stage not in later_stages(referral):
        if referral.stage not in OPEN_STAGES:
            message = f"The referral is {from_stage.label.lower()}: it cannot move any further"
        else:
            wanted = Stage(to_stage).label.lower() if to_stage in Stage.values else repr(to_stage)
            message = f"A referral at {from_stage.label.lower()} can move to a later stage or close, not {wanted}"
        raise ValidationError({"to_stage": message})
    steps = stages_passed(from_stage, to_stage)
    errors = _move_errors(
        steps,
        reason=reason,
        intervention_type=intervention_type,
        agreement_reached=agreement_reached,
        victim_satisfaction=victim_satisfaction,
        offender_satisfaction=offender_satisfaction,
    )
    filled: dict[Stage, date | None] = {}
    following = None
    for stage in reversed(steps):
        following = filled[stage] = dates.get(stage) or following
    final = steps[-1]
    if filled[final] is None:
        errors[date_field(final)] = (
            "Enter the date the referral was closed"
            if final == Stage.CLOSED
            else f"Enter the date the referral reached {final.label.lower()}"
        )
    today = timezone.localdate()
    after, after_stage = referral.stage_changed_on, from_stage
    for stage in steps:
        problem = _date_error(filled[stage], after=after, after_stage=after_stage, today=today)
        if problem:
            errors.setdefault(date_field(stage), problem)
        elif filled[stage] is not None:
            after, after_stage = filled[stage], stage
    if errors:
        raise ValidationError(errors)
    return AdvancePlan(moves=[(stage, filled[stage]) for stage in steps])


@transaction.atomic
def referral_advance(
    *,
    actor,
    referral: Referral,
    to_stage: str,
    dates: dict[str, date | None],
    reason: str = "",
    intervention_type: str = "",
    agreement_reached: bool | None = None,
    victim_satisfaction: int | None = None,
    offender_satisfaction: int | None = None,
) -> Referral:
    """Move a referral to any later stage (or close it), through each stage in between, each
    move by referral_transition's rules: one timeline event and one audit event per stage.
    Every problem is raised at once (see advance_plan) and nothing changes unless every move
    can be made."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    outcome = {
        "reason": reason,
        "intervention_type": intervention_type,
        "agreement_reached": agreement_reached,
        "victim_satisfaction": victim_satisfaction,
        "offender_satisfaction": offender_satisfaction,
    }
    plan = advance_plan(referral, to_stage=to_stage, dates=dates, **outcome)
    for stage, on_date in plan.moves:
        referral = referral_transition(
            actor=actor,
            referral=referral,
            to_stage=stage,
            on_date=on_date,
            reason=reason if stage == Stage.CLOSED else "",
            intervention_type=intervention_type if stage == Stage.INTERVENTION else "",
            **({key: outcome[key] for key in COMPLETION_FIELDS} if stage == Stage.COMPLETED else {}),
        )
    return referral


COMPLETION_FIELDS = ("agreement_reached", "victim_satisfaction", "offender_satisfaction")


def latest_move(referral: Referral) -> ReferralEvent | None:
    """The referral's latest move that stands (not corrected), which may be corrected; None
    while it has not moved from "referred"."""
    latest = referral.events.filter(corrected_at__isnull=True).order_by("-happened_on", "-id").first()
    if latest is None or not latest.from_stage:
        return None
    return latest


@transaction.atomic
def referral_move_correct(*, actor, referral: Referral, reason: str) -> Referral:
    """Undo the latest move recorded by mistake: the event stays in the timeline, marked
    corrected (when, by whom, why), and the referral goes back to the stage it moved from, with
    what that move recorded (a closure reason, an intervention type, an outcome, the contact
    attempt of reaching "contacting") taken off again."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    event = latest_move(referral)
    errors = {}
    if event is None:
        errors["__all__"] = "The referral has no move to correct: it is still at referred"
    if reason not in CorrectionReason.values:
        errors["reason"] = "Select why the move is being corrected"
    if errors:
        raise ValidationError(errors)
    moved_to, back_to = Stage(event.to_stage), Stage(event.from_stage)
    standing = referral.events.filter(corrected_at__isnull=True).exclude(pk=event.pk)
    previous = standing.order_by("-happened_on", "-id").first()
    reached = set(standing.values_list("to_stage", flat=True))

    referral.stage = back_to
    referral.stage_changed_on = previous.happened_on if previous else referral.received_on
    referral.furthest_stage = [stage for stage in PATH_STAGES if stage in reached or stage == back_to][-1]
    if moved_to == Stage.CLOSED:
        referral.closure_reason = ""
    if moved_to == Stage.CONTACTING:
        referral.contact_attempts = max(referral.contact_attempts - 1, 0)
    if moved_to == Stage.INTERVENTION:
        referral.intervention_type = ""
    if moved_to == Stage.COMPLETED:
        referral.agreement_reached = referral.victim_satisfaction = referral.offender_satisfaction = None
    referral.save()
    event.corrected_at = timezone.now()
    event.corrected_by = actor if actor is not None and actor.is_authenticated else None
    event.correction_reason = reason
    event.save(update_fields=["corrected_at", "corrected_by", "correction_reason"])
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        target=referral,
        summary=(
            f"Corrected the move of referral {referral} from {back_to.label.lower()} to "
            f"{moved_to.label.lower()} ({CorrectionReason(reason).label.lower()}): back at {back_to.label.lower()}"
        ),
        changes={
            "stage": {"from": moved_to.value, "to": back_to.value},
            "corrected_event": event.pk,
            "moved_on": event.happened_on.isoformat(),
            "reason": reason,
        },
    )
    return referral


# Stages at which the provider is still trying to reach the parties.
CONTACT_STAGES = (Stage.CONTACTING, Stage.ASSESSING, Stage.PREPARING, Stage.INTERVENTION)


@transaction.atomic
def referral_contact_attempt_record(*, actor, referral: Referral) -> Referral:
    """Count one more attempt to contact the parties. Reaching "contacting" counts the first."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.stage not in CONTACT_STAGES:
        if referral.stage == Stage.REFERRED:
            message = "Move the referral to contacting first: that counts as the first contact attempt"
        else:
            message = f"The referral is {Stage(referral.stage).label.lower()}: no more contact attempts are recorded"
        raise ValidationError({"__all__": message})
    attempts = referral.contact_attempts
    if attempts >= 32767:
        raise ValidationError({"__all__": "The referral already has the most contact attempts that can be recorded"})
    referral.contact_attempts = attempts + 1
    referral.save(update_fields=["contact_attempts", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=referral,
        summary=f"Recorded contact attempt {attempts + 1} on referral {referral}",
        changes={"contact_attempts": {"from": attempts, "to": attempts + 1}},
    )
    return referral


# Referring teams ---------------------------------------------------------------------------

TEAM_EDITABLE_FIELDS = ["area", "name", "category", "staff_count"]


def team_name_taken(*, area, name: str, team: ReferringTeam | None = None) -> str | None:
    """The error to show when the area already has a team of this name (ignoring case and
    surrounding spaces), or None. The form asks this too, so that it shows with other problems."""
    if area is None or not name.strip():
        return None
    others = ReferringTeam.objects.filter(area=area, name__iexact=name.strip())
    if team is not None and team.pk is not None:
        others = others.exclude(pk=team.pk)
    existing = others.first()
    if existing is None:
        return None
    return f"{area.name} already has a team called {existing.name}"


def validate_referring_team(team: ReferringTeam, *, moving_from=None) -> None:
    """Every rule a team must meet, raised together as one ValidationError by field.
    `moving_from` is the area a changed team was in."""
    errors = {}
    clash = team_name_taken(area=team.area if team.area_id else None, name=team.name, team=team)
    if clash:
        errors["name"] = [clash]
    if moving_from is not None and team.area_id != moving_from.pk and team.referrals.exists():
        # Each referral's team must be in the referral's area.
        errors["area"] = [f"{team.name} has referrals in {moving_from.name}, so it cannot move to another area"]
    try:
        # The name check above says which team clashes; the unique constraint it stands for
        # names no field, so it is left out once the name has failed.
        team.full_clean(exclude=list(errors))
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def referring_team_create(*, actor, area, name: str, category: str, staff_count: int | None = None) -> ReferringTeam:
    team = ReferringTeam(area=area, name=(name or "").strip(), category=category, staff_count=staff_count)
    validate_referring_team(team)
    team.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=team,
        summary=f"Added referring team {team}",
        changes={"area": area.code, "name": team.name, "category": category, "staff_count": staff_count},
    )
    return team


@transaction.atomic
def referring_team_update(*, actor, team: ReferringTeam, **fields) -> ReferringTeam:
    """Change a team's name, category, staff count or area (only while it has no referrals).
    If anything is wrong nothing changes, the team passed in included."""
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
    area_before = team.area
    audited_update(
        actor=actor,
        instance=team,
        fields=TEAM_EDITABLE_FIELDS,
        values=fields,
        validate=lambda team: validate_referring_team(team, moving_from=area_before),
        summary=lambda team: f"Changed referring team {team}",
    )
    return team


# Retention ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralPurgeResult:
    finished_before: date  # referrals completed or closed before this day were due to go
    referrals: int
    events: int


# Quarterly returns and last year's comparisons need at least a year of finished cases.
MIN_RETENTION_MONTHS = 12


def referral_retention_months() -> int:
    return settings.REFERRAL_RETENTION_MONTHS


@transaction.atomic
def referrals_purge_expired(
    *, months: int | None = None, dry_run: bool = False, today: date | None = None
) -> ReferralPurgeResult:
    """Delete referrals, with their timelines, completed or closed more than `months` ago (the
    REFERRAL_RETENTION_MONTHS setting by default): case-level records about criminal offences
    are kept only as long as they are needed. Open referrals are kept however old. One audit
    event records how many went, never which. Safe to run every day; with dry_run, counts only."""
    months = referral_retention_months() if months is None else months
    if months < MIN_RETENTION_MONTHS:
        raise ValueError(f"Referrals are kept for at least {MIN_RETENTION_MONTHS} months after they finish.")
    cutoff = months_before(today or timezone.localdate(), months)
    expired = Referral.objects.filter(stage__in=[Stage.COMPLETED, Stage.CLOSED], stage_changed_on__lt=cutoff)
    result = ReferralPurgeResult(
        finished_before=cutoff,
        referrals=expired.count(),
        events=ReferralEvent.objects.filter(referral__in=expired).count(),
    )
    if dry_run or not result.referrals:
        return result
    expired.delete()
    audit_record(
        actor=None,
        action=AuditAction.DELETE,
        summary=(
            f"Deleted {result.referrals} referrals completed or closed before {cutoff:%-d %B %Y} "
            f"(kept for {months} months)"
        ),
        changes={"referrals": result.referrals, "events": result.events, "finished_before": cutoff.isoformat()},
    )
    return result
