"""Bulk import of referrals by an RJ provider, from CSV (UTF-8, comma or semicolon) or XLSX.

The file is read once, a chunk at a time, so that memory does not grow with its size. Every
row is checked, and every problem collected, before anything is written: while no row is wrong,
checked new rows are kept aside in a temporary file (on PostgreSQL as COPY's text), and only
once the whole file is known to be valid are they written to the referrals table, with one COPY
on PostgreSQL, in one short transaction. So an invalid file writes nothing to the database: no
dead rows and no ids used. A referral is matched on
provider and reference, so uploading the same file again updates rather than duplicates.

References are compared without regard to capital letters: "RJ-1" and "rj-1" on two rows of a
file are the same reference (the second is refused), and a row whose reference differs only in
capital letters from one of the provider's referrals is refused rather than creating a second.

Imports of one provider take turns (a PostgreSQL advisory lock held for the import), but nothing
else waits for them: the provider's row is not locked, so the web form and the API go on writing
its referrals, and a reference saved by them while a file is being checked is reported on the
file's row instead of failing on the unique constraint.

A row's stage columns (optional, and a file may leave them out) say how far the referral has
got: a new referral may start at any stage, and one uploaded before moves on to the row's stage,
never back, by the stage page's rules (referrals.import_stages). Each move is written as a
timeline event and an audit event, in bulk with the rest of the file.

Error messages never repeat what a cell holds: they name the row and the column, so that
they can be kept and shown again without carrying anything a provider typed."""

import contextlib
import csv
import functools
import gc
import io
import itertools
import json
import operator
import pickle
import posixpath
import re
import shutil
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import PurePath
from types import SimpleNamespace
from xml.etree import ElementTree

import pandas as pd
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.db.models import Max
from django.utils import timezone

from rjportal.accounts.constants import Role
from rjportal.areas.models import PoliceArea
from rjportal.audit.constants import AuditAction
from rjportal.audit.models import AuditEvent
from rjportal.audit.services import audit_record
from rjportal.imports import ImportRejected, RowError
from rjportal.organisations.constants import OrganisationKind
from rjportal.organisations.models import Organisation

from .columns import (
    COLUMN_NAMES,
    DATE_COLUMN_NAMES,
    IMPORT_COLUMNS,
    OPTIONAL_COLUMN_NAMES,
    STAGE_DATE_COLUMN_NAMES,
    TEMPLATE_COLUMNS,
)
from .columns import EXAMPLE_ROW as EXAMPLE_ROW  # the template's example row, as before
from .constants import (
    REFERRAL_OFFENCE_GROUPS,
    REFERRAL_OFFENCE_SUBGROUPS,
    SATISFACTION_SCALE,
    ClosureReason,
    Initiator,
    InterventionType,
    JusticeStage,
    Stage,
)
from .import_stages import STAGE_FIELDS, StageCells, StageState, referred_fields, stage_plan
from .models import Referral, ReferralEvent, ReferralImportJob, ReferringTeam
from .services import EDITABLE_FIELDS, first_moves, received_after_first_move, set_clock_deadlines
from .validation import referral_value_errors

CHUNK_ROWS = 5000  # rows read, checked and written at a time
MAX_ERRORS = 1000  # problems kept and shown; the count of any others is reported
SPOOL_MEMORY_BYTES = 8 * 1024 * 1024  # rows matching existing referrals beyond this wait on disk
MAX_CONTACT_ATTEMPTS = 32767
REFERENCE_MAX_LENGTH = Referral._meta.get_field("reference").max_length

YES_NO_FIELDS = [
    "hate_crime",
    "domestic_abuse",
    "sexual_harm",
    "offender_under_18",
    "victim_enhanced_rights",
]

# The template's columns, in order (referrals.columns). Every one must be in the file's header
# row, but for those added later (the stage columns), which a file may leave out.
COLUMNS = COLUMN_NAMES
OPTIONAL_COLUMNS = OPTIONAL_COLUMN_NAMES
MAY_BE_LEFT_OUT = {column.name for column in TEMPLATE_COLUMNS if not column.always_in_file}
COLUMN_ORDER = {column: index for index, column in enumerate(COLUMNS)}
STAGE_START = len(IMPORT_COLUMNS)  # where a row's stage columns start
STAGE_COLUMN_NAMES = COLUMNS[STAGE_START:]
# Where each stage column is among a row's stage cells.
STAGE_CELL = STAGE_COLUMN_NAMES.index("stage")
STAGE_DATE_CELLS = [
    (stage, column, STAGE_COLUMN_NAMES.index(column)) for stage, column in STAGE_DATE_COLUMN_NAMES.items()
]
STAGE_CHOICE_CELLS = [(column, STAGE_COLUMN_NAMES.index(column)) for column in ("intervention_type", "closure_reason")]
AGREEMENT_CELL = STAGE_COLUMN_NAMES.index("agreement_reached")
SATISFACTION_CELLS = [
    (column, STAGE_COLUMN_NAMES.index(column)) for column in ("victim_satisfaction", "offender_satisfaction")
]

CHOICES = {
    "initiator": [(choice.value, choice.label) for choice in Initiator],
    "offence_group": [(offence.value, offence.label) for offence in REFERRAL_OFFENCE_GROUPS],
    "offence_subgroup": [(offence.value, offence.label) for offence in REFERRAL_OFFENCE_SUBGROUPS],
    "justice_stage": [(choice.value, choice.label) for choice in JusticeStage],
    "stage": Stage.choices,
    "intervention_type": InterventionType.choices,
    "closure_reason": ClosureReason.choices,
}

MISSING_MESSAGES = {
    "reference": "Enter your case reference",
    "police_area_code": "Enter the police force area code",
    "referring_team": "Enter the referring team",
    "initiator": "Enter who asked for restorative justice",
    "offence_group": "Enter the offence group",
    "justice_stage": "Enter the justice stage",
    "referred_on": "Enter the referral date",
    "received_on": "Enter the date the referral was received",
}
CHOICE_MESSAGES = {
    "initiator": "Enter victim, offender or practitioner",
    "offence_group": "Enter an offence group code or name from the column guide",
    "offence_subgroup": "Enter an offence subgroup code or name from the column guide, or leave it empty",
    "justice_stage": "Enter a justice stage code or name from the column guide",
    "stage": "Enter a stage code or name from the column guide",
    "intervention_type": "Enter an intervention type code or name from the column guide",
    "closure_reason": "Enter a closure reason code or name from the column guide",
}
STAGE_MISSING_MESSAGE = "Enter the stage the referral has reached, or leave the stage columns after it empty"
SATISFACTION_MESSAGE = "Enter a whole number from 1 to 5, or leave it empty"
YES_NO_MESSAGE = "Enter yes or no"
DATE_MESSAGE = "Enter a date like 2026-01-31 or 31/01/2026"
CONTACT_ATTEMPTS_MESSAGE = "Enter a whole number of contact attempts, like 0 or 3, or leave it empty for 0"
AREA_MESSAGE = "Enter a police force area code from the column guide, like E23000032"
TEAM_NOWHERE_MESSAGE = "There is no referring team with this name in the areas your organisation serves"
REFERENCE_LENGTH_MESSAGE = f"The reference must be {REFERENCE_MAX_LENGTH} characters or fewer"
# A NUL character cannot be stored in a database text column (PostgreSQL refuses it).
CONTROL_CHARACTER_MESSAGE = "This cell contains a NUL character, which cannot be stored: delete it and save again"

_UNSEEN = object()
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}
EXCEL_LAST_SERIAL = 2958466  # 31 December 9999
EXCEL_EPOCH = date(1899, 12, 30)  # serial day 0 in Excel's 1900 date system (after its 1900 leap-year bug)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    moved: int = 0  # of those created or updated, how many the file moved on from where they were

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


Progress = Callable[[str, int, int | None], None]  # (phase, rows done so far, total rows if known)


def referral_file_check(*, source, filename: str) -> None:
    """The quick checks an upload passes before it is queued, in a fraction of a second even for
    the largest file: its name, its type, a workbook's parts and their sizes, and a CSV file's
    encoding and column names. Raises ImportRejected."""
    check_extension(filename)
    with _seekable(source) as stream:
        _open_reader(stream, quick=True)


def referral_import(
    *,
    actor,
    provider: Organisation,
    source,
    filename: str = "",
    progress: Progress | None = None,
    import_job: ReferralImportJob | None = None,
) -> ImportResult:
    """Create or update `provider`'s referrals from a file, checking every row. Raises
    ImportRejected, listing every problem by row and column, and writes nothing if any row
    is wrong. `source` is a binary file (seekable or not) or bytes; `filename`, when given,
    must end in .csv or .xlsx. `actor` is None for a command-line import. The referrals the
    file creates or changes are marked as last imported by `import_job`, when given (an
    upload on the web), so that the list can show them."""
    _check_importer(actor, provider)
    check_extension(filename)
    with _seekable(source) as stream:
        reader = _open_reader(stream)  # a file that is not the template stops here
        return _import(
            reader, actor=actor, provider=provider, filename=filename, progress=progress, import_job=import_job
        )


MAX_API_ROWS = 1000  # rows in one request to the API; more go in several requests, or as a file


def referral_rows_import(*, actor, provider: Organisation, rows: list[dict]) -> ImportResult:
    """The same import from rows given as {column name: text} (the API's), by the same rules
    and in the same words; rows are numbered from 1, in the order given. A column the row
    leaves out is empty."""
    _check_importer(actor, provider)
    return _import(_RowsReader(rows), actor=actor, provider=provider, filename="", progress=None, import_job=None)


def _check_importer(actor, provider: Organisation) -> None:
    check_actor(actor, provider)
    if provider.kind != OrganisationKind.RJ_PROVIDER:
        raise ImportRejected([RowError(None, "", f"{provider.name} is not an RJ provider")])


def _import(reader, *, actor, provider, filename, progress, import_job) -> ImportResult:
    with (
        _collector_paused(),
        tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES) as matched,
        contextlib.closing(_SeenReferences()) as seen,
    ):
        writer = _ReferralWriter(actor=actor, provider=provider, filename=filename, import_job=import_job)
        with _provider_turn(provider), contextlib.closing(writer):
            checked_from = timezone.now()
            parser = _RowParser(provider, today=timezone.localdate())
            rows = _CheckedRows(
                reader,
                parser,
                existing=writer.existing_references(),
                matched=matched,
                seen=seen,
            )
            # Checked new rows wait in the writer's temporary file, not in the referrals table.
            writer.stage(rows.new(progress))
            rows.raise_if_rejected()
            if progress:
                progress("save", 0, rows.checked)
            try:
                with transaction.atomic(using=writer.connection.alias):
                    rows.raise_if_saved_meanwhile(since=checked_from)
                    created = writer.create_staged()
                    if progress:
                        progress("save", created, rows.checked)
                    matched.seek(0)
                    updated, unchanged = writer.update_matched(
                        _unpickled(matched), total=rows.matched, progress=progress
                    )
                    result = ImportResult(
                        created=created, updated=updated, unchanged=unchanged, moved=writer.moved_referrals
                    )
                    _audit(actor=actor, provider=provider, filename=filename, result=result)
            except IntegrityError:
                # The web form or the API saved one of the file's references a moment ago.
                raise ImportRejected([RowError(None, "reference", SAVED_MEANWHILE_MESSAGE)]) from None
    return result


SAVED_MEANWHILE_MESSAGE = (
    "A referral with one of the file's references was saved while the file was being checked. "
    "Upload the file again: that row will then update the referral."
)
MOVED_MEANWHILE_MESSAGE = (
    "A referral the file moves to a later stage was changed on the web or through the API while the file was "
    "being checked. Upload the file again: it will then be checked against the referral as it is now."
)
CASE_DIFFERENCE_MESSAGE = (
    "You already have a referral with this reference in other capital letters. Use the same capital letters "
    "to update it, or use another reference"
)
IMPORT_LOCK_CLASS = 0x524A  # the first key of the advisory lock that lets one import of a provider run at a time


@contextlib.contextmanager
def _collector_paused():
    """Python's cyclic garbage collector off while a file is imported. Each row makes a few
    small objects (its values, its stage and moves), none in a reference cycle, so they are
    freed as usual without it; but their number sets it off again and again, each time over
    every object in the process, which took as long as checking the rows themselves."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@contextlib.contextmanager
def _provider_turn(provider: Organisation):
    """Let one import of `provider` run at a time. On PostgreSQL a session advisory lock keyed
    on the provider: it blocks only another import of the same provider, never the provider's
    row or referrals, so the web form and the API are not held up. SQLite takes one writer at
    a time anyway, and a reference two writers both add fails on the unique constraint."""
    connection = connections[router.db_for_write(Referral)]
    if connection.vendor != "postgresql":
        yield
        return
    key = [IMPORT_LOCK_CLASS, provider.pk % 2**31]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", key)
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
        except DatabaseError:
            # The connection is unusable: closing it ends the session, and so its lock, rather
            # than leave the provider's imports waiting on a session kept open for reuse.
            connection.close()


class _ExistingReferences:
    """The provider's referrals by reference, found whatever the capital letters: a reference
    in the file matches the referral with exactly that reference, and one that differs only in
    capital letters from a referral's is a conflict."""

    CASE_DIFFERENCE = -1

    def __init__(self, pairs):
        self.by_key: dict[str, tuple | list] = {}
        by_key = self.by_key
        for reference, pk in pairs:
            key = reference.lower()
            found = by_key.get(key)
            if found is None:
                by_key[key] = (reference, pk)
            elif type(found) is tuple:
                by_key[key] = [found, (reference, pk)]
            else:
                found.append((reference, pk))

    def pk(self, reference: str | None) -> int | None:
        """The referral's id; None for a new reference; CASE_DIFFERENCE for a conflict."""
        if not reference:
            return None
        found = self.by_key.get(reference.lower())
        if found is None:
            return None
        if type(found) is tuple:
            return found[1] if found[0] == reference else self.CASE_DIFFERENCE
        return next((pk for known, pk in found if known == reference), self.CASE_DIFFERENCE)

    def __contains__(self, key: str) -> bool:
        return key in self.by_key


class _CheckedRows:
    """Reads and checks the file a chunk at a time. While no row is wrong, `new` yields each
    chunk's new referrals (for the writer to stage) and keeps those matching an existing
    referral in `matched` for afterwards; once a row is wrong it yields nothing more, but goes
    on checking so that every problem in the file is listed."""

    def __init__(
        self,
        reader,
        parser: "_RowParser",
        *,
        existing: _ExistingReferences,
        matched,
        seen: "_SeenReferences",
    ):
        self.reader = reader
        self.parser = parser
        self.existing = existing
        self.spool = matched
        self.compared = operator.itemgetter(*COMPARED_FIELDS)  # a row's values, in the writer's order
        self.errors: list[RowError] = []
        self.more_errors = 0
        self.rows = 0
        self.checked = 0  # valid rows
        self.matched = 0
        self.seen = seen

    def new(self, progress: Progress | None) -> Iterator[list[tuple]]:
        """Each chunk's new referrals, as (values, stage fields, moves)."""
        existing, compared, check = self.existing, self.compared, self.parser.check
        errors = self.errors
        case_difference = _ExistingReferences.CASE_DIFFERENCE
        today = self.parser.today
        for chunk in self.reader.chunks():
            first_rows = self.seen.first_rows([(_text(cells[0]), line) for line, cells in chunk])
            checked, needs_state, updates_received = [], [], []
            for line, cells in chunk:
                reference = _text(cells[0])
                first_line, first_reference = first_rows.get(reference.lower(), (None, reference))
                values, row_errors = check(
                    line, cells, first_line=first_line, other_capitals=first_reference != reference
                )
                pk = existing.pk(values.get("reference"))
                if pk == case_difference:
                    if not any(error.column == "reference" for error in row_errors):
                        row_errors.insert(0, RowError(line, "reference", CASE_DIFFERENCE_MESSAGE))
                elif pk is not None:
                    if values["stage_cells"] is not None:
                        needs_state.append(pk)
                    if values.get("received_on") is not None and not any(
                        error.column == "received_on" for error in row_errors
                    ):
                        updates_received.append(pk)
                checked.append((line, values, row_errors, pk))
            # Where the portal has the referrals whose rows give a stage, and when those whose
            # rows give a received date first moved on: a query or two a chunk, none for new rows.
            states = _stage_states(needs_state) if needs_state else {}
            moved_first = _first_moves(updates_received) if updates_received else {}
            new, matched = [], []
            for line, values, row_errors, pk in checked:
                if pk in moved_first:
                    # An update may not put the received date after the referral's first move.
                    problem = received_after_first_move(values["received_on"], moved_first[pk])
                    if problem:
                        row_errors.append(RowError(line, "received_on", problem))
                stage_cells, plan = values["stage_cells"], None
                if stage_cells is not None:
                    received_on = values.get("received_on")
                    state = states.get(pk) if pk is not None and pk != case_difference else None
                    if state is None:
                        state = StageState.received(received_on or date.min)
                    elif state.stage == Stage.REFERRED and received_on is not None:
                        state = replace(state, changed_on=received_on)  # the row's received date, if it changes
                    plan, problems = stage_plan(stage_cells, state, today=today)
                    if problems:
                        row_errors = _with_problems(line, row_errors, problems)
                    elif plan.reached_contacting and values.get("contact_attempts") == 0:
                        values["contact_attempts"] = 1  # reaching contacting counts the first attempt
                if row_errors:
                    room = MAX_ERRORS - len(errors)
                    errors.extend(row_errors[:room])
                    self.more_errors += max(0, len(row_errors) - room)
                elif not errors:
                    if pk is None:
                        fields = referred_fields(values["received_on"]) if plan is None else plan.fields
                        new.append((compared(values), fields, plan.moves if plan is not None else None))
                    elif plan is not None and plan.moves:
                        # Moved only if the portal still has it where it was checked.
                        checked_at = (plan.moves[0][0], states[pk].changed_on)
                        matched.append((pk, compared(values), (plan, checked_at)))
                    else:
                        matched.append((pk, compared(values), None))
            self.rows += len(chunk)
            if not errors:
                self.checked += len(new) + len(matched)
                if matched:
                    pickle.dump(matched, self.spool, protocol=pickle.HIGHEST_PROTOCOL)
                    self.matched += len(matched)
                if new:
                    yield new
            if progress:
                progress("check", self.rows, None)

    def raise_if_rejected(self) -> None:
        errors = list(self.errors)
        if self.rows == 0 and not errors:
            errors.append(RowError(None, "", "The file has a header but no rows."))
        if self.more_errors:
            errors.append(
                RowError(
                    None, "", f"There are {self.more_errors} more problems not listed here. Fix these and try again."
                )
            )
        if errors:
            raise ImportRejected(errors)

    def raise_if_saved_meanwhile(self, *, since) -> None:
        """Refuse the file if the web form or the API saved, while it was being checked, a
        referral with a reference the file was about to create."""
        recent = Referral.objects.filter(provider=self.parser.provider, updated_at__gte=since).values_list(
            "reference", flat=True
        )
        keys = {reference.lower() for reference in recent}
        lines = self.seen.lines_of(sorted(key for key in keys if key not in self.existing))
        if lines:
            raise ImportRejected(
                [RowError(line, "reference", SAVED_MEANWHILE_ROW_MESSAGE) for line in sorted(lines)[:MAX_ERRORS]]
            )


def _with_problems(line: int, row_errors: list[RowError], problems: dict[str, str]) -> list[RowError]:
    """The row's problems and its stage problems, one a column (the first found), in the
    template's column order."""
    found = {error.column for error in row_errors}
    row_errors = row_errors + [
        RowError(line, column, message) for column, message in problems.items() if column not in found
    ]
    return sorted(row_errors, key=lambda error: COLUMN_ORDER.get(error.column, -1))


def _first_moves(pks: list[int]) -> dict[int, tuple]:
    found = {}
    for piece in _pieces(pks):
        found.update(first_moves(piece))
    return found


def _stage_states(pks: list[int]) -> dict[int, StageState]:
    """The referrals' stages as the portal has them, with the date each stage was reached (from
    the moves that stand)."""
    reached: dict[int, dict] = {}
    found = {}
    for piece in _pieces(pks):
        events = ReferralEvent.objects.filter(referral__in=piece, corrected_at__isnull=True).exclude(from_stage="")
        for referral_id, to_stage, happened_on in events.order_by("happened_on", "id").values_list(
            "referral_id", "to_stage", "happened_on"
        ):
            reached.setdefault(referral_id, {})[Stage(to_stage)] = happened_on
        for pk, stage, changed_on, furthest, *outcome in Referral.objects.filter(pk__in=piece).values_list(
            "pk", "stage", "stage_changed_on", "furthest_stage", *STAGE_FIELDS[3:]
        ):
            found[pk] = StageState(Stage(stage), changed_on, Stage(furthest), reached.get(pk, {}), *outcome)
    return found


SAVED_MEANWHILE_ROW_MESSAGE = (
    "A referral with this reference was saved (on the web or through the API) while the file was being checked. "
    "Upload the file again: this row will then update that referral."
)


class _SeenReferences:
    """The references met so far in the file (whatever their capital letters), each with the
    row it was first on, so that a reference used twice is reported on its second row. Kept in
    a temporary SQLite database on disk (its page cache is bounded), not in a dict: a dict would
    grow by about 140 bytes for every row of the file."""

    def __init__(self):
        self.db = sqlite3.connect("")  # "": a private temporary database, deleted when closed
        for table in ("seen", "chunk"):
            self.db.execute(
                f"CREATE TABLE {table} (reference TEXT PRIMARY KEY, line INTEGER, spelling TEXT) WITHOUT ROWID"
            )

    def first_rows(self, references: list[tuple[str, int]]) -> dict[str, tuple[int, str]]:
        """Record a chunk's (reference, row) pairs, in row order; return, for each of its
        references already met (earlier in the file or earlier in the chunk), the first row
        and the reference as written there, keyed by the reference in small letters."""
        first: dict[str, tuple[int, str]] = {}
        repeated: dict[str, tuple[int, str]] = {}
        for reference, line in references:
            if not reference:
                continue
            key = reference.lower()
            if key in first:
                repeated[key] = first[key]
            else:
                first[key] = (line, reference)
        db = self.db
        db.execute("DELETE FROM chunk")
        db.executemany("INSERT INTO chunk VALUES (?, ?, ?)", [(key, *row) for key, row in first.items()])
        for key, line, spelling in db.execute(
            "SELECT reference, seen.line, seen.spelling FROM chunk JOIN seen USING (reference)"
        ):
            repeated[key] = (line, spelling)
        db.execute("INSERT OR IGNORE INTO seen SELECT reference, line, spelling FROM chunk")
        return repeated

    def lines_of(self, keys: list[str]) -> list[int]:
        """The rows of the file with these references (in small letters)."""
        lines = []
        for piece in _pieces(keys):
            lines += [
                line
                for (line,) in self.db.execute(
                    f"SELECT line FROM seen WHERE reference IN ({', '.join('?' * len(piece))})",  # noqa: S608
                    piece,
                )
            ]
        return lines

    def close(self) -> None:
        self.db.close()


def _unpickled(spool) -> Iterator[list[tuple]]:
    """Read back what _CheckedRows wrote to our own temporary file (never anything from outside)."""
    while True:
        try:
            yield pickle.load(spool)  # noqa: S301 - written by this process a moment ago
        except EOFError:
            return


def _audit(*, actor, provider: Organisation, filename: str, result: ImportResult) -> None:
    summary = f"Imported {result.total} referrals for {provider.name}"
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        target=provider,
        summary=(
            f"{summary}{f' from {filename}' if filename else ''}: "
            f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged"
            + (f"; {result.moved} moved on to a later stage" if result.moved else "")
        ),
        changes={
            "file": filename,
            "rows": result.total,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "moved": result.moved,
        },
    )


def check_actor(actor, provider: Organisation) -> None:
    """Raise PermissionDenied unless `actor` may import `provider`'s referrals (None: the command line)."""
    if actor is None or actor.is_national_admin:
        return
    if actor.role == Role.PROVIDER_STAFF and actor.organisation_id == provider.pk:
        return
    raise PermissionDenied("Only the provider's own staff or a national administrator can import its referrals.")


# Writing -------------------------------------------------------------------------------
#
# Django's bulk_create and bulk_update spend tens of microseconds per row turning model
# instances into SQL, which caps an import at a few thousand rows a second. The rows here are
# already checked and typed, so they are written as plain parameter tuples: with COPY on
# PostgreSQL, with one prepared statement per chunk elsewhere. The column lists come from the
# model's fields, so they follow the model.

COMPARED_FIELDS = [field if field not in ("area", "referring_team") else f"{field}_id" for field in EDITABLE_FIELDS]
CLOCK_FIELDS = ["information_due_on", "referral_due_on"]
SCRATCH_TABLE = "referral_import_changes"
COPY_READ_BYTES = 256 * 1024  # what COPY takes from the staged text at a time
IN_LIST_SIZE = 900  # under every SQLite build's limit on parameters in one statement
REFERENCE = COMPARED_FIELDS.index("reference")
RECEIVED_ON = COMPARED_FIELDS.index("received_on")
CRIME_REPORTED_ON = COMPARED_FIELDS.index("crime_reported_on")
VICTIM_REQUESTED_ON = COMPARED_FIELDS.index("victim_requested_on")
VICTIM_ENHANCED_RIGHTS = COMPARED_FIELDS.index("victim_enhanced_rights")


class _CsvStream:
    """Rows as COPY's CSV text, for psycopg2's copy_expert to read: each read() writes the next
    batch of rows. The server stores one batch while the next is being written here, so that
    the two processes work side by side instead of in turn, and no chunk is held as text.

    psycopg2 reports an exception raised in read() only as a cancelled COPY, so one raised while
    making the rows (a file that turns out not to be UTF-8 halfway through, say) ends the text
    instead and is kept in `error`, for the caller to raise once the COPY has returned."""

    def __init__(self, rows, batch: int = 1000):
        self.rows = iter(rows)
        self.batch = batch
        self.buffer = io.StringIO()
        # The csv module writes None and "" alike, unquoted and empty: COPY reads that as NULL,
        # except in the columns named in FORCE_NOT_NULL (the text ones), where it is "".
        self.writer = csv.writer(self.buffer, lineterminator="\n")
        self.error: Exception | None = None

    def read(self, size: int = -1) -> str:
        self.buffer.seek(0)
        self.buffer.truncate()
        try:
            self.writer.writerows(itertools.islice(self.rows, self.batch))
        except Exception as error:  # kept, and raised by copy() once the COPY has ended
            self.error = error
            return ""
        return self.buffer.getvalue()  # "" once every row is sent, which ends the COPY

    def copy(self, cursor, sql: str) -> None:
        """COPY these rows with `sql` through a psycopg2 cursor."""
        cursor.copy_expert(sql, self)
        if self.error is not None:
            raise self.error


def _copy_sql(table: str, fields: list, quote) -> str:
    """COPY of `fields` into `table` from _CsvStream's text. Text columns are never NULL in
    these tables, so an empty value in one is an empty string."""
    text = [quote(field.column) for field in fields if field.get_internal_type() in ("CharField", "TextField")]
    force_not_null = f", FORCE_NOT_NULL ({', '.join(text)})" if text else ""
    columns = ", ".join(quote(field.column) for field in fields)
    return f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv{force_not_null})"


def _pieces(items: list, size: int = IN_LIST_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _ReferralWriter:
    def __init__(self, *, actor, provider: Organisation, filename: str = "", import_job=None):
        self.connection = connections[router.db_for_write(Referral)]
        self.postgres = self.connection.vendor == "postgresql"
        self.provider = provider
        self.actor_id = actor.pk if actor is not None and actor.is_authenticated else None
        self.actor_email = actor.email if self.actor_id is not None else ""
        self.import_job_id = import_job.pk if import_job is not None else None
        self.now = self.connection.ops.adapt_datetimefield_value(timezone.now())
        self.clocks: dict[tuple, tuple] = {}
        quote = self.connection.ops.quote_name
        meta, event_meta = Referral._meta, ReferralEvent._meta
        self.table, self.event_table = quote(meta.db_table), quote(event_meta.db_table)

        # New referrals: the file's values, then the values worked out here, then constants.
        # The database numbers them, in the order they are written.
        worked_out = [*STAGE_FIELDS, *CLOCK_FIELDS]
        constants = {field.attname: field.get_default() for field in meta.concrete_fields}
        constants.update(
            provider_id=provider.pk, last_import_id=self.import_job_id, created_at=self.now, updated_at=self.now
        )
        columns = [field for field in meta.concrete_fields if not field.primary_key]
        self.constants = tuple(constants[field.attname] for field in columns)
        if self.postgres:
            # The times as COPY's text once, rather than by the CSV writer on every row.
            self.constants = tuple(
                value.isoformat() if isinstance(value, datetime) else value for value in self.constants
            )
        names = [*COMPARED_FIELDS, *worked_out, *(field.attname for field in columns)]
        offset = len(COMPARED_FIELDS) + len(worked_out)
        self.pick = operator.itemgetter(
            *(
                names.index(field.attname) if field.attname in names[:offset] else offset + position
                for position, field in enumerate(columns)
            )
        )
        # A row has eight dates, and a file a few thousand different ones: each is turned into
        # text once, not by the driver (or the CSV writer) once a cell.
        self.date_texts = _DateTexts()
        self.date_positions = [
            position for position, field in enumerate(columns) if field.get_internal_type() == "DateField"
        ]
        column_list = ", ".join(quote(field.column) for field in columns)
        self.insert_sql = f"INSERT INTO {self.table} ({column_list}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        self.copy_sql = _copy_sql(self.table, columns, quote)
        # New referrals wait in a temporary file until the whole file is known to be valid, and
        # the moves of those that start beyond referred in another.
        self.staged = 0
        self.spool = None
        self.moves_spool = None
        self.moved_referrals = 0
        self.received_changed: list[int] = []

        event_fields = [
            event_meta.get_field(name)
            for name in ("referral", "from_stage", "to_stage", "happened_on", "reason", "actor", "created_at")
        ]
        event_columns = ", ".join(quote(field.column) for field in event_fields)
        # The first event of each referral this import created: those numbered after the newest
        # referral before it began, of this provider, made at this import's time.
        self.events_sql = (
            f"INSERT INTO {self.event_table} ({event_columns}) "  # noqa: S608 - names from the models
            f"SELECT {quote(meta.pk.column)}, %s, %s, {quote(meta.get_field('received_on').column)}, %s, %s, %s "
            f"FROM {self.table} WHERE {quote(meta.pk.column)} > %s "
            f"AND {quote(meta.get_field('provider').column)} = %s AND {quote(meta.get_field('created_at').column)} = %s"
        )
        # The referrals this import created beyond referred, in the order they were written: the
        # database numbers rows in that order, so the nth is the one with the nth set of moves.
        column = {field.name: quote(field.column) for field in meta.concrete_fields}
        event_column = {field.name: quote(field.column) for field in event_meta.concrete_fields}
        self.moved_new_sql = (
            f"SELECT {column['id']}, {column['reference']} FROM {self.table} "  # noqa: S608 - names from the model
            f"WHERE {column['id']} > %s AND {column['provider']} = %s AND {column['created_at']} = %s "
            f"AND {column['stage']} <> %s ORDER BY {column['id']}"
        )
        self.move_events = _BulkInsert(self.connection, ReferralEvent, event_fields)
        audit_fields = [
            AuditEvent._meta.get_field(name)
            for name in (
                "created_at",
                "actor",
                "actor_email",
                "action",
                "target_type",
                "target_id",
                "target_repr",
                "summary",
                "changes",
            )
        ]
        self.move_audits = _BulkInsert(self.connection, AuditEvent, audit_fields)
        self.referral_type_id = ContentType.objects.get_for_model(Referral).pk
        noted = f"importing {filename}" if filename else "importing rows"
        self.move_summary = {
            (before, after): f" from {before.label.lower()} to {after.label.lower()} ({noted})"
            for before in Stage
            for after in Stage
        }
        self.file_json = json.dumps(filename)
        # Only a referral still where it was checked: one moved or corrected meanwhile on the web
        # or through the API is checked again with a new upload.
        self.move_sql = (
            f"UPDATE {self.table} SET "  # noqa: S608 - names from the model
            + ", ".join(f"{column[field]} = %s" for field in [*STAGE_FIELDS, "last_import", "updated_at"])
            + f" WHERE {column['id']} = %s AND {column['stage']} = %s AND {column['stage_changed_on']} = %s"
        )
        # The timeline starts on the received date, as referral_update keeps it.
        receipt = f"{self.event_table}.{event_column['referral']}"
        self.receipt_sql = (
            f"UPDATE {self.event_table} SET {event_column['happened_on']} = "  # noqa: S608 - names from the models
            f"(SELECT {column['received_on']} FROM {self.table} WHERE {self.table}.{column['id']} = {receipt}) "
            f"WHERE {event_column['from_stage']} = '' AND {receipt} IN ({{}})"
        )
        self.referred_since_sql = (
            f"UPDATE {self.table} SET {column['stage_changed_on']} = {column['received_on']} "  # noqa: S608
            f"WHERE {column['stage']} = %s AND {column['id']} IN ({{}})"
        )

        updated_columns = [meta.get_field(field).column for field in COMPARED_FIELDS] + [
            *CLOCK_FIELDS,
            "updated_at",
            meta.get_field("last_import").column,
        ]
        self.current_sql = (
            f"SELECT {quote(meta.pk.column)}, "  # noqa: S608 - names from the model
            + ", ".join(quote(meta.get_field(field).column) for field in COMPARED_FIELDS)
            + f" FROM {self.table} WHERE {quote(meta.pk.column)} = ANY(%s)"
        )
        updated = [quote(column) for column in updated_columns]
        pk = quote(meta.pk.column)
        self.scratch_ready = False
        self.scratch_sql = (
            f"CREATE TEMPORARY TABLE {SCRATCH_TABLE} ON COMMIT DROP AS "  # noqa: S608 - names from the model
            f"SELECT {', '.join(updated)}, {pk} FROM {self.table} WITH NO DATA"
        )
        scratch_fields = [
            meta.get_field(field) for field in [*COMPARED_FIELDS, *CLOCK_FIELDS, "updated_at", "last_import"]
        ]
        self.scratch_copy_sql = _copy_sql(SCRATCH_TABLE, [*scratch_fields, meta.pk], quote)
        self.update_from_sql = (
            f"UPDATE {self.table} AS target SET "  # noqa: S608 - names from the model
            + ", ".join(f"{column} = changes.{column}" for column in updated)
            + f" FROM {SCRATCH_TABLE} AS changes WHERE target.{pk} = changes.{pk}"
        )
        self.update_sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - names from the model
            self.table, ", ".join(f"{quote(column)} = %s" for column in updated_columns), quote(meta.pk.column)
        )

    def deadlines(self, values: tuple) -> tuple:
        """The Victims' Code deadlines, worked out by the same function as the web form's.
        Each deadline counts from one date of its own (the first from the crime report, the
        second from the victim's request), so each is remembered by that date alone: three
        dates together rarely repeat, one date often does."""
        enhanced = values[VICTIM_ENHANCED_RIGHTS]
        information = self._deadline(values[CRIME_REPORTED_ON], enhanced, None)[0]
        referral = self._deadline(None, enhanced, values[VICTIM_REQUESTED_ON])[1]
        return information, referral

    def _deadline(self, crime_reported_on, victim_enhanced_rights, victim_requested_on) -> tuple:
        key = (crime_reported_on, victim_enhanced_rights, victim_requested_on)
        found = self.clocks.get(key)
        if found is None:
            clock = SimpleNamespace(
                crime_reported_on=crime_reported_on,
                victim_enhanced_rights=victim_enhanced_rights,
                victim_requested_on=victim_requested_on,
            )
            set_clock_deadlines(clock)
            found = (clock.information_due_on, clock.referral_due_on)
            if len(self.clocks) < 100_000:
                self.clocks[key] = found
        return found

    def existing_references(self) -> _ExistingReferences:
        """The provider's referrals by reference. Nothing is locked: imports of one provider
        take turns through _provider_turn."""
        return _ExistingReferences(
            Referral.objects.filter(provider=self.provider).values_list("reference", "pk").iterator(chunk_size=10000)
        )

    def _new_rows(self, chunk: list[tuple]) -> Iterator[list]:
        """New referrals' insert parameters: the file's values, the values worked out here, then
        the constants; dates as their text."""
        pick, constants, deadlines = self.pick, self.constants, self.deadlines
        texts, date_positions = self.date_texts, self.date_positions
        self.staged += len(chunk)
        for values, fields, _moves in chunk:
            row = list(pick((*values, *fields, *deadlines(values), *constants)))
            for position in date_positions:
                row[position] = texts[row[position]]
            yield row

    def stage(self, chunks: Iterator[list[tuple]]) -> None:
        """Keep the checked new referrals aside, in a temporary file, until the whole file is
        known to be valid: on PostgreSQL as COPY's text (written here while the rows are
        checked, so that saving them is one COPY that Python hardly takes part in), elsewhere
        as insert parameters. Each chunk in received date order: written so, the new entries of
        the indexes that end in received_on fall on neighbouring pages rather than all over
        them, so there are fewer pages to read and write. Referrals received on the same day
        keep the file's order, and so their order by id. The moves of those that start beyond
        referred are kept, in the same order, in a second file."""
        self.spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115 - closed by close()
        self.moves_spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115 - the same
        text = writer = None
        if self.postgres:
            text = io.TextIOWrapper(self.spool, encoding="utf-8", newline="", write_through=True)
            writer = csv.writer(text, lineterminator="\n")
        for chunk in chunks:
            chunk.sort(key=lambda row: row[0][RECEIVED_ON])
            if self.postgres:
                writer.writerows(self._new_rows(chunk))
            else:
                pickle.dump(list(self._new_rows(chunk)), self.spool, protocol=pickle.HIGHEST_PROTOCOL)
            moves = [(values[REFERENCE], moves) for values, _fields, moves in chunk if moves]
            if moves:
                pickle.dump(moves, self.moves_spool, protocol=pickle.HIGHEST_PROTOCOL)
        if text is not None:
            text.detach()  # the spool stays open

    def create_staged(self) -> int:
        """Insert the staged referrals, each with its first event at referred, as referral_create
        does, and those that start beyond referred with an event for each move from there, as
        referral_advance does. Returns how many. Call inside the transaction that writes the
        file."""
        if not self.staged:
            return 0
        newest_before = Referral.objects.aggregate(newest=Max("pk"))["newest"] or 0
        self.spool.seek(0)
        with self.connection.cursor() as cursor:
            if self.postgres:
                cursor.cursor.copy_expert(self.copy_sql, self.spool, size=COPY_READ_BYTES)
            else:
                for batch in _unpickled(self.spool):
                    cursor.executemany(self.insert_sql, batch)
            cursor.execute(
                self.events_sql,
                ["", Stage.REFERRED.value, "", self.actor_id, self.now, newest_before, self.provider.pk, self.now],
            )
        self._record_new_moves(newest_before)
        return self.staged

    def _record_new_moves(self, newest_before: int) -> None:
        self.moves_spool.seek(0)
        planned = itertools.chain.from_iterable(_unpickled(self.moves_spool))
        with self.connection.chunked_cursor() as cursor:
            cursor.execute(self.moved_new_sql, [newest_before, self.provider.pk, self.now, Stage.REFERRED.value])
            while written := cursor.fetchmany(CHUNK_ROWS):
                moved = []
                for (pk, reference), (planned_reference, moves) in zip(written, planned, strict=False):
                    if reference != planned_reference:
                        raise RuntimeError("The new referrals were not numbered in the order they were written.")
                    moved.append((pk, reference, moves))
                self._record_moves(moved, audited=False)
        if next(planned, None) is not None:
            raise RuntimeError("Fewer new referrals moved on than the file moves.")

    def _record_moves(self, moved: list[tuple], *, audited: bool = True) -> None:
        """A timeline event for each move of each (id, reference, moves), and an audit event
        unless the file created the referral: the file's own audit event records what it
        created, at whatever stage, as it records the referrals it creates at referred."""
        events, audits = [], []
        actor_id, actor_email, now, type_id = self.actor_id, self.actor_email, self.now, self.referral_type_id
        summary, file_json, provider_name = self.move_summary, self.file_json, self.provider.name
        transition = AuditAction.TRANSITION.value
        texts = self.date_texts
        for pk, reference, moves in moved:
            shown = f"{reference} ({provider_name})"
            target = str(pk)
            for before, after, day, reason in moves:
                events.append((pk, before, after, texts[day], reason, actor_id, now))
                if not audited:
                    continue
                changes = f'{{"stage": {{"from": "{before}", "to": "{after}"}}, "on": "{day}", "file": {file_json}}}'
                audits.append(
                    (
                        now,
                        actor_id,
                        actor_email,
                        transition,
                        type_id,
                        target,
                        shown[:200],
                        f"Moved referral {shown}{summary[before, after]}"[:500],
                        changes,
                    )
                )
        self.moved_referrals += len(moved)
        self.move_events.write(events)
        self.move_audits.write(audits)

    def close(self) -> None:
        for spool in (self.spool, self.moves_spool):
            if spool is not None:
                spool.close()

    def update_matched(self, chunks: Iterator[list[tuple]], *, total: int, progress: Progress | None) -> tuple:
        """Update the referrals whose values differ from the file's, and move on those the file
        has at a later stage. Returns how many were updated and how many were unchanged."""
        updated = unchanged = done = 0
        for chunk in chunks:
            moved = [(pk, values[REFERENCE], move) for pk, values, move in chunk if move is not None]
            if moved:
                self.move(moved)
            changed = self.changed({pk: values for pk, values, _plan in chunk})
            self.update(changed)
            count = len({change[-1] for change in changed} | {pk for pk, _reference, _plan in moved})
            updated += count
            unchanged += len(chunk) - count
            done += len(chunk)
            if progress:
                progress("update", done, total)
        return updated, unchanged

    def move(self, moved: list[tuple]) -> None:
        """Move on referrals that were uploaded before, each as the check planned it: (id,
        reference, (plan, (stage, since) when checked)). Raises ImportRejected if one of them
        has moved or been corrected since it was checked."""
        with self.connection.cursor() as cursor:
            cursor.executemany(
                self.move_sql,
                [
                    (*plan.fields, self.import_job_id, self.now, pk, *checked_at)
                    for pk, _reference, (plan, checked_at) in moved
                ],
            )
            if cursor.rowcount != len(moved):
                raise ImportRejected([RowError(None, "stage", MOVED_MEANWHILE_MESSAGE)])
        self._record_moves([(pk, reference, plan.moves) for pk, reference, (plan, _checked_at) in moved])

    def changed(self, matched: dict[int, tuple]) -> list[tuple]:
        """Update parameters for the matched referrals whose values differ from the file's."""
        changes, received = [], []
        for pk, *current in self._current(list(matched)):
            values = matched[pk]
            if tuple(current) != values:
                changes.append((*values, *self.deadlines(values), self.now, self.import_job_id, pk))
                if current[RECEIVED_ON] != values[RECEIVED_ON]:
                    received.append(pk)
        self.received_changed = received
        return changes

    def _current(self, pks: list[int]):
        if self.postgres:  # the driver gives dates and booleans their Python types; skip the ORM's per-row work
            with self.connection.cursor() as cursor:
                cursor.execute(self.current_sql, [pks])
                yield from cursor.fetchall()
            return
        for piece in _pieces(pks):
            yield from Referral.objects.filter(pk__in=piece).values_list("pk", *COMPARED_FIELDS)

    def update(self, changes: list[tuple]) -> None:
        if not changes:
            return
        with self.connection.cursor() as cursor:
            if self.postgres:
                # Copy the new values into a scratch table, then change every row in one statement.
                if not self.scratch_ready:
                    cursor.execute(self.scratch_sql)
                    self.scratch_ready = True
                cursor.execute(f"TRUNCATE {SCRATCH_TABLE}")
                _CsvStream(changes).copy(cursor.cursor, self.scratch_copy_sql)
                cursor.execute(self.update_from_sql)
            else:
                cursor.executemany(self.update_sql, changes)
            # The timeline starts on the received date, as referral_update keeps it.
            for piece in _pieces(self.received_changed):
                marks = ", ".join(["%s"] * len(piece))
                cursor.execute(self.receipt_sql.format(marks), piece)
                cursor.execute(self.referred_since_sql.format(marks), [Stage.REFERRED.value, *piece])


class _DateTexts(dict):
    """Dates as the text the database takes (ISO 8601), each worked out once; None stays None."""

    def __missing__(self, day):
        text = self[day] = None if day is None else day.isoformat()
        return text


class _BulkInsert:
    """Rows of plain values into a model's table: with COPY on PostgreSQL, with one prepared
    statement elsewhere."""

    def __init__(self, connection, model, fields: list):
        self.connection = connection
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        self.copy_sql = _copy_sql(table, fields, quote)
        columns = ", ".join(quote(field.column) for field in fields)
        self.insert_sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                _CsvStream(rows).copy(cursor.cursor, self.copy_sql)
            else:
                cursor.executemany(self.insert_sql, rows)


# Checking one row ----------------------------------------------------------------------


def _lookup(choices: list[tuple[str, str]]) -> dict[str, str]:
    """Codes and labels, either accepted whatever their case."""
    table = {}
    for value, label in choices:
        table[label.lower()] = value
        table[value.lower()] = value
    return table


class _RowParser:
    """Turns one row's cells (in COLUMNS order) into model values, or into the row's
    problems. The lookups it needs are loaded once, when it is made."""

    def __init__(self, provider: Organisation, *, today: date):
        self.provider = provider
        self.today = today
        served = set(provider.areas.values_list("pk", flat=True))
        self.areas = {
            code.upper(): (pk, name, pk in served)
            for pk, code, name in PoliceArea.objects.values_list("pk", "code", "name")
        }
        self.teams = {
            (area_id, name.lower()): pk
            for pk, area_id, name in ReferringTeam.objects.filter(area_id__in=served).values_list(
                "pk", "area_id", "name"
            )
        }
        self.team_names = {name for _area, name in self.teams}
        self.choices = {column: _lookup(choices) for column, choices in CHOICES.items()}
        self.dates: dict[str, date | None] = {}

    def check(
        self, line: int, cells: tuple, *, first_line: int | None = None, other_capitals: bool = False
    ) -> tuple[dict, list[RowError]]:
        """`first_line` is the first row with this row's reference, if that is an earlier row;
        `other_capitals` says that it is written there in other capital letters."""
        errors: dict[str, str] = {}
        values = self._parse(cells, errors)
        # A row of plain text (every CSV row) with no NUL and under the limit in all needs no
        # look at each cell.
        if set(map(type, cells)) == {str}:
            text = "".join(cells)
            suspect = len(text) > MAX_CELL_CHARS or "\x00" in text
        else:
            suspect = True
        if suspect:
            for column, cell in zip(COLUMNS, cells, strict=True):
                if type(cell) is str:
                    if len(cell) > MAX_CELL_CHARS:
                        errors[column] = TOO_LONG_CELL.message
                    elif "\x00" in cell:
                        errors[column] = CONTROL_CHARACTER_MESSAGE
                elif type(cell) is _CellProblem:
                    errors[column] = cell.message
        if first_line is not None and first_line != line and values.get("reference"):
            errors.setdefault(
                "reference",
                f"This reference is also on row {first_line}"
                + (" in other capital letters, which do not make it a different reference" if other_capitals else ""),
            )
        if "offence_group" in errors:
            values.pop("offence_subgroup", None)
        # The web form's rules, in its words. Values that could not be read are absent, so a
        # rule about a column that is already wrong adds nothing.
        for field, message in referral_value_errors(values, today=self.today).items():
            errors.setdefault(field, message)
        return values, [RowError(line, column, errors[column]) for column in COLUMNS if column in errors]

    def _parse(self, cells: tuple, errors: dict[str, str]) -> dict:
        (
            reference,
            area_code,
            team_name,
            initiator,
            offence_group,
            offence_subgroup,
            hate_crime,
            domestic_abuse,
            sexual_harm,
            justice_stage,
            offender_under_18,
            victim_enhanced_rights,
            crime_reported_on,
            victim_informed_on,
            victim_requested_on,
            referred_on,
            received_on,
            contact_attempts,
        ) = cells[:STAGE_START]
        values: dict = {"stage_cells": self._parse_stage(cells[STAGE_START:], errors)}

        reference = _text(reference)
        if not reference:
            errors["reference"] = MISSING_MESSAGES["reference"]
        elif len(reference) > REFERENCE_MAX_LENGTH:
            errors["reference"] = REFERENCE_LENGTH_MESSAGE
        values["reference"] = reference

        area_code = _text(area_code)
        area = self.areas.get(area_code.upper())
        if not area_code:
            errors["police_area_code"] = MISSING_MESSAGES["police_area_code"]
        elif area is None:
            errors["police_area_code"] = AREA_MESSAGE
        elif not area[2]:
            errors["police_area_code"] = f"{self.provider.name} does not serve {area[1]}"
        else:
            values["area_id"] = area[0]

        team_name = _text(team_name)
        if not team_name:
            errors["referring_team"] = MISSING_MESSAGES["referring_team"]
        elif "area_id" in values:
            team = self.teams.get((area[0], team_name.lower()))
            if team is None:
                errors["referring_team"] = f"There is no referring team with this name in {area[1]}"
            else:
                values["referring_team_id"] = team
        elif team_name.lower() not in self.team_names:
            # The area is wrong, but a team that is in none of the provider's areas is wrong too.
            errors["referring_team"] = TEAM_NOWHERE_MESSAGE

        for column, cell in (
            ("initiator", initiator),
            ("offence_group", offence_group),
            ("offence_subgroup", offence_subgroup),
            ("justice_stage", justice_stage),
        ):
            text = _text(cell)
            if not text:
                if column in OPTIONAL_COLUMNS:
                    values[column] = ""
                else:
                    errors[column] = MISSING_MESSAGES[column]
                continue
            value = self.choices[column].get(text.lower())
            if value is None:
                errors[column] = CHOICE_MESSAGES[column]
            else:
                values[column] = value

        for column, cell in (
            ("hate_crime", hate_crime),
            ("domestic_abuse", domestic_abuse),
            ("sexual_harm", sexual_harm),
            ("offender_under_18", offender_under_18),
            ("victim_enhanced_rights", victim_enhanced_rights),
        ):
            if cell is True or cell is False:
                values[column] = cell
                continue
            text = _text(cell).lower()
            if text in YES:
                values[column] = True
            elif text in NO:
                values[column] = False
            else:
                errors[column] = YES_NO_MESSAGE

        dates = self.dates
        for column, cell in (
            ("crime_reported_on", crime_reported_on),
            ("victim_informed_on", victim_informed_on),
            ("victim_requested_on", victim_requested_on),
            ("referred_on", referred_on),
            ("received_on", received_on),
        ):
            if type(cell) is str:
                day = dates.get(cell, _UNSEEN)
                if day is _UNSEEN:
                    day = _parse_date_text(cell)
                    if len(dates) < 50_000:  # dates repeat; the cache stays small
                        dates[cell] = day
            else:
                day = _date_cell(cell)
            if day is None:
                if cell is None or (type(cell) is str and not cell.strip()):
                    if column in OPTIONAL_COLUMNS:
                        values[column] = None
                    else:
                        errors[column] = MISSING_MESSAGES[column]
                else:
                    errors[column] = DATE_MESSAGE
            else:
                values[column] = day

        attempts = _whole_number(contact_attempts)
        if attempts is None:
            errors["contact_attempts"] = CONTACT_ATTEMPTS_MESSAGE
        else:
            values["contact_attempts"] = attempts
        return values

    def _parse_stage(self, cells: tuple, errors: dict[str, str]) -> StageCells | None:
        """The stage columns' values, or None when they are all empty (the referral stays where
        it is, or starts at referred). Also None when the stage cannot be read: its problem is
        reported, and so is any other cell that cannot be read."""
        if cells.count("") + cells.count(None) == len(cells) or not any(map(_text, cells)):
            return None
        text = _text(cells[STAGE_CELL])
        stage = self.choices["stage"].get(text.lower()) if text else None
        if stage is None:
            errors["stage"] = CHOICE_MESSAGES["stage"] if text else STAGE_MISSING_MESSAGE
        stage_cells = StageCells(Stage(stage) if stage else Stage.REFERRED)
        for reached, column, position in STAGE_DATE_CELLS:
            cell = cells[position]
            if cell is None or cell == "":
                continue
            day, blank = self._date(cell)
            if day is not None:
                stage_cells.dates[reached] = day
            elif not blank:
                errors[column] = DATE_MESSAGE
        for column, position in STAGE_CHOICE_CELLS:
            if text := _text(cells[position]):
                value = self.choices[column].get(text.lower())
                if value is None:
                    errors[column] = CHOICE_MESSAGES[column]
                else:
                    setattr(stage_cells, column, value)
        agreement = cells[AGREEMENT_CELL]
        if agreement is True or agreement is False:
            stage_cells.agreement_reached = agreement
        elif text := _text(agreement).lower():
            if text in YES:
                stage_cells.agreement_reached = True
            elif text in NO:
                stage_cells.agreement_reached = False
            else:
                errors["agreement_reached"] = YES_NO_MESSAGE
        for column, position in SATISFACTION_CELLS:
            cell = cells[position]
            if _text(cell):
                score = _whole_number(cell)
                if score in SATISFACTION_SCALE:
                    setattr(stage_cells, column, score)
                else:
                    errors[column] = SATISFACTION_MESSAGE
        return stage_cells if stage else None

    def _date(self, cell) -> tuple[date | None, bool]:
        """A date cell's date, and whether the cell is empty."""
        if type(cell) is str:
            day = self.dates.get(cell, _UNSEEN)
            if day is _UNSEEN:
                day = _parse_date_text(cell)
                if len(self.dates) < 50_000:
                    self.dates[cell] = day
            return day, day is None and not cell.strip()
        return _date_cell(cell), cell is None


def _text(cell) -> str:
    if type(cell) is str:
        return cell.strip()
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _parse_date_text(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        if len(text) == 10 and text[4] == "-":
            return date.fromisoformat(text)
        if "/" in text:
            day, month, year = text.split("/")
            if len(year) == 4:
                return date(int(year), int(month), int(day))
    except ValueError:
        pass
    return None


def _date_cell(cell) -> date | None:
    """A spreadsheet cell: a real date, or an Excel serial number."""
    if cell is None:
        return None
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if (
        isinstance(cell, (int, float))
        and not isinstance(cell, bool)
        and float(cell).is_integer()
        and 0 < cell < EXCEL_LAST_SERIAL
    ):
        return EXCEL_EPOCH + timedelta(days=int(cell))
    return None


def _whole_number(cell) -> int | None:
    if cell is None:
        return 0
    if isinstance(cell, bool):
        return None
    if isinstance(cell, (int, float)):
        number = cell
    else:
        text = cell.strip()
        if not text:
            return 0
        # isdigit() alone admits "²" and other digits int() refuses; a long run of digits is
        # refused before int() (which has a limit) and is far beyond the maximum anyway.
        if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_CONTACT_ATTEMPTS)):
            return None
        number = int(text)
    if isinstance(number, float):
        if not number.is_integer():
            return None
        number = int(number)
    return number if 0 <= number <= MAX_CONTACT_ATTEMPTS else None


# Reading the file ------------------------------------------------------------------------

ENCODING_MESSAGE = "The file is not UTF-8 text. Save it as 'CSV UTF-8' or as an Excel workbook (.xlsx)."
ENCODING_ROW_MESSAGE = (
    "This row has a character that is not UTF-8 text (often an accented letter or a £ sign from an older "
    "spreadsheet). Save the file as 'CSV UTF-8' or as an Excel workbook (.xlsx)."
)
XLS_MESSAGE = "Older Excel files (.xls) cannot be read. Save it as an Excel workbook (.xlsx) or as 'CSV UTF-8'."
XLSX_MESSAGE = "The file could not be read as an Excel workbook (.xlsx)."
CSV_MESSAGE = "The file could not be read as CSV. Save it as 'CSV UTF-8' from the template."
BINARY_MESSAGE = (
    "The file is not a CSV file or an Excel workbook. Save your spreadsheet as 'CSV UTF-8' or as an "
    "Excel workbook (.xlsx) and upload that."
)
EXTENSION_MESSAGE = "The file must be a .csv or .xlsx file. Save your spreadsheet as 'CSV UTF-8' or as .xlsx."
MACRO_MESSAGE = (
    "Workbooks with macros (.xlsm) cannot be imported. Save it as an Excel workbook (.xlsx) and upload that."
)
NO_HEADER_MESSAGE = (
    "Row 1 must hold the template's column names (reference, police_area_code, referring_team and so on). "
    "Download the template and put your rows under its first row."
)
LONG_HEADER_MESSAGE = (
    "The first row is longer than 64 KB. It must hold only the template's column names: check that the file "
    "is the referral import template saved as CSV."
)
FORMULA_MESSAGE = (
    "This cell holds a formula with no saved value. Copy the column and paste it back as values only "
    "(Paste Special, Values), then save the file again."
)
ERROR_CELL_MESSAGE = "This cell shows an Excel error (such as #N/A or #REF!). Correct it or clear it."
TOO_LONG_MESSAGE = "This cell holds more than {limit:,} characters. No column in the template needs so many."

ALLOWED_EXTENSIONS = (".csv", ".xlsx")
HEADER_MAX_BYTES = 64 * 1024  # the longest first row (column names) a CSV file may have
MAX_HEADER_PROBLEMS = 20  # problems with the column names listed; the count of any others is given
MAX_CELL_CHARS = 1000  # the longest cell read; the template's longest column holds 120
# Workbooks (.xlsx, a ZIP of XML parts) are checked before anything in them is parsed: the sizes
# their parts declare, how much those parts are compressed, and, while they are read, the sizes
# they turn out to have. Real workbooks compress about 5 to 20 times; a "zip bomb" thousands.
XLSX_MAX_PART_BYTES = 400 * 1024 * 1024  # a worksheet is read a few rows at a time, never whole
XLSX_MAX_TOTAL_BYTES = 450 * 1024 * 1024  # every part of the workbook together
XLSX_MAX_STRINGS_BYTES = 64 * 1024 * 1024  # the shared strings, which are held in memory
XLSX_MAX_SMALL_PART_BYTES = 4 * 1024 * 1024  # the workbook and relationship parts
XLSX_MAX_RATIO = 100  # uncompressed size / compressed size, for parts of 1 MB or more
XLSX_MAX_PARTS = 1000
XLSX_MAX_ROW_BYTES = 4 * 1024 * 1024  # one row of the worksheet's XML
XLSX_BLOCK_BYTES = 1024 * 1024  # read from the worksheet at a time

Chunk = list[tuple[int, tuple]]  # (line in the file, cells in COLUMNS order)


class _CellProblem(str):
    """A cell that could not be read as a value, standing in for it: the row checker reports
    `message` for its column. A str (empty), so that every other check takes it as blank."""

    message: str

    def __new__(cls, message: str):
        cell = super().__new__(cls, "")
        cell.message = message
        return cell


FORMULA_CELL = _CellProblem(FORMULA_MESSAGE)
ERROR_CELL = _CellProblem(ERROR_CELL_MESSAGE)
TOO_LONG_CELL = _CellProblem(TOO_LONG_MESSAGE.format(limit=MAX_CELL_CHARS))


def _reject(message: str, row: int | None = None, column: str = "") -> ImportRejected:
    return ImportRejected([RowError(row, column, message)])


def check_extension(filename: str) -> None:
    """Refuse a file whose name does not end in .csv or .xlsx (a macro workbook, .xlsm, included)."""
    if not filename:
        return
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xlsm":
        raise _reject(MACRO_MESSAGE)
    if suffix not in ALLOWED_EXTENSIONS:
        raise _reject(EXTENSION_MESSAGE)


class _seekable:
    """The source as a seekable binary file, spooling it to disk if need be."""

    def __init__(self, source):
        self.source = source
        self.spool = None

    def __enter__(self):
        source = self.source
        if isinstance(source, (bytes, bytearray)):
            return io.BytesIO(source)
        if hasattr(source, "seekable") and source.seekable():
            source.seek(0)
            return source
        self.spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # closed on exit
        shutil.copyfileobj(source, self.spool)
        self.spool.seek(0)
        return self.spool

    def __exit__(self, *exc):
        if self.spool is not None:
            self.spool.close()


# The first bytes of file types people upload by mistake (a ZIP is read as a workbook).
BINARY_SIGNATURES = (
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"\x1f\x8b",
    b"BZh",
    b"7z\xbc\xaf",
    b"Rar!",
    b"{\\rtf",
    b"\x00\x00\x01\x00",
    b"II*\x00",
    b"MM\x00*",
    b"\x7fELF",
    b"MZ",
)


@dataclass(frozen=True)
class FileColumns:
    """What a file's header must hold, and what to say when it does not: the readers below
    serve the referral file and, with their own columns, other uploads (referring teams)."""

    names: list[str]  # in the order the reader gives each row's cells
    may_be_left_out: frozenset[str]
    no_header_message: str
    long_header_message: str
    rows_are: str  # "the referrals", for "Put the referrals on the first sheet"


REFERRAL_FILE = FileColumns(
    names=COLUMNS,
    may_be_left_out=frozenset(MAY_BE_LEFT_OUT),
    no_header_message=NO_HEADER_MESSAGE,
    long_header_message=LONG_HEADER_MESSAGE,
    rows_are="the referrals",
)


def _open_reader(stream, *, quick: bool = False, columns: FileColumns = REFERRAL_FILE):
    """A reader of the file's rows, once its header is checked; with `quick`, a workbook's parts
    are checked but not read."""
    start = stream.read(8)
    stream.seek(0)
    if start.startswith(b"PK\x03\x04"):
        if quick:
            _XlsxReader.check(stream)
            return None
        return _XlsxReader(stream, columns)
    if start.startswith(b"\xd0\xcf\x11\xe0"):
        raise _reject(XLS_MESSAGE)
    if start.startswith(BINARY_SIGNATURES):
        raise _reject(BINARY_MESSAGE)
    return _CsvReader(stream, columns)


SAFE_COLUMN_NAME = re.compile(r"[a-z0-9 _\-().]{1,60}")


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _column_positions(header: list, columns: FileColumns) -> list[int | None]:
    """Where each template column is in the file's header; rejects a header that is not the
    template's. A name is shown back only if it could be a column name (a binary file's first
    line is not repeated)."""
    names = [_text(name).lower() for name in header]
    while names and not names[-1]:
        names.pop()
    if names and not any(name in columns.names for name in names):
        raise _reject(columns.no_header_message, row=1)
    errors = []
    seen = set()
    for index, name in enumerate(names):
        where = f"column {_column_letter(index)}"
        if not name:
            errors.append(RowError(1, where, "This column has no name. Delete it or give it a name from the template."))
        elif name not in columns.names:
            shown = name if SAFE_COLUMN_NAME.fullmatch(name) else where
            errors.append(
                RowError(1, shown, "This column is not in the template. Delete it or rename it to a template column")
            )
        elif name in seen:
            errors.append(RowError(1, name, "This column appears more than once"))
        seen.add(name)
    errors.extend(
        RowError(None, column, "This column is missing")
        for column in columns.names
        if column not in names and column not in columns.may_be_left_out
    )
    if len(errors) > MAX_HEADER_PROBLEMS:
        more = len(errors) - MAX_HEADER_PROBLEMS
        errors = errors[:MAX_HEADER_PROBLEMS]
        errors.append(
            RowError(1, "", f"There are {more} more problems with the column names. Start again from the template.")
        )
    if errors:
        raise ImportRejected(errors)
    return [names.index(column) if column in names else None for column in columns.names]


class _CsvReader:
    def __init__(self, stream, columns: FileColumns = REFERRAL_FILE):
        self.stream = stream
        head = stream.read(HEADER_MAX_BYTES + 1)
        if not head.strip(b"\xef\xbb\xbf \t\r\n"):
            raise _reject("The file is empty.")
        end = head.find(b"\n")
        if end == -1 and len(head) > HEADER_MAX_BYTES:
            raise _reject(columns.long_header_message, row=1)
        first_line = head if end == -1 else head[:end]
        # A binary file: the column names hold control characters no spreadsheet writes.
        if any(byte < 32 and byte not in (9, 13) for byte in first_line):
            raise _reject(BINARY_MESSAGE)
        self._check_utf8()
        header_text = first_line.decode("utf-8-sig")
        self.delimiter = ";" if header_text.count(";") > header_text.count(",") else ","
        try:
            header = next(csv.reader([header_text], delimiter=self.delimiter), [])
        except csv.Error:  # a carriage return inside the first row, say
            raise _reject(CSV_MESSAGE, row=1) from None
        self.positions = _column_positions(header, columns)

    def _check_utf8(self) -> None:
        """The whole file must be UTF-8: find the first line that is not, before any row is read.
        A block ends at a line's end, and no UTF-8 character spans one."""
        stream = self.stream
        stream.seek(0)
        lines = 0
        while block := stream.read(1024 * 1024):
            block += stream.readline()
            try:
                block.decode("utf-8")
            except UnicodeDecodeError as error:
                raise _reject(ENCODING_ROW_MESSAGE, row=lines + block.count(b"\n", 0, error.start) + 1) from None
            lines += block.count(b"\n")
        stream.seek(0)

    def chunks(self) -> Iterator[Chunk]:
        self.stream.seek(0)
        try:
            frames = pd.read_csv(
                self.stream,
                sep=self.delimiter,
                encoding="utf-8-sig",
                dtype=str,
                na_filter=False,
                header=0,
                skip_blank_lines=False,
                chunksize=CHUNK_ROWS,
            )
            line = 2
            for frame in frames:
                left_out = [""] * len(frame)
                columns = [
                    left_out if position is None else frame.iloc[:, position].tolist() for position in self.positions
                ]
                chunk = []
                for cells in zip(*columns, strict=True):
                    if any(cells):
                        chunk.append((line, cells))
                    line += 1
                yield chunk
        except UnicodeDecodeError:  # checked before reading; kept for a file changed while read
            raise _reject(ENCODING_MESSAGE) from None
        except pd.errors.ParserError as error:
            raise _reject(_parser_message(error)) from None


class _RowsReader:
    """Rows given as {column name: value}, read as a file's rows are: a column left out is
    empty, and one not in the template is a problem on its row."""

    def __init__(self, rows: list[dict]):
        self.rows = rows
        errors = []
        for line, row in enumerate(rows, start=1):
            errors += [
                RowError(line, name if SAFE_COLUMN_NAME.fullmatch(name) else "", UNKNOWN_KEY_MESSAGE)
                for name in row
                if name not in COLUMN_ORDER
            ]
        if errors:
            raise ImportRejected(errors[:MAX_ERRORS])

    def chunks(self) -> Iterator[Chunk]:
        for start in range(0, len(self.rows), CHUNK_ROWS):
            yield [
                (line, tuple(_given(row.get(column)) for column in COLUMNS))
                for line, row in enumerate(self.rows[start : start + CHUNK_ROWS], start=start + 1)
            ]


UNKNOWN_KEY_MESSAGE = "This column is not in the template. Leave it out or use a column name from the column guide"


def _given(value) -> str:
    """A value as the cell of a CSV file would hold it."""
    if value is None:
        return ""
    return value if type(value) is str else str(value)


def _parser_message(error: Exception) -> str:
    text = str(error)
    if "Expected" in text and "fields in line" in text:
        # "Error tokenizing data. C error: Expected 18 fields in line 7, saw 19"
        line = text.split("fields in line", 1)[1].split(",", 1)[0].strip()
        return f"Row {line} has more cells than the header row. Check for a stray comma or semicolon."
    return CSV_MESSAGE


# Workbooks ---------------------------------------------------------------------------------
#
# An .xlsx file is a ZIP of XML parts. Its first worksheet is read a block of rows at a time
# (each block parsed by the standard library's C XML parser), so that memory does not grow
# with the sheet, and cells are placed by their own row and column numbers, so that a sheet
# that claims a million empty rows costs nothing. Nothing in it is evaluated: a formula's
# saved value is read, and a formula without one is reported.

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_DOC_RELS_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"
EXCEL_EPOCH_1904 = date(1904, 1, 1)
DATE_COLUMNS = DATE_COLUMN_NAMES
SHEET_DATA_TAG = re.compile(rb"<(?:(\w+):)?sheetData\b[^>]*?(/?)>")
WORKSHEET_TAG = re.compile(rb"<(?:\w+:)?worksheet\b[^>]*>")
CELL_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]*)")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _namespace(tag: str) -> str:
    return tag[1 : tag.index("}")] if tag.startswith("{") else ""


class _Workbook:
    """The ZIP archive, its parts' sizes checked before any is read, and each part read through
    a reader that stops at the limit whatever the part's header claims."""

    def __init__(self, stream):
        try:
            self.archive = zipfile.ZipFile(stream)
            infos = self.archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
            raise _reject(XLSX_MESSAGE) from None
        if len(infos) > XLSX_MAX_PARTS:
            raise _reject(XLSX_MESSAGE)
        self.parts = {}
        total = 0
        for info in infos:
            if info.filename.lower().endswith("vbaproject.bin"):
                raise _reject(MACRO_MESSAGE)
            total += info.file_size
            too_big = info.file_size > XLSX_MAX_PART_BYTES or total > XLSX_MAX_TOTAL_BYTES
            squeezed = info.file_size >= 1024 * 1024 and info.file_size > XLSX_MAX_RATIO * max(info.compress_size, 1)
            if too_big or squeezed:
                raise _reject(
                    "The workbook holds more data than it seems to (it expands to far more than its size). "
                    "Save the sheet as a new Excel workbook (.xlsx) or as 'CSV UTF-8' and upload that."
                )
            self.parts[info.filename.lstrip("/")] = info

    def blocks(self, name: str, limit: int, size: int = XLSX_BLOCK_BYTES) -> Iterator[bytes]:
        """The part's bytes, a block at a time, never more than `limit` in all."""
        info = self.parts.get(name)
        if info is None:
            raise _reject(XLSX_MESSAGE)
        if info.file_size > limit:
            raise _reject(XLSX_MESSAGE)
        read = 0
        try:
            with self.archive.open(info) as part:
                while block := part.read(size):
                    read += len(block)
                    if read > limit:
                        raise _reject(XLSX_MESSAGE)
                    yield block
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, OSError):
            # A damaged part, a size or checksum that does not match, or an encrypted file.
            raise _reject(XLSX_MESSAGE) from None

    def xml(self, name: str, limit: int = XLSX_MAX_SMALL_PART_BYTES) -> ElementTree.Element:
        content = b"".join(self.blocks(name, limit))
        return _parse_xml(content)

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """A part's relationships: id -> (type, target part name)."""
        folder, _slash, name = part.rpartition("/")
        rels_name = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
        if rels_name not in self.parts:
            return {}
        found = {}
        for relationship in self.xml(rels_name):
            target = relationship.get("Target", "")
            if target.startswith("/"):
                target = target.lstrip("/")
            else:
                target = posixpath.normpath(posixpath.join(folder, target))
            found[relationship.get("Id", "")] = (relationship.get("Type", ""), target)
        return found


class _XlsxReader:
    """The first worksheet of a workbook, a block of rows at a time. Cells keep their types:
    numbers as numbers (dates as Excel serial numbers, turned into dates in date columns),
    yes/no cells as booleans."""

    @classmethod
    def check(cls, stream) -> None:
        """The archive and its parts' sizes only: nothing is decompressed but the small parts."""
        reader = cls.__new__(cls)
        reader.columns = REFERRAL_FILE
        reader.book = _Workbook(stream)
        reader._find_parts()

    def __init__(self, stream, columns: FileColumns = REFERRAL_FILE):
        self.columns = columns
        self.book = _Workbook(stream)
        self._find_parts()
        self.strings = self._shared_strings()
        rows = self._rows(None)
        try:
            first = next(rows, None)
        finally:
            rows.close()
        if first is None:
            raise _reject("The file is empty.")
        line, header = first
        if line != 1:
            raise _reject(columns.no_header_message, row=1)
        width = max(header, default=-1) + 1
        self.positions = _column_positions([header.get(index) for index in range(min(width, 16384))], columns)
        self.wanted = {
            position: column
            for column, position in zip(columns.names, self.positions, strict=True)
            if position is not None
        }

    def _find_parts(self) -> None:
        book = self.book
        workbook_name = next(
            (
                target
                for kind, target in book.relationships("").values()
                if kind.endswith("/officeDocument") and target in book.parts
            ),
            "xl/workbook.xml",
        )
        workbook = book.xml(workbook_name)
        ns = _namespace(workbook.tag)
        relationships = book.relationships(workbook_name)
        properties = workbook.find(f"{{{ns}}}workbookPr")
        self.epoch = EXCEL_EPOCH
        if properties is not None and properties.get("date1904", "").lower() in ("1", "true"):
            self.epoch = EXCEL_EPOCH_1904
        sheets = workbook.find(f"{{{ns}}}sheets")
        first = sheets[0] if sheets is not None and len(sheets) else None
        if first is None:
            raise _reject("The file is empty.")
        sheet_id = first.get(f"{{{DOC_RELS_NS}}}id") or first.get(f"{{{STRICT_DOC_RELS_NS}}}id")
        kind, target = relationships.get(sheet_id, ("", ""))
        if not kind.endswith("/worksheet") or target not in book.parts:
            raise _reject(
                f"The first sheet of the workbook is not a worksheet. Put {self.columns.rows_are} on the first sheet."
            )
        self.sheet_name = target
        self.strings_name = next(
            (target for kind, target in relationships.values() if kind.endswith("/sharedStrings")), None
        )

    def _shared_strings(self) -> list:
        """The workbook's shared strings, in order; one longer than a cell may be stands as
        TOO_LONG_CELL."""
        if self.strings_name is None or self.strings_name not in self.book.parts:
            return []
        strings = []
        blocks = self.book.blocks(self.strings_name, XLSX_MAX_STRINGS_BYTES)
        parser = ElementTree.XMLPullParser(events=("start", "end"))
        root = None
        first = True
        try:
            for block in blocks:
                if first and b"<!DOCTYPE" in block[:4096]:
                    raise _reject(XLSX_MESSAGE)
                first = False
                parser.feed(block)
                for event, element in parser.read_events():
                    if event == "start":
                        if root is None:
                            root = element
                        continue
                    if _local(element.tag) == "si":
                        text = "".join(node.text or "" for node in element.iter() if _local(node.tag) == "t")
                        strings.append(text if len(text) <= MAX_CELL_CHARS else TOO_LONG_CELL)
                        root.clear()
            parser.close()
        except ElementTree.ParseError:
            raise _reject(XLSX_MESSAGE) from None
        return strings

    def _rows(self, wanted: dict[int, str] | None) -> Iterator[tuple[int, dict[int, object]]]:
        """(row number, {column index: value}) for each row that has a cell, only the `wanted`
        columns (every one when None)."""
        blocks = self.book.blocks(self.sheet_name, XLSX_MAX_PART_BYTES)
        buffer = b""
        for block in blocks:
            buffer += block
            match = SHEET_DATA_TAG.search(buffer)
            if match:
                break
            if len(buffer) > 16 * 1024 * 1024:
                raise _reject(XLSX_MESSAGE)
        else:
            raise _reject(XLSX_MESSAGE)
        root_tag = WORKSHEET_TAG.search(buffer, 0, match.start())
        if root_tag is None or b"<!DOCTYPE" in buffer[: match.start()]:
            raise _reject(XLSX_MESSAGE)
        if match.group(2):  # <sheetData/>: no rows at all
            return
        prefix = match.group(1) + b":" if match.group(1) else b""
        opening = root_tag.group(0) + match.group(0)
        closing = b"</" + prefix + b"sheetData></" + prefix + b"worksheet>"
        row_end = b"</" + prefix + b"row>"
        buffer = buffer[match.end() :]
        state = [0]  # the last row number, for rows that do not give theirs
        for block in itertools.chain([b""], blocks):
            buffer += block
            end = buffer.rfind(row_end)
            if end == -1:
                if len(buffer) > XLSX_MAX_ROW_BYTES + len(block):
                    raise _reject("A row of the worksheet is too large to read.")
                continue
            end += len(row_end)
            rows_xml, buffer = buffer[:end], buffer[end:]
            # The parsed block holds many small objects, none in a reference cycle: the cyclic
            # garbage collector, run again and again over the whole process while they are made,
            # would double the time it takes. They are freed as usual once read.
            collecting = gc.isenabled()
            gc.disable()
            try:
                rows = list(self._parse_rows(_parse_xml(opening + rows_xml + closing)[0], wanted, state))
            finally:
                if collecting:
                    gc.enable()
            yield from rows
        if b"<" + prefix + b"c" in buffer.split(b"</" + prefix + b"sheetData", 1)[0]:
            raise _reject(XLSX_MESSAGE)  # cells after the last whole row: a damaged sheet

    def _parse_rows(self, sheet_data, wanted, state) -> Iterator[tuple[int, dict[int, object]]]:
        ns = _namespace(sheet_data.tag)
        v_tag, is_tag, t_tag, f_tag = f"{{{ns}}}v", f"{{{ns}}}is", f"{{{ns}}}t", f"{{{ns}}}f"
        strings, epoch = self.strings, self.epoch
        letters_to_index = _column_index
        for row in sheet_data:
            number = row.get("r")
            line = int(number) if number and number.isdigit() else state[0] + 1
            if line <= state[0]:
                raise _reject("The worksheet's rows are out of order. Save it again from Excel.")
            state[0] = line
            cells: dict[int, object] = {}
            index = -1
            for cell in row:
                reference = cell.get("r")
                if reference:
                    match = CELL_REFERENCE.fullmatch(reference)
                    if match is None:
                        raise _reject(XLSX_MESSAGE)
                    index = letters_to_index(match.group(1))
                else:
                    index += 1
                if wanted is not None and index not in wanted:
                    continue
                kind = cell.get("t")
                raw = cell.findtext(v_tag)
                if kind == "s":
                    try:
                        value = strings[int(raw)]
                    except (TypeError, ValueError, IndexError):
                        raise _reject(XLSX_MESSAGE) from None
                elif kind == "inlineStr":
                    inline = cell.find(is_tag)
                    value = "" if inline is None else "".join(node.text or "" for node in inline.iter(t_tag))
                elif kind == "b":
                    value = raw in ("1", "true")
                elif kind == "e":
                    value = ERROR_CELL
                elif kind in ("str", "d"):
                    value = raw
                    if kind == "d" and raw:
                        value = _parse_date_text(raw[:10]) or raw
                elif raw:
                    try:
                        value = float(raw)
                    except ValueError:
                        raise _reject(XLSX_MESSAGE) from None
                    if value.is_integer() and abs(value) < 2**53:
                        value = int(value)
                    if wanted is not None and wanted[index] in DATE_COLUMNS:
                        value = _serial_date(value, epoch)
                else:
                    value = None
                if (value is None or value == "") and cell.find(f_tag) is not None:
                    value = FORMULA_CELL
                elif type(value) is str and len(value) > MAX_CELL_CHARS:
                    value = TOO_LONG_CELL
                if value is not None:
                    cells[index] = value
            if cells:
                yield line, cells

    def chunks(self) -> Iterator[Chunk]:
        positions, wanted = self.positions, self.wanted
        chunk: Chunk = []
        rows = self._rows(wanted)
        next(rows, None)  # the header
        try:
            for line, cells in rows:
                values = tuple(_xlsx_cell(cells.get(position)) for position in positions)
                if all(cell is None or cell == "" for cell in values) and not any(
                    type(cell) is _CellProblem for cell in values
                ):
                    continue
                chunk.append((line, values))
                if len(chunk) >= CHUNK_ROWS:
                    yield chunk
                    chunk = []
            if chunk:
                yield chunk
        finally:
            rows.close()


def _parse_xml(content: bytes) -> ElementTree.Element:
    """A workbook part's XML. A document type declaration, which a workbook never has, is
    refused, so that no entity is ever defined or expanded; the parser reads no other file."""
    if b"<!DOCTYPE" in content[:4096] or b"<!ENTITY" in content:
        raise _reject(XLSX_MESSAGE)
    try:
        return ElementTree.fromstring(content)  # noqa: S314 - no DOCTYPE, hence no entities (above)
    except ElementTree.ParseError:
        raise _reject(XLSX_MESSAGE) from None


@functools.lru_cache(maxsize=20000)
def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _serial_date(value, epoch: date):
    """An Excel date (a serial number of days, with any time of day as a fraction), as a date;
    any other number is left for the row checker to refuse."""
    if isinstance(value, (int, float)) and 0 < value < EXCEL_LAST_SERIAL:
        return epoch + timedelta(days=int(value))
    return value


def _xlsx_cell(value):
    if type(value) is str:
        return value.strip()
    return value
