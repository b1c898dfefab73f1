"""Filters for the API lists. Invalid values (an unknown area code, a stage that does not
exist, a malformed date, a parameter given with no value) are a 400 with the parameter's name,
not a silently ignored filter. A well-formed referring team id that matches no team gives an
empty list, as a filter on any other value that nothing has."""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from rjportal.areas.models import PoliceArea

from ..constants import Initiator, Stage, TeamCategory
from ..models import Referral, ReferringTeam

ISO_DATE = ["%Y-%m-%d"]
LARGEST_ID = 2**31 - 1
BLANK_MESSAGE = "Give a value, or leave the parameter out"


class AreaCodeFilter(django_filters.ModelChoiceFilter):
    """A police force area by its ONS code; the schema lists the codes (see schema.py)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", PoliceArea.objects.all())
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("help_text", "ONS police force area code")
        super().__init__(**kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": LARGEST_ID})
class IdFilter(django_filters.Filter):
    field_class = forms.IntegerField

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", LARGEST_ID)
        super().__init__(**kwargs)


@extend_schema_field({"type": "string", "format": "date"})
class IsoDateFilter(django_filters.DateFilter):
    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ISO_DATE)
        super().__init__(**kwargs)


class StrictFilterSet(django_filters.FilterSet):
    """A parameter given with no value (`?stage=`) is a 400, not ignored: the schema does not
    allow an empty value, and a client that sends one has usually lost a variable."""

    def is_valid(self):
        valid = super().is_valid()
        for name in self.filters:
            if name in self.data and not any(str(value).strip() for value in self.data.getlist(name)):
                self.form.add_error(name, BLANK_MESSAGE)
                valid = False
        return valid


class ReferralFilter(StrictFilterSet):
    area = AreaCodeFilter()
    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    offence_group = django_filters.ChoiceFilter(choices=Referral._meta.get_field("offence_group").choices)
    referring_team = IdFilter(field_name="referring_team_id", help_text="Referring team id")
    initiator = django_filters.ChoiceFilter(choices=Initiator.choices)
    received_from = IsoDateFilter(
        field_name="received_on", lookup_expr="gte", help_text="Received on or after this date (YYYY-MM-DD)"
    )
    received_to = IsoDateFilter(
        field_name="received_on", lookup_expr="lte", help_text="Received on or before this date (YYYY-MM-DD)"
    )
    reference = extend_schema_field({"type": "string", "minLength": 1, "maxLength": 50, "pattern": "^[^\\x00]*$"})(
        django_filters.CharFilter(help_text="The provider's own case reference, exactly", max_length=50)
    )

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


class ReferringTeamFilter(StrictFilterSet):
    area = AreaCodeFilter()
    category = django_filters.ChoiceFilter(choices=TeamCategory.choices)

    class Meta:
        model = ReferringTeam
        fields = ["area", "category"]
