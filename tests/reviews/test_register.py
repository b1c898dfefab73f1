"""Case registers get the referral import's treatment: every problem by row and column, nothing saved."""

import io
from datetime import date

import pytest
from openpyxl import Workbook

from reviews.importing import read_case_register
from reviews.models import DipSample, DipSampleCase
from reviews.services import dip_sample_create_from_register
from rjportal.audit.models import AuditEvent
from rjportal.imports import ImportRejected
from tests.factories import KENT, area

TODAY = date(2026, 3, 1)
HEADER = "crime_reference,offence_group,reported_on,hate_crime,domestic_abuse,sexual_harm\n"


def problems(content, filename="register.csv"):
    with pytest.raises(ImportRejected) as rejected:
        read_case_register(content=content, filename=filename, today=TODAY)
    return [str(error) for error in rejected.value.errors]


def test_a_good_csv_is_read():
    content = (
        HEADER + "KT/1/26,violence_against_the_person,2026-01-05,no,yes,no\nKT/2/26,Theft offences,06/01/2026,Y,n,0\n"
    ).encode()
    cases = read_case_register(content=content, filename="register.csv", today=TODAY)
    assert [
        (case.crime_reference, case.offence_group, case.reported_on, case.hate_crime, case.domestic_abuse)
        for case in cases
    ] == [
        ("KT/1/26", "violence_against_the_person", date(2026, 1, 5), False, True),
        ("KT/2/26", "theft_offences", date(2026, 1, 6), True, False),
    ]


def test_every_row_problem_is_named_by_row_and_column():
    content = (
        HEADER
        + "KT/1/26,arson of cheese,2026-02-30,maybe,yes,no\n"
        + "KT/1/26,theft_offences,2027-01-01,no,no,no\n"
        + "=HYPERLINK(1),theft_offences,2026-01-01,no,no,no\n"
        + ",,,,,\n"
        + "Jane Smith's case!,theft_offences,,no,no,no\n"
    ).encode()
    assert problems(content) == [
        "Row 2, offence_group: Enter an offence group code or name from the column guide",
        "Row 2, reported_on: Enter a date like 2026-01-31 or 31/01/2026",
        "Row 2, hate_crime: Enter yes or no",
        "Row 3, crime_reference: This crime reference is also on row 2",
        "Row 3, reported_on: The date the crime was reported must be today or in the past",
        "Row 4, crime_reference: This cell holds a formula. Paste the column back as values only "
        "(Paste Special, Values)",
        "Row 6, crime_reference: Enter a crime reference of up to 50 letters, digits, '/', '-', '.' or spaces, "
        "starting with a letter or digit",
        "Row 6, reported_on: Enter the date the crime was reported",
    ]


def test_a_wrong_header_an_extra_column_and_an_empty_file_are_refused():
    assert problems(b"crime_reference,offence_group,victim_name\nX,theft_offences,Jane\n") == [
        "Row 1, victim_name: This column is not in the template. Delete it: a case register holds only the "
        "template's columns",
        "File, reported_on: This column is missing",
        "File, hate_crime: This column is missing",
        "File, domestic_abuse: This column is missing",
        "File, sexual_harm: This column is missing",
    ]
    assert problems(b"") == ["File: The file is empty."]
    assert problems(HEADER.encode()) == ["File: The file has a header but no rows."]
    assert problems(b"x", filename="register.xls") == [
        "File: The file must be a .csv or .xlsx file. Save your spreadsheet as 'CSV UTF-8' or as .xlsx."
    ]
    assert problems(b"a" * (5 * 1024 * 1024 + 1)) == ["File: The file must be smaller than 5 MB"]


def workbook_bytes(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_is_read_with_its_dates_and_a_formula_is_refused():
    header = HEADER.strip().split(",")
    good = workbook_bytes([header, ["KT/9/26", "Robbery", date(2026, 1, 7), "no", "no", "yes"]])
    (case,) = read_case_register(content=good, filename="register.xlsx", today=TODAY)
    assert (case.crime_reference, case.offence_group, case.reported_on, case.sexual_harm) == (
        "KT/9/26",
        "robbery",
        date(2026, 1, 7),
        True,
    )
    bad = workbook_bytes([header, ["KT/9/26", "Robbery", date(2026, 1, 7), "no", '=IF(1,"no","yes")', "yes"]])
    assert problems(bad, filename="register.xlsx") == [
        "Row 2, domestic_abuse: This cell holds a formula. Paste the column back as values only (Paste Special, Values)"
    ]
    assert problems(b"PK\x03\x04 not really a workbook", filename="register.xlsx") == [
        "File: The file could not be read as an Excel workbook (.xlsx)."
    ]


def test_nothing_is_saved_when_any_row_is_wrong_and_a_good_upload_is_audited(pcc_user):
    bad = (HEADER + "KT/1/26,theft_offences,2026-01-05,no,no,no\nKT/2/26,nonsense,2026-01-05,no,no,no\n").encode()
    with pytest.raises(ImportRejected):
        dip_sample_create_from_register(actor=pcc_user, area=area(KENT), title="Jan", content=bad, filename="r.csv")
    assert DipSample.objects.count() == 0 and DipSampleCase.objects.count() == 0
    good = (HEADER + "KT/1/26,theft_offences,2026-01-05,no,no,no\n").encode()
    sample = dip_sample_create_from_register(
        actor=pcc_user, area=area(KENT), title="Jan", content=good, filename="r.csv"
    )
    assert sample.cases.count() == 1
    event = AuditEvent.objects.get(action="import", target_id=str(sample.pk))
    assert event.actor == pcc_user and event.changes == {"filename": "r.csv", "cases": 1}
