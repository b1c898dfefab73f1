from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from rjportal.areas.models import PoliceArea

from .constants import OrganisationKind
from .managers import OrganisationQuerySet


class Organisation(models.Model):
    """A body whose staff use the portal: a PCC office, an RJ provider, a police force and so
    on. It serves one or more police areas, which bounds what its staff can see."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    areas = models.ManyToManyField(PoliceArea, related_name="organisations", help_text="Police areas it serves")
    email = models.EmailField(blank=True, help_text="A shared contact address, not a person's")
    website = models.URLField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="organisation_name_unique_ignoring_case")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organisations:detail", kwargs={"pk": self.pk})
