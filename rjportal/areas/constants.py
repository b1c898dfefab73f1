"""Vocabulary for police areas and offences.

Offence codes follow the ONS police recorded crime offence groups so that referrals and
recorded crime can be divided one by the other. Fraud and "other" sit outside recorded
crime by area (ONS records fraud centrally), so they never have a denominator."""

from datetime import date

from django.db import models


class Country(models.TextChoices):
    ENGLAND = "England", "England"
    WALES = "Wales", "Wales"


class GovernanceKind(models.TextChoices):
    PCC = "pcc", "Police and Crime Commissioner"
    PFCC = "pfcc", "Police, Fire and Crime Commissioner"
    MAYOR = "mayor", "Mayor"
    CITY_OF_LONDON = "city_of_london", "City of London Corporation"


class OffenceLevel(models.TextChoices):
    TOTAL = "total", "Total"
    GROUP = "group", "Group"
    SUBGROUP = "subgroup", "Subgroup"


class Offence(models.TextChoices):
    TOTAL = "total", "Total recorded crime (excluding fraud)"
    VIOLENCE = "violence_against_the_person", "Violence against the person"
    HOMICIDE = "homicide", "Homicide"
    VIOLENCE_WITH_INJURY = "violence_with_injury", "Violence with injury"
    VIOLENCE_WITHOUT_INJURY = "violence_without_injury", "Violence without injury"
    STALKING_AND_HARASSMENT = "stalking_and_harassment", "Stalking and harassment"
    UNLAWFUL_DRIVING = "death_or_serious_injury_unlawful_driving", "Death or serious injury - unlawful driving"
    SEXUAL_OFFENCES = "sexual_offences", "Sexual offences"
    ROBBERY = "robbery", "Robbery"
    THEFT = "theft_offences", "Theft offences"
    BURGLARY = "burglary", "Burglary"
    VEHICLE_OFFENCES = "vehicle_offences", "Vehicle offences"
    THEFT_FROM_THE_PERSON = "theft_from_the_person", "Theft from the person"
    BICYCLE_THEFT = "bicycle_theft", "Bicycle theft"
    SHOPLIFTING = "shoplifting", "Shoplifting"
    OTHER_THEFT = "other_theft_offences", "Other theft offences"
    CRIMINAL_DAMAGE = "criminal_damage_and_arson", "Criminal damage and arson"
    DRUG_OFFENCES = "drug_offences", "Drug offences"
    WEAPONS = "possession_of_weapons_offences", "Possession of weapons offences"
    PUBLIC_ORDER = "public_order_offences", "Public order offences"
    MISCELLANEOUS = "miscellaneous_crimes_against_society", "Miscellaneous crimes against society"
    FRAUD = "fraud", "Fraud"
    OTHER = "other", "Other (outside recorded crime groups)"


# Where each offence sits in the ONS hierarchy. Offences absent from this map (fraud,
# other) are never in police recorded crime by area.
OFFENCE_LEVEL = {
    Offence.TOTAL: OffenceLevel.TOTAL,
    Offence.VIOLENCE: OffenceLevel.GROUP,
    Offence.SEXUAL_OFFENCES: OffenceLevel.GROUP,
    Offence.ROBBERY: OffenceLevel.GROUP,
    Offence.THEFT: OffenceLevel.GROUP,
    Offence.CRIMINAL_DAMAGE: OffenceLevel.GROUP,
    Offence.DRUG_OFFENCES: OffenceLevel.GROUP,
    Offence.WEAPONS: OffenceLevel.GROUP,
    Offence.PUBLIC_ORDER: OffenceLevel.GROUP,
    Offence.MISCELLANEOUS: OffenceLevel.GROUP,
    Offence.HOMICIDE: OffenceLevel.SUBGROUP,
    Offence.VIOLENCE_WITH_INJURY: OffenceLevel.SUBGROUP,
    Offence.VIOLENCE_WITHOUT_INJURY: OffenceLevel.SUBGROUP,
    Offence.STALKING_AND_HARASSMENT: OffenceLevel.SUBGROUP,
    Offence.UNLAWFUL_DRIVING: OffenceLevel.SUBGROUP,
    Offence.BURGLARY: OffenceLevel.SUBGROUP,
    Offence.VEHICLE_OFFENCES: OffenceLevel.SUBGROUP,
    Offence.THEFT_FROM_THE_PERSON: OffenceLevel.SUBGROUP,
    Offence.BICYCLE_THEFT: OffenceLevel.SUBGROUP,
    Offence.SHOPLIFTING: OffenceLevel.SUBGROUP,
    Offence.OTHER_THEFT: OffenceLevel.SUBGROUP,
}

OFFENCE_PARENT = {
    Offence.HOMICIDE: Offence.VIOLENCE,
    Offence.VIOLENCE_WITH_INJURY: Offence.VIOLENCE,
    Offence.VIOLENCE_WITHOUT_INJURY: Offence.VIOLENCE,
    Offence.STALKING_AND_HARASSMENT: Offence.VIOLENCE,
    Offence.UNLAWFUL_DRIVING: Offence.VIOLENCE,
    Offence.BURGLARY: Offence.THEFT,
    Offence.VEHICLE_OFFENCES: Offence.THEFT,
    Offence.THEFT_FROM_THE_PERSON: Offence.THEFT,
    Offence.BICYCLE_THEFT: Offence.THEFT,
    Offence.SHOPLIFTING: Offence.THEFT,
    Offence.OTHER_THEFT: Offence.THEFT,
}

RECORDED_CRIME_OFFENCES = tuple(OFFENCE_LEVEL)
OFFENCE_BY_LABEL = {offence.label: offence for offence in Offence}

# Ordinary elections of Police and Crime Commissioners (and the mayors who hold their functions):
# a leader's term, for the 10-ways scorecard, runs from the last of these.
PCC_ELECTION_DATES = (
    date(2012, 11, 15),
    date(2016, 5, 5),
    date(2021, 5, 6),  # postponed from May 2020
    date(2024, 5, 2),
)
