from django import forms
from django.contrib.contenttypes.models import ContentType

from rjportal.forms import gds_helper

from .constants import AuditAction
from .models import AuditEvent


class AuditFilterForm(forms.Form):
    """Filters for the audit log. The same filtered queryset feeds the page and the CSV."""

    actor = forms.CharField(label="Email of person", required=False)
    action = forms.ChoiceField(label="Action", required=False, choices=[("", "Any action"), *AuditAction.choices])
    target_type = forms.ModelChoiceField(
        label="Type of record", required=False, queryset=ContentType.objects.none(), empty_label="Any type"
    )
    date_from = forms.DateField(
        label="From (YYYY-MM-DD)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label="To (YYYY-MM-DD)", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        used = AuditEvent.objects.exclude(target_type=None).values("target_type").distinct()
        self.fields["target_type"].queryset = ContentType.objects.filter(pk__in=used).order_by("model")
        self.fields["target_type"].label_from_instance = lambda content_type: content_type.name.capitalize()
        self.helper = gds_helper(self, "Apply filters", method="get", secondary=True)

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "The 'to' date must be the same as or after the 'from' date")
        return cleaned

    def filter_queryset(self, events):
        if not self.is_valid():
            return events.none()
        data = self.cleaned_data
        if data["actor"]:
            events = events.filter(actor_email__icontains=data["actor"].strip())
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["target_type"]:
            events = events.filter(target_type=data["target_type"])
        if data["date_from"]:
            events = events.filter(created_at__date__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(created_at__date__lte=data["date_to"])
        return events
