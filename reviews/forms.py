"""Forms for dip samples, case reviews and actions."""

from django import forms
from django.template.defaultfilters import filesizeformat

from referrals.constants import REFERRAL_OFFENCE_GROUPS, TeamCategory
from rjportal.forms import DateField, gds_helper

from .constants import (
    CASE_REGISTER_MAX_BYTES,
    SCORECARD_WAYS,
    ActionPrompt,
    ActionStatus,
    EvidenceSource,
    Offered,
)
from .models import DipSample
from .services import office_staff_for

GAP_CHOICES = [
    (f"offence_group:{offence.value}", f"Offence group: {offence.label}") for offence in REFERRAL_OFFENCE_GROUPS
] + [(f"team_category:{category.value}", f"Team category: {category.label}") for category in TeamCategory]


def gap_label(value: str) -> str:
    return dict(GAP_CHOICES).get(value, value)


def _date(label: str, noun: str, help_text: str = "For example, 27 3 2026") -> DateField:
    field = DateField(label=label, help_text=help_text)
    field.error_messages.update(
        {
            "required": f"Enter {noun}",
            "incomplete": f"Enter {noun} as a day, month and year",
            "invalid": f"Enter {noun} as a real date",
        }
    )
    return field


def _number(label: str, noun: str, *, required: bool = True, help_text: str = "", max_value=1_000_000):
    field = forms.IntegerField(
        label=label,
        required=required,
        min_value=0,
        max_value=max_value,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false", "class": "govuk-input--width-10"}),
    )
    field.error_messages.update(
        {
            "required": f"Enter {noun}",
            "invalid": f"Enter {noun} as a whole number, like 100",
            "min_value": f"{noun[:1].upper()}{noun[1:]} must be 0 or more",
            "max_value": f"{noun[:1].upper()}{noun[1:]} must be {max_value:,} or less",
        }
    )
    return field


class AreaChoiceMixin:
    def add_area(self, areas):
        """`areas` is a queryset of the user's areas: a choice only when there are several."""
        only = list(areas[:2])
        self.fixed_area = only[0] if len(only) == 1 else None
        if self.fixed_area is None:
            self.fields = {
                "area": forms.ModelChoiceField(
                    queryset=areas.order_by("name"),
                    label="Police area",
                    empty_label="Choose an area",
                    error_messages={"required": "Choose the police area"},
                ),
                **self.fields,
            }

    def area(self):
        return self.fixed_area or self.cleaned_data["area"]


class RegisterUploadForm(AreaChoiceMixin, forms.Form):
    title = forms.CharField(
        label="Name of the dip sample",
        max_length=120,
        help_text="For example, 'Cases reported in January 2026'",
        error_messages={"required": "Enter a name for the dip sample"},
    )
    file = forms.FileField(
        label="Case register",
        help_text=f"CSV (UTF-8) or Excel workbook (.xlsx), smaller than {filesizeformat(CASE_REGISTER_MAX_BYTES)}",
        error_messages={"required": "Choose a case register file to upload", "empty": "The file is empty."},
    )

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_area(areas)
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx"
        self.helper = gds_helper(self, "Upload and check")
        self.helper.attrs = {"enctype": "multipart/form-data"}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > CASE_REGISTER_MAX_BYTES:
            raise forms.ValidationError(f"The file must be smaller than {filesizeformat(CASE_REGISTER_MAX_BYTES)}")
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("The file must be a .csv or .xlsx file")
        return upload


class ReferralWindowForm(AreaChoiceMixin, forms.Form):
    title = forms.CharField(
        label="Name of the dip sample", max_length=120, error_messages={"required": "Enter a name for the dip sample"}
    )
    window_start = _date("Referrals received from", "the first day of the window")
    window_end = _date("Referrals received to", "the last day of the window")

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_area(areas)
        self.helper = gds_helper(self, "Use these referrals")


class DesignForm(forms.Form):
    sample_size = _number("Total sample size", "the sample size", help_text="How many cases to review in all")
    minimum_per_flagged_stratum = _number(
        "Minimum per flagged stratum",
        "the minimum per flagged stratum",
        help_text="Each stratum of hate crime, domestic abuse or sexual harm cases gets at least this many",
    )
    by_offence_group = forms.TypedChoiceField(
        label="Make strata by offence group as well as by flags?",
        choices=[("no", "No"), ("yes", "Yes")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="no",
        error_messages={"required": "Select yes to make strata by offence group too"},
    )
    seed = _number(
        "Seed",
        "the seed",
        required=False,
        max_value=2**63 - 1,
        help_text="The same population, settings and seed always give the same cases. Leave it empty and RJ Portal "
        "chooses one and records it.",
    )

    def __init__(self, *args, redraw: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if redraw:
            self.fields["seed"].required = True
            self.fields["seed"].error_messages["required"] = "Enter the seed to draw the sample again"
            self.fields["seed"].help_text = "Drawing again needs a seed: enter one (it is recorded)."
        self.helper = gds_helper(self, "Show the sample design")


class CaseReviewForm(forms.Form):
    offered = forms.ChoiceField(
        label="Was the victim offered RJ?",
        choices=Offered.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the victim was offered RJ"},
    )
    evidence_source = forms.ChoiceField(
        label="Where was the evidence found?",
        choices=EvidenceSource.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select where the evidence was found"},
    )
    evidence_other = forms.CharField(
        label="Other source (if you chose Other)",
        max_length=100,
        required=False,
        help_text="The kind of record only: no names or case details",
    )
    referred = forms.TypedChoiceField(
        label="Was the case then referred to an RJ provider?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the case was then referred"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Save review")

    def clean(self):
        data = super().clean()
        if data.get("evidence_source") == EvidenceSource.OTHER and not (data.get("evidence_other") or "").strip():
            self.add_error("evidence_other", "Enter where the evidence was found")
        return data


class ActionForm(forms.Form):
    what = forms.CharField(
        label="What will be done",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what will be done", "max_length": "Enter 300 characters or fewer"},
        help_text="No names or case details",
    )
    owner = forms.ModelChoiceField(
        queryset=None, label="Owner", empty_label="Choose a person", error_messages={"required": "Choose the owner"}
    )
    due_on = _date("Due date", "the due date")
    status = forms.ChoiceField(
        label="Status",
        choices=ActionStatus.choices,
        widget=forms.RadioSelect,
        initial=ActionStatus.OPEN,
        error_messages={"required": "Select the status"},
    )
    prompt = forms.ChoiceField(
        label="What prompted it",
        choices=ActionPrompt.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what prompted the action"},
    )
    gap = forms.ChoiceField(
        label="Gap (if a gap prompted it)", choices=[("", "Choose a gap"), *GAP_CHOICES], required=False
    )
    dip_sample = forms.ModelChoiceField(
        queryset=None, label="Dip sample (if a dip sample prompted it)", required=False, empty_label="Choose a sample"
    )
    way = forms.ChoiceField(
        label="Scorecard way (if a scorecard row prompted it)",
        choices=[("", "Choose a way"), *SCORECARD_WAYS],
        required=False,
    )

    def __init__(self, *args, area, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = office_staff_for(area)
        self.fields["owner"].label_from_instance = lambda user: user.full_name or user.email
        self.fields["dip_sample"].queryset = DipSample.objects.filter(area=area)
        self.helper = gds_helper(self, "Save action")

    def clean(self):
        data = super().clean()
        prompt = data.get("prompt")
        if prompt == ActionPrompt.GAP and not data.get("gap"):
            self.add_error("gap", "Choose the gap that prompted the action")
        if prompt == ActionPrompt.DIP_SAMPLE and not data.get("dip_sample"):
            self.add_error("dip_sample", "Choose the dip sample that prompted the action")
        if prompt == ActionPrompt.SCORECARD and not data.get("way"):
            self.add_error("way", "Choose the scorecard way that prompted the action")
        return data


class AreaPickForm(forms.Form):
    """For administrators and offices of several areas: which area an action belongs to."""

    area = forms.ModelChoiceField(
        queryset=None,
        label="Police area",
        empty_label="Choose an area",
        error_messages={"required": "Choose the police area"},
    )

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas.order_by("name")
        self.helper = gds_helper(self, "Continue", method="get")
