from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from rjportal.audit.constants import AuditAction
from rjportal.audit.services import audit_record
from rjportal.imports import ImportRejected, RowError, file_line, read_csv_as_text

from .constants import OFFENCE_BY_LABEL, OFFENCE_LEVEL, RECORDED_CRIME_OFFENCES
from .models import GoverningBody, PoliceArea, RecordedCrime


@transaction.atomic
def governing_body_create(
    *, actor, area: PoliceArea, name: str, kind: str, start_date: date, end_date: date | None = None
) -> GoverningBody:
    """Add a body to an area's history. Periods within an area may not overlap: to hand over,
    end the current body first with `governing_body_end`."""
    # Lock the area so that two hand-overs cannot both pass the overlap check.
    PoliceArea.objects.select_for_update().get(pk=area.pk)
    body = GoverningBody(area=area, name=name, kind=kind, start_date=start_date, end_date=end_date)
    body.full_clean()
    body.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=body,
        summary=f"Added governing body {name} for {area.name} from {start_date:%-d %B %Y}",
    )
    return body


@transaction.atomic
def governing_body_end(*, actor, body: GoverningBody, end_date: date) -> GoverningBody:
    body = GoverningBody.objects.select_for_update().get(pk=body.pk)
    if body.end_date is not None:
        raise ValidationError(f"{body.name} already ended on {body.end_date:%-d %B %Y}.")
    body.end_date = end_date
    body.full_clean()
    body.save(update_fields=["end_date"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=body,
        summary=f"Ended {body.name} on {end_date:%-d %B %Y}",
        changes={"end_date": {"from": None, "to": end_date.isoformat()}},
    )
    return body


@dataclass(frozen=True)
class RecordedCrimeImportResult:
    year_endings: list[date]
    rows_written: int
    rows_replaced: int


RECORDED_CRIME_COLUMNS = ["year_ending", "code", "name", "offence_group", "level", "count"]


@transaction.atomic
def recorded_crime_import(*, actor, source) -> RecordedCrimeImportResult:
    """Load ONS recorded crime in long format. The figures for each year ending in the file
    replace any already held for that year, so re-running an import never duplicates."""
    frame = read_csv_as_text(source, required_columns=RECORDED_CRIME_COLUMNS)
    areas = dict(PoliceArea.objects.values_list("code", "pk"))
    records, errors, seen = [], [], set()
    for index, row in frame.iterrows():
        line = file_line(index)
        row_errors = []
        year_ending = _parse_iso_date(row["year_ending"])
        if year_ending is None:
            row_errors.append(RowError(line, "year_ending", f"'{row['year_ending']}' is not a date like 2023-12-31."))
        code = row["code"].strip()
        if code not in areas:
            row_errors.append(RowError(line, "code", f"'{code}' is not a police force area code."))
        offence = OFFENCE_BY_LABEL.get(row["offence_group"].strip())
        if offence is None or offence not in RECORDED_CRIME_OFFENCES:
            row_errors.append(RowError(line, "offence_group", f"'{row['offence_group']}' is not an ONS offence group."))
        elif row["level"].strip() != OFFENCE_LEVEL[offence]:
            row_errors.append(
                RowError(line, "level", f"'{row['level']}' should be '{OFFENCE_LEVEL[offence]}' for {offence.label}.")
            )
        count_text = row["count"].strip().replace(",", "")
        if not count_text.isdigit():
            row_errors.append(RowError(line, "count", f"'{row['count']}' is not a whole number of offences."))
        if not row_errors:
            key = (code, year_ending, offence)
            if key in seen:
                row_errors.append(RowError(line, "offence_group", "This area, year and offence appear more than once."))
            seen.add(key)
        if row_errors:
            errors.extend(row_errors)
            continue
        records.append(
            RecordedCrime(area_id=areas[code], year_ending=year_ending, offence=offence, count=int(count_text))
        )
    if errors:
        raise ImportRejected(errors)

    year_endings = sorted({record.year_ending for record in records})
    replaced, _ = RecordedCrime.objects.filter(year_ending__in=year_endings).delete()
    RecordedCrime.objects.bulk_create(records, batch_size=1000)
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        summary=(
            f"Imported {len(records)} recorded crime figures for year ending "
            + ", ".join(f"{year:%-d %B %Y}" for year in year_endings)
            + (f", replacing {replaced}" if replaced else "")
        ),
    )
    return RecordedCrimeImportResult(year_endings=year_endings, rows_written=len(records), rows_replaced=replaced)


def _parse_iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None
