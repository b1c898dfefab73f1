from crispy_forms_gds.fields import DateInputField
from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from rjportal.areas.constants import OFFENCE_PARENT, Offence
from rjportal.areas.models import PoliceArea
from rjportal.forms import gds_helper
from rjportal.imports import ImportRejected
from rjportal.organisations.constants import OrganisationKind
from rjportal.organisations.models import Organisation
from rjportal.periods import FinancialYear, financial_year_of

from .constants import (
    REFERRAL_OFFENCE_GROUPS,
    TEAM_STAFF_COUNT_MAX,
    ClosureReason,
    CorrectionReason,
    Initiator,
    InterventionType,
    Stage,
    TeamCategory,
)
from .managers import information_clock_missed, referral_clock_missed
from .models import Referral, ReferralImportJob, ReferringTeam
from .services import EDITABLE_FIELDS, advance_plan, date_field, later_stages, stages_passed, team_name_taken
from .team_importing import TEAM_IMPORT_MAX_BYTES, check_extension
from .validation import referral_value_errors


def _any(label, choices):
    return [("", label), *choices]


class ReferralFilterForm(forms.Form):
    """The referral list's filters. Its queryset feeds the page, the CSV and the XLSX alike."""

    q = forms.CharField(label="Case reference", required=False)
    area = forms.ModelChoiceField(
        label="Police area", queryset=PoliceArea.objects.none(), required=False, empty_label="Any area"
    )
    provider = forms.ModelChoiceField(
        label="Provider", queryset=Organisation.objects.none(), required=False, empty_label="Any provider"
    )
    team = forms.ModelChoiceField(
        label="Referring team", queryset=ReferringTeam.objects.none(), required=False, empty_label="Any team"
    )
    team_category = forms.ChoiceField(
        label="Team category", required=False, choices=_any("Any category", TeamCategory.choices)
    )
    offence_group = forms.ChoiceField(
        label="Offence group",
        required=False,
        choices=_any("Any offence group", [(o.value, o.label) for o in REFERRAL_OFFENCE_GROUPS]),
    )
    stage = forms.ChoiceField(label="Stage", required=False, choices=_any("Any stage", Stage.choices))
    initiator = forms.ChoiceField(label="Initiated by", required=False, choices=_any("Anyone", Initiator.choices))
    flags = forms.MultipleChoiceField(
        label="Sensitive case flags",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[("hate_crime", "Hate crime"), ("domestic_abuse", "Domestic abuse"), ("sexual_harm", "Sexual harm")],
    )
    received_from = forms.DateField(label="Received from (YYYY-MM-DD)", required=False)
    received_to = forms.DateField(label="Received to (YYYY-MM-DD)", required=False)
    clock_missed = forms.BooleanField(label="Only referrals with a Victims' Code clock missed", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        areas = PoliceArea.objects.for_user(user)
        self.fields["area"].queryset = areas
        # Providers serving the areas in view: cheap to list, unlike scanning the referrals.
        self.fields["provider"].queryset = Organisation.objects.filter(
            kind=OrganisationKind.RJ_PROVIDER, areas__in=areas
        ).distinct()
        self.fields["team"].queryset = ReferringTeam.objects.filter(area__in=areas).select_related("area")
        # The referrals an upload created or changed, from its result page (`?import=<id>`); kept,
        # hidden, when other filters are applied. "import" is a keyword, so it is added here.
        self.fields["import"] = forms.ModelChoiceField(
            label="Imported from",
            queryset=ReferralImportJob.objects.for_user(user).defer("content"),
            required=False,
            widget=forms.HiddenInput,
            error_messages={"invalid_choice": "Choose an import from your recent imports"},
        )
        self.helper = gds_helper(self, "Apply filters", method="get", secondary=True)

    def clean(self):
        cleaned = super().clean()
        if "import" in self.errors:
            # The field is hidden: its problem is the form's, which the error summary shows.
            self.add_error(None, self.errors.pop("import"))
        start, end = cleaned.get("received_from"), cleaned.get("received_to")
        if start and end and start > end:
            self.add_error(
                "received_to", "The 'received to' date must be the same as or after the 'received from' date"
            )
        return cleaned

    def filter_queryset(self, referrals, *, today):
        if not self.is_bound:
            return referrals
        if not self.is_valid():
            return referrals.none()
        data = self.cleaned_data
        if data["q"]:
            referrals = referrals.filter(reference__icontains=data["q"].strip())
        for field, lookup in [
            ("area", "area"),
            ("provider", "provider"),
            ("team", "referring_team"),
            ("team_category", "referring_team__category"),
            ("offence_group", "offence_group"),
            ("stage", "stage"),
            ("initiator", "initiator"),
            ("received_from", "received_on__gte"),
            ("received_to", "received_on__lte"),
            ("import", "last_import"),
        ]:
            if data[field] not in (None, ""):
                referrals = referrals.filter(**{lookup: data[field]})
        for flag in data["flags"]:
            referrals = referrals.filter(**{flag: True})
        if data["clock_missed"]:
            referrals = referrals.filter(information_clock_missed(today) | referral_clock_missed())
        return referrals


REQUIRED_MESSAGES = {
    "reference": "Enter your case reference",
    "area": "Select the police area",
    "referring_team": "Select the referring team",
    "initiator": "Select who asked for RJ",
    "offence_group": "Select the offence group",
    "justice_stage": "Select the criminal justice stage",
    "referred_on": "Enter the date the referral was made",
    "received_on": "Enter the date your service received the referral",
}


class SubgroupSelect(forms.Select):
    """The offence subgroup list, each option marked with the group it belongs to."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        parent = OFFENCE_PARENT.get(Offence(value)) if value in Offence.values else None
        if parent is not None:
            option["attrs"]["data-group"] = parent.value
        return option


class ReferralForm(forms.ModelForm):
    """Create and edit a referral. Dates use the GOV.UK three-field date input."""

    crime_reported_on = DateInputField(label="Date the crime was reported to police", required=False)
    victim_informed_on = DateInputField(label="Date the victim was told about RJ", required=False)
    victim_requested_on = DateInputField(label="Date the victim asked for a referral", required=False)
    referred_on = DateInputField(label="Date the referral was made")
    received_on = DateInputField(label="Date your service received the referral")

    class Meta:
        model = Referral
        # The fields a provider may change, the same list the service accepts.
        fields = EDITABLE_FIELDS
        labels = {
            "reference": "Your case reference",
            "area": "Police area",
            "initiator": "Who asked for RJ",
            "offence_subgroup": "Offence subgroup (if any)",
            "hate_crime": "Hate crime",
            "domestic_abuse": "Domestic abuse",
            "sexual_harm": "Sexual harm",
            "justice_stage": "Criminal justice stage",
            "offender_under_18": "The offender was under 18",
            "victim_enhanced_rights": "The victim is entitled to enhanced rights",
            "contact_attempts": "Contact attempts so far",
        }
        help_texts = {
            "reference": "The reference in your own case system. Do not enter names or other details of people.",
            "victim_enhanced_rights": "Victims of the most serious crime, persistently targeted, or vulnerable or "
            "intimidated victims must be told about RJ within 1 working day, not 5.",
        }
        widgets = {"contact_attempts": forms.TextInput(attrs={"inputmode": "numeric"})}

    def __init__(self, *args, provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider = provider
        areas = list(provider.areas.order_by("name"))
        self.fields["area"].queryset = provider.areas.all()
        self.fields["referring_team"].queryset = ReferringTeam.objects.filter(
            area__in=provider.areas.all()
        ).select_related("area")
        # A provider that serves one area is not asked for it: the area is theirs.
        self.fixed_area = areas[0] if len(areas) == 1 else None
        if self.fixed_area is not None:
            del self.fields["area"]
            self.fields["referring_team"].label_from_instance = lambda team: team.name
            self.fields["referring_team"].help_text = f"A team in {self.fixed_area.name}"
        else:
            self.fields["referring_team"].label_from_instance = lambda team: f"{team.area.name}: {team.name}"
        self.fields["offence_subgroup"].choices = [("", "None")] + [
            (value, label) for value, label in self.fields["offence_subgroup"].choices if value
        ]
        # Each subgroup names its group, so that the page's script can offer only the chosen
        # group's subgroups; without the script all show, and the server checks either way.
        self.fields["offence_subgroup"].widget = SubgroupSelect(
            choices=self.fields["offence_subgroup"].choices, attrs={"class": "govuk-select"}
        )
        self.fields["offence_group"].widget.attrs["data-offence-group"] = ""
        for name, message in REQUIRED_MESSAGES.items():
            if name in self.fields:
                self.fields[name].error_messages["required"] = message
        self.helper = gds_helper(self, "Save referral")

    def clean(self):
        cleaned = super().clean()
        if self.fixed_area is not None:
            cleaned["area"] = self.instance.area = self.fixed_area
        # The same rules the service applies, so that every problem shows at once.
        for field, message in referral_value_errors(cleaned, today=timezone.localdate()).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        return cleaned


class TransitionForm(forms.Form):
    """Move a referral to its next stage or any later one, with the date each stage was reached,
    or close it. Every date starts at today; the page's script shows only the dates and
    questions the chosen stage needs, and without it they all show and the extra ones are
    ignored. The service checks everything again."""

    to_stage = forms.ChoiceField(label="Move to", widget=forms.RadioSelect)
    reason = forms.ChoiceField(
        label="Reason for closing", required=False, choices=_any("Select a reason", ClosureReason.choices)
    )
    intervention_type = forms.ChoiceField(
        label="Type of intervention", required=False, choices=_any("Select a type", InterventionType.choices)
    )
    agreement_reached = forms.TypedChoiceField(
        label="Was an agreement reached?",
        required=False,
        choices=[("", "Select"), ("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        empty_value=None,
    )
    victim_satisfaction = forms.TypedChoiceField(
        label="Victim satisfaction (1 very dissatisfied to 5 very satisfied)",
        required=False,
        choices=[("", "Select")] + [(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
    )
    offender_satisfaction = forms.TypedChoiceField(
        label="Offender satisfaction (optional)",
        required=False,
        choices=[("", "Not recorded")] + [(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
    )

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.referral = referral
        self.from_stage = referral.stage
        self.stages = later_stages(referral)
        self.plan = None
        self.fields["to_stage"].choices = [(stage.value, stage.label) for stage in self.stages]
        self.fields["to_stage"].error_messages.update(
            required="Select the stage to move to", invalid_choice="Select one of the stages shown"
        )
        today = timezone.localdate()
        path = [stage for stage in self.stages if stage != Stage.CLOSED]
        dates = {}
        for position, stage in enumerate(self.stages):
            if stage == Stage.CLOSED:
                label, hint = "Date it was closed", ""
            else:
                label = f"Date it reached {stage.label.lower()}"
                hint = "" if position == len(path) - 1 else "Leave it empty if it was the day of the stage after it."
            field = DateInputField(label=label, required=False, help_text=hint, initial=today)
            field.error_messages["invalid"] = f"{label} must be a real date, like 27 3 2026"
            dates[date_field(stage)] = field
        # The dates follow the stage chosen, in the order the stages come.
        fields = {"to_stage": self.fields.pop("to_stage"), **dates, **self.fields}
        self.fields = fields
        # Ask only what the possible moves need.
        if Stage.INTERVENTION not in self.stages:
            del self.fields["intervention_type"]
        if Stage.COMPLETED not in self.stages:
            for name in ["agreement_reached", "victim_satisfaction", "offender_satisfaction"]:
                del self.fields[name]
        self.helper = gds_helper(self, "Continue")
        self.helper.form_id = "stage-move"

    def clean(self):
        cleaned = super().clean()
        to_stage = cleaned.get("to_stage")
        if not to_stage:
            return cleaned
        steps = stages_passed(self.from_stage, to_stage)
        # The dates of stages not chosen are ignored, whatever they hold.
        for stage in self.stages:
            if stage not in steps:
                self.errors.pop(date_field(stage), None)
                cleaned.pop(date_field(stage), None)
        # The service's checks, so that every problem shows at once, before the confirmation.
        try:
            self.plan = advance_plan(self.referral, **self.move())
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field not in self.errors:
                    self.add_error(field if field in self.fields else None, messages)
        return cleaned

    def move(self) -> dict:
        """The cleaned answers as referral_advance takes them: the chosen stage's dates only."""
        data = self.cleaned_data
        steps = stages_passed(self.from_stage, data["to_stage"])
        return {
            "to_stage": data["to_stage"],
            "dates": {stage: data.get(date_field(stage)) for stage in steps},
            "reason": data.get("reason", "") if data["to_stage"] == Stage.CLOSED else "",
            "intervention_type": data.get("intervention_type", "") if Stage.INTERVENTION in steps else "",
            **{
                name: data.get(name) if data["to_stage"] == Stage.COMPLETED else None
                for name in ("agreement_reached", "victim_satisfaction", "offender_satisfaction")
            },
        }


class MoveCorrectionForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why is the move being corrected?",
        choices=CorrectionReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select why the move is being corrected",
            "invalid_choice": "Select one of the reasons shown",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Correct the move")


class ReferringTeamForm(forms.Form):
    """Add or change a referring team. The area is asked only when there is a choice: the user
    edits several areas and the team has no referrals tying it to its own."""

    area = forms.ModelChoiceField(
        label="Police area", queryset=PoliceArea.objects.none(), empty_label="Select a police area"
    )
    name = forms.CharField(
        label="Team name",
        max_length=120,
        help_text="As your area calls it, for example North Kent neighbourhood policing",
    )
    category = forms.ChoiceField(
        label="Category",
        choices=TeamCategory.choices,
        widget=forms.RadioSelect,
        help_text="The national category, so that areas can be compared",
    )
    staff_count = forms.IntegerField(
        label="Number of officers or staff (optional)",
        required=False,
        min_value=0,
        max_value=TEAM_STAFF_COUNT_MAX,
        help_text="Where known: the dashboard compares the team's referrals with its staffing",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false", "class": "govuk-input--width-5"}),
    )

    def __init__(self, *args, areas, team: ReferringTeam | None = None, **kwargs):
        if team is not None:
            kwargs.setdefault(
                "initial",
                {"area": team.area_id, "name": team.name, "category": team.category, "staff_count": team.staff_count},
            )
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["area"].queryset = areas
        if team is not None and team.referrals.exists():
            self.fixed_area = team.area
        elif len(areas) == 1:
            self.fixed_area = areas[0]
        else:
            self.fixed_area = None
        if self.fixed_area is not None:
            del self.fields["area"]
        messages = {
            "area": {"required": "Select the police area", "invalid_choice": "Select one of your police areas"},
            "name": {
                "required": "Enter the team's name",
                "max_length": "The team's name must be 120 characters or fewer",
            },
            "category": {"required": "Select the team's category", "invalid_choice": "Select the team's category"},
            "staff_count": {
                "invalid": "Enter the number of officers or staff as a whole number, like 12",
                "min_value": "The number of officers or staff must be 0 or more",
                "max_value": f"The number of officers or staff must be {TEAM_STAFF_COUNT_MAX:,} or fewer",
            },
        }
        for name, field_messages in messages.items():
            if name in self.fields:
                self.fields[name].error_messages.update(field_messages)
        self.helper = gds_helper(self, "Save team")

    def clean(self):
        cleaned = super().clean()
        area = self.fixed_area or cleaned.get("area")
        cleaned["area"] = area
        if cleaned.get("name") and "name" not in self.errors:
            clash = team_name_taken(area=area, name=cleaned["name"], team=self.team)
            if clash:
                self.add_error("name", clash)
        return cleaned


class SpreadsheetUploadForm(forms.Form):
    """A CSV or XLSX file for one of the imports: its type checked by the importers' own rule and
    its size against max_bytes(), before anything reads it. Subclasses declare `file`."""

    def max_bytes(self) -> int:
        raise NotImplementedError

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx,text/csv"
        self.helper = gds_helper(self, "Upload and check")
        self.helper.attrs = {"enctype": "multipart/form-data"}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_extension(upload.name)
        except ImportRejected as rejected:
            raise forms.ValidationError(rejected.errors[0].message) from None
        if upload.size > self.max_bytes():
            raise forms.ValidationError(f"The file must be smaller than {filesizeformat(self.max_bytes())}")
        return upload


class ReferringTeamUploadForm(SpreadsheetUploadForm):
    file = forms.FileField(
        label="Upload a file of teams",
        help_text=(
            f"CSV (UTF-8, separated by commas or semicolons) or Excel workbook (.xlsx), smaller than "
            f"{filesizeformat(TEAM_IMPORT_MAX_BYTES)}"
        ),
        error_messages={"required": "Choose a file of teams to upload", "empty": "The file is empty."},
    )

    def max_bytes(self) -> int:
        return TEAM_IMPORT_MAX_BYTES


TEAM_YEARS_SHOWN = 5


class ReferringTeamYearForm(forms.Form):
    """The financial year whose referrals the teams list counts: the current one unless another
    is chosen. A year that is not offered is an error, and the current year is shown meanwhile."""

    year = forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        error_messages={"invalid_choice": "Choose a financial year from the list"},
    )

    def __init__(self, data=None, **kwargs):
        self.current_year = financial_year_of(timezone.localdate())
        if data is not None and not data.get("year"):
            data = None  # no year chosen: the current one, without an error
        super().__init__(data, auto_id="team-%s", initial={"year": self.current_year.start_year}, **kwargs)
        self.fields["year"].choices = [
            (year, FinancialYear(year).label)
            for year in range(self.current_year.start_year, self.current_year.start_year - TEAM_YEARS_SHOWN, -1)
        ]
        self.helper = gds_helper(self, "Apply filters", method="get", secondary=True)

    def financial_year(self) -> FinancialYear:
        if self.is_bound and self.is_valid():
            return FinancialYear(self.cleaned_data["year"])
        return self.current_year
