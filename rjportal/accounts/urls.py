from django.contrib.auth import views as auth_views
from django.urls import include, path

from .forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from .views import (
    BackupCodesNewView,
    BackupCodesView,
    InvitationAcceptView,
    InvitationCompleteView,
    PasskeyRemoveView,
    SecurityView,
    SignInView,
    TwoFactorBackupVerifyView,
    TwoFactorSetupView,
    TwoFactorVerifyView,
)

urlpatterns = [
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", TwoFactorVerifyView.as_view(), name="two_factor_verify"),
    path("two-factor/setup/", TwoFactorSetupView.as_view(), name="two_factor_setup"),
    path("two-factor/backup-code/", TwoFactorBackupVerifyView.as_view(), name="two_factor_backup_verify"),
    path("two-factor/backup-codes/", BackupCodesView.as_view(), name="two_factor_backup_codes"),
    path("two-factor/backup-codes/new/", BackupCodesNewView.as_view(), name="two_factor_backup_codes_new"),
    path("security/", SecurityView.as_view(), name="account_security"),
    path("security/passkeys/<int:pk>/remove/", PasskeyRemoveView.as_view(), name="passkey_remove"),
    path("passkeys/", include("rjportal.accounts.webauthn_urls")),
    path(
        "invitation/<uidb64>/<token>/",
        InvitationAcceptView.as_view(form_class=SetPasswordForm),
        name="invitation_accept",
    ),
    path("invitation/done/", InvitationCompleteView.as_view(), name="invitation_complete"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(form_class=PasswordChangeForm),
        name="password_change",
    ),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path("password/reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=SetPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
