"""Bulk import of referrals by an RJ provider, from CSV (UTF-8, comma or semicolon) or XLSX.

The file is read once, a chunk at a time, so that memory does not grow with its size. Every
row is checked, and every problem collected, inside one transaction: while no row is wrong,
checked rows go on to the database as they are checked (so that the database stores one chunk
while the next is being checked), and once any row is wrong nothing more is sent and the
transaction is rolled back at the end, so an invalid file changes nothing. A referral is
matched on provider and reference, so uploading the same file again updates rather than
duplicates.

Error messages never repeat what a cell holds: they name the row and the column, so that
they can be kept and shown again without carrying anything a provider typed."""

import contextlib
import csv
import io
import itertools
import operator
import pickle
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pandas as pd
from django.core.exceptions import PermissionDenied
from django.db import connections, router, transaction
from django.db.models import Max
from django.utils import timezone

from rjportal.accounts.constants import Role
from rjportal.areas.models import PoliceArea
from rjportal.audit.constants import AuditAction
from rjportal.audit.services import audit_record
from rjportal.imports import ImportRejected, RowError
from rjportal.organisations.constants import OrganisationKind
from rjportal.organisations.models import Organisation

from .constants import REFERRAL_OFFENCE_GROUPS, REFERRAL_OFFENCE_SUBGROUPS, Initiator, JusticeStage, Stage
from .models import Referral, ReferralEvent, ReferringTeam
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

# The template's columns, in order. Every one must be in the file's header row.
COLUMNS = [
    "reference",
    "police_area_code",
    "referring_team",
    "initiator",
    "offence_group",
    "offence_subgroup",
    "hate_crime",
    "domestic_abuse",
    "sexual_harm",
    "justice_stage",
    "offender_under_18",
    "victim_enhanced_rights",
    "crime_reported_on",
    "victim_informed_on",
    "victim_requested_on",
    "referred_on",
    "received_on",
    "contact_attempts",
]
OPTIONAL_COLUMNS = {"offence_subgroup", "crime_reported_on", "victim_informed_on", "victim_requested_on"}

EXAMPLE_ROW = {
    "reference": "RJ-2026-0001",
    "police_area_code": "E23000032",
    "referring_team": "Canterbury neighbourhood policing",
    "initiator": "victim",
    "offence_group": "violence_against_the_person",
    "offence_subgroup": "violence_with_injury",
    "hate_crime": "no",
    "domestic_abuse": "no",
    "sexual_harm": "no",
    "justice_stage": "pre_sentence",
    "offender_under_18": "no",
    "victim_enhanced_rights": "yes",
    "crime_reported_on": "2026-01-05",
    "victim_informed_on": "2026-01-06",
    "victim_requested_on": "2026-01-08",
    "referred_on": "2026-01-09",
    "received_on": "12/01/2026",
    "contact_attempts": "0",
}

CHOICES = {
    "initiator": [(choice.value, choice.label) for choice in Initiator],
    "offence_group": [(offence.value, offence.label) for offence in REFERRAL_OFFENCE_GROUPS],
    "offence_subgroup": [(offence.value, offence.label) for offence in REFERRAL_OFFENCE_SUBGROUPS],
    "justice_stage": [(choice.value, choice.label) for choice in JusticeStage],
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
}
YES_NO_MESSAGE = "Enter yes or no"
DATE_MESSAGE = "Enter a date like 2026-01-31 or 31/01/2026"
CONTACT_ATTEMPTS_MESSAGE = "Enter a whole number of contact attempts, like 0 or 3, or leave it empty for 0"
AREA_MESSAGE = "Enter a police force area code from the column guide, like E23000032"
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

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


Progress = Callable[[str, int, int | None], None]  # (phase, rows done so far, total rows if known)


def referral_import(
    *, actor, provider: Organisation, source, filename: str = "", progress: Progress | None = None
) -> ImportResult:
    """Create or update `provider`'s referrals from a file, checking every row. Raises
    ImportRejected, listing every problem by row and column, and changes nothing if any row
    is wrong. `source` is a binary file (seekable or not) or bytes. `actor` is None for a
    command-line import."""
    _check_actor(actor, provider)
    if provider.kind != OrganisationKind.RJ_PROVIDER:
        raise ImportRejected([RowError(None, "", f"{provider.name} is not an RJ provider")])
    with (
        _seekable(source) as stream,
        tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES) as matched,
        contextlib.closing(_SeenReferences()) as seen,
    ):
        reader = _open_reader(stream)  # a file without the template's header stops here
        parser = _RowParser(provider, today=timezone.localdate())
        with transaction.atomic():
            writer = _ReferralWriter(actor=actor, provider=provider)
            existing = writer.existing_references()
            rows = _CheckedRows(
                reader,
                parser,
                existing=existing,
                first_moves=first_moves(Referral.objects.filter(provider=provider).values("pk")),
                matched=matched,
                seen=seen,
            )
            created = writer.create(rows.new(progress))
            rows.raise_if_rejected()  # rolls back whatever was sent
            matched.seek(0)
            updated, unchanged = writer.update_matched(_unpickled(matched), total=rows.matched, progress=progress)
            result = ImportResult(created=created, updated=updated, unchanged=unchanged)
            _audit(actor=actor, provider=provider, filename=filename, result=result)
    return result


class _CheckedRows:
    """Reads and checks the file a chunk at a time. While no row is wrong, `new` yields each
    chunk's new referrals (as the writer takes them) and keeps those matching an existing
    referral in `matched` for afterwards; once a row is wrong it yields nothing more, but goes
    on checking so that every problem in the file is listed."""

    def __init__(
        self,
        reader,
        parser: "_RowParser",
        *,
        existing: dict[str, int],
        first_moves: dict[int, tuple],
        matched,
        seen: "_SeenReferences",
    ):
        self.reader = reader
        self.first_moves = first_moves
        self.parser = parser
        self.existing = existing
        self.spool = matched
        self.compared = operator.itemgetter(*COMPARED_FIELDS)  # a row's values, in the writer's order
        self.errors: list[RowError] = []
        self.more_errors = 0
        self.rows = 0
        self.matched = 0
        self.seen = seen

    def new(self, progress: Progress | None) -> Iterator[list[tuple]]:
        existing, compared, check = self.existing, self.compared, self.parser.check
        errors = self.errors
        for chunk in self.reader.chunks():
            first_lines = self.seen.first_lines([(_text(cells[0]), line) for line, cells in chunk])
            new, matched = [], []
            for line, cells in chunk:
                values, row_errors = check(line, cells, first_line=first_lines.get(_text(cells[0])))
                pk = existing.get(values.get("reference"))
                if pk is not None and not any(error.column == "received_on" for error in row_errors):
                    # An update may not put the received date after the referral's first move.
                    problem = received_after_first_move(values.get("received_on"), self.first_moves.get(pk))
                    if problem:
                        row_errors.append(RowError(line, "received_on", problem))
                if row_errors:
                    room = MAX_ERRORS - len(errors)
                    errors.extend(row_errors[:room])
                    self.more_errors += max(0, len(row_errors) - room)
                elif not errors:
                    values = compared(values)
                    if pk is None:
                        new.append(values)
                    else:
                        matched.append((pk, values))
            self.rows += len(chunk)
            if not errors:
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


class _SeenReferences:
    """The references met so far in the file, each with the row it was first on, so that a
    reference used twice is reported on its second row. Kept in a temporary SQLite database on
    disk (its page cache is bounded), not in a dict: a dict would grow by about 140 bytes for
    every row of the file."""

    def __init__(self):
        self.db = sqlite3.connect("")  # "": a private temporary database, deleted when closed
        self.db.execute("CREATE TABLE seen (reference TEXT PRIMARY KEY, line INTEGER) WITHOUT ROWID")
        self.db.execute("CREATE TABLE chunk (reference TEXT PRIMARY KEY, line INTEGER) WITHOUT ROWID")

    def first_lines(self, references: list[tuple[str, int]]) -> dict[str, int]:
        """Record a chunk's (reference, row) pairs, in row order; return, for each of its
        references already met (earlier in the file or earlier in the chunk), the first row."""
        first: dict[str, int] = {}
        repeated: dict[str, int] = {}
        for reference, line in references:
            if not reference:
                continue
            if reference in first:
                repeated[reference] = first[reference]
            else:
                first[reference] = line
        db = self.db
        db.execute("DELETE FROM chunk")
        db.executemany("INSERT INTO chunk VALUES (?, ?)", first.items())
        repeated.update(db.execute("SELECT reference, seen.line FROM chunk JOIN seen USING (reference)"))
        db.execute("INSERT OR IGNORE INTO seen SELECT reference, line FROM chunk")
        return repeated

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
        ),
        changes={
            "file": filename,
            "rows": result.total,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        },
    )


def _check_actor(actor, provider: Organisation) -> None:
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
    def __init__(self, *, actor, provider: Organisation):
        self.connection = connections[router.db_for_write(Referral)]
        self.postgres = self.connection.vendor == "postgresql"
        self.provider = provider
        self.actor_id = actor.pk if actor is not None and actor.is_authenticated else None
        self.now = self.connection.ops.adapt_datetimefield_value(timezone.now())
        self.clocks: dict[tuple, tuple] = {}
        quote = self.connection.ops.quote_name
        meta, event_meta = Referral._meta, ReferralEvent._meta
        self.table, self.event_table = quote(meta.db_table), quote(event_meta.db_table)

        # New referrals: the file's values, then the values worked out here, then constants.
        # The database numbers them, in the order they are written.
        worked_out = ["stage_changed_on", *CLOCK_FIELDS]
        constants = {field.attname: field.get_default() for field in meta.concrete_fields}
        constants.update(provider_id=provider.pk, stage=Stage.REFERRED, created_at=self.now, updated_at=self.now)
        columns = [field for field in meta.concrete_fields if not field.primary_key]
        self.constants = tuple(constants[field.attname] for field in columns)
        names = [*COMPARED_FIELDS, *worked_out, *(field.attname for field in columns)]
        offset = len(COMPARED_FIELDS) + len(worked_out)
        self.pick = operator.itemgetter(
            *(
                names.index(field.attname) if field.attname in names[:offset] else offset + position
                for position, field in enumerate(columns)
            )
        )
        column_list = ", ".join(quote(field.column) for field in columns)
        self.insert_sql = f"INSERT INTO {self.table} ({column_list}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        self.copy_sql = _copy_sql(self.table, columns, quote)

        event_columns = ", ".join(
            quote(event_meta.get_field(name).column)
            for name in ("referral", "from_stage", "to_stage", "happened_on", "reason", "actor", "created_at")
        )
        # The first event of each referral this import created: those numbered after the newest
        # referral before it began, of this provider, made at this import's time.
        self.events_sql = (
            f"INSERT INTO {self.event_table} ({event_columns}) "  # noqa: S608 - names from the models
            f"SELECT {quote(meta.pk.column)}, %s, %s, {quote(meta.get_field('received_on').column)}, %s, %s, %s "
            f"FROM {self.table} WHERE {quote(meta.pk.column)} > %s "
            f"AND {quote(meta.get_field('provider').column)} = %s AND {quote(meta.get_field('created_at').column)} = %s"
        )
        updated_columns = [meta.get_field(field).column for field in COMPARED_FIELDS] + [*CLOCK_FIELDS, "updated_at"]
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
        scratch_fields = [meta.get_field(field) for field in [*COMPARED_FIELDS, *CLOCK_FIELDS, "updated_at"]]
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

    def existing_references(self) -> dict[str, int]:
        """The provider's referrals by reference. Locks the provider first, so that two imports
        for it cannot both create the same reference."""
        Organisation.objects.select_for_update().filter(pk=self.provider.pk).first()
        return dict(Referral.objects.filter(provider=self.provider).values_list("reference", "pk"))

    def create(self, chunks: Iterator[list[tuple]]) -> int:
        """Insert new referrals at 'referred', as referral_create does, each with its first event.
        Returns how many."""
        pick, constants, deadlines = self.pick, self.constants, self.deadlines
        # Written in date order within each chunk, the new entries of the indexes that end in
        # received_on fall on neighbouring pages rather than all over them: fewer pages to read
        # and write. Referrals received on the same day keep the file's order, and so their
        # order by id.
        chunks = (sorted(chunk, key=operator.itemgetter(RECEIVED_ON)) for chunk in chunks)
        created = 0

        def rows():
            nonlocal created
            for chunk in chunks:
                created += len(chunk)
                for values in chunk:
                    yield pick((*values, values[RECEIVED_ON], *deadlines(values), *constants))

        newest_before = Referral.objects.aggregate(newest=Max("pk"))["newest"] or 0
        with self.connection.cursor() as cursor:
            if self.postgres:
                # One COPY for the whole file: the rows are read, checked and turned into text
                # here while the database stores those sent before.
                _CsvStream(rows()).copy(cursor.cursor, self.copy_sql)
            else:
                pending = rows()
                while batch := list(itertools.islice(pending, CHUNK_ROWS)):
                    cursor.executemany(self.insert_sql, batch)
            if created:
                cursor.execute(
                    self.events_sql,
                    ["", Stage.REFERRED.value, "", self.actor_id, self.now, newest_before, self.provider.pk, self.now],
                )
        return created

    def update_matched(self, chunks: Iterator[list[tuple]], *, total: int, progress: Progress | None) -> tuple:
        """Update the referrals whose values differ from the file's. Returns how many were
        updated and how many were unchanged."""
        updated = unchanged = done = 0
        for chunk in chunks:
            changed = self.changed(dict(chunk))
            self.update(changed)
            updated += len(changed)
            unchanged += len(chunk) - len(changed)
            done += len(chunk)
            if progress:
                progress("update", done, total)
        return updated, unchanged

    def changed(self, matched: dict[int, tuple]) -> list[tuple]:
        """Update parameters for the matched referrals whose values differ from the file's."""
        changes = []
        for pk, *current in self._current(list(matched)):
            values = matched[pk]
            if tuple(current) != values:
                changes.append((*values, *self.deadlines(values), self.now, pk))
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
        self.choices = {column: _lookup(choices) for column, choices in CHOICES.items()}
        self.dates: dict[str, date | None] = {}

    def check(self, line: int, cells: tuple, *, first_line: int | None = None) -> tuple[dict, list[RowError]]:
        """`first_line` is the first row with this row's reference, if that is an earlier row."""
        errors: dict[str, str] = {}
        values = self._parse(cells, errors)
        for column, cell in zip(COLUMNS, cells, strict=True):
            if type(cell) is str and "\x00" in cell:
                errors[column] = CONTROL_CHARACTER_MESSAGE
        if first_line is not None and first_line != line and values.get("reference"):
            errors.setdefault("reference", f"This reference is also on row {first_line}")
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
        ) = cells
        values: dict = {}

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
XLS_MESSAGE = "Older Excel files (.xls) cannot be read. Save it as an Excel workbook (.xlsx) or as 'CSV UTF-8'."
XLSX_MESSAGE = "The file could not be read as an Excel workbook (.xlsx)."

Chunk = list[tuple[int, tuple]]  # (line in the file, cells in COLUMNS order)


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


def _open_reader(stream):
    start = stream.read(4)
    stream.seek(0)
    if start == b"PK\x03\x04":
        return _XlsxReader(stream)
    if start == b"\xd0\xcf\x11\xe0":
        raise ImportRejected([RowError(None, "", XLS_MESSAGE)])
    return _CsvReader(stream)


def _column_positions(header: list) -> list[int]:
    """Where each template column is in the file's header; rejects a header that is not the
    template's."""
    names = [_text(name).lower() for name in header]
    while names and not names[-1]:
        names.pop()
    errors = []
    seen = set()
    for name in names:
        if not name:
            errors.append(RowError(1, "", "A column has no name. Delete it or give it a name from the template."))
        elif name not in COLUMNS:
            errors.append(
                RowError(
                    1, name[:60], "This column is not in the template. Delete it or rename it to a template column"
                )
            )
        elif name in seen:
            errors.append(RowError(1, name, "This column appears more than once"))
        seen.add(name)
    errors.extend(RowError(None, column, "This column is missing") for column in COLUMNS if column not in names)
    if errors:
        raise ImportRejected(errors)
    return [names.index(column) for column in COLUMNS]


class _CsvReader:
    def __init__(self, stream):
        self.stream = stream
        sample = stream.read(64 * 1024)
        stream.seek(0)
        if not sample.strip(b"\xef\xbb\xbf \t\r\n"):
            raise ImportRejected([RowError(None, "", "The file is empty.")])
        first_line = sample.split(b"\n", 1)[0]
        try:
            header_text = first_line.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRejected([RowError(None, "", ENCODING_MESSAGE)]) from None
        self.delimiter = ";" if header_text.count(";") > header_text.count(",") else ","
        header = next(csv.reader([header_text], delimiter=self.delimiter), [])
        self.positions = _column_positions(header)

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
                columns = [frame.iloc[:, position].tolist() for position in self.positions]
                chunk = []
                for cells in zip(*columns, strict=True):
                    if any(cells):
                        chunk.append((line, cells))
                    line += 1
                yield chunk
        except UnicodeDecodeError:
            raise ImportRejected([RowError(None, "", ENCODING_MESSAGE)]) from None
        except pd.errors.ParserError as error:
            raise ImportRejected([RowError(None, "", _parser_message(error))]) from None


def _parser_message(error: Exception) -> str:
    text = str(error)
    if "Expected" in text and "fields in line" in text:
        # "Error tokenizing data. C error: Expected 18 fields in line 7, saw 19"
        line = text.split("fields in line", 1)[1].split(",", 1)[0].strip()
        return f"Row {line} has more cells than the header row. Check for a stray comma or semicolon."
    return "The file could not be read as CSV. Save it as 'CSV UTF-8' from the template."


class _XlsxReader:
    """The first worksheet, read row by row (openpyxl's read-only mode does not hold the
    sheet in memory). Cells keep their types: dates as dates, numbers as numbers."""

    def __init__(self, stream):
        from openpyxl import load_workbook

        self.stream = stream
        self.load_workbook = load_workbook
        rows = self._rows()
        try:
            header = next(rows, None)
        finally:
            rows.close()
        if header is None:
            raise ImportRejected([RowError(None, "", "The file is empty.")])
        self.positions = _column_positions(list(header))

    def _rows(self):
        self.stream.seek(0)
        try:
            workbook = self.load_workbook(self.stream, read_only=True, data_only=True)
        except Exception:  # a damaged or disguised file: openpyxl raises many kinds
            raise ImportRejected([RowError(None, "", XLSX_MESSAGE)]) from None
        try:
            sheet = workbook.worksheets[0]
            yield from sheet.iter_rows(values_only=True)
        finally:
            workbook.close()

    def chunks(self) -> Iterator[Chunk]:
        rows = self._rows()
        next(rows, None)  # the header
        positions = self.positions
        width = max(positions) + 1
        chunk: Chunk = []
        try:
            for line, row in enumerate(rows, start=2):
                if len(row) < width:
                    row = (*row, *([None] * (width - len(row))))
                cells = tuple(_xlsx_cell(row[position]) for position in positions)
                if all(cell is None or cell == "" for cell in cells):
                    continue
                chunk.append((line, cells))
                if len(chunk) >= CHUNK_ROWS:
                    yield chunk
                    chunk = []
            if chunk:
                yield chunk
        finally:
            rows.close()


def _xlsx_cell(value):
    if isinstance(value, str):
        return value.strip()
    return value
