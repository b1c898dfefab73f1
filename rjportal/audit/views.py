from itertools import chain
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.views.generic import ListView, TemplateView

from rjportal.accounts.permissions import NationalAdminRequiredMixin
from rjportal.exports import csv_response
from rjportal.listing import paginate

from .constants import AuditAction
from .forms import AuditFilterForm, UnusualAccessForm
from .models import AuditEvent
from .selectors import case_level_types, heavy_viewers, out_of_hours_access, unusual_views_per_day, working_hours


class AuditEventListView(NationalAdminRequiredMixin, ListView):
    template_name = "audit/list.html"

    def get_queryset(self):
        self.filter_form = AuditFilterForm(self.request.GET or None)
        events = AuditEvent.objects.for_user(self.request.user).select_related("target_type", "actor__organisation")
        if self.is_filtered():
            events = self.filter_form.filter_queryset(events)
        return events

    def is_filtered(self) -> bool:
        return any(self.request.GET.get(field) for field in AuditFilterForm.FILTER_FIELDS)

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.export_csv()
        return super().get(request, *args, **kwargs)

    def export_csv(self):
        events = self.get_queryset()
        rows = (
            (
                timezone.localtime(event.created_at).isoformat(timespec="seconds"),
                event.actor_email,
                _organisation_name(event),
                event.get_action_display(),
                event.target_type.name if event.target_type else "",
                event.target_id,
                event.target_repr,
                event.summary,
            )
            for event in events.iterator(chunk_size=2000)
        )
        return csv_response(
            filename=f"audit-log-{timezone.localdate():%Y-%m-%d}.csv",
            header=["When", "Who", "Organisation", "Action", "Record type", "Record id", "Record", "Summary"],
            rows=rows,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, pagination = paginate(self.request, self.object_list)
        params = self.request.GET.copy()
        params.pop("page", None)
        params["format"] = "csv"
        context.update(
            events=page,
            pagination=pagination,
            filter_form=self.filter_form,
            csv_url=f"?{params.urlencode()}",
            is_filtered=self.is_filtered(),
        )
        return context


def _organisation_name(event) -> str:
    return event.actor.organisation.name if event.actor and event.actor.organisation else ""


def log_url(**filters) -> str:
    """The audit log narrowed by `filters` (AuditFilterForm's fields)."""
    return f"{reverse('audit:list')}?{urlencode({key: value for key, value in filters.items() if value})}"


class UnusualAccessView(NationalAdminRequiredMixin, TemplateView):
    """For the data protection officer: people who viewed many case records in a day, and case
    records viewed or exported outside working hours. Each row links to the log behind it."""

    template_name = "audit/unusual.html"

    def get(self, request, *args, **kwargs):
        self.form = UnusualAccessForm(request.GET)
        period = self.form.period()
        events = AuditEvent.objects.for_user(request.user)
        if period is None:
            self.heavy, self.late = [], events.none()
        else:
            first, last = period
            self.heavy = list(heavy_viewers(events, first=first, last=last))
            self.late = out_of_hours_access(events, first=first, last=last)
        self.case_type = case_level_types()[0]
        if request.GET.get("format") == "csv":
            return self.export_csv()
        return super().get(request, *args, **kwargs)

    def heavy_rows(self):
        for row in self.heavy:
            day = row["day"].isoformat()
            yield {
                **row,
                "url": log_url(
                    actor=row["actor_email"],
                    action=AuditAction.VIEW,
                    target_type=self.case_type.pk,
                    date_from=day,
                    date_to=day,
                ),
            }

    def late_url(self, event) -> str:
        day = timezone.localdate(event.created_at).isoformat()
        return log_url(
            actor=event.actor_email,
            target_type=event.target_type_id,
            target_id=event.target_id,
            date_from=day,
            date_to=day,
        )

    def export_csv(self):
        heavy = (
            (
                "Many views in a day",
                row["day"].isoformat(),
                "",
                row["actor_email"],
                row["organisation"] or "",
                AuditAction.VIEW.label,
                "",
                row["views"],
                f"{row['views']} views of {row['records']} records",
            )
            for row in self.heavy
        )
        late = (
            (
                "Outside working hours",
                timezone.localdate(event.created_at).isoformat(),
                timezone.localtime(event.created_at).strftime("%H:%M:%S"),
                event.actor_email,
                _organisation_name(event),
                event.get_action_display(),
                event.target_repr,
                1,
                event.summary,
            )
            for event in self.late.iterator(chunk_size=2000)
        )
        return csv_response(
            filename=f"audit-unusual-access-{timezone.localdate():%Y-%m-%d}.csv",
            header=["Why listed", "Date", "Time", "Who", "Organisation", "Action", "Record", "Events", "Summary"],
            rows=chain(heavy, late),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, pagination = paginate(self.request, self.late)
        params = self.request.GET.copy()
        params.pop("page", None)
        params["format"] = "csv"
        context.update(
            form=self.form,
            period=self.form.period(),
            threshold=unusual_views_per_day(),
            hours=working_hours(),
            heavy=list(self.heavy_rows()),
            late=[(event, self.late_url(event)) for event in page],
            late_page=page,
            pagination=pagination,
            csv_url=f"?{params.urlencode()}",
        )
        return context
