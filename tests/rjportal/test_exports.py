"""Spreadsheet-safe exports: formulas never run, numbers keep their values, a ";" stays in
its cell."""

import csv
import io

import pytest

from rjportal.exports import csv_response, neutralise_formula


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("-5", "-5"),
        ("+3.25", "+3.25"),
        ("RJ-5", "RJ-5"),
        (-5, -5),
        (None, None),
    ],
)
def test_formulas_are_neutralised_and_plain_numbers_are_not(value, expected):
    assert neutralise_formula(value) == expected


def streamed(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_text_with_a_semicolon_is_quoted_and_reads_back_unchanged():
    text = streamed(csv_response(filename="x.csv", header=["a", "b"], rows=[["x;=1+1", 3], ["-5", None]]))
    assert '"x;=1+1"' in text
    assert list(csv.reader(io.StringIO(text))) == [["a", "b"], ["x;=1+1", "3"], ["-5", ""]]
