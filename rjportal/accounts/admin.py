from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from rjportal.audit.admin import AuditedModelAdmin

from .forms import AdminUserChangeForm, AdminUserCreationForm
from .models import User

# Roles, not groups, decide what people can do.
admin.site.unregister(Group)

# Removing someone's authenticator app (they lost their phone) is a change to how they sign
# in: keep it in the portal's audit log like every other admin change.
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuditedTOTPDeviceAdmin(AuditedModelAdmin, TOTPDeviceAdmin):
    pass


admin.site.site_header = "RJ Portal administration"
admin.site.site_title = "RJ Portal administration"
admin.site.index_title = "Organisations, users and reference data"


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    list_display = ["email", "full_name", "role", "organisation", "is_active", "last_login"]
    list_filter = ["role", "is_active", "organisation"]
    search_fields = ["email", "full_name", "organisation__name"]
    ordering = ["email"]
    filter_horizontal = []
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name"]}),
        ("Role", {"fields": ["role", "organisation", "is_active"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "role", "organisation", "usable_password", "password1", "password2"],
            },
        ),
    ]
