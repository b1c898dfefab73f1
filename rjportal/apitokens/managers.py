from django.db import models
from django.db.models import Q
from django.utils import timezone

from rjportal.accounts.constants import Role


def usable(now=None) -> Q:
    """Tokens that may still be used: not revoked and not yet expired."""
    return Q(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ApiTokenQuerySet(models.QuerySet):
    def for_user(self, user):
        """National administrators see every organisation's tokens; RJ provider staff see their
        own organisation's; nobody else sees any."""
        if not user.is_authenticated:
            return self.none()
        if user.is_national_admin:
            return self.all()
        if user.role == Role.PROVIDER_STAFF and user.organisation_id:
            return self.filter(organisation_id=user.organisation_id)
        return self.none()

    def usable(self, now=None):
        return self.filter(usable(now))
