"""`Authorization: Token <secret>` for the API, against the hashed tokens of ApiToken."""

import datetime

from django.utils import timezone
from rest_framework import authentication, exceptions

from .constants import LAST_USED_RESOLUTION_SECONDS
from .models import ApiToken, token_digest
from .permissions import may_hold_token


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """The request acts as the token's creator, so it sees and changes what they may.

    The secret is looked up by its SHA-256 through the unique index: the database compares
    digests, never secrets, so response times say nothing about how much of a secret was right.
    Refused (401): unknown, revoked and expired tokens, and tokens whose creator is no longer
    active RJ provider staff of the token's organisation (a national administrator's token,
    however it came to exist, never works)."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user", "user__organisation").filter(key_hash=token_digest(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This token has been revoked.")
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed("This token has expired.")
        user = token.user
        if not may_hold_token(user) or user.organisation_id != token.organisation_id:
            raise exceptions.AuthenticationFailed("This token's user can no longer use the API.")
        if token.last_used_at is None or now - token.last_used_at >= datetime.timedelta(
            seconds=LAST_USED_RESOLUTION_SECONDS
        ):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return user, token
