import io
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
    return [values[column] for column in COLUMNS]


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


def test_wrong_encoding(provider_user, team):
    assert rejected(provider_user, FILES / "referrals_latin1.csv") == [
        RowError(None, "", "The file is not UTF-8 text. Save it as 'CSV UTF-8' or as an Excel workbook (.xlsx).")
    ]


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
    content = csv_bytes(row(reference="A")) + b"B" + b",x" * 20 + b"\n"
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

    assert rejected(provider_user, content) == [
        RowError(None, "", "The file is not UTF-8 text. Save it as 'CSV UTF-8' or as an Excel workbook (.xlsx).")
    ]


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
