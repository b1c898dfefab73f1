from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.template.response import TemplateResponse
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.admin import WebAuthnCredentialAdmin
from django_otp_webauthn.models import WebAuthnCredential

from rjportal.audit.admin import AuditedModelAdmin

from .forms import AdminUserChangeForm, AdminUserCreationForm
from .models import User
from .services import two_factor_reset

# Roles, not groups, decide what people can do.
admin.site.unregister(Group)

# Removing someone's authenticator app, backup codes or passkey (they lost their phone) is a
# change to how they sign in: keep it in the portal's audit log like every other admin change.
# The usual way is the users list's "Reset two-factor sign-in" action, which removes them all.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(TOTPDevice)
class AuditedTOTPDeviceAdmin(AuditedModelAdmin, TOTPDeviceAdmin):
    # Failed codes set the throttling time; nobody need set it by hand, and the admin's date and
    # time boxes for it have no labels (axe: label).
    readonly_fields = [*TOTPDeviceAdmin.readonly_fields, "throttling_failure_timestamp"]


@admin.register(StaticDevice)
class AuditedStaticDeviceAdmin(AuditedModelAdmin, StaticDeviceAdmin):
    pass


@admin.register(WebAuthnCredential)
class AuditedWebAuthnCredentialAdmin(AuditedModelAdmin, WebAuthnCredentialAdmin):
    pass


admin.site.site_header = "RJ Portal administration"
admin.site.site_title = "RJ Portal administration"
admin.site.index_title = "Organisations, users and reference data"


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    list_display = ["email", "full_name", "role", "organisation", "is_active", "last_login"]
    list_filter = ["role", "manages_users", "is_active", "organisation"]
    search_fields = ["email", "full_name", "organisation__name"]
    ordering = ["email"]
    filter_horizontal = []
    readonly_fields = ["last_login", "date_joined"]
    actions = ["reset_two_factor"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name"]}),
        ("Role", {"fields": ["role", "organisation", "manages_users", "is_active"]}),
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

    @admin.action(description="Reset two-factor sign-in of selected users")
    def reset_two_factor(self, request, queryset):
        """Remove every authenticator app, passkey and backup code of the chosen users, after a
        confirmation page; each reset is in the audit log. They set up again at their next
        sign-in (or, for provider staff, when they choose to)."""
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "accounts/admin_two_factor_reset.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Reset two-factor sign-in?",
                    "users": queryset,
                    "opts": self.model._meta,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        for user in queryset:
            two_factor_reset(actor=request.user, user=user)
        count = queryset.count()
        self.message_user(
            request,
            f"Reset two-factor sign-in for {count} user{'s' if count != 1 else ''}. They set it up again when they "
            "next sign in.",
            messages.SUCCESS,
        )
        return None
