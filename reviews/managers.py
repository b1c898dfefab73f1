"""Who sees which case reviews, return sign-offs and actions. Scoping lives here and nowhere else."""

from django.db import models

from rjportal.accounts.constants import Role


def review_areas_for(user):
    """The police areas whose case reviews, return sign-offs and actions the user may read and
    change: every area for administrators, the areas their office serves for PCC office staff,
    none for anyone else (providers and moderators have no part in them)."""
    from rjportal.areas.models import PoliceArea

    if not user.is_authenticated:
        return PoliceArea.objects.none()
    if user.is_national_admin:
        return PoliceArea.objects.all()
    if user.role == Role.PCC_STAFF and user.organisation_id:
        return PoliceArea.objects.filter(organisations=user.organisation_id)
    return PoliceArea.objects.none()


class AreaScopedQuerySet(models.QuerySet):
    def for_user(self, user):
        if user.is_authenticated and user.is_national_admin:
            return self.all()
        return self.filter(area__in=review_areas_for(user))

    def for_area(self, area):
        return self.filter(area=area)


class DipSampleQuerySet(AreaScopedQuerySet):
    def completed(self):
        return self.filter(status="completed")

    def in_progress(self):
        return self.filter(status="reviewing")


class DipSampleCaseQuerySet(models.QuerySet):
    def for_user(self, user):
        from .models import DipSample

        return self.filter(sample__in=DipSample.objects.for_user(user))

    def selected(self):
        return self.filter(selected=True)

    def reviewed(self):
        return self.exclude(offered="")


class ActionQuerySet(AreaScopedQuerySet):
    def open(self):
        return self.filter(status="open")

    def overdue(self, today):
        return self.open().filter(due_on__lt=today)
