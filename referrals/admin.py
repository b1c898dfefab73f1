from django.contrib import admin

from rjportal.audit.admin import AuditedModelAdmin

from .models import ReferringTeam


@admin.register(ReferringTeam)
class ReferringTeamAdmin(AuditedModelAdmin):
    """Each area's own list of referring teams, each in a national category."""

    list_display = ["name", "area", "category", "staff_count"]
    list_filter = ["category", "area"]
    search_fields = ["name", "area__name"]
