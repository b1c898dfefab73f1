"""Reads of the audit trail for its review: who looked at many case records in a day, and
who looked at them outside working hours. Worked out in the database, grouped by days and
hours in Europe/London (Django converts each time on SQLite and PostgreSQL alike)."""

from dataclasses import dataclass
from datetime import date, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, ExtractMinute, TruncDate

from .constants import AuditAction

LONDON = ZoneInfo("Europe/London")
# Viewing or exporting case-level records is "access"; the unusual access page looks at these.
ACCESS_ACTIONS = (AuditAction.VIEW, AuditAction.EXPORT)
SATURDAY = 6  # ISO weekday: Monday is 1, Sunday 7


@dataclass(frozen=True)
class WorkingHours:
    start: time
    end: time

    def __str__(self):
        return f"{self.start:%H:%M} to {self.end:%H:%M}, Monday to Friday"


def working_hours() -> WorkingHours:
    start, end = (time.fromisoformat(value.strip()) for value in settings.AUDIT_WORKING_HOURS)
    return WorkingHours(start, end)


def unusual_views_per_day() -> int:
    return settings.AUDIT_UNUSUAL_VIEWS_PER_DAY


def case_level_types() -> list[ContentType]:
    """The content types of case-level records (settings.AUDIT_CASE_LEVEL_MODELS)."""
    types = []
    for label in settings.AUDIT_CASE_LEVEL_MODELS:
        app_label, model = label.lower().split(".")
        types.append(ContentType.objects.get_by_natural_key(app_label, model))
    return types


def _in_period(events: QuerySet, first: date, last: date) -> QuerySet:
    return events.filter(created_at__date__gte=first, created_at__date__lte=last)


def heavy_viewers(events: QuerySet, *, first: date, last: date, threshold: int | None = None) -> QuerySet:
    """One row per person and day (Europe/London) on which they viewed more than `threshold`
    case-level records one at a time: dicts of day, actor_email, organisation, views (events)
    and records (distinct records). List pages and exports are not counted here: the
    out-of-hours list and the log show them."""
    threshold = unusual_views_per_day() if threshold is None else threshold
    return (
        _in_period(events, first, last)
        .filter(action=AuditAction.VIEW, target_type__in=case_level_types())
        .exclude(target_id="")
        .annotate(day=TruncDate("created_at", tzinfo=LONDON))
        .values("day", "actor_email", organisation=F("actor__organisation__name"))
        .annotate(views=Count("id"), records=Count("target_id", distinct=True))
        .filter(views__gt=threshold)
        .order_by("-day", "-views", "actor_email")
    )


def out_of_hours_access(events: QuerySet, *, first: date, last: date, hours: WorkingHours | None = None) -> QuerySet:
    """Views and exports of case-level records (one record, a list page or a download) at a
    weekend or outside working hours, Europe/London; newest first."""
    hours = hours or working_hours()
    start = hours.start.hour * 60 + hours.start.minute
    end = hours.end.hour * 60 + hours.end.minute
    return (
        _in_period(events, first, last)
        .filter(action__in=ACCESS_ACTIONS, target_type__in=case_level_types())
        .annotate(
            local_minute=ExtractHour("created_at", tzinfo=LONDON) * 60 + ExtractMinute("created_at", tzinfo=LONDON),
            local_weekday=ExtractIsoWeekDay("created_at", tzinfo=LONDON),
        )
        .filter(Q(local_weekday__gte=SATURDAY) | Q(local_minute__lt=start) | Q(local_minute__gte=end))
        .select_related("actor__organisation", "target_type")
        .order_by("-created_at", "-id")
    )
