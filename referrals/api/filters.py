"""Filters for the API lists. Invalid values (an unknown area code, a stage that does not
exist, a malformed date) are a 400 with the parameter's name, not a silently empty list."""

import django_filters

from rjportal.areas.models import PoliceArea

from ..constants import Initiator, Stage, TeamCategory
from ..models import Referral, ReferringTeam


class ReferralFilter(django_filters.FilterSet):
    area = django_filters.ModelChoiceFilter(
        queryset=PoliceArea.objects.all(), to_field_name="code", help_text="ONS police force area code"
    )
    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    offence_group = django_filters.ChoiceFilter(choices=Referral._meta.get_field("offence_group").choices)
    referring_team = django_filters.ModelChoiceFilter(
        queryset=ReferringTeam.objects.all(), help_text="Referring team id"
    )
    initiator = django_filters.ChoiceFilter(choices=Initiator.choices)
    received_from = django_filters.DateFilter(
        field_name="received_on", lookup_expr="gte", help_text="Received on or after this date (YYYY-MM-DD)"
    )
    received_to = django_filters.DateFilter(
        field_name="received_on", lookup_expr="lte", help_text="Received on or before this date (YYYY-MM-DD)"
    )
    reference = django_filters.CharFilter(help_text="The provider's own case reference, exactly")

    class Meta:
        model = Referral
        fields = [
            "area",
            "stage",
            "offence_group",
            "referring_team",
            "initiator",
            "received_from",
            "received_to",
            "reference",
        ]


class ReferringTeamFilter(django_filters.FilterSet):
    area = django_filters.ModelChoiceFilter(
        queryset=PoliceArea.objects.all(), to_field_name="code", help_text="ONS police force area code"
    )
    category = django_filters.ChoiceFilter(choices=TeamCategory.choices)

    class Meta:
        model = ReferringTeam
        fields = ["area", "category"]
