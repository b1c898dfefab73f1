from django import forms

from rjportal.forms import gds_helper

from .constants import DEFAULT_EXPIRY_DAYS, EXPIRY_CHOICES
from .services import NAME_MAX_LENGTH


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=NAME_MAX_LENGTH,
        help_text="What the token is for, so that you recognise it later, for example Case system",
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    expires_in_days = forms.TypedChoiceField(
        label="Expires after",
        choices=EXPIRY_CHOICES,
        coerce=int,
        initial=DEFAULT_EXPIRY_DAYS,
        widget=forms.RadioSelect,
        help_text="When it expires, create a new token and put it in your system",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages.update(
            {
                "required": "Enter a name for the token",
                "max_length": f"The name must be {NAME_MAX_LENGTH} characters or fewer",
            }
        )
        self.fields["expires_in_days"].error_messages.update(
            {"required": "Select when the token expires", "invalid_choice": "Select when the token expires"}
        )
        self.helper = gds_helper(self, "Create token")
