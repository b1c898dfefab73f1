"""Referring teams from a file, for a PCC office (its own areas) or a national administrator
(any area): CSV (UTF-8, comma or semicolon) or XLSX, read by the referral import's readers with
all their checks of the file (type, encoding, a workbook's parts and sizes, formulas without a
saved value, error cells, over-long cells).

Every row is checked, with the team form's rules and words, before anything is written; if any
row is wrong nothing is. Then every team is written through the team services, in one
transaction: a row whose name the area already has (capital letters aside) changes that team's
category and, when the row gives one, its staff count; any other row adds a team. Each team
added or changed has its own audit event, as on the form, and the upload one more.

Messages name the row and the column and never repeat what a cell holds."""

import io
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from rjportal.areas.models import PoliceArea
from rjportal.audit.constants import AuditAction
from rjportal.audit.services import audit_record
from rjportal.imports import ImportRejected, RowError

from .constants import TEAM_STAFF_COUNT_MAX, TeamCategory
from .importing import (
    AREA_MESSAGE,
    CONTROL_CHARACTER_MESSAGE,
    MAX_CELL_CHARS,
    MAX_ERRORS,
    TOO_LONG_CELL,
    FileColumns,
    _CellProblem,
    _open_reader,
    _reject,
    _seekable,
    _text,
    check_extension,
)
from .managers import team_areas_editable_by
from .models import ReferringTeam
from .services import referring_team_create, referring_team_update

TEAM_IMPORT_MAX_BYTES = 1024 * 1024
TEAM_IMPORT_MAX_ROWS = 2000  # 43 areas with dozens of teams each
NAME_MAX_LENGTH = ReferringTeam._meta.get_field("name").max_length


@dataclass(frozen=True)
class TeamColumn:
    name: str  # the header in the file
    required: bool
    description: str  # the column guide's words


# The template's columns, in order: the import, the template and the column guide all read them here.
TEAM_COLUMNS = [
    TeamColumn(
        "police_area_code",
        True,
        "The ONS code of the team's police force area, like E23000032: one your office serves. An office that "
        "serves one area may leave it empty, and the team is in that area.",
    ),
    TeamColumn(
        "name",
        True,
        f"The team's name as your area calls it, up to {NAME_MAX_LENGTH} characters. If the area already has a "
        "team of this name (capital letters do not matter), the row changes that team's category and staff "
        "count and its name stays as it is; otherwise the row adds a team. A name may be on one row per area.",
    ),
    TeamColumn("category", True, "The national category, so that areas can be compared: a code or name below."),
    TeamColumn(
        "staff_count",
        False,
        f"How many officers or staff the team has, as a whole number from 0 to {TEAM_STAFF_COUNT_MAX:,}. Leave it "
        "empty when not known: a team already recorded then keeps the number it has.",
    ),
]
COLUMN_NAMES = [column.name for column in TEAM_COLUMNS]
CATEGORIES = [(choice.value, choice.label) for choice in TeamCategory]


def example_rows(area_code: str) -> list[list[str]]:
    """The template's example rows, in one of the user's areas."""
    return [
        [area_code, "North neighbourhood policing", TeamCategory.NEIGHBOURHOOD.value, "40"],
        [area_code, "Custody suites", TeamCategory.CUSTODY.label, ""],
    ]


MISSING_MESSAGES = {
    "police_area_code": "Enter the police force area code: your office serves more than one area",
    "name": "Enter the team's name",
    "category": "Enter the team's category",
}
NAME_LENGTH_MESSAGE = f"The team's name must be {NAME_MAX_LENGTH} characters or fewer"
CATEGORY_MESSAGE = "Enter a category code or name from the column guide"
STAFF_COUNT_MESSAGE = "Enter the number of officers or staff as a whole number, like 12, or leave it empty"
STAFF_COUNT_NEGATIVE_MESSAGE = "The number of officers or staff must be 0 or more"
STAFF_COUNT_TOO_MANY_MESSAGE = f"The number of officers or staff must be {TEAM_STAFF_COUNT_MAX:,} or fewer"
NOT_SERVED_MESSAGE = "Your office does not serve {area}: you can upload teams only for the areas it serves"
SIZE_MESSAGE = f"The file must be smaller than {TEAM_IMPORT_MAX_BYTES // (1024 * 1024)} MB"
TOO_MANY_ROWS_MESSAGE = f"The file has more than {TEAM_IMPORT_MAX_ROWS:,} teams. Split it into smaller files."
NO_HEADER_MESSAGE = (
    "Row 1 must hold the template's column names (police_area_code, name, category and staff_count). "
    "Download the template and put your teams under its first row."
)
LONG_HEADER_MESSAGE = "The first row is longer than 64 KB. It must hold only the template's column names."
SAVED_MEANWHILE_MESSAGE = (
    "A team with one of the file's names was added while the file was being checked. Upload the file again: "
    "that row will then change the team."
)

REMOVED_MEANWHILE_MESSAGE = (
    "The team of this name was removed while the file was being checked. Upload the file again: this row will "
    "then add it."
)


@dataclass(frozen=True)
class TeamImportResult:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def referring_teams_import(*, actor, source, filename: str = "") -> TeamImportResult:
    """Add or change referring teams from a file, in the areas `actor` keeps. Raises
    ImportRejected, listing every problem by row and column, and writes nothing if any row is
    wrong; PermissionDenied for anyone who keeps no area's teams."""
    if not team_areas_editable_by(actor).exists():
        raise PermissionDenied("Only PCC office staff and national administrators can upload referring teams.")
    check_extension(filename)
    with _seekable(source) as stream:
        stream.seek(0, io.SEEK_END)
        if stream.tell() > TEAM_IMPORT_MAX_BYTES:
            raise _reject(SIZE_MESSAGE)
        stream.seek(0)
        rows = _checked_rows(_open_reader(stream, columns=TEAM_FILE), _RowChecker(actor))
    return _write(actor=actor, rows=rows, filename=filename)


@dataclass(frozen=True)
class _TeamRow:
    line: int
    area: PoliceArea
    name: str
    category: str
    staff_count: int | None
    team_id: int | None  # the area's team of this name, which the row changes; None adds a team


def _checked_rows(reader, checker: "_RowChecker") -> list[_TeamRow]:
    rows: list[_TeamRow] = []
    errors: list[RowError] = []
    more_errors = 0
    read = 0
    for chunk in reader.chunks():
        for line, cells in chunk:
            read += 1
            if read > TEAM_IMPORT_MAX_ROWS:
                raise _reject(TOO_MANY_ROWS_MESSAGE)
            row, row_errors = checker.check(line, cells)
            if row_errors:
                room = max(0, MAX_ERRORS - len(errors))
                errors.extend(row_errors[:room])
                more_errors += max(0, len(row_errors) - room)
            else:
                rows.append(row)
    if not read:
        raise _reject("The file has a header but no rows.")
    if more_errors:
        errors.append(
            RowError(None, "", f"There are {more_errors} more problems not listed here. Fix these and try again.")
        )
    if errors:
        raise ImportRejected(errors)
    return rows


# Service errors by the team's field, as the file's columns.
FIELD_COLUMNS = {"area": "police_area_code", "name": "name", "category": "category", "staff_count": "staff_count"}


def _write(*, actor, rows: list[_TeamRow], filename: str) -> TeamImportResult:
    created = updated = unchanged = 0
    try:
        with transaction.atomic():
            existing = ReferringTeam.objects.select_related("area").in_bulk(
                [row.team_id for row in rows if row.team_id is not None]
            )
            for row in rows:
                try:
                    if row.team_id is None:
                        referring_team_create(
                            actor=actor,
                            area=row.area,
                            name=row.name,
                            category=row.category,
                            staff_count=row.staff_count,
                        )
                        created += 1
                        continue
                    team = existing.get(row.team_id)
                    if team is None:
                        raise ImportRejected([RowError(row.line, "name", REMOVED_MEANWHILE_MESSAGE)])
                    before = (team.category, team.staff_count)
                    values = {"category": row.category}
                    if row.staff_count is not None:
                        values["staff_count"] = row.staff_count
                    referring_team_update(actor=actor, team=team, **values)
                    if (team.category, team.staff_count) == before:
                        unchanged += 1
                    else:
                        updated += 1
                except ValidationError as error:
                    raise ImportRejected(
                        [
                            RowError(row.line, FIELD_COLUMNS.get(field, ""), message)
                            for field, messages in error.message_dict.items()
                            for message in messages
                        ]
                    ) from None
            result = TeamImportResult(created=created, updated=updated, unchanged=unchanged)
            _audit(actor=actor, rows=rows, filename=filename, result=result)
    except IntegrityError:
        # Another upload or the form added one of the file's teams a moment ago.
        raise ImportRejected([RowError(None, "name", SAVED_MEANWHILE_MESSAGE)]) from None
    return result


def _audit(*, actor, rows: list[_TeamRow], filename: str, result: TeamImportResult) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        record_type=ReferringTeam,
        summary=(
            f"Uploaded {result.total} referring teams{f' from {filename}' if filename else ''}: "
            f"{result.created} added, {result.updated} changed, {result.unchanged} unchanged"
        ),
        changes={
            "file": filename,
            "rows": result.total,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "areas": sorted({row.area.code for row in rows}),
        },
    )


# Checking one row -------------------------------------------------------------------------


class _RowChecker:
    """Turns one row's cells (in COLUMN_NAMES order) into a team to add or change, or into the
    row's problems. The areas and teams it needs are read once, when it is made."""

    def __init__(self, actor):
        editable = list(team_areas_editable_by(actor))
        self.editable_ids = {area.pk for area in editable}
        self.only_area = editable[0] if len(editable) == 1 else None
        self.areas = {area.code.upper(): area for area in PoliceArea.objects.all()}
        self.teams = {
            (area_id, name.lower()): pk
            for pk, area_id, name in ReferringTeam.objects.filter(area_id__in=self.editable_ids).values_list(
                "pk", "area_id", "name"
            )
        }
        self.categories = {}
        for value, label in CATEGORIES:
            self.categories[label.lower()] = value
            self.categories[value] = value
        self.first_lines: dict[tuple[int, str], int] = {}

    def check(self, line: int, cells: tuple) -> tuple[_TeamRow | None, list[RowError]]:
        errors: dict[str, str] = {}
        for column, cell in zip(COLUMN_NAMES, cells, strict=True):
            if type(cell) is _CellProblem:
                errors[column] = cell.message
            elif type(cell) is str and len(cell) > MAX_CELL_CHARS:
                errors[column] = TOO_LONG_CELL.message
            elif type(cell) is str and "\x00" in cell:
                errors[column] = CONTROL_CHARACTER_MESSAGE
        area_cell, name_cell, category_cell, staff_cell = cells

        area = None
        if "police_area_code" not in errors:
            area, problem = self._area(_text(area_cell))
            if problem:
                errors["police_area_code"] = problem

        name = _text(name_cell)
        if "name" in errors:
            pass
        elif not name:
            errors["name"] = MISSING_MESSAGES["name"]
        elif len(name) > NAME_MAX_LENGTH:
            errors["name"] = NAME_LENGTH_MESSAGE
        elif area is not None:
            key = (area.pk, name.lower())
            first_line = self.first_lines.setdefault(key, line)
            if first_line != line:
                errors["name"] = f"This team is also on row {first_line}"

        category = self.categories.get(_text(category_cell).lower())
        if "category" in errors:
            pass
        elif not _text(category_cell):
            errors["category"] = MISSING_MESSAGES["category"]
        elif category is None:
            errors["category"] = CATEGORY_MESSAGE

        staff_count = None
        if "staff_count" not in errors:
            staff_count, problem = _staff_count(staff_cell)
            if problem:
                errors["staff_count"] = problem

        if errors:
            return None, [RowError(line, column, errors[column]) for column in COLUMN_NAMES if column in errors]
        team_id = self.teams.get((area.pk, name.lower()))
        return _TeamRow(line, area, name, category, staff_count, team_id), []

    def _area(self, code: str) -> tuple[PoliceArea | None, str]:
        if not code:
            if self.only_area is not None:
                return self.only_area, ""
            return None, MISSING_MESSAGES["police_area_code"]
        area = self.areas.get(code.upper())
        if area is None:
            return None, AREA_MESSAGE
        if area.pk not in self.editable_ids:
            return None, NOT_SERVED_MESSAGE.format(area=area.name)
        return area, ""


def _staff_count(cell) -> tuple[int | None, str]:
    """The number of officers or staff (None when the cell is empty), or the problem with it."""
    if cell is None or (type(cell) is str and not cell.strip()):
        return None, ""
    if isinstance(cell, bool):
        return None, STAFF_COUNT_MESSAGE
    if isinstance(cell, (int, float)):
        if isinstance(cell, float) and not cell.is_integer():
            return None, STAFF_COUNT_MESSAGE
        number = int(cell)
    else:
        text = cell.strip()
        digits = text.removeprefix("-")
        # isdigit() alone admits "²" and other digits int() refuses; a long run of digits is
        # far beyond the limit, and is refused before int() is asked to read it.
        if not (digits.isascii() and digits.isdigit()):
            return None, STAFF_COUNT_MESSAGE
        if len(digits) > len(str(TEAM_STAFF_COUNT_MAX)):
            return None, STAFF_COUNT_NEGATIVE_MESSAGE if text.startswith("-") else STAFF_COUNT_TOO_MANY_MESSAGE
        number = int(text)
    if number < 0:
        return None, STAFF_COUNT_NEGATIVE_MESSAGE
    if number > TEAM_STAFF_COUNT_MAX:
        return None, STAFF_COUNT_TOO_MANY_MESSAGE
    return number, ""


# Reading the file --------------------------------------------------------------------------
#
# The referral import's readers, given the teams file's columns: their checks of the file, of
# its header and their reading of rows are the referral import's.

TEAM_FILE = FileColumns(
    names=COLUMN_NAMES,
    may_be_left_out=frozenset(),
    no_header_message=NO_HEADER_MESSAGE,
    long_header_message=LONG_HEADER_MESSAGE,
    rows_are="the teams",
)
