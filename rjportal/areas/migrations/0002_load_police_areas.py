"""Load the 43 police force areas and their governing bodies from the CSVs shipped in
rjportal/areas/data (ONS, Open Government Licence v3.0; see the README there)."""

from django.db import migrations

from rjportal.areas.reference_data import load_police_areas


def load_areas(apps, schema_editor):
    load_police_areas(apps.get_model("areas", "PoliceArea"), apps.get_model("areas", "GoverningBody"))


def unload_areas(apps, schema_editor):
    apps.get_model("areas", "GoverningBody").objects.all().delete()
    apps.get_model("areas", "PoliceArea").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("areas", "0001_initial")]

    operations = [migrations.RunPython(load_areas, unload_areas)]
