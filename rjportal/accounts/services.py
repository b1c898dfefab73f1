from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from rjportal.audit.constants import AuditAction
from rjportal.audit.services import audit_record, audited_update

from .constants import ORGANISATION_KIND_FOR_ROLE, Role
from .invitations import invitation_max_age, invitation_url
from .models import User, can_manage_people
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


# People: invitations, changes and deactivation --------------------------------------------


def roles_assignable_by(actor) -> list[Role]:
    """The roles `actor` may give: any for national administrators; their own organisation's
    staff role for people who manage their organisation's users (never an administrator's)."""
    if actor.is_national_admin:
        return list(Role)
    if can_manage_people(actor):
        return [Role(actor.role)]
    return []


def organisations_assignable_by(actor):
    from rjportal.organisations.models import Organisation

    if actor.is_national_admin:
        return Organisation.objects.all()
    if can_manage_people(actor):
        return Organisation.objects.filter(pk=actor.organisation_id)
    return Organisation.objects.none()


def _check_assignment(*, actor, role: str, organisation, manages_users: bool) -> None:
    if not can_manage_people(actor):
        raise PermissionDenied("You cannot manage people's accounts.")
    if role not in roles_assignable_by(actor):
        raise ValidationError({"role": "Select a role you can give"})
    if organisation is not None and not organisations_assignable_by(actor).filter(pk=organisation.pk).exists():
        raise ValidationError({"organisation": "Select an organisation you manage"})
    if manages_users and role not in ORGANISATION_KIND_FOR_ROLE:
        raise ValidationError(
            {"manages_users": "Only PCC office and RJ provider staff can manage their organisation's users"}
        )


def _send_invitation(user: User, *, actor, site_url: str) -> None:
    days = max(1, invitation_max_age() // (60 * 60 * 24))
    context = {
        "user": user,
        "inviter": actor.full_name or actor.email,
        "url": invitation_url(user, site_url=site_url),
        "days": days,
        "two_factor": second_factor_required(user),
    }
    send_mail(
        subject="You have been invited to RJ Portal",
        message=render_to_string("registration/invitation_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def user_invite(
    *,
    actor,
    email: str,
    role: str,
    organisation=None,
    full_name: str = "",
    manages_users: bool = False,
    site_url: str,
) -> User:
    """Add someone and email them a single-use, expiring link to set their password. Roles that
    must use a second factor set one up when they first sign in."""
    if not ORGANISATION_KIND_FOR_ROLE.get(role):
        organisation = None
    _check_assignment(actor=actor, role=role, organisation=organisation, manages_users=manages_users)
    email = email.strip().lower()
    user = User(
        email=email, role=role, organisation=organisation, full_name=full_name.strip(), manages_users=manages_users
    )
    errors = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        errors = error.message_dict
    if User.objects.filter(email__iexact=email).exists():
        errors["email"] = ["Someone with this email address already has an account"]
    if errors:
        raise ValidationError(errors)
    user.set_unusable_password()
    user.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=user,
        summary=f"Invited {user.get_role_display()} {user.email}"
        + (f" at {organisation.name}" if organisation else ""),
        changes={"manages_users": manages_users},
    )
    _send_invitation(user, actor=actor, site_url=site_url)
    return user


@transaction.atomic
def user_invitation_resend(*, actor, user: User, site_url: str) -> User:
    """Send someone who has not yet set a password a new link; earlier links stop working."""
    user = User.objects.manageable_by(actor).select_for_update().get(pk=user.pk)
    if user.has_usable_password() or not user.is_active:
        raise ValidationError("Only active people who have not yet set a password can be sent a new invitation.")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    audit_record(actor=actor, action=AuditAction.UPDATE, target=user, summary=f"Sent a new invitation to {user.email}")
    _send_invitation(user, actor=actor, site_url=site_url)
    return user


PERSON_FIELDS = ("full_name", "role", "organisation", "manages_users")


@transaction.atomic
def user_change(
    *, actor, user: User, full_name: str, role: str, organisation=None, manages_users: bool = False
) -> User:
    """Change someone's name, role, organisation or whether they manage users."""
    if not User.objects.manageable_by(actor).filter(pk=user.pk).exists():
        raise PermissionDenied("You cannot change this person's account.")
    if user.pk == actor.pk and role != user.role:
        raise ValidationError({"role": "You cannot change your own role"})
    if not ORGANISATION_KIND_FOR_ROLE.get(role):
        organisation = None
    _check_assignment(actor=actor, role=role, organisation=organisation, manages_users=manages_users)
    user = User.objects.select_for_update().get(pk=user.pk)
    audited_update(
        actor=actor,
        instance=user,
        fields=PERSON_FIELDS,
        values={
            "full_name": full_name.strip(),
            "role": role,
            "organisation": organisation,
            "manages_users": manages_users,
        },
        validate=lambda user: user.full_clean(exclude=["password"]),
        summary=lambda user: f"Changed the account of {user.email}",
    )
    return user


@transaction.atomic
def user_deactivate(*, actor, user: User) -> User:
    """Switch someone's account off: they can no longer sign in, and any invitation link stops
    working. Their records and audit trail stay."""
    if not User.objects.manageable_by(actor).filter(pk=user.pk).exists():
        raise PermissionDenied("You cannot deactivate this person's account.")
    if user.pk == actor.pk:
        raise ValidationError("You cannot deactivate your own account.")
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ValidationError(f"{user.email} is already deactivated.")
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=user,
        summary=f"Deactivated the account of {user.email}",
        changes={"is_active": {"from": True, "to": False}},
    )
    return user


@transaction.atomic
def user_invitation_accepted(*, user: User) -> None:
    """Record that someone set their first password through their invitation link."""
    audit_record(
        actor=user, action=AuditAction.UPDATE, target=user, summary=f"{user.email} set a password from an invitation"
    )
