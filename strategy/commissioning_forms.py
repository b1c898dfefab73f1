"""Forms for contracts with RJ providers and for providers' accreditation. The rules are the
services' own: each form runs the service's validation as it cleans, so that every problem is
shown at once, on its field."""

from datetime import date

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone

from rjportal.areas.models import PoliceArea
from rjportal.forms import PoundsField, WebAddressField, gds_helper
from rjportal.organisations.constants import OrganisationKind
from rjportal.organisations.models import Organisation

from .constants import NO_PERSONAL_DATA_HINT, AccreditationScheme
from .models import Commission, ProviderRegistration
from .services import COMMISSION_FIELDS, REGISTRATION_FIELDS, validate_commission, validate_registration

# Dates outside these years are typing mistakes (26 for 2026), not contracts or awards.
FIRST_YEAR, LAST_YEAR = 1990, 2100


class DayField(DateInputField):
    """The GOV.UK three-field date input, with messages that name the date asked for. A date
    with a box left empty is refused, not read as no date."""

    def __init__(self, *, label: str, noun: str, **kwargs):
        super().__init__(label=label, require_all_fields=False, **kwargs)
        self.noun = noun
        self.error_messages["required"] = f"Enter {noun}"
        real_date = f"{_sentence(noun)} must be a real date, like 27 3 2026"
        for part, name in zip(self.fields, ("day", "month", "year"), strict=True):
            part.required = True
            part.error_messages["incomplete"] = part.error_messages["required"] = (
                f"{_sentence(noun)} must include a {name}"
            )
            part.validators = [RegexValidator(r"^[0-9]+$", real_date)]

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        if not FIRST_YEAR <= int(year) <= LAST_YEAR:
            raise ValidationError(f"{_sentence(self.noun)} must have a 4-digit year, like 2026")
        try:
            return date(int(year), int(month), int(day))
        except ValueError as error:
            raise ValidationError(f"{_sentence(self.noun)} must be a real date, like 27 3 2026") from error


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _service_errors(form, validate):
    """Put the problems the service would raise on the fields that have none yet."""
    try:
        validate()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            if target is not None and target in form.errors:
                continue
            for message in messages:
                if target is None and message in form.non_field_errors():
                    continue
                form.add_error(target, message)


def rj_providers():
    return Organisation.objects.filter(kind=OrganisationKind.RJ_PROVIDER).order_by("name")


class CommissionForm(forms.Form):
    """Record or change a contract. The commissioner is the user's own PCC office; national
    administrators choose it."""

    commissioner = forms.ModelChoiceField(
        label="PCC office", queryset=Organisation.objects.none(), empty_label="Select the PCC office"
    )
    provider = forms.ModelChoiceField(
        label="RJ provider", queryset=Organisation.objects.none(), empty_label="Select the RJ provider"
    )
    areas = forms.ModelMultipleChoiceField(
        label="Police areas the contract covers",
        queryset=PoliceArea.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
    )
    starts_on = DayField(label="Contract start date", noun="the contract start date", help_text="For example, 1 4 2025")
    ends_on = DayField(
        label="Contract end date (optional)",
        noun="the contract end date",
        required=False,
        help_text="Leave blank if the contract has no fixed end",
    )
    annual_value_pence = PoundsField(
        label="Annual value (optional)",
        noun="the annual value",
        required=False,
        help_text="In pounds, for example 85000 or 85,000.50",
    )
    service_name = forms.CharField(
        label="Public name of the service (optional)",
        max_length=200,
        required=False,
        help_text="What the public knows the service as, if not the provider's name",
    )
    phone = forms.CharField(label="Public phone number (optional)", max_length=40, required=False)
    email = forms.EmailField(label="Public email address (optional)", max_length=254, required=False)
    web_page = WebAddressField(
        label="Public web page (optional)",
        required=False,
        help_text="Starting https:// or http://",
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    how_to_ask = forms.CharField(
        label="How a victim can ask for RJ themselves (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown to the public on the area's restorative justice page. Up to 1,000 characters.",
    )

    def __init__(self, *args, user, commission: Commission | None = None, **kwargs):
        if commission is not None:
            initial = {field: getattr(commission, field) for field in COMMISSION_FIELDS}
            initial.update(commissioner=commission.commissioner_id, areas=list(commission.areas.all()))
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.commission = commission
        self.user = user
        self.fields["provider"].queryset = rj_providers()
        self.fields["email"].widget.attrs.update(spellcheck="false", autocomplete="off")
        self.fields["phone"].widget.attrs.update(autocomplete="off", **{"class": "govuk-input--width-20"})
        # The commissioner never changes once recorded; only administrators choose it.
        if commission is not None:
            self.fixed_commissioner = commission.commissioner
        elif user.is_national_admin:
            self.fixed_commissioner = None
            self.fields["commissioner"].queryset = Organisation.objects.filter(
                kind=OrganisationKind.PCC_OFFICE
            ).order_by("name")
        else:
            self.fixed_commissioner = user.organisation
        if self.fixed_commissioner is not None:
            del self.fields["commissioner"]
        if self.fixed_commissioner is None:
            self.fields["areas"].queryset = PoliceArea.objects.order_by("name")
            self.fields["areas"].help_text = "Select all that apply: only areas the PCC office serves"
            outside = "Select only police areas the PCC office serves"
        else:
            areas = self.fixed_commissioner.areas.order_by("name")
            self.fields["areas"].queryset = areas
            if commission is None and len(areas) == 1 and not self.is_bound:
                self.initial["areas"] = list(areas)
            outside = f"Select only police areas {self.fixed_commissioner} serves"
        messages = {
            "commissioner": {"required": "Select the PCC office", "invalid_choice": "Select a PCC office"},
            "provider": {"required": "Select the RJ provider", "invalid_choice": "Select an RJ provider"},
            "areas": {
                "required": "Select at least one police area the contract covers",
                "invalid_choice": outside,
                "invalid_pk_value": outside,
            },
            "service_name": {"max_length": "The public name must be 200 characters or fewer"},
            "phone": {"max_length": "The phone number must be 40 characters or fewer"},
            "email": {"invalid": "Enter an email address like name@example.org"},
            "how_to_ask": {"max_length": "How a victim can ask must be 1,000 characters or fewer"},
        }
        for name, field_messages in messages.items():
            if name in self.fields:
                self.fields[name].error_messages.update(field_messages)
        self.helper = gds_helper(self, "Save contract")

    def chosen_commissioner(self):
        return self.fixed_commissioner or self.cleaned_data.get("commissioner")

    def values(self) -> dict:
        """The contract's fields, as the services take them."""
        return {field: self.cleaned_data[field] for field in COMMISSION_FIELDS}

    def clean(self):
        cleaned = super().clean()
        commissioner = self.chosen_commissioner()
        if commissioner is None:
            return cleaned
        probe = Commission(
            pk=self.commission.pk if self.commission else None,
            commissioner=commissioner,
            **{field: cleaned.get(field) for field in COMMISSION_FIELDS},
        )
        for text_field in ("service_name", "phone", "email", "web_page", "how_to_ask"):
            if getattr(probe, text_field) is None:
                setattr(probe, text_field, "")
        _service_errors(self, lambda: validate_commission(probe, list(cleaned.get("areas") or [])))
        return cleaned


class RegistrationForm(forms.Form):
    """Record or change one accreditation. A provider records its own; national administrators
    choose the provider."""

    provider = forms.ModelChoiceField(
        label="RJ provider", queryset=Organisation.objects.none(), empty_label="Select the RJ provider"
    )
    scheme = forms.ChoiceField(
        label="Scheme",
        choices=AccreditationScheme.choices,
        widget=forms.RadioSelect,
        help_text="The RJC's Registered Service Provider scheme replaced the Restorative Service Quality Mark in "
        "2020. Choose the quality mark only to record an older award.",
    )
    awarded_on = DayField(
        label="Date it was awarded", noun="the date it was awarded", help_text="For example, 1 6 2024"
    )
    expires_on = DayField(label="Expiry date", noun="the expiry date", help_text="For example, 31 5 2027")
    certificate_reference = forms.CharField(label="Certificate reference (optional)", max_length=100, required=False)
    certificate_url = WebAddressField(
        label="Link to the certificate (optional)",
        required=False,
        help_text="Starting https:// or http://",
        # A text input: crispy-forms-gds styles no url input.
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    evidence_note = forms.CharField(
        label="Evidence note (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"For example, where the assessment report is kept. {NO_PERSONAL_DATA_HINT}",
    )

    def __init__(self, *args, user, registration: ProviderRegistration | None = None, **kwargs):
        if registration is not None:
            initial = {field: getattr(registration, field) for field in REGISTRATION_FIELDS}
            initial["provider"] = registration.provider_id
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.registration = registration
        if registration is not None:
            self.fixed_provider = registration.provider
        elif user.is_national_admin:
            self.fixed_provider = None
        else:
            self.fixed_provider = user.organisation
        if self.fixed_provider is not None:
            del self.fields["provider"]
        else:
            self.fields["provider"].queryset = rj_providers()
        if not self.is_bound and registration is None:
            self.initial.setdefault("scheme", AccreditationScheme.RJC_REGISTERED)
        messages = {
            "provider": {"required": "Select the RJ provider", "invalid_choice": "Select an RJ provider"},
            "scheme": {"required": "Select the scheme", "invalid_choice": "Select the scheme"},
            "certificate_reference": {"max_length": "The certificate reference must be 100 characters or fewer"},
            "evidence_note": {"max_length": "The evidence note must be 1,000 characters or fewer"},
        }
        for name, field_messages in messages.items():
            if name in self.fields:
                self.fields[name].error_messages.update(field_messages)
        self.helper = gds_helper(self, "Save accreditation")

    def chosen_provider(self):
        return self.fixed_provider or self.cleaned_data.get("provider")

    def values(self) -> dict:
        return {field: self.cleaned_data[field] for field in REGISTRATION_FIELDS}

    def clean(self):
        cleaned = super().clean()
        provider = self.chosen_provider()
        if provider is None:
            return cleaned
        probe = ProviderRegistration(
            pk=self.registration.pk if self.registration else None,
            provider=provider,
            **{field: cleaned.get(field) for field in REGISTRATION_FIELDS},
        )
        for text_field in ("scheme", "certificate_reference", "certificate_url", "evidence_note"):
            if getattr(probe, text_field) is None:
                setattr(probe, text_field, "")
        _service_errors(self, lambda: validate_registration(probe, today=timezone.localdate()))
        return cleaned
