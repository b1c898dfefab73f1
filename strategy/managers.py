"""Who sees which commissioning and 10-ways records. Scoping lives here and nowhere else."""

from django.db import models
from django.db.models import Q

from rjportal.accounts.constants import Role


def strategy_areas_for(user):
    """The police areas whose 10-ways records the user may read and change: every area for
    administrators, the areas their office serves for PCC office staff, none for anyone else
    (providers and moderators have no part in an area's strategy records)."""
    from rjportal.areas.models import PoliceArea

    if not user.is_authenticated:
        return PoliceArea.objects.none()
    if user.is_national_admin:
        return PoliceArea.objects.all()
    if user.role == Role.PCC_STAFF and user.organisation_id:
        return PoliceArea.objects.filter(organisations=user.organisation_id)
    return PoliceArea.objects.none()


class AreaRecordQuerySet(models.QuerySet):
    """For every record that belongs to one area (budgets, spend, strategies, training,
    communications, Community Remedy documents, observations, scorecard assessments)."""

    def for_user(self, user):
        if user.is_authenticated and user.is_national_admin:
            return self.all()
        return self.filter(area__in=strategy_areas_for(user))

    def for_area(self, area):
        return self.filter(area=area)


class CommissionQuerySet(models.QuerySet):
    def for_user(self, user):
        """Administrators see every contract; PCC office staff their own office's; provider
        staff the contracts that name their organisation (read only)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_national_admin:
            return self.all()
        if user.organisation_id and user.role == Role.PCC_STAFF:
            return self.filter(commissioner=user.organisation_id)
        if user.organisation_id and user.role == Role.PROVIDER_STAFF:
            return self.filter(provider=user.organisation_id)
        return self.none()

    def editable_by(self, user):
        if user.is_authenticated and user.is_national_admin:
            return self.all()
        if user.is_authenticated and user.role == Role.PCC_STAFF and user.organisation_id:
            return self.filter(commissioner=user.organisation_id)
        return self.none()

    def live_on(self, day):
        """Contracts running on the day: started, and not yet ended."""
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)

    def overlapping(self, start, end):
        """Contracts that run on at least one day from start to end."""
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start), starts_on__lte=end)


class RegistrationQuerySet(models.QuerySet):
    def for_user(self, user):
        """Administrators see every registration; provider staff their own organisation's; PCC
        office staff those of the providers their office commissions."""
        if not user.is_authenticated:
            return self.none()
        if user.is_national_admin:
            return self.all()
        if user.organisation_id and user.role == Role.PROVIDER_STAFF:
            return self.filter(provider=user.organisation_id)
        if user.organisation_id and user.role == Role.PCC_STAFF:
            return self.filter(provider__commissions_held__commissioner=user.organisation_id).distinct()
        return self.none()

    def editable_by(self, user):
        """A provider keeps its own registrations; administrators may correct any."""
        if user.is_authenticated and user.is_national_admin:
            return self.all()
        if user.is_authenticated and user.role == Role.PROVIDER_STAFF and user.organisation_id:
            return self.filter(provider=user.organisation_id)
        return self.none()


class BenefitRatioQuerySet(models.QuerySet):
    def in_use(self):
        return self.filter(in_use=True).first()
