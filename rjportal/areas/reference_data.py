"""Loading the shipped police area reference data (see data/README.md for sources).

Takes the model classes as arguments so that the data migration can pass its historical
models and tests that flush the database can reload the same data."""

import csv
from datetime import date
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def load_police_areas(PoliceArea, GoverningBody):
    """Create or update the 43 areas and their governing bodies. Safe to run repeatedly."""
    with (DATA_DIR / "police_force_areas.csv").open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            PoliceArea.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name": row["name"],
                    "country": row["country"],
                    "region": row["region"],
                    "population": int(row["population"]),
                },
            )
    areas = {area.code: area for area in PoliceArea.objects.all()}
    with (DATA_DIR / "governing_bodies.csv").open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            GoverningBody.objects.update_or_create(
                area=areas[row["code"]],
                start_date=date.fromisoformat(row["start_date"]),
                defaults={
                    "name": row["name"],
                    "kind": row["kind"],
                    "end_date": date.fromisoformat(row["end_date"]) if row["end_date"] else None,
                },
            )


def police_area_codes() -> list[str]:
    """The 43 ONS codes from the shipped file, without the database: for the API schema, which
    Django's system checks build before any database may exist."""
    with (DATA_DIR / "police_force_areas.csv").open(encoding="utf-8") as file:
        return sorted(row["code"] for row in csv.DictReader(file))
