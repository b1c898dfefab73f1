"""Queryset methods and the named lookups behind every list, export, count and chart, so that
they all agree on what "open" or "clock missed" means."""

from datetime import date

from django.db import models
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from rjportal.accounts.constants import Role

from .constants import OPEN_STAGES, ClockStatus


def information_clock_missed(today: date) -> Q:
    return Q(information_due_on__isnull=False) & (
        Q(victim_informed_on__gt=F("information_due_on"))
        | Q(victim_informed_on__isnull=True, information_due_on__lt=today)
    )


def referral_clock_missed() -> Q:
    return Q(referral_due_on__isnull=False, referred_on__gt=F("referral_due_on"))


def information_clock_status(today: date) -> Case:
    return Case(
        When(information_due_on__isnull=True, then=Value(ClockStatus.UNKNOWN.value)),
        When(victim_informed_on__lte=F("information_due_on"), then=Value(ClockStatus.MET.value)),
        When(information_clock_missed(today), then=Value(ClockStatus.MISSED.value)),
        default=Value(ClockStatus.PENDING.value),
        output_field=models.CharField(),
    )


def referral_clock_status() -> Case:
    return Case(
        When(referral_due_on__isnull=True, then=Value(ClockStatus.UNKNOWN.value)),
        When(referral_clock_missed(), then=Value(ClockStatus.MISSED.value)),
        default=Value(ClockStatus.MET.value),
        output_field=models.CharField(),
    )


class ReferralQuerySet(models.QuerySet):
    def for_user(self, user):
        """Administrators see every referral; PCC office staff their organisation's areas;
        provider staff their own organisation's referrals; nobody else any."""
        if not user.is_authenticated:
            return self.none()
        if user.is_national_admin:
            return self.all()
        if user.role == Role.PCC_STAFF and user.organisation_id:
            return self.filter(area__organisations=user.organisation_id)
        if user.role == Role.PROVIDER_STAFF and user.organisation_id:
            return self.filter(provider=user.organisation_id)
        return self.none()

    def editable_by(self, user):
        """Only the provider that holds a referral changes it (administrators may correct any)."""
        if user.is_authenticated and user.is_national_admin:
            return self.all()
        if user.is_authenticated and user.role == Role.PROVIDER_STAFF and user.organisation_id:
            return self.filter(provider=user.organisation_id)
        return self.none()

    def open(self):
        return self.filter(stage__in=OPEN_STAGES)

    def with_clocks(self, today: date):
        return self.annotate(information_clock=information_clock_status(today), referral_clock=referral_clock_status())

    def clock_missed(self, today: date):
        return self.filter(information_clock_missed(today) | referral_clock_missed())


def team_areas_editable_by(user):
    """The police areas whose referring teams the user may add and change: every area for
    administrators, the areas their organisation serves for PCC office staff, none otherwise."""
    from rjportal.areas.models import PoliceArea  # referrals.models imports this module

    if not user.is_authenticated:
        return PoliceArea.objects.none()
    if user.is_national_admin:
        return PoliceArea.objects.all()
    if user.role == Role.PCC_STAFF and user.organisation_id:
        return PoliceArea.objects.filter(organisations=user.organisation_id)
    return PoliceArea.objects.none()


class ReferringTeamQuerySet(models.QuerySet):
    def for_area(self, area):
        return self.filter(area=area)

    def for_user(self, user):
        """Administrators see every team; PCC office and provider staff the teams of the areas
        their organisation serves (providers pick them when recording referrals); nobody else any."""
        if not user.is_authenticated:
            return self.none()
        if user.is_national_admin:
            return self.all()
        if user.role in (Role.PCC_STAFF, Role.PROVIDER_STAFF) and user.organisation_id:
            return self.filter(area__organisations=user.organisation_id)
        return self.none()

    def editable_by(self, user):
        """Each area's PCC office keeps its own list (administrators may change any); providers
        only read it."""
        if user.is_authenticated and user.is_national_admin:
            return self.all()
        return self.filter(area__in=team_areas_editable_by(user))

    def with_referral_counts(self, period, *, user):
        """Annotate `referral_count`: the referrals received in the period that the user may
        see (provider staff count only their own), in the same query as the teams."""
        from .models import Referral  # defined after this queryset

        counted = (
            Referral.objects.for_user(user)
            .filter(referring_team=OuterRef("pk"), received_on__gte=period.start, received_on__lte=period.end)
            .order_by()
            .values("referring_team")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.annotate(referral_count=Coalesce(Subquery(counted), 0))
