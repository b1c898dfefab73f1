"""Invitation links: a new member of staff sets their first password through a link emailed to
them. The link is Django's password-reset token with its own salt and a longer life (setting
INVITATION_MAX_AGE, in seconds, default 7 days). It signs the account's password hash and last
sign-in, so it works once: setting the password (or a fresh invitation, which replaces the
unusable password) makes every earlier link stop working."""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

DEFAULT_INVITATION_MAX_AGE = 60 * 60 * 24 * 7


def invitation_max_age() -> int:
    return getattr(settings, "INVITATION_MAX_AGE", DEFAULT_INVITATION_MAX_AGE)


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "rjportal.accounts.invitations.InvitationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        # Deactivating someone also ends their invitation.
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"

    def check_token(self, user, token):
        if not (user and token):
            return False
        try:
            timestamp_b36, _hash = token.split("-")
            timestamp = base36_to_int(timestamp_b36)
        except ValueError:
            return False
        if self._num_seconds(self._now()) - timestamp > invitation_max_age():
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


invitation_tokens = InvitationTokenGenerator()


def invitation_url(user, *, site_url: str) -> str:
    path = reverse(
        "invitation_accept",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": invitation_tokens.make_token(user)},
    )
    return site_url.rstrip("/") + path
