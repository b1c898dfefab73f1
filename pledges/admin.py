from django.contrib import admin

from rjportal.audit.admin import AuditedModelAdmin

from .models import Pledge, PledgeCampaign


@admin.register(PledgeCampaign)
class PledgeCampaignAdmin(AuditedModelAdmin):
    """Campaigns are run here by national administrators. Changing the pledge text does not
    change what earlier signers signed: each pledge keeps its own copy."""

    list_display = ["title", "election_date", "opens_on", "closes_on"]
    search_fields = ["title"]
    date_hierarchy = "election_date"


@admin.register(Pledge)
class PledgeAdmin(AuditedModelAdmin):
    """Read-only here: moderators change pledges through the moderation pages, which check each
    step and record it in the audit log."""

    list_display = ["name", "campaign", "role", "party", "area", "status", "source"]
    list_filter = ["status", "campaign", "role", "source"]
    search_fields = ["name", "party", "area__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
