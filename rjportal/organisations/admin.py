from django.contrib import admin
from django.db import models

from rjportal.audit.admin import AuditedModelAdmin

from .models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "email"]
    list_filter = ["kind", "areas"]
    search_fields = ["name", "email"]
    filter_horizontal = ["areas"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
