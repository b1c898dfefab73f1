"""Every change to API tokens: created and revoked here, in a transaction, with an audit event.
The secret exists only in the value api_token_create returns; the database holds its hash."""

import datetime
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from rjportal.audit.constants import AuditAction
from rjportal.audit.services import audit_record

from .constants import EXPIRY_CHOICES
from .models import ApiToken, token_digest
from .permissions import may_hold_token, may_revoke_token

NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length


def token_name_taken(*, organisation, name: str) -> bool:
    return (
        ApiToken.objects.filter(organisation=organisation, revoked_at__isnull=True, name__iexact=name.strip())
        .only("pk")
        .exists()
    )


def api_token_create(*, actor, name: str, expires_in_days: int) -> tuple[ApiToken, str]:
    """Create a token for `actor`'s organisation, acting as `actor`. Returns the token and its
    secret: the only time the secret exists outside the caller's system."""
    if not may_hold_token(actor):
        raise PermissionDenied("Only RJ provider staff can create API tokens.")
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Enter a name for the token"
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = f"The name must be {NAME_MAX_LENGTH} characters or fewer"
    elif token_name_taken(organisation=actor.organisation, name=name):
        errors["name"] = "Your organisation already has a token with this name: choose another or revoke that one"
    if expires_in_days not in dict(EXPIRY_CHOICES):
        errors["expires_in_days"] = "Select when the token expires"
    if errors:
        raise ValidationError(errors)
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor,
            organisation=actor.organisation,
            name=name,
            key_prefix=secret[:8],
            key_hash=token_digest(secret),
            created_at=now,
            expires_at=now + datetime.timedelta(days=expires_in_days),
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=token,
            summary=f"Created API token {token} for {actor.organisation}, expiring "
            f"{timezone.localtime(token.expires_at):%-d %B %Y}",
            changes={
                "name": name,
                "key_prefix": token.key_prefix,
                "organisation": str(actor.organisation),
                "expires_at": token.expires_at.isoformat(),
            },
        )
    return token, secret


def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke a token at once. Revoking a revoked token changes nothing."""
    if not may_revoke_token(actor, token):
        raise PermissionDenied("You cannot revoke this token.")
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().select_related("organisation").get(pk=token.pk)
        if token.revoked_at is not None:
            return token
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=token,
            summary=f"Revoked API token {token} of {token.organisation}",
            changes={"revoked_at": {"from": None, "to": token.revoked_at.isoformat()}},
        )
    return token
