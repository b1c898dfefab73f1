"""Thin serializers: they check types and choices and turn the referral into JSON. Every rule
about a referral's values is checked by the services, so the web, file import and API agree."""

from rest_framework import serializers

from rjportal.organisations.models import Organisation

from ..constants import ClockStatus, ClosureReason, CorrectionReason, InterventionType, Stage
from ..models import Referral, ReferralEvent, ReferringTeam
from ..services import EDITABLE_FIELDS, allowed_transitions
from .schema import AreaCodeField


def _blank_or_choice(field_name: str, help_text: str = "") -> serializers.ChoiceField:
    """A referral's optional choice as the API returns it: one of its choices, or "" when none
    has been recorded (the schema lists "" among the values, as the responses give it)."""
    return serializers.ChoiceField(
        choices=Referral._meta.get_field(field_name).choices, allow_blank=True, read_only=True, help_text=help_text
    )


class ReferringTeamSerializer(serializers.ModelSerializer):
    area = AreaCodeField(read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = ReferringTeam
        fields = ["id", "name", "area", "area_name", "category"]


class ReferralEventSerializer(serializers.ModelSerializer):
    """A timeline event. A move recorded by mistake stays, with when and why it was corrected."""

    corrected_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="Null unless corrected")
    correction_reason = serializers.ChoiceField(
        choices=CorrectionReason.choices, allow_blank=True, read_only=True, help_text="Blank unless corrected"
    )

    class Meta:
        model = ReferralEvent
        fields = ["from_stage", "to_stage", "happened_on", "reason", "corrected_at", "correction_reason"]


class ReferralSerializer(serializers.ModelSerializer):
    """A referral as the API returns it, with its Victims' Code clock statuses (the queryset
    must be annotated with `with_clocks`)."""

    provider_name = serializers.CharField(source="provider.name", read_only=True)
    area = AreaCodeField(read_only=True)
    offence_subgroup = _blank_or_choice("offence_subgroup", "Blank when the offence group has no subgroups")
    intervention_type = _blank_or_choice("intervention_type", "Blank until the referral reaches intervention")
    closure_reason = _blank_or_choice("closure_reason", "Blank unless the referral was closed")
    area_name = serializers.CharField(source="area.name", read_only=True)
    referring_team_name = serializers.CharField(source="referring_team.name", read_only=True)
    information_clock = serializers.ChoiceField(
        choices=ClockStatus.choices, read_only=True, help_text="Right 3: information about RJ within the deadline"
    )
    referral_clock = serializers.ChoiceField(
        choices=ClockStatus.choices, read_only=True, help_text="Right 4: referral within the deadline once asked for"
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "provider",
            "provider_name",
            *EDITABLE_FIELDS,
            "area_name",
            "referring_team_name",
            "stage",
            "stage_changed_on",
            "intervention_type",
            "closure_reason",
            "agreement_reached",
            "victim_satisfaction",
            "offender_satisfaction",
            "information_due_on",
            "referral_due_on",
            "information_clock",
            "referral_clock",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReferralDetailSerializer(ReferralSerializer):
    """One referral with its timeline and the stages it may move to next."""

    events = ReferralEventSerializer(many=True, read_only=True)
    allowed_transitions = serializers.SerializerMethodField()

    class Meta(ReferralSerializer.Meta):
        fields = [*ReferralSerializer.Meta.fields, "allowed_transitions", "events"]
        read_only_fields = fields

    def get_allowed_transitions(self, referral) -> list[str]:
        return [stage.value for stage in allowed_transitions(referral)]


class ReferralUpdateSerializer(serializers.ModelSerializer):
    """The values a provider records and may change. A referral's provider never changes: a
    `provider` sent with a change is ignored, like any other value not listed here."""

    area = AreaCodeField()
    referring_team = serializers.PrimaryKeyRelatedField(
        queryset=ReferringTeam.objects.all(), help_text="Referring team id (see referring-teams)"
    )

    class Meta:
        model = Referral
        fields = EDITABLE_FIELDS
        # Cross-field and uniqueness rules are the services' to check, with the web's words.
        validators = []


class ReferralCreateSerializer(ReferralUpdateSerializer):
    """A new referral. Provider staff always record for their own organisation, so `provider`
    is ignored from them; national administrators must give it."""

    provider = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        help_text="RJ provider id: required from national administrators, ignored from provider staff",
    )

    class Meta(ReferralUpdateSerializer.Meta):
        fields = ["provider", *EDITABLE_FIELDS]

    def __init__(self, *args, with_provider: bool | None = None, **kwargs):
        """`with_provider`: True for national administrators (required), False for provider
        staff (not read at all); None, as the schema sees it, leaves it optional."""
        super().__init__(*args, **kwargs)
        if with_provider:
            self.fields["provider"].required = True
        elif with_provider is False:
            del self.fields["provider"]


def _satisfaction(message: str, help_text: str) -> serializers.IntegerField:
    """A satisfaction score, refused outside 1 to 5 with the services' words."""
    return serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=5,
        help_text=help_text,
        error_messages={"min_value": message, "max_value": message},
    )


class ReferralTransitionSerializer(serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=Stage.choices)
    on_date = serializers.DateField()
    reason = serializers.ChoiceField(choices=ClosureReason.choices, required=False, allow_blank=True, default="")
    intervention_type = serializers.ChoiceField(
        choices=InterventionType.choices, required=False, allow_blank=True, default=""
    )
    agreement_reached = serializers.BooleanField(required=False, allow_null=True, default=None)
    victim_satisfaction = _satisfaction(
        "Select the victim's satisfaction from 1 to 5", "1 to 5: required when completing"
    )
    offender_satisfaction = _satisfaction(
        "Select the offender's satisfaction from 1 to 5", "1 to 5, where the offender took part"
    )
