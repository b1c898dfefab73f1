"""Referring teams from a file: every row checked first, nothing written if any is wrong, then
each team added or changed through the team services, in one transaction."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from referrals import team_importing
from referrals.models import ReferringTeam
from referrals.team_importing import COLUMN_NAMES, TeamImportResult, referring_teams_import
from rjportal.audit.models import AuditEvent
from rjportal.imports import ImportRejected, RowError
from tests.factories import DYFED_POWYS, ESSEX, KENT, PccStaffFactory, ReferringTeamFactory, area

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"
HEADER = ",".join(COLUMN_NAMES)
AREA_MESSAGE = "Enter a police force area code from the column guide, like E23000032"
WHOLE_NUMBER = "Enter the number of officers or staff as a whole number, like 12, or leave it empty"


@pytest.fixture
def two_area_pcc_user():
    """PCC office staff whose office serves Kent and Essex."""
    return PccStaffFactory(email="pcc.two@example.org", organisation__areas=[area(KENT), area(ESSEX)])


@pytest.fixture
def medway():
    return ReferringTeamFactory(area=area(KENT), name="Medway Neighbourhood", category="neighbourhood", staff_count=40)


def upload(actor, content: bytes | str, filename: str = "teams.csv") -> TeamImportResult:
    if isinstance(content, str):
        content = content.encode()
    return referring_teams_import(actor=actor, source=io.BytesIO(content), filename=filename)


def rejected(actor, content: bytes | str, filename: str = "teams.csv") -> list[RowError]:
    with pytest.raises(ImportRejected) as caught:
        upload(actor, content, filename)
    return caught.value.errors


def csv_text(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def teams() -> dict[tuple[str, str], tuple[str, int | None]]:
    return {
        (team.area.code, team.name): (team.category, team.staff_count)
        for team in ReferringTeam.objects.select_related("area")
    }


def xlsx_bytes(rows: list[list], header=COLUMN_NAMES) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for cells in rows:
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# A good file -------------------------------------------------------------------------------


def test_a_good_file_adds_and_changes_teams(pcc_user, medway):
    result = upload(pcc_user, (FILES / "teams_good.csv").read_bytes(), "kent-teams.csv")

    assert result == TeamImportResult(created=3, updated=1, unchanged=0)
    assert teams() == {
        (KENT, "Medway Neighbourhood"): ("youth_justice", 40),  # its name and staff count stay
        (KENT, "Swale Response"): ("response", 25),
        (KENT, "Gravesend Custody"): ("custody", None),
        (KENT, "Canterbury Victim Care"): ("victim_care_unit", 0),
    }


def test_each_team_added_or_changed_is_audited_and_so_is_the_upload(pcc_user, medway):
    upload(pcc_user, (FILES / "teams_good.csv").read_bytes(), "kent-teams.csv")

    swale = ReferringTeam.objects.get(name="Swale Response")
    created = AuditEvent.objects.for_target(swale).get()
    assert (created.action, created.actor) == ("create", pcc_user)
    assert created.changes == {"area": KENT, "name": "Swale Response", "category": "response", "staff_count": 25}
    changed = AuditEvent.objects.for_target(medway).get()
    assert (changed.action, changed.changes) == (
        "update",
        {"category": {"from": "neighbourhood", "to": "youth_justice"}},
    )
    summary = AuditEvent.objects.get(action="import")
    assert summary.actor == pcc_user
    assert summary.summary == "Uploaded 4 referring teams from kent-teams.csv: 3 added, 1 changed, 0 unchanged"
    assert summary.changes == {
        "file": "kent-teams.csv",
        "rows": 4,
        "created": 3,
        "updated": 1,
        "unchanged": 0,
        "areas": [KENT],
    }
    assert AuditEvent.objects.filter(action="create").count() == 3


def test_uploading_the_same_file_again_changes_nothing(pcc_user):
    content = (FILES / "teams_good.csv").read_bytes()
    upload(pcc_user, content)
    events = AuditEvent.objects.count()

    assert upload(pcc_user, content) == TeamImportResult(created=0, updated=0, unchanged=4)
    assert AuditEvent.objects.count() == events + 1  # the upload's own event only
    assert ReferringTeam.objects.count() == 4


def test_a_staff_count_in_the_file_replaces_the_teams_and_an_empty_one_keeps_it(pcc_user, medway):
    swale = ReferringTeamFactory(area=area(KENT), name="Swale Response", category="response", staff_count=9)
    upload(pcc_user, csv_text(",Medway Neighbourhood,neighbourhood,", ",swale response,response,12"))
    assert teams() == {
        (KENT, "Medway Neighbourhood"): ("neighbourhood", 40),
        (KENT, "Swale Response"): ("response", 12),
    }
    assert not AuditEvent.objects.for_target(medway).exists()
    assert AuditEvent.objects.for_target(swale).get().changes == {"staff_count": {"from": 9, "to": 12}}


def test_semicolons_and_a_byte_order_mark(pcc_user):
    assert upload(pcc_user, (FILES / "teams_semicolon.csv").read_bytes()).created == 1
    assert teams() == {(KENT, "Folkestone Neighbourhood, North"): ("neighbourhood", 12)}


def test_a_workbook(pcc_user, medway):
    content = xlsx_bytes([[KENT, "Swale Response", "Response", 25], [None, "Medway Neighbourhood", "custody", 41.0]])
    assert upload(pcc_user, content, "teams.xlsx") == TeamImportResult(created=1, updated=1, unchanged=0)
    assert teams() == {
        (KENT, "Medway Neighbourhood"): ("custody", 41),
        (KENT, "Swale Response"): ("response", 25),
    }


def test_the_columns_may_come_in_any_order(pcc_user):
    upload(pcc_user, "staff_count,category,name,police_area_code\n7,court,Dover Court,E23000032\n")
    assert teams() == {(KENT, "Dover Court"): ("court", 7)}


# Areas -------------------------------------------------------------------------------------


def test_a_one_area_office_may_leave_the_area_empty(pcc_user):
    upload(pcc_user, csv_text(",Dover Court,court,"))
    assert teams() == {(KENT, "Dover Court"): ("court", None)}


@pytest.mark.parametrize("persona", ["admin", "two_area_pcc"])
def test_who_keeps_several_areas_must_name_the_area(request, persona):
    user = request.getfixturevalue(f"{persona}_user")
    assert rejected(user, csv_text(",Dover Court,court,")) == [
        RowError(2, "police_area_code", "Enter the police force area code: your office serves more than one area")
    ]
    assert not ReferringTeam.objects.exists()


def test_an_office_with_several_areas_uploads_to_each(two_area_pcc_user):
    upload(two_area_pcc_user, csv_text("E23000032,Dover Court,court,", "e23000028,Dover Court,custody,3"))
    assert teams() == {(KENT, "Dover Court"): ("court", None), (ESSEX, "Dover Court"): ("custody", 3)}


def test_an_administrator_uploads_to_any_area(admin_user):
    upload(admin_user, csv_text(f"{DYFED_POWYS},Aberystwyth Response,response,", f"{KENT},Dover Court,court,"))
    assert teams() == {
        (DYFED_POWYS, "Aberystwyth Response"): ("response", None),
        (KENT, "Dover Court"): ("court", None),
    }


def test_an_area_the_office_does_not_serve_is_a_row_problem(pcc_user, two_area_pcc_user):
    essex_team = ReferringTeamFactory(area=area(ESSEX), name="Essex Custody", category="custody", staff_count=5)
    content = csv_text(f"{ESSEX},Essex Custody,court,50", f"{KENT},Dover Court,court,")
    assert rejected(pcc_user, content) == [
        RowError(
            2,
            "police_area_code",
            "Your office does not serve Essex: you can upload teams only for the areas it serves",
        )
    ]
    essex_team.refresh_from_db()
    assert (essex_team.category, essex_team.staff_count) == ("custody", 5)
    assert not ReferringTeam.objects.filter(name="Dover Court").exists()


def test_an_unknown_area_code_is_a_row_problem(admin_user):
    assert rejected(admin_user, csv_text("E23999999,Dover Court,court,")) == [
        RowError(2, "police_area_code", AREA_MESSAGE)
    ]


# Problems ----------------------------------------------------------------------------------


def test_every_problem_is_listed_by_row_and_column_and_nothing_is_written(pcc_user, medway):
    errors = rejected(pcc_user, (FILES / "teams_problems.csv").read_bytes())

    assert errors == [
        RowError(3, "police_area_code", AREA_MESSAGE),
        RowError(
            4, "police_area_code", "Your office does not serve Essex: you can upload teams only for the areas it serves"
        ),
        RowError(6, "category", "Enter a category code or name from the column guide"),
        RowError(6, "staff_count", WHOLE_NUMBER),
        RowError(7, "name", "This team is also on row 6"),
        RowError(7, "staff_count", "The number of officers or staff must be 0 or more"),
        RowError(8, "name", "This team is also on row 2"),
        RowError(8, "staff_count", "The number of officers or staff must be 100,000 or fewer"),
        RowError(9, "category", "Enter the team's category"),
        RowError(9, "staff_count", WHOLE_NUMBER),
    ]
    assert teams() == {(KENT, "Medway Neighbourhood"): ("neighbourhood", 40)}
    assert not AuditEvent.objects.exists()


def test_messages_never_repeat_what_a_cell_holds(pcc_user):
    secret = "Ms Example Person"
    errors = rejected(pcc_user, csv_text(f"{secret},{secret},{secret},{secret}", f",{secret},court,"))
    assert errors
    assert not [error for error in errors if secret.lower() in str(error).lower()]


def test_a_name_and_category_are_needed(pcc_user):
    assert rejected(pcc_user, csv_text(",,,5")) == [
        RowError(2, "name", "Enter the team's name"),
        RowError(2, "category", "Enter the team's category"),
    ]


def test_a_long_name_is_refused_in_the_forms_words(pcc_user):
    assert rejected(pcc_user, csv_text(f",{'x' * 121},court,")) == [
        RowError(2, "name", "The team's name must be 120 characters or fewer")
    ]


def test_a_name_twice_in_the_file_is_refused_whatever_its_capitals(pcc_user):
    assert rejected(pcc_user, csv_text(",Dover Court,court,", f"{KENT},  DOVER court ,custody,")) == [
        RowError(3, "name", "This team is also on row 2")
    ]


def test_the_same_name_in_two_areas_is_two_teams(admin_user):
    assert upload(admin_user, csv_text(f"{KENT},Dover Court,court,", f"{ESSEX},Dover Court,court,")).created == 2


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("0", 0),
        (" 12 ", 12),
        ("100000", 100000),
        ("12.5", WHOLE_NUMBER),
        ("1,200", WHOLE_NUMBER),
        ("²", WHOLE_NUMBER),
        ("-1", "The number of officers or staff must be 0 or more"),
        ("100001", "The number of officers or staff must be 100,000 or fewer"),
        ("9" * 500, "The number of officers or staff must be 100,000 or fewer"),
    ],
)
def test_staff_counts(pcc_user, cell, expected):
    content = csv_text(f',Dover Court,court,"{cell}"')
    if isinstance(expected, int):
        upload(pcc_user, content)
        assert ReferringTeam.objects.get().staff_count == expected
    else:
        assert rejected(pcc_user, content) == [RowError(2, "staff_count", expected)]


def test_a_nul_character_is_refused(pcc_user):
    assert rejected(pcc_user, csv_text(",Dover\x00Court,court,")) == [
        RowError(2, "name", "This cell contains a NUL character, which cannot be stored: delete it and save again")
    ]


def test_a_cell_too_long_to_read_is_refused(pcc_user):
    assert rejected(pcc_user, csv_text(f",Dover Court,{'x' * 1001},")) == [
        RowError(2, "category", "This cell holds more than 1,000 characters. No column in the template needs so many.")
    ]


def test_a_formula_without_a_value_in_a_workbook_is_named(pcc_user):
    content = xlsx_bytes([[None, "Dover Court", "court", "=SUM(A1:A2)"]])
    assert rejected(pcc_user, content, "teams.xlsx") == [
        RowError(
            2,
            "staff_count",
            "This cell holds a formula with no saved value. Copy the column and paste it back as values only "
            "(Paste Special, Values), then save the file again.",
        )
    ]


def test_a_team_saved_meanwhile_stops_the_whole_file(pcc_user, monkeypatch):
    """If a team the file adds is added elsewhere between the check and the write, the
    service's refusal is reported on its row and the rows before it are undone."""
    create = team_importing.referring_team_create
    calls = []

    def add_then_clash(**values):
        calls.append(values["name"])
        if len(calls) == 2:
            raise ValidationError({"name": ["Kent already has a team called Swale Response"]})
        return create(**values)

    monkeypatch.setattr(team_importing, "referring_team_create", add_then_clash)
    assert rejected(pcc_user, csv_text(",Dover Court,court,", ",Swale Response,response,")) == [
        RowError(3, "name", "Kent already has a team called Swale Response")
    ]
    assert calls == ["Dover Court", "Swale Response"]
    assert not ReferringTeam.objects.exists()
    assert not AuditEvent.objects.exists()


# The file itself ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", [RowError(None, "", "The file is empty.")]),
        (f"{HEADER}\n", [RowError(None, "", "The file has a header but no rows.")]),
        (f"{HEADER}\n,,,\n", [RowError(None, "", "The file has a header but no rows.")]),
        (
            "team,kind\nDover,court\n",
            [RowError(1, "", team_importing.NO_HEADER_MESSAGE)],
        ),
        (
            "police_area_code,name,category,notes\n,Dover Court,court,x\n",
            [
                RowError(1, "notes", "This column is not in the template. Delete it or rename it to a template column"),
                RowError(None, "staff_count", "This column is missing"),
            ],
        ),
        (
            "police_area_code,name,name,category,staff_count\n",
            [RowError(1, "name", "This column appears more than once")],
        ),
    ],
)
def test_a_file_that_is_not_the_template_is_refused(pcc_user, content, expected):
    assert rejected(pcc_user, content) == expected


def test_a_file_that_is_not_utf8_names_its_row(pcc_user):
    content = csv_text(",Dover Court,court,").encode() + ",Caf\xe9 Team,court,\n".encode("latin-1")
    assert rejected(pcc_user, content) == [
        RowError(
            3,
            "",
            "This row has a character that is not UTF-8 text (often an accented letter or a £ sign from an older "
            "spreadsheet). Save the file as 'CSV UTF-8' or as an Excel workbook (.xlsx).",
        )
    ]


@pytest.mark.parametrize("filename", ["teams.txt", "teams.xls", "teams"])
def test_only_csv_and_xlsx_names_are_taken(pcc_user, filename):
    assert rejected(pcc_user, csv_text(",Dover Court,court,"), filename) == [
        RowError(None, "", "The file must be a .csv or .xlsx file. Save your spreadsheet as 'CSV UTF-8' or as .xlsx.")
    ]


def test_an_old_excel_file_or_a_pdf_is_refused(pcc_user):
    assert rejected(pcc_user, b"\xd0\xcf\x11\xe0" + b"\0" * 100)[0].message.startswith("Older Excel files (.xls)")
    assert rejected(pcc_user, b"%PDF-1.7\n" + b"x" * 100)[0].message.startswith("The file is not a CSV file")


def test_a_workbook_that_expands_far_beyond_its_size_is_refused(pcc_user):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (2 * 1024 * 1024))
    [error] = rejected(pcc_user, buffer.getvalue(), "teams.xlsx")
    assert "expands to far more than its size" in error.message


def test_a_file_over_the_size_limit_is_refused(pcc_user, monkeypatch):
    monkeypatch.setattr(team_importing, "TEAM_IMPORT_MAX_BYTES", 100)
    assert rejected(pcc_user, csv_text(*[f",Team {number},court," for number in range(10)])) == [
        RowError(None, "", team_importing.SIZE_MESSAGE)
    ]


def test_a_file_with_too_many_rows_is_refused(pcc_user, monkeypatch):
    monkeypatch.setattr(team_importing, "TEAM_IMPORT_MAX_ROWS", 3)
    content = csv_text(*[f",Team {number},court," for number in range(4)])
    assert rejected(pcc_user, content) == [RowError(None, "", team_importing.TOO_MANY_ROWS_MESSAGE)]
    assert not ReferringTeam.objects.exists()


# Who may upload ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["provider", "moderator"], indirect=True)
def test_only_pcc_office_staff_and_administrators_upload_teams(persona):
    with pytest.raises(PermissionDenied):
        upload(persona, csv_text(f"{KENT},Dover Court,court,"))
    assert not ReferringTeam.objects.exists()


def test_pcc_staff_of_an_office_with_no_areas_cannot_upload(db):
    user = PccStaffFactory(organisation__areas=[])
    with pytest.raises(PermissionDenied):
        upload(user, csv_text(f"{KENT},Dover Court,court,"))
