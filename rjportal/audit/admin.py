import json

from django.contrib import admin
from django.contrib.admin.models import LogEntry

from .constants import AuditAction
from .models import AuditEvent
from .services import audit_record


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose additions, changes and deletions also go to the portal's audit log,
    so that changes made in the admin screens appear in the same trail as everything else.
    The admin wraps each save in a transaction, so the record and the change stand together."""

    def log_addition(self, request, obj, message):
        audit_record(
            actor=request.user,
            action=AuditAction.CREATE,
            target=obj,
            summary=f"Added {obj._meta.verbose_name} {obj} (admin)",
            changes={"admin": message},
        )
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        audit_record(
            actor=request.user,
            action=AuditAction.UPDATE,
            target=obj,
            summary=f"Changed {obj._meta.verbose_name} {obj} (admin): {_describe(message)}",
            changes={"admin": message},
        )
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            audit_record(
                actor=request.user,
                action=AuditAction.DELETE,
                target=obj,
                summary=f"Deleted {obj._meta.verbose_name} {obj} (admin)",
            )
        return super().log_deletions(request, queryset)


def _describe(message) -> str:
    """The admin's own wording of a change message, e.g. 'Changed Name and Areas.'"""
    text = message if isinstance(message, str) else json.dumps(message)
    return LogEntry(change_message=text).get_change_message() or "no fields changed"


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_email", "action", "target_type", "target_repr", "summary"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_email", "summary", "target_repr", "target_id"]
    date_hierarchy = "created_at"

    # The trail is append-only, even for administrators.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
