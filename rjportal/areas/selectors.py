from dataclasses import dataclass
from datetime import date

from django.db.models import Count, OuterRef, Q, Subquery

from .constants import OFFENCE_LEVEL, OFFENCE_PARENT, Offence, OffenceLevel
from .models import GoverningBody, PoliceArea, RecordedCrime


def area_list(*, search: str = ""):
    """Every area with its current governing body and latest total recorded crime."""
    latest = RecordedCrime.objects.latest_year_ending()
    current_body = GoverningBody.objects.filter(area=OuterRef("pk"), end_date__isnull=True)
    total_crime = RecordedCrime.objects.filter(area=OuterRef("pk"), offence=Offence.TOTAL, year_ending=latest)
    areas = PoliceArea.objects.annotate(
        governing_body_name=Subquery(current_body.values("name")[:1]),
        governing_body_kind=Subquery(current_body.values("kind")[:1]),
        recorded_crime_total=Subquery(total_crime.values("count")[:1]),
    )
    if search:
        areas = areas.filter(Q(name__icontains=search) | Q(code__iexact=search) | Q(region__icontains=search))
    return areas, latest


def area_recorded_crime(area: PoliceArea):
    """The area's latest recorded crime as rows in ONS order (groups followed by their
    subgroups), each with its rate per 1,000 residents."""
    latest = area.recorded_crime.latest_year_ending()
    if latest is None:
        return None, []
    counts = dict(area.recorded_crime.filter(year_ending=latest).values_list("offence", "count"))
    rows = []
    for offence, level in OFFENCE_LEVEL.items():
        if offence not in counts:
            continue
        rows.append(
            {
                "offence": offence,
                "label": offence.label,
                "level": level,
                "is_subgroup": level == OffenceLevel.SUBGROUP,
                "parent": OFFENCE_PARENT.get(offence),
                "count": counts[offence],
                "rate_per_1000": counts[offence] * 1000 / area.population if area.population else None,
            }
        )
    # Show each group's subgroups straight after it.
    order = {offence: index for index, offence in enumerate(OFFENCE_LEVEL)}
    rows.sort(key=lambda row: (order[row["parent"] or row["offence"]], row["is_subgroup"], order[row["offence"]]))
    return latest, rows


def recorded_crime_by_area_and_offence(year_ending) -> dict[tuple[int, str], int]:
    """Recorded crime for one year ending, keyed by (area id, offence code)."""
    rows = RecordedCrime.objects.filter(year_ending=year_ending).values_list("area_id", "offence", "count")
    return {(area_id, offence): count for area_id, offence, count in rows}


@dataclass(frozen=True)
class CrimeYear:
    """The recorded-crime year that a financial year's rates use."""

    year_ending: date
    is_earlier: bool  # the matching year is not loaded, so an earlier one stands in


def complete_crime_years() -> list[date]:
    """Years ending for which every area has a total: a year loaded for some areas only (with
    `import_recorded_crime --partial`) is never used for rates."""
    areas = PoliceArea.objects.count()
    rows = (
        RecordedCrime.objects.filter(offence=Offence.TOTAL)
        .values("year_ending")
        .annotate(areas=Count("area", distinct=True))
        .filter(areas=areas)
        .order_by("year_ending")
    )
    return [row["year_ending"] for row in rows]


def crime_year_for(financial_year) -> CrimeYear | None:
    """The complete recorded-crime year that overlaps the financial year most (for April 2024
    to March 2025, the year ending 31 December 2024), or else the nearest earlier one; None
    when there is neither."""
    wanted = date(financial_year.start_year, 12, 31)
    earlier = [year for year in complete_crime_years() if year <= wanted]
    if not earlier:
        return None
    return CrimeYear(earlier[-1], is_earlier=earlier[-1] != wanted)
