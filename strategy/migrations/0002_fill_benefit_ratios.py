from django.db import migrations

from strategy.constants import DEFAULT_BENEFIT_RATIOS


def fill_benefit_ratios(apps, schema_editor):
    BenefitRatio = apps.get_model("strategy", "BenefitRatio")
    for ratio in DEFAULT_BENEFIT_RATIOS:
        BenefitRatio.objects.get_or_create(label=ratio["label"], defaults=ratio)


def remove_benefit_ratios(apps, schema_editor):
    BenefitRatio = apps.get_model("strategy", "BenefitRatio")
    BenefitRatio.objects.filter(label__in=[ratio["label"] for ratio in DEFAULT_BENEFIT_RATIOS]).delete()


class Migration(migrations.Migration):
    dependencies = [("strategy", "0001_initial")]

    operations = [migrations.RunPython(fill_benefit_ratios, remove_benefit_ratios)]
