from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from .constants import RECORDED_CRIME_OFFENCES, Country, GovernanceKind, Offence
from .managers import GoverningBodyQuerySet, PoliceAreaQuerySet, RecordedCrimeQuerySet


class PoliceArea(models.Model):
    """One of the 43 territorial police force areas, identified by its ONS code."""

    code = models.CharField(max_length=9, unique=True, help_text="ONS police force area code")
    name = models.CharField(max_length=100, unique=True)
    country = models.CharField(max_length=7, choices=Country.choices)
    region = models.CharField(max_length=50)
    population = models.PositiveIntegerField(help_text="ONS mid-year population estimate")

    objects = PoliceAreaQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("areas:detail", kwargs={"code": self.code})


class GoverningBody(models.Model):
    """Who holds the PCC functions for an area over a period. Bodies change (PCC to PFCC to
    mayor, and PCCs are due to be abolished in 2028), so the area outlives each body."""

    area = models.ForeignKey(PoliceArea, on_delete=models.PROTECT, related_name="governing_bodies")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=GovernanceKind.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Last day in office; empty while current")

    objects = GoverningBodyQuerySet.as_manager()

    class Meta:
        ordering = ["area__name", "start_date"]
        verbose_name_plural = "governing bodies"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="governing_body_ends_after_it_starts",
            ),
            models.UniqueConstraint(
                fields=["area"],
                condition=Q(end_date__isnull=True),
                name="one_current_governing_body_per_area",
            ),
            models.UniqueConstraint(fields=["area", "start_date"], name="one_governing_body_per_area_start"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_current(self):
        return self.end_date is None

    def clean(self):
        # Overlaps span rows, which a CHECK constraint cannot see; the unique constraint on
        # the current body is the database's backstop.
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date must be the same as or after the start date."})
        if self.area_id is None or self.start_date is None:
            return
        clash = (
            GoverningBody.objects.overlapping(area=self.area, start_date=self.start_date, end_date=self.end_date)
            .exclude(pk=self.pk)
            .first()
        )
        if clash is not None:
            until = f"to {clash.end_date:%-d %B %Y}" if clash.end_date else "with no end date"
            raise ValidationError(
                f"{self.area.name} is already governed by {clash.name} from {clash.start_date:%-d %B %Y} {until}. "
                "Periods in one area may not overlap: end the earlier body first."
            )


class RecordedCrime(models.Model):
    """ONS police recorded crime: offences recorded in an area over the 12 months to a date."""

    area = models.ForeignKey(PoliceArea, on_delete=models.PROTECT, related_name="recorded_crime")
    year_ending = models.DateField()
    offence = models.CharField(
        max_length=50, choices=[(o.value, o.label) for o in Offence if o in RECORDED_CRIME_OFFENCES]
    )
    count = models.PositiveIntegerField()

    objects = RecordedCrimeQuerySet.as_manager()

    class Meta:
        ordering = ["area__name", "year_ending", "offence"]
        verbose_name_plural = "recorded crime"
        constraints = [
            models.UniqueConstraint(fields=["area", "year_ending", "offence"], name="one_count_per_area_year_offence"),
        ]
        indexes = [models.Index(fields=["year_ending", "offence"])]

    def __str__(self):
        return f"{self.area}: {self.get_offence_display()} to {self.year_ending:%d %B %Y}"
