"""Referral exports: the same rows for CSV and XLSX, from the list's filtered queryset."""

from io import BytesIO

from django.db.models import Q
from django.http import StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

from rjportal.exports import csv_response, neutralise_formula

from .columns import IMPORT_COLUMN, IMPORT_COLUMNS
from .constants import ClockStatus


def _file_columns(*names):
    return [(IMPORT_COLUMN[name].label, IMPORT_COLUMN[name].export_field) for name in names]


# (heading, what is read): the file's columns (referrals.columns) under their labels, with what
# the portal adds around them. Codes stay codes, so that an export round-trips into the import.
EXPORT_COLUMNS = [
    *_file_columns("reference"),
    ("Provider", "provider__name"),
    *_file_columns("police_area_code"),
    ("Police area", "area__name"),
    *_file_columns("referring_team"),
    ("Team category", "referring_team__category"),
    *_file_columns(*[column.name for column in IMPORT_COLUMNS[3:] if column.name != "contact_attempts"]),
    ("Stage", "stage"),
    ("Stage since", "stage_changed_on"),
    *_file_columns("contact_attempts"),
    ("Intervention type", "intervention_type"),
    ("Closure reason", "closure_reason"),
    ("Agreement reached", "agreement_reached"),
    ("Victim satisfaction", "victim_satisfaction"),
    ("Offender satisfaction", "offender_satisfaction"),
    ("Information clock", "information_clock"),
    ("Referral clock", "referral_clock"),
]
EXPORT_HEADER = [heading for heading, _ in EXPORT_COLUMNS]
EXPORT_FIELDS = [field for _, field in EXPORT_COLUMNS]


def _cell(value):
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


EXPORT_CHUNK = 2000


def _in_chunks(referrals):
    """The filtered referrals, newest first, a chunk at a time. Each chunk starts after the last
    row of the one before (keyset pagination on received_on and id), so every query is a short
    index scan: the first rows leave at once however many follow, and no database cursor has to
    hold the whole result (PostgreSQL materialises a cursor held across commits)."""
    ordered = referrals.order_by("-received_on", "-id")
    last = None
    while True:
        chunk = ordered
        if last is not None:
            chunk = chunk.filter(Q(received_on__lt=last[0]) | Q(received_on=last[0], id__lt=last[1]))
        # The chunk's ids first, without the joins the rows need: joined, SQLite may start from
        # the police areas and sort every matching referral before the first row leaves.
        keys = list(chunk.values_list("received_on", "id")[:EXPORT_CHUNK])
        if not keys:
            return
        rows = referrals.filter(pk__in=[pk for _received, pk in keys]).order_by("-received_on", "-id")
        yield list(rows.values_list(*EXPORT_FIELDS))
        if len(keys) < EXPORT_CHUNK:
            return
        last = keys[-1]


def export_rows(referrals):
    """Rows of plain values, newest first; codes stay as codes, so that files round-trip into the
    import."""
    clock_labels = dict(ClockStatus.choices)
    for chunk in _in_chunks(referrals):
        for row in chunk:
            values = [_cell(value) for value in row]
            values[-2] = clock_labels.get(values[-2], values[-2])
            values[-1] = clock_labels.get(values[-1], values[-1])
            yield values


def referrals_csv(referrals, *, when_sent):
    """The referrals as CSV, streamed. `when_sent(rows, finished)` is called once the stream
    ends (or is cut off), with how many referrals were sent: counting them as they go costs
    nothing, where counting them first would scan every matching row before the first leaves."""
    return csv_response(
        filename=_filename("csv"), header=EXPORT_HEADER, rows=_counted(export_rows(referrals), when_sent)
    )


def _counted(rows, when_sent):
    sent, finished = 0, False
    try:
        for row in rows:
            sent += 1
            yield row
        finished = True
    finally:
        when_sent(sent, finished)


def referrals_xlsx(referrals, *, when_sent):
    """The referrals as a workbook, built before it is sent; `when_sent` as for referrals_csv,
    called before the response is returned."""
    # write_only keeps memory flat however many rows there are.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Referrals")
    sheet.append(EXPORT_HEADER)
    sent = 0
    for row in export_rows(referrals):
        sheet.append([neutralise_formula(value) for value in row])
        sent += 1
    when_sent(sent, True)
    buffer = BytesIO()
    workbook.save(buffer)
    response = StreamingHttpResponse(
        iter([buffer.getvalue()]),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response


def _filename(extension):
    return f"referrals-{timezone.localdate():%Y-%m-%d}.{extension}"
