from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from rjportal.audit.constants import AuditAction
from rjportal.audit.services import audit_record

from .models import User
from .two_factor import (
    BACKUP_CODE_COUNT,
    BACKUP_DEVICE_NAME,
    authenticator_app,
    backup_codes_left,
    passkeys,
    second_factor_required,
)


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
        actor=user,
        action=AuditAction.UPDATE,
        target=user,
        summary=f"Set up two-factor sign-in with an authenticator app for {user.email}",
    )
    return device


@transaction.atomic
def two_factor_passkey_added(*, user: User, passkey: WebAuthnCredential) -> WebAuthnCredential:
    """Record a passkey that django-otp-webauthn has just registered for `user` (its views
    write the credential; this names it and puts it in the audit log)."""
    if not passkey.name:
        passkey.name = f"Passkey {passkey.pk}"
        passkey.save(update_fields=["name"])
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        target=user,
        summary=f"Added a passkey ({passkey.name}) for two-factor sign-in for {user.email}",
    )
    return passkey


@transaction.atomic
def two_factor_passkey_remove(*, actor: User, passkey: WebAuthnCredential) -> None:
    """Remove one of the actor's own passkeys. Someone whose role must use a second factor
    keeps at least one (an authenticator app or another passkey)."""
    if passkey.user_id != actor.pk:
        raise PermissionDenied("You can remove only your own passkeys.")
    others = passkeys(actor).exclude(pk=passkey.pk).exists() or authenticator_app(actor) is not None
    if second_factor_required(actor) and not others:
        raise ValidationError(
            "You cannot remove your only passkey: your role signs in with a second factor. Set up an "
            "authenticator app or another passkey first."
        )
    name = passkey.name
    passkey.delete()
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        target=actor,
        summary=f"Removed a passkey ({name}) from two-factor sign-in for {actor.email}",
    )


@transaction.atomic
def backup_codes_generate(*, user: User) -> list[str]:
    """A new set of single-use backup codes for `user`, replacing any earlier set (whose codes
    stop working). The codes are returned to be shown once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = set()
    while len(codes) < BACKUP_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        target=user,
        summary=f"Made a new set of {BACKUP_CODE_COUNT} backup codes for two-factor sign-in for {user.email}",
    )
    return sorted(codes)


def backup_codes_first_set(*, user: User) -> list[str] | None:
    """Backup codes for someone who has just set up their first factor; None if they were
    given a set before (used up or not: they make a new set on their security page)."""
    if StaticDevice.objects.filter(user=user, name=BACKUP_DEVICE_NAME).exists():
        return None
    return backup_codes_generate(user=user)


@transaction.atomic
def backup_code_used(*, user: User) -> None:
    """Record that `user` signed in with one of their backup codes (the code itself is
    already spent: django-otp deletes it when it matches)."""
    audit_record(
        actor=user,
        action=AuditAction.SIGN_IN,
        target=user,
        summary=f"Signed in with a backup code ({backup_codes_left(user)} left) for {user.email}",
    )


@transaction.atomic
def two_factor_reset(*, actor: User, user: User) -> dict[str, int]:
    """Remove every second factor of `user` (authenticator apps, passkeys, backup codes), for
    someone who has lost them. A role that must use a second factor sets one up again at the
    next page they open. National administrators only. Returns what was removed."""
    if not (actor and actor.is_national_admin):
        raise PermissionDenied("Only national administrators can reset someone's two-factor sign-in.")
    removed = {
        "authenticator apps": TOTPDevice.objects.filter(user=user, confirmed=True).count(),
        "passkeys": WebAuthnCredential.objects.filter(user=user).count(),
        "backup codes": StaticToken.objects.filter(device__user=user).count(),
    }
    TOTPDevice.objects.filter(user=user).delete()
    WebAuthnCredential.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=user,
        summary=f"Reset two-factor sign-in for {user.email}: removed "
        + ", ".join(f"{count} {what}" for what, count in removed.items()),
        changes={"removed": removed},
    )
    return removed
