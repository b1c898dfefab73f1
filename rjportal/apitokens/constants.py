"""Choices for API tokens."""

from django.db import models

# How long a new token lasts, in days. There is no "never": a token left in a forgotten script
# stops working on its own.
EXPIRY_CHOICES = [(30, "30 days"), (90, "90 days"), (365, "1 year")]
DEFAULT_EXPIRY_DAYS = 90

# A token's `last_used_at` is written at most this often, so that a busy system does not write
# to the database on every request.
LAST_USED_RESOLUTION_SECONDS = 60


class TokenStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"
