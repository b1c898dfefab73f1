"""Referral exports: the same rows for CSV and XLSX, from the list's filtered queryset."""

from io import BytesIO

from django.http import StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

from rjportal.exports import csv_response, neutralise_formula

from .constants import ClockStatus

EXPORT_HEADER = [
    "Reference",
    "Provider",
    "Police area code",
    "Police area",
    "Referring team",
    "Team category",
    "Initiator",
    "Offence group",
    "Offence subgroup",
    "Hate crime",
    "Domestic abuse",
    "Sexual harm",
    "Criminal justice stage",
    "Offender under 18",
    "Victim enhanced rights",
    "Crime reported",
    "Victim informed",
    "Victim asked for referral",
    "Referral made",
    "Referral received",
    "Stage",
    "Stage since",
    "Contact attempts",
    "Intervention type",
    "Closure reason",
    "Agreement reached",
    "Victim satisfaction",
    "Offender satisfaction",
    "Information clock",
    "Referral clock",
]

EXPORT_FIELDS = [
    "reference",
    "provider__name",
    "area__code",
    "area__name",
    "referring_team__name",
    "referring_team__category",
    "initiator",
    "offence_group",
    "offence_subgroup",
    "hate_crime",
    "domestic_abuse",
    "sexual_harm",
    "justice_stage",
    "offender_under_18",
    "victim_enhanced_rights",
    "crime_reported_on",
    "victim_informed_on",
    "victim_requested_on",
    "referred_on",
    "received_on",
    "stage",
    "stage_changed_on",
    "contact_attempts",
    "intervention_type",
    "closure_reason",
    "agreement_reached",
    "victim_satisfaction",
    "offender_satisfaction",
    "information_clock",
    "referral_clock",
]


def _cell(value):
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def export_rows(referrals):
    """Rows of plain values; codes stay as codes, so that files round-trip into the import."""
    clock_labels = dict(ClockStatus.choices)
    for row in referrals.values_list(*EXPORT_FIELDS).iterator(chunk_size=5000):
        values = [_cell(value) for value in row]
        values[-2] = clock_labels.get(values[-2], values[-2])
        values[-1] = clock_labels.get(values[-1], values[-1])
        yield values


def referrals_csv(referrals):
    return csv_response(filename=_filename("csv"), header=EXPORT_HEADER, rows=export_rows(referrals))


def referrals_xlsx(referrals):
    # write_only keeps memory flat however many rows there are.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Referrals")
    sheet.append(EXPORT_HEADER)
    for row in export_rows(referrals):
        sheet.append([neutralise_formula(value) for value in row])
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
