import csv
import io
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from rjportal.areas.models import RecordedCrime
from rjportal.areas.services import recorded_crime_import
from rjportal.audit.models import AuditEvent
from rjportal.imports import ImportRejected

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"
ONS_2023 = settings.REFERENCE_DATA_DIR / "recorded_crime_by_pfa_2023.csv"
YEAR_2023 = date(2023, 12, 31)


def load(path, **options):
    with open(path, "rb") as source:
        return recorded_crime_import(actor=None, source=source, **options)


def ons_2023(change=None) -> bytes:
    """The ONS 2023 table, with `change(fields)` applied to each row's fields."""
    lines = ONS_2023.read_text(encoding="utf-8").splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        fields = next(csv.reader([line]))
        if change is not None:
            fields = change(fields)
        if fields is not None:
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="").writerow(fields)
            out.append(buffer.getvalue())
    return ("\n".join(out) + "\n").encode()


def rejected(content: bytes, **options) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        recorded_crime_import(actor=None, source=io.BytesIO(content), **options)
    assert RecordedCrime.objects.count() == 0
    return [str(error) for error in caught.value.errors]


def test_the_ons_2023_table_loads_every_area_and_offence():
    result = load(ONS_2023)
    assert result.rows_written == 903
    assert result.year_endings == [YEAR_2023]
    totals = RecordedCrime.objects.filter(offence="total", year_ending=YEAR_2023)
    assert totals.count() == 43
    assert sum(totals.values_list("count", flat=True)) == 5_417_774
    assert RecordedCrime.objects.get(area__code="E23000032", offence="total").count == 169_011
    assert AuditEvent.objects.get(action="import").summary.startswith("Imported 903 recorded crime figures")


def test_reimporting_a_year_replaces_its_figures_without_duplicating():
    load(ONS_2023)
    result = load(ONS_2023)
    assert result.rows_replaced == 903
    assert RecordedCrime.objects.count() == 903


def test_a_new_year_is_added_beside_the_old_one():
    load(ONS_2023)
    load(FILES / "recorded_crime_kent_2024.csv", partial=True)
    assert RecordedCrime.objects.filter(year_ending=YEAR_2023).count() == 903
    assert RecordedCrime.objects.get(area__code="E23000032", offence="total", year_ending=date(2024, 12, 31)).count == (
        169_012
    )
    assert RecordedCrime.objects.latest_year_ending() == date(2024, 12, 31)


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("recorded_crime_unknown_area.csv", "Row 5, code: 'E99999999' is not a police force area code."),
        ("recorded_crime_non_numeric_count.csv", "Row 7, count: 'lots' is not a whole number of offences."),
        ("recorded_crime_missing_column.csv", "File, count: This column is missing."),
        ("recorded_crime_unknown_offence.csv", "Row 4, offence_group: 'Piracy' is not an ONS offence group."),
    ],
)
def test_a_bad_file_names_the_problem_and_changes_nothing(filename, expected):
    load(ONS_2023)
    before = list(RecordedCrime.objects.order_by("pk").values_list("pk", "count"))
    with pytest.raises(ImportRejected) as rejected:
        load(FILES / filename)
    assert [str(error) for error in rejected.value.errors] == [expected]
    assert list(RecordedCrime.objects.order_by("pk").values_list("pk", "count")) == before
    assert AuditEvent.objects.filter(action="import").count() == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "File: The file is empty."),
        (b"year_ending,code,name,offence_group,level,count\n", "File: The file has a header but no rows."),
        (
            "year_ending,code,name,offence_group,level,count\n2023-12-31,E23000032,Kent,Robbery,group,3\u00e9\n".encode(
                "latin-1"
            ),
            "File: The file is not UTF-8 text. Save it as 'CSV UTF-8'.",
        ),
        (
            b"year_ending,code,name,offence_group,level,count\n31/12/2023,E23000032,Kent,Robbery,group,3\n",
            "Row 2, year_ending: '31/12/2023' is not a date like 2023-12-31.",
        ),
        (
            b"year_ending,code,name,offence_group,level,count\n2023-12-31,E23000032,Kent,Robbery,subgroup,3\n",
            "Row 2, level: 'subgroup' should be 'group' for Robbery.",
        ),
        (
            b"year_ending,code,name,offence_group,level,count\n2023-12-31,E23000032,Kent,Robbery,group,-3\n",
            "Row 2, count: '-3' is not a whole number of offences.",
        ),
    ],
)
def test_malformed_content_is_rejected_with_a_clear_message(content, expected):
    with pytest.raises(ImportRejected) as rejected:
        recorded_crime_import(actor=None, source=content)
    assert str(rejected.value.errors[0]) == expected
    assert not RecordedCrime.objects.exists()


def test_duplicate_rows_are_rejected():
    content = (
        b"year_ending,code,name,offence_group,level,count\n"
        b"2023-12-31,E23000032,Kent,Robbery,group,3\n"
        b"2023-12-31,E23000032,Kent,Robbery,group,4\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        recorded_crime_import(actor=None, source=content)
    assert [str(error) for error in rejected.value.errors] == [
        "Row 3, offence_group: This area, year and offence appear more than once."
    ]


def test_a_byte_order_mark_is_accepted():
    content = (
        b"\xef\xbb\xbfyear_ending,code,name,offence_group,level,count\n2023-12-31,E23000032,Kent,Robbery,group,3\n"
    )
    assert recorded_crime_import(actor=None, source=content, partial=True).rows_written == 1


def test_command_imports_and_reports(capsys):
    call_command("import_recorded_crime", str(ONS_2023))
    assert "Imported 903 figures for year ending 31 December 2023." in capsys.readouterr().out


def test_command_lists_errors_and_fails_without_writing(capsys):
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_recorded_crime", str(FILES / "recorded_crime_unknown_area.csv"))
    assert "Row 5, code: 'E99999999' is not a police force area code." in capsys.readouterr().err
    assert not RecordedCrime.objects.exists()


def test_command_refuses_a_missing_file():
    with pytest.raises(CommandError, match="No file at"):
        call_command("import_recorded_crime", "no-such-file.csv")


# What a table must be before its figures are used ------------------------------------------


def test_a_year_for_some_areas_only_is_refused_unless_partial():
    messages = rejected((FILES / "recorded_crime_kent_2024.csv").read_bytes())
    assert messages == [
        "File: The year ending 31 December 2024 has a total for 1 of the 43 police force areas. Load a file with "
        "every area, or import it with --partial: a partial year is kept but not used for rates."
    ]
    with pytest.raises(CommandError):
        call_command("import_recorded_crime", str(FILES / "recorded_crime_kent_2024.csv"))
    call_command("import_recorded_crime", str(FILES / "recorded_crime_kent_2024.csv"), "--partial")
    assert RecordedCrime.objects.filter(year_ending=date(2024, 12, 31)).count() == 21


def test_a_name_that_disagrees_with_its_code_is_refused():
    def rename(fields):
        if fields[1] == "E23000032" and fields[3] == "Robbery":
            fields[2] = "Essex"
        return fields

    messages = rejected(ons_2023(rename))
    assert len(messages) == 1
    assert messages[0].endswith("name: 'Essex' is not the name of E23000032 (Kent).")


def test_the_ons_label_west_midlands_pfa_is_accepted():
    def label(fields):
        if fields[1] == "E23000014":
            fields[2] = "West Midlands (pfa)"
        return fields

    assert recorded_crime_import(actor=None, source=io.BytesIO(ons_2023(label))).rows_written == 903


def test_groups_that_do_not_add_up_to_the_total_are_refused():
    def inflate(fields):
        if fields[1] == "E23000032" and fields[3] == "Robbery":
            fields[6] = str(int(fields[6]) + 1000)
        return fields

    messages = rejected(ons_2023(inflate))
    assert len(messages) == 1
    assert messages[0].startswith("File, count: Kent, year ending 31 December 2023: the offence groups add up to ")
    assert messages[0].endswith("not 169,011 (allowed difference 0.1%).")


def test_subgroups_that_do_not_add_up_to_their_group_are_refused():
    def inflate(fields):
        if fields[1] == "E23000032" and fields[3] == "Shoplifting":
            fields[6] = str(int(fields[6]) + 500)
        return fields

    messages = rejected(ons_2023(inflate))
    assert messages == [message for message in messages if "subgroups of Theft offences add up to" in message]
    assert len(messages) == 1


def test_a_difference_within_the_tolerance_is_accepted():
    def nudge(fields):
        if fields[1] == "E23000032" and fields[3] == "Total recorded crime (excluding fraud)":
            fields[6] = str(int(fields[6]) + 100)  # 100 of 169,011: under 0.1%
        return fields

    assert recorded_crime_import(actor=None, source=io.BytesIO(ons_2023(nudge))).rows_written == 903
