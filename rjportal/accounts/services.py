from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from rjportal.audit.constants import AuditAction
from rjportal.audit.services import audit_record

from .models import User


@transaction.atomic
def user_create(*, actor, email: str, role: str, organisation=None, full_name: str = "", password: str | None = None):
    """Create a staff account. Without a password the account cannot sign in until the person
    sets one through 'Forgotten your password?'."""
    user = User(email=email.strip().lower(), role=role, organisation=organisation, full_name=full_name)
    user.full_clean(exclude=["password"])
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=user,
        summary=f"Added {user.get_role_display()} {user.email}" + (f" at {organisation.name}" if organisation else ""),
    )
    return user


def two_factor_pending_device(*, user: User) -> TOTPDevice:
    """The authenticator app being set up for `user`: unconfirmed until a code from it is
    entered. The same one is offered until then, so reloading the page keeps its key."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def two_factor_device_confirm(*, user: User, device: TOTPDevice) -> TOTPDevice:
    """Make `device` the user's authenticator app, once a code from it has been checked. Any
    other app the user had set up stops working."""
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        actor=user, action=AuditAction.UPDATE, target=user, summary=f"Set up two-factor sign-in for {user.email}"
    )
    return device
