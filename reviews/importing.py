"""Reading a case register (CSV or XLSX) into cases, checking every row first. Raises
ImportRejected listing every problem by row and column; the caller saves nothing unless the
whole file is valid. Messages never repeat what a cell holds.

Safety: the file is bounded in size and rows, only .csv and .xlsx are accepted, the header
row must be the template's (and only the template's columns: no names or free text can come
in), a workbook is checked before it is read (its parts' sizes, macros) and any formula is
refused; XLSX is read with python-calamine, which evaluates nothing."""

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from xml.etree import ElementTree

from python_calamine import CalamineError, CalamineWorkbook

from referrals.constants import REFERRAL_OFFENCE_GROUPS
from rjportal.imports import ImportRejected, RowError

from .constants import CASE_REGISTER_MAX_BYTES, CASE_REGISTER_MAX_ROWS, MAX_ERRORS_SHOWN

# The template's columns, in order: (name, what it holds).
COLUMNS = [
    ("crime_reference", "The police's crime reference, up to 50 letters, digits, '/', '-', '.' or spaces."),
    ("offence_group", "The offence group: a code or name from the list below."),
    ("reported_on", "The date the crime was reported, like 2026-01-31 or 31/01/2026."),
    ("hate_crime", "yes or no: flagged as a hate crime."),
    ("domestic_abuse", "yes or no: flagged as domestic abuse."),
    ("sexual_harm", "yes or no: flagged as a sexual offence."),
]
COLUMN_NAMES = [name for name, _help in COLUMNS]
FLAG_COLUMNS = ["hate_crime", "domestic_abuse", "sexual_harm"]
EXAMPLE_ROWS = [
    ["KT/12345/26", "violence_against_the_person", "2026-01-05", "no", "yes", "no"],
    ["KT/12346/26", "Theft offences", "06/01/2026", "no", "no", "no"],
]
OFFENCE_GROUPS = [(offence.value, offence.label) for offence in REFERRAL_OFFENCE_GROUPS]
REFERENCE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/\-. ]{0,49}$")
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}

EXTENSION_MESSAGE = "The file must be a .csv or .xlsx file. Save your spreadsheet as 'CSV UTF-8' or as .xlsx."
SIZE_MESSAGE = "The file must be smaller than {limit} MB"
XLSX_MESSAGE = "The file could not be read as an Excel workbook (.xlsx)."
MACRO_MESSAGE = "Workbooks with macros cannot be uploaded. Save it as an Excel workbook (.xlsx)."
FORMULA_MESSAGE = "This cell holds a formula. Paste the column back as values only (Paste Special, Values)"
TOO_MANY_ROWS_MESSAGE = f"The file has more than {CASE_REGISTER_MAX_ROWS:,} rows. Split it or narrow the window."
XLSX_MAX_EXPANDED_BYTES = 60 * 1024 * 1024
XLSX_MAX_RATIO = 100


@dataclass(frozen=True)
class RegisterCase:
    crime_reference: str
    offence_group: str
    reported_on: date
    hate_crime: bool
    domestic_abuse: bool
    sexual_harm: bool


def _reject(message: str, row: int | None = None, column: str = "") -> ImportRejected:
    return ImportRejected([RowError(row, column, message)])


def read_case_register(*, content: bytes, filename: str, today: date) -> list[RegisterCase]:
    name = filename.lower()
    if not name.endswith((".csv", ".xlsx")):
        raise _reject(EXTENSION_MESSAGE)
    if len(content) > CASE_REGISTER_MAX_BYTES:
        raise _reject(SIZE_MESSAGE.format(limit=CASE_REGISTER_MAX_BYTES // (1024 * 1024)))
    if not content.strip(b"\xef\xbb\xbf \t\r\n"):
        raise _reject("The file is empty.")
    if name.endswith(".xlsx") or content[:4] == b"PK\x03\x04":
        if not name.endswith(".xlsx"):
            raise _reject(EXTENSION_MESSAGE)
        header, rows, formula_cells = _xlsx_rows(content)
    else:
        header, rows, formula_cells = _csv_rows(content)
    positions = _header_positions(header)
    if not rows:
        raise _reject("The file has a header but no rows.")
    if len(rows) > CASE_REGISTER_MAX_ROWS:
        raise _reject(TOO_MANY_ROWS_MESSAGE)
    errors: list[RowError] = []
    cases = []
    first_line: dict[str, int] = {}
    for line, row in rows:
        cells = {column: (row[position] if position < len(row) else None) for column, position in positions.items()}
        row_errors: dict[str, str] = {}
        for column in COLUMN_NAMES:
            if (line, positions[column]) in formula_cells:
                row_errors[column] = FORMULA_MESSAGE
        case = _parse(cells, row_errors, today=today)
        reference = case.get("crime_reference")
        if reference and "crime_reference" not in row_errors:
            key = reference.upper()
            if key in first_line:
                row_errors["crime_reference"] = f"This crime reference is also on row {first_line[key]}"
            else:
                first_line[key] = line
        if row_errors:
            errors.extend(RowError(line, column, row_errors[column]) for column in COLUMN_NAMES if column in row_errors)
        else:
            cases.append(RegisterCase(**case))
    if errors:
        raise ImportRejected(errors[:MAX_ERRORS_SHOWN])
    return cases


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _parse(cells: dict, errors: dict[str, str], *, today: date) -> dict:
    values: dict = {}
    reference = _text(cells["crime_reference"])
    if "crime_reference" in errors:
        pass
    elif not reference:
        errors["crime_reference"] = "Enter the crime reference"
    elif reference.startswith(("=", "+", "-", "@")):
        errors["crime_reference"] = FORMULA_MESSAGE
    elif not REFERENCE_PATTERN.match(reference):
        errors["crime_reference"] = (
            "Enter a crime reference of up to 50 letters, digits, '/', '-', '.' or spaces, starting with a letter or "
            "digit"
        )
    values["crime_reference"] = reference

    group = _text(cells["offence_group"]).lower()
    lookup = {code.lower(): code for code, _label in OFFENCE_GROUPS} | {
        label.lower(): code for code, label in OFFENCE_GROUPS
    }
    if "offence_group" in errors:
        pass
    elif not group:
        errors["offence_group"] = "Enter the offence group"
    elif group not in lookup:
        errors["offence_group"] = "Enter an offence group code or name from the column guide"
    else:
        values["offence_group"] = lookup[group]

    cell = cells["reported_on"]
    day = _date(cell)
    if "reported_on" in errors:
        pass
    elif cell is None or _text(cell) == "":
        errors["reported_on"] = "Enter the date the crime was reported"
    elif day is None:
        errors["reported_on"] = "Enter a date like 2026-01-31 or 31/01/2026"
    elif day > today:
        errors["reported_on"] = "The date the crime was reported must be today or in the past"
    else:
        values["reported_on"] = day

    for column in FLAG_COLUMNS:
        cell = cells[column]
        if column in errors:
            continue
        if isinstance(cell, bool):
            values[column] = cell
            continue
        text = _text(cell).lower()
        if text in YES:
            values[column] = True
        elif text in NO:
            values[column] = False
        else:
            errors[column] = "Enter yes or no"
    return values


def _date(cell) -> date | None:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = _text(cell)
    try:
        if len(text) == 10 and text[4] == "-":
            return date.fromisoformat(text)
        if text.count("/") == 2:
            day, month, year = text.split("/")
            if len(year) == 4:
                return date(int(year), int(month), int(day))
    except ValueError:
        return None
    return None


def _header_positions(header: list) -> dict[str, int]:
    names = [_text(name).lower() for name in header]
    while names and not names[-1]:
        names.pop()
    if not names:
        raise _reject(
            "Row 1 must hold the template's column names (crime_reference, offence_group and so on). Download the "
            "template and put your rows under its first row.",
            row=1,
        )
    errors = []
    for index, name in enumerate(names):
        if not name:
            errors.append(RowError(1, "", "A column has no name. Delete it or give it a name from the template."))
        elif name not in COLUMN_NAMES:
            errors.append(
                RowError(
                    1,
                    name[:60],
                    "This column is not in the template. Delete it: a case register holds only the template's columns",
                )
            )
        elif name in names[:index]:
            errors.append(RowError(1, name, "This column appears more than once"))
    errors.extend(RowError(None, column, "This column is missing") for column in COLUMN_NAMES if column not in names)
    if errors:
        raise ImportRejected(errors)
    return {column: names.index(column) for column in COLUMN_NAMES}


def _csv_rows(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _reject("The file is not UTF-8 text. Save it as 'CSV UTF-8' or as an Excel workbook (.xlsx).") from None
    first = text.split("\n", 1)[0]
    separator = ";" if first.count(";") > first.count(",") else ","
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error:
        raise _reject("The file could not be read as CSV. Save it as 'CSV UTF-8' from the template.") from None
    if not lines:
        raise _reject("The file is empty.")
    header = lines[0]
    rows = [(index, row) for index, row in enumerate(lines[1:], start=2) if any(cell.strip() for cell in row)]
    return header, rows, set()


def _xlsx_rows(content: bytes):
    formula_cells = _check_workbook(content)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = workbook.get_sheet_by_index(0)
        data = sheet.to_python(skip_empty_area=False)
    except (CalamineError, ValueError, IndexError, OSError, Exception):  # a damaged or disguised file
        raise _reject(XLSX_MESSAGE) from None
    if not data or not any(_text(cell) for cell in data[0]):
        raise (
            _reject("The file is empty.")
            if not data
            else _reject(
                "Row 1 must hold the template's column names. Download the template and put your rows under its first "
                "row.",
                row=1,
            )
        )
    header = data[0]
    rows = []
    for index, row in enumerate(data[1:], start=2):
        if any(_text(cell) for cell in row):
            rows.append((index, list(row)))
        if len(rows) > CASE_REGISTER_MAX_ROWS:
            break
    return header, rows, formula_cells


CELL = re.compile(r"^([A-Z]{1,3})([0-9]+)$")


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + (ord(letter) - 64)
    return index - 1


def _check_workbook(content: bytes) -> set[tuple[int, int]]:
    """Refuse a workbook that expands far beyond its size or holds macros; return the (row,
    column index) of each formula cell of its first worksheet."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise _reject(XLSX_MESSAGE) from None
    total = 0
    for info in infos:
        if info.filename.lower().endswith("vbaproject.bin"):
            raise _reject(MACRO_MESSAGE)
        total += info.file_size
        if total > XLSX_MAX_EXPANDED_BYTES or (
            info.file_size > 1024 * 1024 and info.file_size > XLSX_MAX_RATIO * max(info.compress_size, 1)
        ):
            raise _reject("The workbook expands to far more than its size. Save it as a new .xlsx and try again.")
    sheet = _first_sheet_part(archive)
    if sheet is None:
        raise _reject(XLSX_MESSAGE)
    formulas = set()
    content = _part(archive, sheet)
    try:
        for _event, element in ElementTree.iterparse(io.BytesIO(content), events=("end",)):  # noqa: S314 - no DOCTYPE
            if element.tag.rsplit("}", 1)[-1] == "c":
                if any(child.tag.rsplit("}", 1)[-1] == "f" for child in element):
                    match = CELL.match(element.get("r", ""))
                    if match:
                        formulas.add((int(match.group(2)), _column_index(match.group(1))))
                element.clear()
    except ElementTree.ParseError:
        raise _reject(XLSX_MESSAGE) from None
    return formulas


def _part(archive: zipfile.ZipFile, name: str) -> bytes:
    """A part's bytes, never more than the limit whatever its header claims, and refused if it
    declares a document type (a workbook never does), so that no entity is defined or expanded."""
    try:
        with archive.open(name) as part:
            content = part.read(XLSX_MAX_EXPANDED_BYTES + 1)
    except (KeyError, zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, ValueError):
        raise _reject(XLSX_MESSAGE) from None
    if len(content) > XLSX_MAX_EXPANDED_BYTES or b"<!DOCTYPE" in content[:4096] or b"<!ENTITY" in content:
        raise _reject(XLSX_MESSAGE)
    return content


def _first_sheet_part(archive: zipfile.ZipFile) -> str | None:
    names = set(archive.namelist())
    try:
        workbook = ElementTree.fromstring(_part(archive, "xl/workbook.xml"))  # noqa: S314 - no DOCTYPE
        rels = ElementTree.fromstring(_part(archive, "xl/_rels/workbook.xml.rels"))  # noqa: S314 - no DOCTYPE
    except ElementTree.ParseError:
        return None
    first = next((element for element in workbook.iter() if element.tag.rsplit("}", 1)[-1] == "sheet"), None)
    if first is None:
        return None
    rel_id = next((value for key, value in first.attrib.items() if key.rsplit("}", 1)[-1] == "id"), None)
    for relationship in rels:
        if relationship.get("Id") == rel_id:
            target = relationship.get("Target", "").lstrip("/")
            part = target if target.startswith("xl/") else f"xl/{target}"
            return part if part in names else None
    return None
