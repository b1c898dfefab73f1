from django.db import models


class AlertKind(models.TextChoices):
    """What a change alert is about: the keys are a team's id, a category's value, an offence group's value."""

    TEAM = "team", "Referring team"
    TEAM_CATEGORY = "team_category", "Team category"
    OFFENCE_GROUP = "offence_group", "Offence group"


class Baseline(models.TextChoices):
    """The recent level a quarter's referrals are compared with."""

    PREVIOUS_FOUR = "previous_four", "Average of the previous four quarters"
    SAME_QUARTER = "same_quarter", "Same quarter a year earlier"
