from django import forms
from django.contrib import admin
from django.db import models

from rjportal.audit.admin import AuditedModelAdmin

from .models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "email"]
    list_filter = ["kind", "areas"]
    search_fields = ["name", "email"]
    # Checkboxes rather than the admin's two-box chooser, whose script labels a decorative icon
    # in a way screen readers reject (axe: aria-prohibited-attr).
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},
    }
