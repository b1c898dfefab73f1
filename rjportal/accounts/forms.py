import logging
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms

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
