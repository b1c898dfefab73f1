"""Thin serializers: they check types and choices and turn the referral into JSON. Every rule
about a referral's values is checked by the services, so the web, file import and API agree."""

from rest_framework import serializers

from rjportal.organisations.models import Organisation

from ..columns import TEMPLATE_COLUMNS
from ..constants import TEAM_STAFF_COUNT_MAX, ClockStatus, ClosureReason, CorrectionReason, InterventionType, Stage
from ..importing import MAX_API_ROWS, MAX_CELL_CHARS
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
    staff_count = serializers.IntegerField(read_only=True, allow_null=True, help_text="Null when not known")

    class Meta:
        model = ReferringTeam
        fields = ["id", "name", "area", "area_name", "category", "staff_count"]


class ReferringTeamWriteSerializer(serializers.ModelSerializer):
    """A team as PCC office staff and national administrators add or change it. A name the area
    already has and a move of a team with referrals are the services' to refuse, in the web's words."""

    area = AreaCodeField(help_text="ONS police force area code: one your office serves, for PCC office staff")
    staff_count = serializers.IntegerField(
        min_value=0,
        max_value=TEAM_STAFF_COUNT_MAX,
        allow_null=True,
        default=None,
        help_text="Officers or staff, where known; null when not known",
        error_messages={
            "invalid": "Enter the number of officers or staff as a whole number, like 12",
            "min_value": "The number of officers or staff must be 0 or more",
            "max_value": f"The number of officers or staff must be {TEAM_STAFF_COUNT_MAX:,} or fewer",
        },
    )

    class Meta:
        model = ReferringTeam
        fields = ["area", "name", "category", "staff_count"]
        extra_kwargs = {
            "name": {
                "help_text": "As the area calls it; unique in the area whatever the capital letters",
                "error_messages": {
                    "blank": "Enter the team's name",
                    "max_length": "The team's name must be 120 characters or fewer",
                },
            },
            "category": {"error_messages": {"invalid_choice": "Select the team's category"}},
        }
        # The name's uniqueness in the area is the services' to check, with the web's words.
        validators = []


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


# Many referrals at once, as rows of the import template -----------------------------------


def _template_cell(description: str) -> serializers.CharField:
    return serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        trim_whitespace=False,
        max_length=MAX_CELL_CHARS,
        help_text=description,
    )


ReferralImportRowSerializer = type(
    "ReferralImportRowSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "One referral as a row of the import template: each column by its name, as text, as the "
        "column guide describes it. A column left out, or null, is empty.",
        "__module__": __name__,
        **{column.name: _template_cell(column.description) for column in TEMPLATE_COLUMNS},
    },
)


class ReferralImportSerializer(serializers.Serializer):
    """Rows of the import template, checked and saved as a file of them is: all or none."""

    provider = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        help_text="RJ provider id: required from national administrators, ignored from provider staff",
    )
    rows = serializers.ListField(
        child=ReferralImportRowSerializer(), min_length=1, max_length=MAX_API_ROWS, help_text="The rows, in order"
    )

    def __init__(self, *args, with_provider: bool | None = None, **kwargs):
        """As ReferralCreateSerializer: `provider` required from national administrators, not
        read from provider staff."""
        super().__init__(*args, **kwargs)
        if with_provider:
            self.fields["provider"].required = True
        elif with_provider is False:
            del self.fields["provider"]


class ReferralImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="New referrals")
    updated = serializers.IntegerField(help_text="Referrals whose values changed or that moved on a stage")
    unchanged = serializers.IntegerField(help_text="Referrals already as the rows give them")
    moved = serializers.IntegerField(help_text="Of those created or updated, the referrals moved on to a later stage")


class ReferralImportProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        allow_null=True, help_text="The row's position in `rows`, counting from 1; null for the request as a whole"
    )
    column = serializers.CharField(allow_blank=True, help_text="The column (or value) concerned; blank if none")
    message = serializers.CharField()


class ReferralImportProblemsSerializer(serializers.Serializer):
    """Every problem found, by row and column. Nothing was saved."""

    errors = ReferralImportProblemSerializer(many=True)
