"""Load the 43 police force areas and their governing bodies from the CSVs shipped in
rjportal/areas/data (ONS, Open Government Licence v3.0; see the README there)."""

import csv
from datetime import date
from pathlib import Path

from django.db import migrations

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def load_areas(apps, schema_editor):
    PoliceArea = apps.get_model("areas", "PoliceArea")
    GoverningBody = apps.get_model("areas", "GoverningBody")
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


def unload_areas(apps, schema_editor):
    apps.get_model("areas", "GoverningBody").objects.all().delete()
    apps.get_model("areas", "PoliceArea").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("areas", "0001_initial")]

    operations = [migrations.RunPython(load_areas, unload_areas)]
