"""Named lookups for pledges, in one place, so the register, the open data, the map and the
counts all agree on what "published" or "an elected leader's pledge" means."""

from datetime import date

from django.db import models
from django.db.models import Q

from .constants import ELECTED_LEADER_ROLES, UNPUBLISHED_STATUSES, PledgeStatus

PUBLISHED = Q(status=PledgeStatus.PUBLISHED)
AWAITING_REVIEW = Q(status=PledgeStatus.VERIFIED)
ELECTED_LEADER = Q(role__in=ELECTED_LEADER_ROLES)


class PledgeCampaignQuerySet(models.QuerySet):
    def open_on(self, on_date: date):
        """Campaigns taking signatures on the date."""
        return self.filter(opens_on__lte=on_date, closes_on__gte=on_date)

    def closed_before(self, on_date: date):
        return self.filter(closes_on__lt=on_date)

    def newest_first(self):
        return self.order_by("-election_date", "-opens_on", "-pk")


class PledgeQuerySet(models.QuerySet):
    def published(self):
        """What the public sees: the register, the area pages and the open data."""
        return self.filter(PUBLISHED)

    def awaiting_review(self):
        """The moderation queue: email confirmed, not yet published or rejected."""
        return self.filter(AWAITING_REVIEW)

    def elected_leaders(self):
        return self.filter(ELECTED_LEADER)

    def unpublished(self):
        return self.filter(status__in=UNPUBLISHED_STATUSES)

    def for_email(self, *, campaign, email: str):
        return self.filter(campaign=campaign, email__iexact=email.strip())


class SignupAttemptQuerySet(models.QuerySet):
    def since(self, moment):
        return self.filter(created_at__gte=moment)
