"""Thin serializers: they check types and choices and turn the referral into JSON. Every rule
about a referral's values is checked by the services, so the web, file import and API agree."""

from rest_framework import serializers

from rjportal.areas.models import PoliceArea
from rjportal.organisations.models import Organisation

from ..constants import ClockStatus, ClosureReason, InterventionType, Stage
from ..models import Referral, ReferralEvent, ReferringTeam
from ..services import EDITABLE_FIELDS, allowed_transitions

AREA_HELP = "ONS police force area code, for example E23000032"


class ReferringTeamSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text=AREA_HELP)
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = ReferringTeam
        fields = ["id", "name", "area", "area_name", "category"]


class ReferralEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReferralEvent
        fields = ["from_stage", "to_stage", "happened_on", "reason"]


class ReferralSerializer(serializers.ModelSerializer):
    """A referral as the API returns it, with its Victims' Code clock statuses (the queryset
    must be annotated with `with_clocks`)."""

    provider_name = serializers.CharField(source="provider.name", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text=AREA_HELP)
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


class ReferralWriteSerializer(serializers.ModelSerializer):
    """The values a provider records. `provider` is only accepted from national administrators
    creating a referral; provider staff always record for their own organisation."""

    provider = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        help_text="RJ provider id: national administrators only, when recording a referral",
    )
    area = serializers.SlugRelatedField(slug_field="code", queryset=PoliceArea.objects.all(), help_text=AREA_HELP)
    referring_team = serializers.PrimaryKeyRelatedField(
        queryset=ReferringTeam.objects.all(), help_text="Referring team id (see referring-teams)"
    )

    class Meta:
        model = Referral
        fields = ["provider", *EDITABLE_FIELDS]
        # Cross-field and uniqueness rules are the services' to check, with the web's words.
        validators = []

    def __init__(self, *args, with_provider: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_provider:
            del self.fields["provider"]


class ReferralTransitionSerializer(serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=Stage.choices)
    on_date = serializers.DateField()
    reason = serializers.ChoiceField(choices=ClosureReason.choices, required=False, allow_blank=True, default="")
    intervention_type = serializers.ChoiceField(
        choices=InterventionType.choices, required=False, allow_blank=True, default=""
    )
    agreement_reached = serializers.BooleanField(required=False, allow_null=True, default=None)
    victim_satisfaction = serializers.IntegerField(required=False, allow_null=True, default=None)
    offender_satisfaction = serializers.IntegerField(required=False, allow_null=True, default=None)
