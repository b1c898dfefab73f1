"""How far a row of the referral file says a referral has got (its stage columns), checked by
the rules of a move on the stage page (referrals.services.advance_plan): each stage in turn and
never back, dates in order and not in the future, a stage passed without a date taken as
reached on the day of the stage after it, a reason to close, a type of intervention, an outcome
to complete. The result is the moves that take the referral there, each to be recorded as a
timeline event (and, for a referral already in the portal, an audit event), as a move on the
stage page is.

Pure functions of the row and of the referral as the portal has it, so that checking a large
file costs no query per row. A new referral starts at referred on the day it was received; a
referral the provider uploaded before starts where the portal has it, and what the portal has
already recorded (a stage's date, an intervention type, an outcome) must agree with the row:
a move recorded by mistake is corrected on the referral's page, not by a file."""

import functools
from dataclasses import dataclass, field
from datetime import date

from .columns import STAGE_DATE_COLUMN_NAMES
from .constants import PATH_STAGES, ClosureReason, InterventionType, Stage
from .services import _date_error

STAGE_ORDER = {stage: index for index, stage in enumerate(PATH_STAGES)}
ENDED = (Stage.COMPLETED, Stage.CLOSED)
INTERVENTION = STAGE_ORDER[Stage.INTERVENTION]
CONTACTING = STAGE_ORDER[Stage.CONTACTING]
# The referral's fields a move sets, in this order in StagePlan.fields.
STAGE_FIELDS = [
    "stage",
    "stage_changed_on",
    "furthest_stage",
    "intervention_type",
    "closure_reason",
    "agreement_reached",
    "victim_satisfaction",
    "offender_satisfaction",
]
COMPLETION_COLUMNS = ("agreement_reached", "victim_satisfaction", "offender_satisfaction")

MISSING_MESSAGES = {
    "intervention_type": "Enter the type of intervention, as a code or name from the column guide",
    "closure_reason": "Enter why the referral was closed, as a code or name from the column guide",
    "agreement_reached": "Enter yes or no: whether an agreement was reached",
    "victim_satisfaction": "Enter the victim's satisfaction, a whole number from 1 to 5",
}
NOT_REACHED_MESSAGES = {
    "intervention_type": "Leave this empty: the referral has not reached intervention",
    "closure_reason": "Leave this empty: the referral is not closed",
    "agreement_reached": "Leave this empty: the referral has not completed",
    "victim_satisfaction": "Leave this empty: the referral has not completed",
    "offender_satisfaction": "Leave this empty: the referral has not completed",
}
RECORDED_NAMES = {
    "intervention_type": "intervention type",
    "closure_reason": "closure reason",
    "agreement_reached": "answer to whether an agreement was reached",
    "victim_satisfaction": "victim's satisfaction",
    "offender_satisfaction": "offender's satisfaction",
}
CLOSED_WITHOUT_COMPLETING = "Leave this empty: a referral that completed is not closed. Give completed as its stage"


def _label(stage: Stage) -> str:
    return stage.label.lower()


@dataclass(slots=True)
class StageCells:
    """What a row's stage columns say, as values. A cell that is empty, or could not be read
    (its problem is reported for its column), is absent: None, "" or left out of `dates`."""

    stage: Stage
    dates: dict[Stage, date] = field(default_factory=dict)
    intervention_type: str = ""
    closure_reason: str = ""
    agreement_reached: bool | None = None
    victim_satisfaction: int | None = None
    offender_satisfaction: int | None = None


@dataclass(frozen=True, slots=True)
class StageState:
    """A referral's stage as the portal has it. `reached_on` gives the date each stage was
    reached, from its timeline (moves that stand, not corrected ones)."""

    stage: Stage
    changed_on: date
    furthest: Stage = Stage.REFERRED
    reached_on: dict = field(default_factory=dict)
    intervention_type: str = ""
    closure_reason: str = ""
    agreement_reached: bool | None = None
    victim_satisfaction: int | None = None
    offender_satisfaction: int | None = None

    @classmethod
    @functools.lru_cache(maxsize=4096)  # dates repeat, and a state is never changed
    def received(cls, received_on: date) -> "StageState":
        """A new referral: at referred since the day it was received."""
        return cls(Stage.REFERRED, received_on)


@dataclass(frozen=True, slots=True)
class StagePlan:
    fields: tuple  # the referral's STAGE_FIELDS once moved
    moves: list  # (from stage, to stage, date, reason), in order; empty if the row is not ahead of the portal

    @property
    def reached_contacting(self) -> bool:
        return STAGE_ORDER[self.fields[2]] >= CONTACTING


def stage_plan(cells: StageCells, state: StageState, *, today: date) -> tuple[StagePlan | None, dict[str, str]]:
    """The moves that take a referral at `state` to where `cells` say it is, or the problems
    by column (and no plan)."""
    errors: dict[str, str] = {}
    target, current, dates = cells.stage, state.stage, cells.dates
    closing = target == Stage.CLOSED
    if closing:
        if Stage.COMPLETED in dates:
            errors[STAGE_DATE_COLUMN_NAMES[Stage.COMPLETED]] = CLOSED_WITHOUT_COMPLETING
        # Closed after the furthest stage on the path the row gives a date for.
        path_end = max((STAGE_ORDER[stage] for stage in dates if stage not in ENDED), default=0)
    else:
        path_end = STAGE_ORDER[target]
        for stage in dates:
            if stage == Stage.CLOSED or STAGE_ORDER[stage] > path_end:
                errors[STAGE_DATE_COLUMN_NAMES[stage]] = (
                    f"Leave this empty: the stage column says the referral is at {_label(target)}"
                )

    if current in ENDED:
        if target != current:
            errors["stage"] = (
                f"The referral is {_label(current)} in the portal, so a file cannot change its stage. If that was "
                "recorded by mistake, correct the move on the referral's page"
            )
            return None, errors
        reached = STAGE_ORDER[state.furthest]
        steps: list[Stage] = []
    else:
        reached = STAGE_ORDER[current]
        if not closing and path_end < reached:
            errors["stage"] = (
                f"The referral is at {_label(current)} in the portal, after {_label(target)}: a file cannot move a "
                "referral back. If a move was recorded by mistake, correct it on the referral's page"
            )
            return None, errors
        steps = list(PATH_STAGES[reached + 1 : path_end + 1])
        if closing:
            steps.append(Stage.CLOSED)

    # Dates of stages already reached must be the portal's.
    for stage, day in dates.items():
        if stage in steps:
            continue
        column = STAGE_DATE_COLUMN_NAMES[stage]
        if stage == Stage.CLOSED or STAGE_ORDER[stage] <= reached:
            if stage == Stage.CLOSED and current != Stage.CLOSED:
                continue  # reported above: the stage column says otherwise
            recorded = state.reached_on.get(stage, state.changed_on if stage == current else None)
            if recorded is not None and recorded != day:
                errors.setdefault(
                    column,
                    f"The referral reached {_label(stage)} on {recorded:%-d %B %Y} in the portal. To change the "
                    "date, correct the move on the referral's page",
                )
        elif current == Stage.CLOSED:
            errors.setdefault(
                column, f"Leave this empty: the referral was closed in the portal without reaching {_label(stage)}"
            )

    # The moves, as advance_plan makes them.
    filled: dict[Stage, date | None] = {}
    following = None
    for stage in reversed(steps):
        following = filled[stage] = dates.get(stage) or following
    if steps and filled[steps[-1]] is None:
        final = steps[-1]
        errors.setdefault(
            STAGE_DATE_COLUMN_NAMES[final],
            "Enter the date the referral was closed"
            if final == Stage.CLOSED
            else f"Enter the date the referral reached {_label(final)}",
        )
    after, after_stage = state.changed_on, current
    for stage in steps:
        day = filled[stage]
        if day is None:
            continue
        if day > today or day < after:
            errors.setdefault(
                STAGE_DATE_COLUMN_NAMES[stage], _date_error(day, after=after, after_stage=after_stage, today=today)
            )
        else:
            after, after_stage = day, stage

    # What closing, intervention and completion record.
    for column, given, moving, recorded in (
        ("intervention_type", cells.intervention_type or None, Stage.INTERVENTION, reached >= INTERVENTION),
        ("closure_reason", cells.closure_reason or None, Stage.CLOSED, current == Stage.CLOSED),
        ("agreement_reached", cells.agreement_reached, Stage.COMPLETED, current == Stage.COMPLETED),
        ("victim_satisfaction", cells.victim_satisfaction, Stage.COMPLETED, current == Stage.COMPLETED),
        ("offender_satisfaction", cells.offender_satisfaction, Stage.COMPLETED, current == Stage.COMPLETED),
    ):
        if moving in steps:
            if given is None and column in MISSING_MESSAGES:
                errors.setdefault(column, MISSING_MESSAGES[column])
        elif given is not None:
            if not recorded:
                errors.setdefault(column, NOT_REACHED_MESSAGES[column])
            elif getattr(state, column) not in (None, "", given):
                errors.setdefault(column, _recorded_otherwise(column, getattr(state, column)))
    if errors:
        return None, errors

    if not steps:
        return StagePlan(_fields(state), []), errors
    moves, previous = [], current
    for stage in steps:
        moves.append((previous, stage, filled[stage], cells.closure_reason if stage == Stage.CLOSED else ""))
        previous = stage
    path = [stage for stage in steps if stage != Stage.CLOSED]
    completing = Stage.COMPLETED in steps
    fields = (
        steps[-1],
        filled[steps[-1]],
        path[-1] if path else state.furthest,
        cells.intervention_type if Stage.INTERVENTION in steps else state.intervention_type,
        cells.closure_reason if closing else state.closure_reason,
        *(getattr(cells if completing else state, column) for column in COMPLETION_COLUMNS),
    )
    return StagePlan(fields, moves), errors


def _recorded_otherwise(column: str, recorded) -> str:
    """A value a move recorded in the portal that the row gives otherwise."""
    shown = ""
    if column == "intervention_type":
        shown = f" ({InterventionType(recorded).label})"
    elif column == "closure_reason":
        shown = f" ({ClosureReason(recorded).label})"
    return (
        f"The portal records another {RECORDED_NAMES[column]} for this referral{shown}. To change it, correct the "
        "move on the referral's page"
    )


def _fields(state: StageState) -> tuple:
    return (
        state.stage,
        state.changed_on,
        state.furthest,
        state.intervention_type,
        state.closure_reason,
        state.agreement_reached,
        state.victim_satisfaction,
        state.offender_satisfaction,
    )


def referred_fields(received_on: date) -> tuple:
    """STAGE_FIELDS of a new referral at referred."""
    return (Stage.REFERRED, received_on, Stage.REFERRED, "", "", None, None, None)
