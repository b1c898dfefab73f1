from datetime import timedelta

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from rjportal.forms import gds_helper
from rjportal.organisations.models import Organisation

from .constants import AuditAction
from .models import AuditEvent

DATE_FROM_LABEL = "From (YYYY-MM-DD)"
DATE_TO_LABEL = "To (YYYY-MM-DD)"
DATES_IN_ORDER = "The 'to' date must be the same as or after the 'from' date"


def _date_field(label):
    return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))


class AuditFilterForm(forms.Form):
    """Filters for the audit log. The same filtered queryset feeds the page and the CSV."""

    actor = forms.CharField(label="Email of person", required=False)
    organisation = forms.ModelChoiceField(
        label="Their organisation", required=False, queryset=Organisation.objects.none(), empty_label="Any organisation"
    )
    action = forms.ChoiceField(label="Action", required=False, choices=[("", "Any action"), *AuditAction.choices])
    target_type = forms.ModelChoiceField(
        label="Type of record", required=False, queryset=ContentType.objects.none(), empty_label="Any type"
    )
    target_id = forms.CharField(
        label="Record id",
        required=False,
        max_length=64,
        help_text="The number in the record's web address, for one record's history",
        widget=forms.TextInput(attrs={"spellcheck": "false", "class": "govuk-input--width-10"}),
    )
    date_from = _date_field(DATE_FROM_LABEL)
    date_to = _date_field(DATE_TO_LABEL)

    # The query parameters that narrow the log (the rest sort, page or choose a format).
    FILTER_FIELDS = ("actor", "organisation", "action", "target_type", "target_id", "date_from", "date_to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        used = AuditEvent.objects.exclude(target_type=None).values("target_type").distinct()
        self.fields["target_type"].queryset = ContentType.objects.filter(pk__in=used).order_by("model")
        self.fields["target_type"].label_from_instance = lambda content_type: content_type.name.capitalize()
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")
        self.helper = gds_helper(self, "Apply filters", method="get", secondary=True)

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", DATES_IN_ORDER)
        return cleaned

    def filter_queryset(self, events):
        if not self.is_valid():
            return events.none()
        data = self.cleaned_data
        if data["actor"].strip():
            events = events.filter(actor_email__icontains=data["actor"].strip())
        if data["organisation"]:
            events = events.filter(actor__organisation=data["organisation"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["target_type"]:
            events = events.filter(target_type=data["target_type"])
        if data["target_id"].strip():
            events = events.filter(target_id=data["target_id"].strip())
        # Dates are days in Europe/London (the current time zone).
        if data["date_from"]:
            events = events.filter(created_at__date__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(created_at__date__lte=data["date_to"])
        return events


UNUSUAL_DEFAULT_DAYS = 30


class UnusualAccessForm(forms.Form):
    """The period the unusual access page looks at: the last 30 days unless chosen."""

    date_from = _date_field(DATE_FROM_LABEL)
    date_to = _date_field(DATE_TO_LABEL)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(self, "Show this period", method="get", secondary=True)

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        cleaned["date_to"] = cleaned.get("date_to") or today
        if not cleaned.get("date_from") and "date_from" not in self.errors:
            cleaned["date_from"] = min(cleaned["date_to"], today) - timedelta(days=UNUSUAL_DEFAULT_DAYS - 1)
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", DATES_IN_ORDER)
        return cleaned

    def period(self):
        """(first day, last day), or None when the dates entered are wrong."""
        if not self.is_valid():
            return None
        return self.cleaned_data["date_from"], self.cleaned_data["date_to"]
