from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from rjportal.audit.constants import AuditAction
from rjportal.audit.services import audit_record
from rjportal.imports import ImportRejected, RowError, file_line, read_csv_as_text

from .constants import OFFENCE_BY_LABEL, OFFENCE_LEVEL, OFFENCE_PARENT, RECORDED_CRIME_OFFENCES, Offence, OffenceLevel
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


# What adds up to what: the groups to the total, each group's subgroups to the group.
SUM_PARTS = {
    Offence.TOTAL: [offence for offence, level in OFFENCE_LEVEL.items() if level == OffenceLevel.GROUP],
    **{
        group: [child for child, parent in OFFENCE_PARENT.items() if parent == group]
        for group in dict.fromkeys(OFFENCE_PARENT.values())
    },
}
# Offence groups must add up to the total, and subgroups to their group, within this share of
# the larger figure (ONS tables add up exactly; a little room allows for a corrected figure).
RECORDED_CRIME_SUM_TOLERANCE = 0.001


def _area_name_matches(given: str, name: str) -> bool:
    """ONS tables sometimes label an area "West Midlands (pfa)"; the name is otherwise exact."""
    given = given.strip().lower().removesuffix("(pfa)").strip()
    return given == name.lower()


@transaction.atomic
def recorded_crime_import(*, actor, source, partial: bool = False) -> RecordedCrimeImportResult:
    """Load ONS recorded crime in long format. The figures for each year ending in the file
    replace any already held for that year, so re-running an import never duplicates. Each year
    must cover all 43 areas unless `partial` (a partial year is kept but never used for rates),
    each row's name must be its code's, and groups must add up to their total."""
    frame = read_csv_as_text(source, required_columns=RECORDED_CRIME_COLUMNS)
    areas = dict(PoliceArea.objects.values_list("code", "pk"))
    names = dict(PoliceArea.objects.values_list("code", "name"))
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
        elif not _area_name_matches(row["name"], names[code]):
            row_errors.append(RowError(line, "name", f"'{row['name']}' is not the name of {code} ({names[code]})."))
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
    if not errors:
        errors = _coverage_and_sum_errors(records, areas=areas, names=names, partial=partial)
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


def _coverage_and_sum_errors(records, *, areas, names, partial: bool) -> list[RowError]:
    errors = []
    codes = {pk: code for code, pk in areas.items()}
    counts = {(record.area_id, record.year_ending, record.offence): record.count for record in records}
    for year_ending in sorted({record.year_ending for record in records}):
        covered = {area_id for area_id, year, offence in counts if year == year_ending and offence == Offence.TOTAL}
        if len(covered) < len(areas) and not partial:
            errors.append(
                RowError(
                    None,
                    "",
                    f"The year ending {year_ending:%-d %B %Y} has a total for {len(covered)} of the {len(areas)} "
                    "police force areas. Load a file with every area, or import it with --partial: a partial year "
                    "is kept but not used for rates.",
                )
            )
        for area_id in sorted(covered):
            for parent, parts in SUM_PARTS.items():
                whole = counts.get((area_id, year_ending, parent))
                children = [counts[key] for part in parts if (key := (area_id, year_ending, part)) in counts]
                if not children or whole is None:
                    continue
                if abs(sum(children) - whole) > RECORDED_CRIME_SUM_TOLERANCE * max(whole, sum(children)):
                    kind = "offence groups" if parent == Offence.TOTAL else f"subgroups of {parent.label}"
                    errors.append(
                        RowError(
                            None,
                            "count",
                            f"{names[codes[area_id]]}, year ending {year_ending:%-d %B %Y}: the {kind} add up to "
                            f"{sum(children):,}, not {whole:,} (allowed difference "
                            f"{RECORDED_CRIME_SUM_TOLERANCE:.1%}).",
                        )
                    )
    return errors


def _parse_iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None
