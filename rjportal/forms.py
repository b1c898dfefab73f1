"""Form plumbing shared by every GOV.UK-styled form in the portal."""

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Layout
from django import forms
from django.core.exceptions import ValidationError

from rjportal.links import WEB_ADDRESS_MESSAGE, web_address_validator
from rjportal.money import MAX_PENCE, PoundsError, pence_for_input, pounds_to_pence


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on each field it names, or on the form."""
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def gds_helper(form, submit_label: str, *, method: str = "post", secondary: bool = False) -> FormHelper:
    """A crispy-forms-gds helper that lays out the form's fields in order, followed by a
    real <button> (GOV.UK buttons are buttons, not inputs)."""
    helper = FormHelper(form)
    helper.form_method = method
    button = Button.secondary if secondary else Button.primary
    helper.layout = Layout(*form.fields, button("submit", submit_label))
    return helper


class PoundsField(forms.Field):
    """An amount of money entered in pounds ("1,500" or "£1,500.50") and cleaned to integer
    pence. A text input, as the GOV.UK pattern for money asks."""

    def __init__(self, *, noun: str = "the amount", **kwargs):
        self.noun = noun
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false", "class": "govuk-input--width-10"}),
        )
        super().__init__(**kwargs)
        self.error_messages["required"] = f"Enter {noun}"

    def prepare_value(self, value):
        if isinstance(value, int):
            return pence_for_input(value)
        return value

    def to_python(self, value):
        text = (value or "").strip() if isinstance(value, str) else value
        if text in self.empty_values:
            return None
        if isinstance(text, int):
            return text
        try:
            if len(text) > 20:
                raise PoundsError("too long")
            pence = pounds_to_pence(text)
        except PoundsError as error:
            if str(error) == "negative":
                raise forms.ValidationError(f"{_sentence(self.noun)} must be £0 or more", code="min_value") from error
            raise forms.ValidationError(
                f"Enter {self.noun} in pounds, like 1500 or 1,500.50", code="invalid"
            ) from error
        if pence > MAX_PENCE:
            raise forms.ValidationError(f"{_sentence(self.noun)} must be £1 billion or less", code="max_value")
        return pence


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


class WebAddressField(forms.URLField):
    """A web address that must start http:// or https://: anything else (javascript:, ftp:)
    is refused, as the model's check constraint refuses it too."""

    default_validators = [web_address_validator]

    # A text input: crispy-forms-gds styles it, and GOV.UK advises against type="url" fields'
    # browser validation messages.
    widget = forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "url"})

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        kwargs.setdefault("max_length", 500)
        super().__init__(**kwargs)
        self.error_messages["invalid"] = WEB_ADDRESS_MESSAGE


class DateField(DateInputField):
    """The GOV.UK three-field date input, whose impossible dates (31 February, month 13) get
    the field's own "invalid" message rather than Python's "month must be in 1..12"."""

    def compress(self, data_list):
        try:
            return super().compress(data_list)
        except forms.ValidationError as error:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from error
