import hashlib

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from rjportal.organisations.models import Organisation

from .constants import TokenStatus
from .managers import ApiTokenQuerySet


def token_digest(secret: str) -> str:
    """The SHA-256 of a token's secret, as stored. Secrets are 256 random bits, so a fast hash
    is enough: there is nothing to guess from a leaked digest."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """A token with which an RJ provider's system uses the referrals API. Requests made with it
    act as the member of staff who created it, so it sees and changes what they may. Only the
    SHA-256 of its secret is stored: the secret is shown once, when the token is created."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text="Who created it: requests made with the token act as this person",
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, for example the case system")
    key_prefix = models.CharField(max_length=8, help_text="The secret's first characters, to recognise it")
    key_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the secret, never the secret")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")), name="api_token_expires_after_created"),
            models.CheckConstraint(
                condition=Q(revoked_by__isnull=True) | Q(revoked_at__isnull=False),
                name="api_token_revoked_by_only_when_revoked",
            ),
            models.UniqueConstraint(
                "organisation",
                Lower("name"),
                condition=Q(revoked_at__isnull=True),
                name="api_token_name_unique_in_organisation",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    def status(self, now=None) -> TokenStatus:
        if self.revoked_at is not None:
            return TokenStatus.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return TokenStatus.EXPIRED
        return TokenStatus.ACTIVE

    @property
    def current_status(self) -> TokenStatus:
        return self.status()
