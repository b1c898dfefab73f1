import logging
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.db import models

from rjportal.forms import gds_helper
from rjportal.web.addresses import client_address
from rjportal.web.ratelimits import Limit, keyed_hash, rate_limits_take

from .lockout import normalise_email
from .models import User

logger = logging.getLogger(__name__)


class SignInForm(auth_forms.AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct email address and password. Both are case-sensitive except the email.",
        "inactive": "This account has been switched off. Contact your RJ Portal administrator.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email address"
        # No autofocus: it skips the page's heading and skip link for screen reader users.
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.fields["username"].error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.helper = gds_helper(self, "Sign in")

    def clean_username(self):
        # One spelling of each address, for sign-in and for the lockout count alike.
        return normalise_email(self.cleaned_data.get("username"))


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Change password")


class PasswordResetForm(auth_forms.PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].error_messages["required"] = "Enter your email address"
        self.helper = gds_helper(self, "Send reset link")

    def save(self, *args, request=None, **kwargs):
        """Send the reset email, unless this address or this email has asked too often
        (settings PASSWORD_RESETS_PER_*): then send nothing. The page says the same either way,
        so it tells nobody whether an account exists or has been asked for."""
        used_up = rate_limits_take(
            Limit(
                keyed_hash("password-reset-address", client_address(request) if request else ""),
                settings.PASSWORD_RESETS_PER_ADDRESS_PER_HOUR,
                timedelta(hours=1),
            ),
            Limit(
                keyed_hash("password-reset-email", normalise_email(self.cleaned_data["email"])),
                settings.PASSWORD_RESETS_PER_EMAIL_PER_DAY,
                timedelta(days=1),
            ),
        )
        if used_up is not None:
            logger.warning("Password reset request over its rate limit: no email sent")
            return None
        return super().save(*args, request=request, **kwargs)

    def get_users(self, email):
        """Active accounts with this address, including those created without a password
        (Django's own form leaves them out, so such a person could never set one)."""
        return User.objects.filter(email__iexact=normalise_email(email), is_active=True)


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Set password")


class AdminUserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "role", "organisation")


class AdminUserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class TwoFactorCodeForm(forms.Form):
    """A code from the user's authenticator app, checked against `devices` (each limits how
    often wrong codes may be tried). `device` is the one that matched."""

    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code the app shows now",
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-5",
            }
        ),
    )

    def __init__(self, *args, devices, submit_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.devices = list(devices)
        self.device = None
        self.helper = gds_helper(self, submit_label)

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if len(code) != 6 or not code.isdigit():
            raise forms.ValidationError("Enter the 6 digits the app shows, like 123456")
        if not self.devices:
            raise forms.ValidationError("You have no authenticator app set up. Use your passkey or a backup code")
        allowed = [device for device in self.devices if device.verify_is_allowed()[0]]
        if not allowed:
            raise forms.ValidationError("Too many wrong codes. Wait a minute, then enter the code the app shows now")
        self.device = next((device for device in allowed if device.verify_token(code)), None)
        if self.device is None:
            raise forms.ValidationError("That code is not right. Enter the code the app shows now")
        return code


class BackupCodeForm(forms.Form):
    """One of the user's backup codes, checked against their backup code device (which limits
    how often wrong codes may be tried, and deletes a code once it has matched, so that each
    works once). `device` is the device, when the code matched."""

    code = forms.CharField(
        label="Backup code",
        help_text="One of the backup codes you saved when you set up two-factor sign-in. Each code works once.",
        error_messages={"required": "Enter one of your backup codes"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "class": "govuk-input--width-10"}
        ),
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.backup_device = device
        self.device = None
        self.helper = gds_helper(self, "Continue")

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split()).replace("-", "").lower()
        if self.backup_device is None:
            raise forms.ValidationError("You have no backup codes. Use your authenticator app or passkey")
        if not self.backup_device.verify_is_allowed()[0]:
            raise forms.ValidationError("Too many wrong codes. Wait a minute, then try again")
        if len(code) > 16 or not self.backup_device.verify_token(code):
            raise forms.ValidationError("That backup code is not right, or has been used already")
        self.device = self.backup_device
        return code


class PersonForm(forms.Form):
    """Invite someone (with their email address) or change their account. The role and
    organisation are asked only when the person filling it in has a choice: people who manage
    their organisation's users give only their own organisation's role."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="Their work address: the invitation is sent here, and they sign in with it",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        error_messages={"required": "Enter their full name", "max_length": "The name must be 150 characters or fewer"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(
        label="Role",
        widget=forms.RadioSelect,
        error_messages={"required": "Select their role", "invalid_choice": "Select a role you can give"},
    )
    organisation = forms.ModelChoiceField(
        label="Organisation (for PCC office and RJ provider staff)",
        queryset=None,
        required=False,
        empty_label="Select an organisation",
        error_messages={"invalid_choice": "Select an organisation you manage"},
    )
    manages_users = forms.BooleanField(
        label="They can invite, change and deactivate their organisation's staff",
        required=False,
    )

    def __init__(self, *args, roles, organisations, person: User | None = None, submit_label: str, **kwargs):
        if person is not None:
            kwargs.setdefault(
                "initial",
                {
                    "full_name": person.full_name,
                    "role": person.role,
                    "organisation": person.organisation_id,
                    "manages_users": person.manages_users,
                },
            )
        super().__init__(*args, **kwargs)
        self.person = person
        if person is not None:
            del self.fields["email"]
        self.fields["role"].choices = [(role.value, role.label) for role in roles]
        self.fields["organisation"].queryset = organisations
        self.fixed_role = roles[0] if len(roles) == 1 else None
        if self.fixed_role is not None:
            del self.fields["role"]
        self.fixed_organisation = organisations.first() if self.fixed_role is not None else None
        if self.fixed_organisation is not None:
            del self.fields["organisation"]
        self.helper = gds_helper(self, submit_label)

    def cleaned_values(self) -> dict:
        data = self.cleaned_data
        return {
            "full_name": data["full_name"],
            "role": self.fixed_role.value if self.fixed_role is not None else data["role"],
            "organisation": self.fixed_organisation if self.fixed_organisation is not None else data["organisation"],
            "manages_users": data["manages_users"],
        }


class PersonFilterForm(forms.Form):
    """Search people by email or name, organisation and whether their account is active. Its
    queryset feeds both the page and the CSV download."""

    q = forms.CharField(label="Email or name", required=False, widget=forms.TextInput(attrs={"type": "search"}))
    organisation = forms.ModelChoiceField(
        label="Organisation", queryset=None, required=False, empty_label="Any organisation"
    )
    status = forms.ChoiceField(
        label="Account",
        required=False,
        choices=[("", "Active"), ("deactivated", "Deactivated"), ("all", "Active or deactivated")],
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if organisations.count() <= 1:
            del self.fields["organisation"]
        self.helper = gds_helper(self, "Apply filters", method="get", secondary=True)

    def filter_queryset(self, people):
        if not self.is_valid():
            return people.filter(is_active=True)
        data = self.cleaned_data
        if data["q"].strip():
            search = data["q"].strip()
            people = people.filter(models.Q(email__icontains=search) | models.Q(full_name__icontains=search))
        if data.get("organisation"):
            people = people.filter(organisation=data["organisation"])
        if data["status"] == "deactivated":
            people = people.filter(is_active=False)
        elif data["status"] != "all":
            people = people.filter(is_active=True)
        return people

    @property
    def is_filtered(self):
        return self.is_bound and any(self.data.get(name) for name in ("q", "organisation", "status"))
