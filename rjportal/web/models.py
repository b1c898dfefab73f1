from django.db import models


class RateLimitLock(models.Model):
    """A lock that a rate-limited action holds while it counts its recent uses and records a
    new one, so that simultaneous requests under the same key take turns and cannot both pass
    the last free place. Each key maps to one of a fixed number of stripes (a number derived
    from it), so the table stays small and holds nothing about anyone."""

    stripe = models.PositiveIntegerField(primary_key=True)

    def __str__(self):
        return f"Rate limit lock {self.stripe}"


class RateLimitUse(models.Model):
    """One use of a rate-limited action (a password reset request), under a keyed hash of what
    is limited (an address, an email), never the value itself; deleted once its window ends."""

    key = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["key", "created_at"])]

    def __str__(self):
        return f"Rate-limited use at {self.created_at:%Y-%m-%d %H:%M}"
