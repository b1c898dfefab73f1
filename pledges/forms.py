from django import forms

from rjportal.areas.models import PoliceArea
from rjportal.forms import gds_helper

from .constants import INDEPENDENT, STATEMENT_MAX_LENGTH, PledgeRole, PledgeStatus
from .models import PledgeCampaign

HONEYPOT_FIELD = "website"


class PledgeSignForm(forms.Form):
    """The public signup form. The honeypot field is drawn by the template, hidden from people;
    a bot that fills it in is told it succeeded and nothing is saved."""

    campaign = forms.ModelChoiceField(
        label="Which campaign are you signing for?",
        queryset=PledgeCampaign.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the campaign you are signing for"},
    )
    name = forms.CharField(
        label="Your full name",
        max_length=200,
        help_text="As it should appear on the public register",
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        error_messages={"required": "Enter your full name", "max_length": "Your name must be 200 characters or fewer"},
    )
    role = forms.ChoiceField(
        label="Your role",
        choices=PledgeRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select your role"},
    )
    party = forms.CharField(
        label="Your party (optional)",
        max_length=100,
        required=False,
        help_text="Leave this empty if you are independent",
        error_messages={"max_length": "Your party must be 100 characters or fewer"},
    )
    area = forms.ModelChoiceField(
        label="Police force area",
        queryset=PoliceArea.objects.order_by("name"),
        empty_label="Choose an area",
        error_messages={"required": "Select your police force area"},
    )
    email = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        help_text="We will send you a link to confirm your pledge. Your email address is never published.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    statement = forms.CharField(
        label="Public statement (optional)",
        required=False,
        max_length=STATEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Why you support restorative justice, in up to {STATEMENT_MAX_LENGTH} characters",
        error_messages={"max_length": f"Your statement must be {STATEMENT_MAX_LENGTH} characters or fewer"},
    )
    consent_to_publish = forms.BooleanField(
        label="I agree to my name, role, party, police area and statement being published on the pledge register",
        required=False,
        help_text="Without this we keep your pledge but do not publish it",
    )
    website = forms.CharField(required=False)  # the honeypot: see the template

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = PledgeCampaign.objects.filter(
            pk__in=[c.pk for c in campaigns]
        ).newest_first()
        fields = [name for name in self.fields if name != HONEYPOT_FIELD]
        if len(campaigns) == 1:
            self.fields["campaign"].initial = campaigns[0].pk
            self.fields["campaign"].widget = forms.HiddenInput()
        self.helper = gds_helper(self, "Sign the pledge")
        self.helper.layout.fields = [*fields, self.helper.layout.fields[-1]]
        self.helper.form_tag = False

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())


class RegisterFilterForm(forms.Form):
    """The register's filters. Its queryset feeds the table, the map, the counts and the open data."""

    campaign = forms.ModelChoiceField(
        label="Campaign", queryset=PledgeCampaign.objects.newest_first(), required=False, empty_label=None
    )
    area = forms.ModelChoiceField(
        label="Police area", queryset=PoliceArea.objects.order_by("name"), required=False, empty_label="Any area"
    )
    role = forms.ChoiceField(label="Role", required=False, choices=[("", "Any role"), *PledgeRole.choices])
    party = forms.ChoiceField(label="Party", required=False, choices=[("", "Any party")])

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [("", "Any party"), *((party, party) for party in parties)]
        self.helper = gds_helper(self, "Apply filters", method="get", secondary=True)

    def filter_queryset(self, pledges, *, by_campaign=True):
        """Published pledges matching the filters. `by_campaign` False ignores the campaign (the
        open data without a campaign lists every campaign)."""
        if not self.is_bound or not self.is_valid():
            return pledges
        data = self.cleaned_data
        if by_campaign and data["campaign"]:
            pledges = pledges.filter(campaign=data["campaign"])
        if data["area"]:
            pledges = pledges.filter(area=data["area"])
        if data["role"]:
            pledges = pledges.filter(role=data["role"])
        if data["party"]:
            pledges = pledges.filter(party=data["party"])
        return pledges


class ModerationFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", required=False, choices=PledgeStatus.choices)
    q = forms.CharField(label="Name contains", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Show pledges", method="get", secondary=True)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Why are you rejecting this pledge?",
        help_text="Emailed to the signer and kept in the audit log; never published",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Enter the reason for rejecting this pledge"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Continue")


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label="How did the signer ask? (optional)",
        help_text="For example “email of 3 March 2026”. Kept in the audit log.",
        required=False,
        max_length=300,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Withdraw the pledge", secondary=False)


class CorrectForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the signer's name"})
    party = forms.CharField(label="Party", max_length=100, required=False, help_text="Leave empty for Independent")
    statement = forms.CharField(
        label="Public statement",
        required=False,
        max_length=STATEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"The statement must be {STATEMENT_MAX_LENGTH} characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Continue")


class PledgeImportForm(forms.Form):
    file = forms.FileField(
        label="Upload a CSV file",
        help_text="UTF-8 CSV with the columns name, role, party, area, campaign and source",
        error_messages={"required": "Choose a CSV file to upload", "empty": "The file is empty."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"
        self.helper = gds_helper(self, "Upload and check")
        self.helper.attrs = {"enctype": "multipart/form-data"}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError("The file must be smaller than 2 MB")
        return upload


class ChangeRequestForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="The address you signed the pledge with",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Send me a link")


class PledgeChangeForm(forms.Form):
    """The signer's own details, as on the signup form (the email address and the campaign
    stay as they are)."""

    name = PledgeSignForm.base_fields["name"]
    role = PledgeSignForm.base_fields["role"]
    party = PledgeSignForm.base_fields["party"]
    area = PledgeSignForm.base_fields["area"]
    statement = PledgeSignForm.base_fields["statement"]
    consent_to_publish = PledgeSignForm.base_fields["consent_to_publish"]

    def __init__(self, *args, pledge, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "name": pledge.name,
                "role": pledge.role,
                "party": "" if pledge.party == INDEPENDENT else pledge.party,
                "area": pledge.area_id,
                "statement": pledge.statement,
                "consent_to_publish": pledge.consent_to_publish,
            },
        )
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Save and send for review")
