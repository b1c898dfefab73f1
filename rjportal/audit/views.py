from django.utils import timezone
from django.views.generic import ListView

from rjportal.accounts.permissions import NationalAdminRequiredMixin
from rjportal.exports import csv_response
from rjportal.listing import paginate

from .forms import AuditFilterForm
from .models import AuditEvent


class AuditEventListView(NationalAdminRequiredMixin, ListView):
    template_name = "audit/list.html"

    def get_queryset(self):
        self.filter_form = AuditFilterForm(self.request.GET or None)
        events = AuditEvent.objects.for_user(self.request.user).select_related("target_type")
        if self.request.GET:
            events = self.filter_form.filter_queryset(events)
        return events

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
            header=["When", "Who", "Action", "Record type", "Record id", "Record", "Summary"],
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
            is_filtered=bool(
                self.request.GET.get("actor")
                or self.request.GET.get("action")
                or self.request.GET.get("target_type")
                or self.request.GET.get("date_from")
                or self.request.GET.get("date_to")
            ),
        )
        return context
