import io
import struct
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from referrals.importing import COLUMNS, ImportResult, referral_import
from referrals.models import Referral, ReferralEvent
from rjportal.audit.models import AuditEvent
from rjportal.imports import ImportRejected, RowError
from tests import factories

FILES = Path(__file__).parent / "files"
TODAY = datetime(2026, 3, 2, 12, 0)
TEAM = "Canterbury neighbourhood policing"

GOOD_ROW = {
    "reference": "RJ-0001",
    "police_area_code": "E23000032",
    "referring_team": TEAM,
    "initiator": "victim",
    "offence_group": "violence_against_the_person",
    "offence_subgroup": "violence_with_injury",
    "hate_crime": "no",
    "domestic_abuse": "no",
    "sexual_harm": "no",
    "justice_stage": "pre_sentence",
    "offender_under_18": "no",
    "victim_enhanced_rights": "no",
    "crime_reported_on": "2026-01-05",
    "victim_informed_on": "2026-01-06",
    "victim_requested_on": "2026-01-08",
    "referred_on": "2026-01-09",
    "received_on": "2026-01-12",
    "contact_attempts": "0",
}

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def provider(provider_user):
    return provider_user.organisation


@pytest.fixture
def team(db):
    return factories.ReferringTeamFactory(name=TEAM)


def csv_bytes(*rows: dict, delimiter=",", header=COLUMNS) -> bytes:
    lines = [delimiter.join(header)]
    lines += [delimiter.join(row.get(column, "") for column in header) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def row(**changes) -> dict:
    return {**GOOD_ROW, **changes}


def run(provider_user, content, filename="referrals.csv") -> ImportResult:
    source = content if isinstance(content, bytes) else content.read_bytes()
    return referral_import(
        actor=provider_user, provider=provider_user.organisation, source=io.BytesIO(source), filename=filename
    )


def rejected(provider_user, content) -> list[RowError]:
    with pytest.raises(ImportRejected) as caught:
        run(provider_user, content)
    assert Referral.objects.count() == 0
    assert ReferralEvent.objects.count() == 0
    assert not AuditEvent.objects.filter(action="import").exists()
    return caught.value.errors


# Good files ----------------------------------------------------------------------------


def test_good_csv_creates_referrals_at_referred_with_event_deadlines_and_one_audit_event(provider_user, team):
    result = run(provider_user, FILES / "referrals_good.csv")

    assert result == ImportResult(created=3, updated=0, unchanged=0)
    first, second, third = Referral.objects.order_by("reference")
    assert first.provider == provider_user.organisation
    assert first.area.code == "E23000032"
    assert first.referring_team == team
    assert first.offence_subgroup == "violence_with_injury"
    assert (first.domestic_abuse, first.victim_enhanced_rights, first.hate_crime) == (True, True, False)
    assert first.stage == "referred"
    assert first.stage_changed_on == date(2026, 1, 12)
    assert first.contact_attempts == 2
    assert first.information_due_on == date(2026, 1, 6)  # one working day: enhanced rights
    assert first.referral_due_on == date(2026, 1, 12)  # two working days after Thursday 8 January
    # Labels in any case, lower-case area codes and team names, and DD/MM/YYYY dates all work.
    assert (second.initiator, second.offence_group, second.offence_subgroup) == (
        "offender",
        "theft_offences",
        "shoplifting",
    )
    assert second.justice_stage == "out_of_court"
    assert second.offender_under_18 is True
    assert second.crime_reported_on == date(2026, 1, 5)
    assert second.victim_informed_on is None
    assert second.received_on == date(2026, 1, 12)
    assert second.contact_attempts == 0
    assert (third.offence_group, third.offence_subgroup, third.crime_reported_on) == ("fraud", "", None)
    events = list(ReferralEvent.objects.order_by("referral__reference").values_list("from_stage", "to_stage", "actor"))
    assert events == [("", "referred", provider_user.pk)] * 3
    assert ReferralEvent.objects.get(referral=first).happened_on == date(2026, 1, 12)
    audit = AuditEvent.objects.get(action="import")
    assert audit.summary == (
        f"Imported 3 referrals for {provider_user.organisation.name} from referrals.csv: "
        "3 created, 0 updated, 0 unchanged"
    )
    assert audit.actor == provider_user
    assert AuditEvent.objects.count() == 1


def test_semicolon_delimited_csv(provider_user, team):
    assert run(provider_user, FILES / "referrals_semicolon.csv") == ImportResult(created=2, updated=0, unchanged=0)
    assert sorted(Referral.objects.values_list("reference", "offence_group")) == [
        ("RJ-0101", "violence_against_the_person"),
        ("RJ-0102", "robbery"),
    ]


def test_csv_with_byte_order_mark(provider_user, team):
    assert run(provider_user, FILES / "referrals_bom.csv") == ImportResult(created=1, updated=0, unchanged=0)
    assert Referral.objects.get().reference == "RJ-0201"


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for cells in rows:
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_row(**changes) -> list:
    values = {**GOOD_ROW, **changes}
    return [values.get(column) for column in COLUMNS]


def test_xlsx_with_real_date_cells_and_excel_serial_numbers(provider_user, team):
    content = xlsx_bytes(
        [
            xlsx_row(
                reference="RJ-X1",
                crime_reported_on=datetime(2026, 1, 5),
                victim_informed_on=date(2026, 1, 6),
                victim_requested_on=None,
                referred_on=datetime(2026, 1, 9),
                received_on=datetime(2026, 1, 12),
                contact_attempts=3,
            ),
            # 46031 is 9 January 2026 and 46034 is 12 January 2026 in Excel's date system.
            xlsx_row(reference=1234, referred_on=46031, received_on=46034.0, contact_attempts=None, hate_crime="YES"),
        ]
    )

    assert run(provider_user, content, "referrals.xlsx") == ImportResult(created=2, updated=0, unchanged=0)
    serial, real = Referral.objects.order_by("reference")
    assert (real.reference, serial.reference) == ("RJ-X1", "1234")
    assert (real.crime_reported_on, real.victim_informed_on, real.victim_requested_on) == (
        date(2026, 1, 5),
        date(2026, 1, 6),
        None,
    )
    assert (real.referred_on, real.received_on, real.contact_attempts) == (date(2026, 1, 9), date(2026, 1, 12), 3)
    assert (serial.referred_on, serial.received_on) == (date(2026, 1, 9), date(2026, 1, 12))
    assert (serial.contact_attempts, serial.hate_crime) == (0, True)


def test_xlsx_errors_are_given_by_sheet_row(provider_user, team):
    content = xlsx_bytes([xlsx_row(reference="RJ-X1"), xlsx_row(reference="RJ-X2", received_on="not a date")])
    assert rejected(provider_user, content) == [
        RowError(3, "received_on", "Enter a date like 2026-01-31 or 31/01/2026")
    ]


def test_reupload_updates_matching_references_and_counts_unchanged(provider_user, team):
    run(provider_user, csv_bytes(row(reference="A"), row(reference="B"), row(reference="C")))
    before = {referral.reference: referral for referral in Referral.objects.all()}

    result = run(
        provider_user,
        csv_bytes(
            row(reference="A"),
            row(reference="B", contact_attempts="4", victim_enhanced_rights="yes"),
            row(reference="C", offence_group="robbery", offence_subgroup=""),
            row(reference="D"),
        ),
    )

    assert result == ImportResult(created=1, updated=2, unchanged=1)
    after = {referral.reference: referral for referral in Referral.objects.all()}
    assert sorted(after) == ["A", "B", "C", "D"]
    assert {reference: after[reference].pk for reference in "ABC"} == {r: before[r].pk for r in "ABC"}
    assert after["B"].contact_attempts == 4
    assert after["B"].information_due_on == date(2026, 1, 6)  # recalculated for enhanced rights
    assert after["C"].offence_group == "robbery"
    assert after["A"].updated_at == before["A"].updated_at
    assert ReferralEvent.objects.count() == 4  # updates add no stage change
    assert list(AuditEvent.objects.filter(action="import").order_by("id").values_list("changes", flat=True))[-1] == {
        "file": "referrals.csv",
        "rows": 4,
        "created": 1,
        "updated": 2,
        "unchanged": 1,
        "moved": 0,
    }


def test_same_reference_at_another_provider_is_a_different_referral(provider_user, team):
    other = factories.ReferralFactory(reference="RJ-0001", referring_team=team)

    assert run(provider_user, csv_bytes(row())) == ImportResult(created=1, updated=0, unchanged=0)
    assert Referral.objects.filter(reference="RJ-0001").count() == 2
    other.refresh_from_db()
    assert other.provider != provider_user.organisation


def test_blank_lines_are_skipped_and_do_not_shift_row_numbers(provider_user, team):
    header, good, bad = csv_bytes(row(reference="A"), row(reference="B", received_on="2026-13-01")).splitlines()
    content = b"\n".join([header, good, b"", bad, b""])
    errors = rejected(provider_user, content)
    assert errors == [RowError(4, "received_on", "Enter a date like 2026-01-31 or 31/01/2026")]


# Files that cannot be read ----------------------------------------------------------------


ENCODING_ROW_MESSAGE = (
    "This row has a character that is not UTF-8 text (often an accented letter or a £ sign from an older "
    "spreadsheet). Save the file as 'CSV UTF-8' or as an Excel workbook (.xlsx)."
)


def test_wrong_encoding_names_the_row(provider_user, team):
    assert rejected(provider_user, FILES / "referrals_latin1.csv") == [RowError(2, "", ENCODING_ROW_MESSAGE)]


def test_empty_file(provider_user, team):
    assert rejected(provider_user, FILES / "referrals_empty.csv") == [RowError(None, "", "The file is empty.")]


def test_header_only(provider_user, team):
    assert rejected(provider_user, FILES / "referrals_header_only.csv") == [
        RowError(None, "", "The file has a header but no rows.")
    ]


def test_missing_column(provider_user, team):
    assert rejected(provider_user, FILES / "referrals_missing_column.csv") == [
        RowError(None, "justice_stage", "This column is missing")
    ]


def test_unknown_column_is_rejected(provider_user, team):
    assert rejected(provider_user, FILES / "referrals_unknown_column.csv") == [
        RowError(
            1,
            "victim_name",
            "This column is not in the template. Delete it or rename it to a template column",
        )
    ]


def test_old_excel_file(provider_user, team):
    assert rejected(provider_user, b"\xd0\xcf\x11\xe0" + b"\0" * 100) == [
        RowError(
            None,
            "",
            "Older Excel files (.xls) cannot be read. Save it as an Excel workbook (.xlsx) or as 'CSV UTF-8'.",
        )
    ]


def test_row_with_too_many_cells(provider_user, team):
    content = csv_bytes(row(reference="A")) + b"B" + b",x" * len(COLUMNS) + b"\n"
    assert rejected(provider_user, content) == [
        RowError(None, "", "Row 3 has more cells than the header row. Check for a stray comma or semicolon.")
    ]


# Rows that are wrong --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        ({"referring_team": "Dover response"}, "referring_team", "There is no referring team with this name in Kent"),
        ({"referring_team": ""}, "referring_team", "Enter the referring team"),
        (
            {"offence_group": "violence"},
            "offence_group",
            "Enter an offence group code or name from the column guide",
        ),
        (
            {"offence_subgroup": "bicycle_theft"},
            "offence_subgroup",
            "The offence subgroup must belong to the offence group",
        ),
        ({"initiator": "police"}, "initiator", "Enter victim, offender or practitioner"),
        ({"reference": ""}, "reference", "Enter your case reference"),
        ({"reference": "R" * 51}, "reference", "The reference must be 50 characters or fewer"),
        (
            {"police_area_code": "E99999999"},
            "police_area_code",
            "Enter a police force area code from the column guide, like E23000032",
        ),
        ({"hate_crime": "maybe"}, "hate_crime", "Enter yes or no"),
        ({"received_on": "12-01-2026"}, "received_on", "Enter a date like 2026-01-31 or 31/01/2026"),
        ({"received_on": "31/02/2026"}, "received_on", "Enter a date like 2026-01-31 or 31/01/2026"),
        ({"referred_on": ""}, "referred_on", "Enter the referral date"),
        (
            {"received_on": "2026-03-03"},
            "received_on",
            "The date the referral was received must be today or in the past",
        ),
        (
            {"received_on": "2026-01-08"},
            "received_on",
            "The date the referral was received must be the same as or after the referral date",
        ),
        (
            {"justice_stage": "not_reported"},
            "crime_reported_on",
            "Leave the date the crime was reported empty for a crime not reported to police",
        ),
        (
            {"contact_attempts": "two"},
            "contact_attempts",
            "Enter a whole number of contact attempts, like 0 or 3, or leave it empty for 0",
        ),
    ],
)
def test_bad_value(provider_user, team, changes, column, message):
    assert rejected(provider_user, csv_bytes(row(reference="OK"), row(**changes))) == [RowError(3, column, message)]


def test_dates_in_the_wrong_order_give_the_web_forms_words(provider_user, team):
    errors = rejected(
        provider_user,
        csv_bytes(
            row(reference="A", crime_reported_on="2026-01-10", victim_informed_on="", referred_on="2026-01-09"),
            row(reference="B", referred_on="2026-01-09", received_on="08/01/2026"),
        ),
    )
    assert errors == [
        RowError(2, "referred_on", "The referral date must be the same as or after the date the crime was reported"),
        RowError(
            3,
            "received_on",
            "The date the referral was received must be the same as or after the referral date",
        ),
    ]


def test_duplicate_reference_in_file(provider_user, team):
    errors = rejected(provider_user, csv_bytes(row(reference="A"), row(reference="B"), row(reference="A")))
    assert errors == [RowError(4, "reference", "This reference is also on row 2")]


def test_duplicate_references_are_found_across_chunks_and_within_one(provider_user, team, monkeypatch):
    monkeypatch.setattr("referrals.importing.CHUNK_ROWS", 2)
    references = ["A", "B", "C", " A ", "D", "D", "B", "A"]  # rows 2 to 9; cells are trimmed
    errors = rejected(provider_user, csv_bytes(*(row(reference=reference) for reference in references)))
    assert errors == [
        RowError(5, "reference", "This reference is also on row 2"),
        RowError(7, "reference", "This reference is also on row 6"),
        RowError(8, "reference", "This reference is also on row 3"),
        RowError(9, "reference", "This reference is also on row 2"),
    ]


def test_area_the_provider_does_not_serve(provider_user, team):
    errors = rejected(provider_user, csv_bytes(row(police_area_code=factories.ESSEX)))
    assert errors == [
        RowError(2, "police_area_code", f"{provider_user.organisation.name} does not serve Essex"),
    ]


def test_every_problem_on_every_row_is_listed(provider_user, team):
    errors = rejected(
        provider_user,
        csv_bytes(row(reference="A", hate_crime="", sexual_harm="x"), row(reference="B", initiator="")),
    )
    assert [str(error) for error in errors] == [
        "Row 2, hate_crime: Enter yes or no",
        "Row 2, sexual_harm: Enter yes or no",
        "Row 3, initiator: Enter who asked for restorative justice",
    ]


def test_error_list_is_capped(provider_user, team, monkeypatch):
    monkeypatch.setattr("referrals.importing.MAX_ERRORS", 2)
    errors = rejected(provider_user, csv_bytes(*(row(reference=str(n), hate_crime="?") for n in range(5))))
    assert [str(error) for error in errors] == [
        "Row 2, hate_crime: Enter yes or no",
        "Row 3, hate_crime: Enter yes or no",
        "File: There are 3 more problems not listed here. Fix these and try again.",
    ]


def test_large_file_is_read_in_chunks(provider_user, team, monkeypatch):
    monkeypatch.setattr("referrals.importing.CHUNK_ROWS", 7)
    rows = [row(reference=f"R{n:03d}") for n in range(30)]
    rows[25]["received_on"] = "bad"
    assert rejected(provider_user, csv_bytes(*rows)) == [
        RowError(27, "received_on", "Enter a date like 2026-01-31 or 31/01/2026")
    ]
    rows[25]["received_on"] = "2026-01-12"
    assert run(provider_user, csv_bytes(*rows)) == ImportResult(created=30, updated=0, unchanged=0)


def test_a_late_error_leaves_existing_referrals_as_they_were(provider_user, team, monkeypatch):
    run(provider_user, csv_bytes(row(reference="A"), row(reference="B")))
    before = list(Referral.objects.order_by("reference").values())
    monkeypatch.setattr("referrals.importing.CHUNK_ROWS", 2)
    changed_then_wrong = [
        row(reference="A", contact_attempts="4"),
        *(row(reference=f"N{n}") for n in range(5)),
        row(reference="B", received_on="bad"),
    ]

    with pytest.raises(ImportRejected) as caught:
        run(provider_user, csv_bytes(*changed_then_wrong))

    assert caught.value.errors == [RowError(8, "received_on", "Enter a date like 2026-01-31 or 31/01/2026")]
    assert list(Referral.objects.order_by("reference").values()) == before
    assert ReferralEvent.objects.count() == 2
    assert AuditEvent.objects.filter(action="import").count() == 1


def test_a_file_that_stops_being_utf8_near_its_end_writes_nothing(provider_user, team, monkeypatch):
    # Far enough into the file that the reader has already handed over many good rows.
    monkeypatch.setattr("referrals.importing.CHUNK_ROWS", 100)
    rows = [row(reference=f"R{n:05d}") for n in range(3000)]
    content = csv_bytes(*rows).replace(b"R02999", b"R\xe902999")

    assert rejected(provider_user, content) == [RowError(3001, "", ENCODING_ROW_MESSAGE)]


# Who may import ----------------------------------------------------------------------------


def test_staff_of_another_provider_cannot_import(provider_user, team):
    stranger = factories.ProviderStaffFactory()
    with pytest.raises(PermissionDenied):
        referral_import(actor=stranger, provider=provider_user.organisation, source=csv_bytes(row()), filename="")
    assert Referral.objects.count() == 0


def test_pcc_staff_cannot_import(pcc_user, provider_user, team):
    with pytest.raises(PermissionDenied):
        referral_import(actor=pcc_user, provider=provider_user.organisation, source=csv_bytes(row()), filename="")
    assert Referral.objects.count() == 0


# Command -----------------------------------------------------------------------------------


def test_command_imports_by_provider_name(provider_user, team, capsys):
    call_command(
        "import_referrals", str(FILES / "referrals_good.csv"), "--provider", provider_user.organisation.name.upper()
    )
    assert Referral.objects.filter(provider=provider_user.organisation).count() == 3
    assert "3 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert AuditEvent.objects.get(action="import").actor is None


def test_command_imports_by_provider_id(provider_user, team, capsys):
    call_command(
        "import_referrals", str(FILES / "referrals_semicolon.csv"), "--provider", str(provider_user.organisation.pk)
    )
    assert Referral.objects.count() == 2


def test_command_prints_errors_and_fails(provider_user, team, capsys):
    with pytest.raises(CommandError, match=r"referrals_missing_column.csv: 1 problem\(s\) found; nothing was imported"):
        call_command(
            "import_referrals",
            str(FILES / "referrals_missing_column.csv"),
            "--provider",
            str(provider_user.organisation.pk),
        )
    assert "File, justice_stage: This column is missing" in capsys.readouterr().err
    assert Referral.objects.count() == 0


def test_command_refuses_an_organisation_that_is_not_a_provider(pcc_user, team):
    with pytest.raises(CommandError, match="is not an RJ provider"):
        call_command("import_referrals", str(FILES / "referrals_good.csv"), "--provider", str(pcc_user.organisation.pk))
    assert Referral.objects.count() == 0


# Cells that once crashed the import --------------------------------------------------------


@pytest.mark.parametrize("column", ["reference", "referring_team", "initiator", "received_on"])
def test_a_nul_character_in_a_cell_is_a_row_error_not_a_crash(provider_user, team, column):
    second = {"reference": "RJ-2", column: "ab\x00c"}
    errors = rejected(provider_user, csv_bytes(row(reference="RJ-1"), row(**second)))
    assert [(error.row, error.column) for error in errors] == [(3, column)]
    assert "NUL character" in errors[0].message


@pytest.mark.parametrize(
    "attempts", ["²", "٣", "1" * 4301, "9" * 40, "-1", "1.5"], ids=["²", "٣", "4301", "40", "-1", "1.5"]
)
def test_contact_attempts_that_are_not_plain_whole_numbers_are_row_errors(provider_user, team, attempts):
    errors = rejected(provider_user, csv_bytes(row(contact_attempts=attempts)))
    assert [(error.row, error.column) for error in errors] == [(2, "contact_attempts")]


def test_an_update_may_not_move_the_received_date_after_the_first_move(provider_user, team):
    from referrals.services import referral_transition

    run(provider_user, csv_bytes(row()))
    referral = Referral.objects.get()
    referral_transition(actor=provider_user, referral=referral, to_stage="contacting", on_date=date(2026, 1, 20))
    errors = rejected_update(provider_user, csv_bytes(row(referred_on="2026-01-20", received_on="2026-01-21")))
    assert [(error.row, error.column) for error in errors] == [(2, "received_on")]
    assert "on or before 20 January 2026, when it moved to contacting" in errors[0].message
    referral.refresh_from_db()
    assert referral.received_on == date(2026, 1, 12)


def rejected_update(provider_user, content) -> list[RowError]:
    with pytest.raises(ImportRejected) as caught:
        run(provider_user, content)
    return caught.value.errors


# Workbooks that could hurt the server (zip bombs and the like) -------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Referrals" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


def inline(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(rows: list[str]) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main"><sheetData>' + "".join(rows) + "</sheetData></worksheet>"
    )


def letters(index: int) -> str:
    """A column's letters: A to Z, then AA, AB and so on."""
    first, last = divmod(index, 26)
    return ("ABCDEFGHIJKLMNOPQRSTUVWXYZ"[first - 1] if first else "") + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[last]


def header_row() -> str:
    return '<row r="1">' + "".join(inline(f"{letters(i)}1", name) for i, name in enumerate(COLUMNS)) + "</row>"


def data_row(number: int, **cells: str) -> str:
    """A good row, as inline strings, but for `cells`: raw <c> XML by column name."""
    parts = []
    for i, column in enumerate(COLUMNS):
        ref = f"{letters(i)}{number}"
        parts.append(cells[column].format(ref=ref) if column in cells else inline(ref, GOOD_ROW.get(column, "")))
    return f'<row r="{number}">' + "".join(parts) + "</row>"


def workbook_bytes(sheet: str, strings: str | None = None, extra: dict | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        if strings is not None:
            archive.writestr("xl/sharedStrings.xml", strings)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def run_xlsx(provider_user, content, filename="referrals.xlsx"):
    return referral_import(
        actor=provider_user, provider=provider_user.organisation, source=io.BytesIO(content), filename=filename
    )


def rejected_xlsx(provider_user, content) -> list[RowError]:
    with pytest.raises(ImportRejected) as caught:
        run_xlsx(provider_user, content)
    assert Referral.objects.count() == 0
    return caught.value.errors


BOMB_MESSAGE = (
    "The workbook holds more data than it seems to (it expands to far more than its size). "
    "Save the sheet as a new Excel workbook (.xlsx) or as 'CSV UTF-8' and upload that."
)
XLSX_MESSAGE = "The file could not be read as an Excel workbook (.xlsx)."


def test_a_hand_made_workbook_imports(provider_user, team):
    content = workbook_bytes(sheet_xml([header_row(), data_row(2, reference=inline("{ref}", "RJ-W1"))]))
    assert run_xlsx(provider_user, content) == ImportResult(created=1, updated=0, unchanged=0)
    assert Referral.objects.get().reference == "RJ-W1"


def test_shared_strings_bomb_is_refused_before_it_is_parsed(provider_user, team):
    # 8 MB of shared strings that compress to a few kilobytes (the real one expanded to gigabytes).
    strings = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + ("<si><t>" + "a" * 8000 + "</t></si>") * 1000
        + "</sst>"
    )
    content = workbook_bytes(sheet_xml([header_row()]), strings=strings)
    assert len(content) < 100_000
    assert rejected_xlsx(provider_user, content) == [RowError(None, "", BOMB_MESSAGE)]


def test_one_enormous_cell_is_refused_before_it_is_parsed(provider_user, team):
    sheet = sheet_xml([header_row(), data_row(2, referring_team=inline("{ref}", "x" * 5_000_000))])
    assert rejected_xlsx(provider_user, workbook_bytes(sheet)) == [RowError(None, "", BOMB_MESSAGE)]


def test_a_part_larger_than_the_limit_is_refused(provider_user, team, monkeypatch):
    monkeypatch.setattr("referrals.importing.XLSX_MAX_PART_BYTES", 5_000)
    rows = [header_row(), *(data_row(n, reference=inline("{ref}", f"RJ-{n}")) for n in range(2, 12))]
    assert rejected_xlsx(provider_user, workbook_bytes(sheet_xml(rows))) == [RowError(None, "", BOMB_MESSAGE)]


def test_parts_together_larger_than_the_limit_are_refused(provider_user, team, monkeypatch):
    monkeypatch.setattr("referrals.importing.XLSX_MAX_TOTAL_BYTES", 3_000)
    rows = [header_row(), data_row(2)]
    assert rejected_xlsx(provider_user, workbook_bytes(sheet_xml(rows))) == [RowError(None, "", BOMB_MESSAGE)]


def lie_about_size(content: bytes, name: bytes, size: int) -> bytes:
    """The workbook with `name`'s uncompressed size given as `size` in its local and central headers."""
    data = bytearray(content)
    for signature, offset, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            if data[start + name_at : start + name_at + len(name)] == name:
                data[start + offset : start + offset + 4] = struct.pack("<I", size)
            start += 4
    return bytes(data)


def test_a_part_whose_header_understates_its_size_is_refused(provider_user, team):
    rows = [header_row(), *(data_row(n, reference=inline("{ref}", f"RJ-{n}")) for n in range(2, 40))]
    content = lie_about_size(workbook_bytes(sheet_xml(rows)), b"xl/worksheets/sheet1.xml", 1000)
    assert rejected_xlsx(provider_user, content) == [RowError(None, "", XLSX_MESSAGE)]


def test_a_reader_never_reads_more_than_the_limit(monkeypatch):
    from referrals.importing import _Workbook

    content = workbook_bytes(sheet_xml([header_row(), data_row(2)]))
    book = _Workbook(io.BytesIO(content))
    with pytest.raises(ImportRejected):
        list(book.blocks("xl/worksheets/sheet1.xml", limit=1000, size=100))


def test_cells_far_apart_cost_nothing(provider_user, team):
    # Readers that build the sheet as a grid allocate every cell between A1 and XFD1048576.
    far = '<c r="XFD1048576" t="inlineStr"><is><t>far away</t></is></c>'
    sheet = sheet_xml([header_row(), data_row(1048576)[:-6] + far + "</row>"])
    assert run_xlsx(provider_user, workbook_bytes(sheet)) == ImportResult(created=1, updated=0, unchanged=0)
    bad = sheet_xml([header_row(), data_row(1048576, hate_crime=inline("{ref}", "maybe"))[:-6] + far + "</row>"])
    Referral.objects.all().delete()
    assert rejected_xlsx(provider_user, workbook_bytes(bad)) == [RowError(1048576, "hate_crime", "Enter yes or no")]


def test_a_long_cell_is_refused_with_its_row_and_column(provider_user, team):
    strings = (
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>{"y" * 1001}</t></si></sst>'
    )
    sheet = sheet_xml(
        [
            header_row(),
            data_row(2, reference=inline("{ref}", "RJ-1"), referring_team='<c r="{ref}" t="s"><v>0</v></c>'),
            data_row(3, reference=inline("{ref}", "RJ-2"), offence_group=inline("{ref}", "z" * 1001)),
        ]
    )
    message = "This cell holds more than 1,000 characters. No column in the template needs so many."
    assert rejected_xlsx(provider_user, workbook_bytes(sheet, strings=strings)) == [
        RowError(2, "referring_team", message),
        RowError(3, "offence_group", message),
    ]


def test_a_long_csv_cell_is_refused_with_its_row_and_column(provider_user, team):
    errors = rejected(provider_user, csv_bytes(row(referring_team="t" * 5000)))
    assert errors == [
        RowError(
            2, "referring_team", "This cell holds more than 1,000 characters. No column in the template needs so many."
        )
    ]


def test_a_document_type_declaration_is_refused(provider_user, team):
    strings = (
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&a;</t></si></sst>'
    )
    content = workbook_bytes(sheet_xml([header_row(), data_row(2)]), strings=strings)
    assert rejected_xlsx(provider_user, content) == [RowError(None, "", XLSX_MESSAGE)]


def test_too_many_parts_are_refused(provider_user, team, monkeypatch):
    monkeypatch.setattr("referrals.importing.XLSX_MAX_PARTS", 5)
    content = workbook_bytes(sheet_xml([header_row(), data_row(2)]), extra={"docProps/app.xml": "<x/>"})
    assert rejected_xlsx(provider_user, content) == [RowError(None, "", XLSX_MESSAGE)]


def test_a_damaged_workbook_is_refused(provider_user, team):
    content = workbook_bytes(sheet_xml([header_row(), data_row(2)]).replace("</row>", "", 1))
    assert rejected_xlsx(provider_user, content) == [RowError(None, "", XLSX_MESSAGE)]


# Workbook cells ---------------------------------------------------------------------------------


def test_a_formula_without_a_saved_value_is_named_as_a_formula(provider_user, team):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    sheet.append(xlsx_row(reference="RJ-F1"))
    sheet.append(xlsx_row(reference='=CONCAT("RJ-", "F2")'))  # openpyxl saves no value for a formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    message = (
        "This cell holds a formula with no saved value. Copy the column and paste it back as values only "
        "(Paste Special, Values), then save the file again."
    )
    assert rejected_xlsx(provider_user, buffer.getvalue()) == [RowError(3, "reference", message)]


def test_a_formula_with_a_saved_value_gives_that_value(provider_user, team):
    formula = '<c r="{ref}" t="str"><f>CONCAT("RJ-","F3")</f><v>RJ-F3</v></c>'
    content = workbook_bytes(sheet_xml([header_row(), data_row(2, reference=formula)]))
    assert run_xlsx(provider_user, content) == ImportResult(created=1, updated=0, unchanged=0)
    assert Referral.objects.get().reference == "RJ-F3"


def test_an_excel_error_cell_is_named(provider_user, team):
    content = workbook_bytes(sheet_xml([header_row(), data_row(2, received_on='<c r="{ref}" t="e"><v>#N/A</v></c>')]))
    assert rejected_xlsx(provider_user, content) == [
        RowError(2, "received_on", "This cell shows an Excel error (such as #N/A or #REF!). Correct it or clear it.")
    ]


def test_dates_in_a_1904_workbook(provider_user, team):
    content = workbook_bytes(
        sheet_xml(
            [
                header_row(),
                # 44569 and 44572 days after 1 January 1904: 9 and 12 January 2026.
                data_row(2, referred_on='<c r="{ref}"><v>44569</v></c>', received_on='<c r="{ref}"><v>44572.5</v></c>'),
            ]
        )
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"<sheets>", b'<workbookPr date1904="1"/><sheets>')
            target.writestr(info, data)
    assert run_xlsx(provider_user, buffer.getvalue()) == ImportResult(created=1, updated=0, unchanged=0)
    referral = Referral.objects.get()
    assert (referral.referred_on, referral.received_on) == (date(2026, 1, 9), date(2026, 1, 12))


def test_a_macro_workbook_is_refused_by_name_and_by_content(provider_user, team):
    macro = "Workbooks with macros (.xlsm) cannot be imported. Save it as an Excel workbook (.xlsx) and upload that."
    good = workbook_bytes(sheet_xml([header_row(), data_row(2)]))
    with pytest.raises(ImportRejected) as caught:
        run_xlsx(provider_user, good, filename="referrals.xlsm")
    assert caught.value.errors == [RowError(None, "", macro)]
    with_macros = workbook_bytes(sheet_xml([header_row(), data_row(2)]), extra={"xl/vbaProject.bin": b"\0" * 10})
    assert rejected_xlsx(provider_user, with_macros) == [RowError(None, "", macro)]


@pytest.mark.parametrize("filename", ["referrals.txt", "referrals.xls", "referrals.ods", "referrals"])
def test_only_csv_and_xlsx_names_are_taken(provider_user, team, filename):
    with pytest.raises(ImportRejected) as caught:
        run(provider_user, csv_bytes(row()), filename=filename)
    assert caught.value.errors == [
        RowError(None, "", "The file must be a .csv or .xlsx file. Save your spreadsheet as 'CSV UTF-8' or as .xlsx.")
    ]
    assert Referral.objects.count() == 0


# Headers and references -------------------------------------------------------------------------


def test_header_problems_are_capped(provider_user, team):
    header = [*COLUMNS, *(f"extra_{n}" for n in range(200))]
    errors = rejected(provider_user, csv_bytes(row(), header=header))
    assert len(errors) == 21
    assert errors[0] == RowError(
        1, "extra_0", "This column is not in the template. Delete it or rename it to a template column"
    )
    assert errors[-1] == RowError(
        1, "", "There are 180 more problems with the column names. Start again from the template."
    )


def test_a_header_longer_than_64_kb_is_refused_not_cut(provider_user, team):
    header = [*COLUMNS, "n" * 70_000]
    assert rejected(provider_user, csv_bytes(row(), header=header)) == [
        RowError(
            1,
            "",
            "The first row is longer than 64 KB. It must hold only the template's column names: check that the file "
            "is the referral import template saved as CSV.",
        )
    ]


NO_HEADER = (
    "Row 1 must hold the template's column names (reference, police_area_code, referring_team and so on). "
    "Download the template and put your rows under its first row."
)


def test_a_file_without_its_header_row(provider_user, team):
    content = b"\n".join(csv_bytes(row(reference="A"), row(reference="B")).splitlines()[1:]) + b"\n"
    assert rejected(provider_user, content) == [RowError(1, "", NO_HEADER)]


BINARY = (
    "The file is not a CSV file or an Excel workbook. Save your spreadsheet as 'CSV UTF-8' or as an "
    "Excel workbook (.xlsx) and upload that."
)


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"GIF89a\x01\x00\x01\x00\x00\xff\x00,",
        b"ab\x01\x02cd,reference\x00\x00\x00\n",
    ],
    ids=["pdf", "png", "gif", "control characters"],
)
def test_a_binary_file_renamed_csv_is_named_as_such(provider_user, team, content):
    assert rejected(provider_user, content) == [RowError(None, "", BINARY)]


def test_a_column_name_that_is_not_text_is_not_repeated(provider_user, team):
    header = [*COLUMNS, "ÿØÿà\u2028JFIF<script>"]
    errors = rejected(provider_user, csv_bytes(row(), header=header))
    assert errors == [
        RowError(
            1,
            f"column {letters(len(COLUMNS))}",
            "This column is not in the template. Delete it or rename it to a template column",
        )
    ]


def test_references_differing_only_in_capital_letters_are_duplicates(provider_user, team):
    errors = rejected(provider_user, csv_bytes(row(reference="RJ-A1"), row(reference="rj-a1")))
    assert errors == [
        RowError(
            3,
            "reference",
            "This reference is also on row 2 in other capital letters, which do not make it a different reference",
        )
    ]


def test_a_reference_differing_only_in_capital_letters_from_an_existing_one_is_refused(provider_user, team):
    run(provider_user, csv_bytes(row(reference="RJ-A1")))
    with pytest.raises(ImportRejected) as caught:
        run(provider_user, csv_bytes(row(reference="RJ-B1"), row(reference="rj-a1", contact_attempts="3")))
    assert caught.value.errors == [
        RowError(
            3,
            "reference",
            "You already have a referral with this reference in other capital letters. Use the same capital letters "
            "to update it, or use another reference",
        )
    ]
    assert list(Referral.objects.values_list("reference", "contact_attempts")) == [("RJ-A1", 0)]
    # The same capital letters update it.
    assert run(provider_user, csv_bytes(row(reference="RJ-A1", contact_attempts="3"))).updated == 1


# Imports do not block the provider's other writes -------------------------------------------------


def test_the_import_locks_no_row(provider_user, team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        run(provider_user, csv_bytes(row(reference="A"), row(reference="B")))
    assert not [query["sql"] for query in queries if "FOR UPDATE" in query["sql"].upper()]
    if connection.vendor == "postgresql":
        assert any("pg_advisory_lock" in query["sql"] for query in queries)
        assert any("pg_advisory_unlock" in query["sql"] for query in queries)


def test_a_reference_saved_elsewhere_while_the_file_is_checked_is_reported_on_its_row(provider_user, team):
    from referrals.services import referral_create

    def meanwhile(phase, done, total):
        if phase == "check" and not Referral.objects.exists():
            values = {**GOOD_ROW}
            referral_create(
                actor=provider_user,
                provider=provider_user.organisation,
                reference="rj-new-2",
                area=team.area,
                referring_team=team,
                initiator="victim",
                offence_group="fraud",
                justice_stage="pre_sentence",
                referred_on=date(2026, 1, 9),
                received_on=date(2026, 1, 12),
                **{key: values[key] == "yes" for key in ("hate_crime", "domestic_abuse", "sexual_harm")},
            )

    with pytest.raises(ImportRejected) as caught:
        referral_import(
            actor=provider_user,
            provider=provider_user.organisation,
            source=csv_bytes(row(reference="RJ-NEW-1"), row(reference="RJ-NEW-2")),
            filename="referrals.csv",
            progress=meanwhile,
        )
    assert caught.value.errors == [
        RowError(
            3,
            "reference",
            "A referral with this reference was saved (on the web or through the API) while the file was being "
            "checked. Upload the file again: this row will then update that referral.",
        )
    ]
    assert list(Referral.objects.values_list("reference", flat=True)) == ["rj-new-2"]


def test_a_rejected_file_uses_no_ids(provider_user, team, monkeypatch):
    """Rows checked before a wrong one are not written to the referrals table: a rolled-back
    write would leave dead rows there and use up ids (PostgreSQL's sequences never go back)."""
    monkeypatch.setattr("referrals.importing.CHUNK_ROWS", 10)
    run(provider_user, csv_bytes(row(reference="FIRST")))
    first = Referral.objects.get().pk
    rows = [row(reference=f"R{n}") for n in range(50)]
    rows.append(row(reference="BAD", received_on="bad"))
    rejected_update(provider_user, csv_bytes(*rows))
    assert Referral.objects.count() == 1
    run(provider_user, csv_bytes(row(reference="FIRST"), row(reference="SECOND")))
    assert Referral.objects.get(reference="SECOND").pk == first + 1


@pytest.mark.usefixtures("live_db")  # committed data another connection can see, reference data reloaded
def test_an_import_does_not_hold_the_providers_row(provider_user, team):
    """Adding a referral checks its provider's row (FOR KEY SHARE): an import that locked that
    row held up every new referral of the provider until it ended."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    import psycopg2

    other = psycopg2.connect(**connection.get_connection_params())
    table = provider_user.organisation._meta.db_table
    held_up = []

    def meanwhile(phase, done, total):
        if phase != "check":
            return
        with other.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
            try:
                cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR KEY SHARE", [provider_user.organisation_id])  # noqa: S608
            except psycopg2.errors.LockNotAvailable:
                held_up.append(phase)
        other.rollback()

    try:
        result = referral_import(
            actor=provider_user,
            provider=provider_user.organisation,
            source=csv_bytes(row(reference="A"), row(reference="B")),
            filename="referrals.csv",
            progress=meanwhile,
        )
    finally:
        other.close()
    assert held_up == []
    assert result.created == 2
