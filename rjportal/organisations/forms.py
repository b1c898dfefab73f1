from django import forms

from rjportal.areas.models import PoliceArea
from rjportal.forms import WebAddressField, gds_helper

from .constants import OrganisationKind
from .models import Organisation


class OrganisationForm(forms.Form):
    """Add or change an organisation (national administrators)."""

    name = forms.CharField(
        label="Name",
        max_length=200,
        error_messages={
            "required": "Enter the organisation's name",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    kind = forms.ChoiceField(
        label="Type",
        choices=OrganisationKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the type of organisation",
            "invalid_choice": "Select the type of organisation",
        },
    )
    areas = forms.ModelMultipleChoiceField(
        label="Police areas it serves",
        queryset=PoliceArea.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one police area the organisation serves"},
    )
    email = forms.EmailField(
        label="Contact email (optional)",
        required=False,
        help_text="A shared address, not a person's",
        error_messages={"invalid": "Enter an email address in the correct format, like team@example.org"},
        widget=forms.EmailInput(attrs={"spellcheck": "false"}),
    )
    website = WebAddressField(label="Website (optional)", required=False)

    def __init__(self, *args, organisation: Organisation | None = None, submit_label: str, **kwargs):
        if organisation is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": organisation.name,
                    "kind": organisation.kind,
                    "areas": list(organisation.areas.values_list("pk", flat=True)),
                    "email": organisation.email,
                    "website": organisation.website,
                },
            )
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, submit_label)
