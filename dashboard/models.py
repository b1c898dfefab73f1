from django.db import models
from django.db.models import Q
from django.utils import timezone

from rjportal.areas.models import PoliceArea

from .constants import AlertKind, Baseline


class SentChangeAlert(models.Model):
    """A change alert emailed to the PCC offices of its area (manage.py send_change_alerts).
    Each alert is sent once for its quarter: the unique constraint stops a second run, or two
    runs at once, from sending it again. What was sent is kept as it was then."""

    area = models.ForeignKey(PoliceArea, on_delete=models.PROTECT, related_name="+")
    quarter_start = models.DateField(help_text="The first day of the quarter judged")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    key = models.CharField(max_length=60, help_text="The team's id, or the category's or offence group's value")
    name = models.CharField(max_length=200, help_text="The team, category or offence group, as named when sent")
    observed = models.PositiveIntegerField(help_text="Referrals in the quarter")
    baseline = models.CharField(max_length=20, choices=Baseline.choices)
    expected = models.FloatField(help_text="The recent level compared with")
    recipients = models.PositiveIntegerField(help_text="Addresses emailed")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-quarter_start", "area", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "quarter_start", "kind", "key"], name="change_alert_sent_once"),
            models.CheckConstraint(condition=Q(kind__in=AlertKind.values), name="change_alert_kind_known"),
            models.CheckConstraint(condition=Q(baseline__in=Baseline.values), name="change_alert_baseline_known"),
            models.CheckConstraint(condition=Q(expected__gt=0), name="change_alert_expected_positive"),
        ]

    def __str__(self):
        return f"{self.name} in {self.area}, quarter from {self.quarter_start:%-d %B %Y}"
