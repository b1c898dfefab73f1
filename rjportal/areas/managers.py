from datetime import date

from django.db import models
from django.db.models import Q

from .constants import OFFENCE_LEVEL, OffenceLevel


class PoliceAreaQuerySet(models.QuerySet):
    def for_user(self, user):
        """Areas whose case-level data the user may see in full. Every signed-in user may see
        any area's public reference data (names, population, recorded crime)."""
        if not user.is_authenticated:
            return self.none()
        if user.sees_all_areas:
            return self.all()
        if user.organisation_id is None:
            return self.none()
        return self.filter(organisations=user.organisation_id)


class GoverningBodyQuerySet(models.QuerySet):
    def current_on(self, on_date: date):
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=on_date), start_date__lte=on_date)

    def current(self):
        return self.filter(end_date__isnull=True)

    def overlapping(self, *, area, start_date: date, end_date: date | None):
        """Bodies of the area whose period shares at least one day with the one given."""
        overlaps = Q(end_date__isnull=True) | Q(end_date__gte=start_date)
        if end_date is not None:
            overlaps &= Q(start_date__lte=end_date)
        return self.filter(overlaps, area=area)


class RecordedCrimeQuerySet(models.QuerySet):
    def latest_year_ending(self):
        return self.aggregate(latest=models.Max("year_ending"))["latest"]

    def groups(self):
        group_codes = [offence for offence, level in OFFENCE_LEVEL.items() if level == OffenceLevel.GROUP]
        return self.filter(offence__in=group_codes)
