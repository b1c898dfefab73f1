"""Spreadsheet-safe exports. Every CSV or XLSX the portal produces goes through here, so
that a cell a user typed can never run as a formula in the reader's spreadsheet."""

import csv
import re
from io import BytesIO

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Text that is just a number ("-5", "+3.25") is data a spreadsheet reads as a number, not a
# formula: it keeps its value, so that a file exported and imported again is unchanged.
PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def neutralise_formula(value):
    """Prefix text that a spreadsheet would read as a formula with an apostrophe. Numbers, and
    text that is only a number, are left alone: a negative number is data, not a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.match(value):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def csv_response(*, filename: str, header: list[str], rows) -> StreamingHttpResponse:
    """Stream rows as CSV, so that a large export never sits whole in memory. Every text value
    is quoted, so that one holding a ";" stays one cell (and never a formula's argument list)
    in a spreadsheet whose list separator is ";"."""
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_NONNUMERIC)

    def lines():
        try:
            yield "\ufeff"  # so that Excel reads the file as UTF-8
            yield writer.writerow(header)
            for row in rows:
                yield writer.writerow([neutralise_formula(value) for value in row])
        finally:
            # A download cut off closes this generator: close `rows` too, now, so that any
            # clean-up of its own runs before the response's end (and the database's).
            if hasattr(rows, "close"):
                rows.close()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(*, filename: str, sheets: list[tuple[str, list[list]]]) -> HttpResponse:
    """A workbook of named sheets, each a list of rows (the first usually its header)."""
    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        for row in rows:
            sheet.append([neutralise_formula(value) for value in row])
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
