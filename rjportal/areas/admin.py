from django.contrib import admin

from rjportal.audit.admin import AuditedModelAdmin

from .models import GoverningBody, PoliceArea, RecordedCrime


# Stacked, not tabular: a tabular inline names its boxes only by column headings, which leaves
# each box without a label of its own (axe: label, select-name).
class GoverningBodyInline(admin.StackedInline):
    model = GoverningBody
    extra = 0
    fields = ["name", "kind", "start_date", "end_date"]


@admin.register(PoliceArea)
class PoliceAreaAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "country", "region", "population"]
    list_filter = ["country", "region"]
    search_fields = ["name", "code"]
    readonly_fields = ["code"]
    inlines = [GoverningBodyInline]

    def has_add_permission(self, request):
        # The 43 areas are reference data, loaded by migration.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RecordedCrime)
class RecordedCrimeAdmin(admin.ModelAdmin):
    list_display = ["area", "year_ending", "offence", "count"]
    list_filter = ["year_ending", "offence"]
    search_fields = ["area__name", "area__code"]

    # Figures come only from `manage.py import_recorded_crime`, which validates whole files.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
