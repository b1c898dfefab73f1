from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .constants import AuditAction
from .services import audit_record


@receiver(user_logged_in)
def record_sign_in(sender, request, user, **kwargs):
    audit_record(actor=user, action=AuditAction.SIGN_IN, target=user, summary=f"{user.email} signed in")


@receiver(user_logged_out)
def record_sign_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action=AuditAction.SIGN_OUT, target=user, summary=f"{user.email} signed out")


@receiver(user_login_failed)
def record_failed_sign_in(sender, credentials, request=None, **kwargs):
    # Never record the password; the username typed is useful for spotting attacks.
    username = str(credentials.get("username", ""))[:254]
    audit_record(actor=None, action=AuditAction.SIGN_IN_FAILED, summary=f"Failed sign-in as {username!r}")
