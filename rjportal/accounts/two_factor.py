"""Who must confirm a sign-in with a second factor, and what they have set up: the one place
the rule lives (the middleware, the sign-in page, the two-factor pages and the security page
all read it from here).

A second factor is an authenticator app (a confirmed TOTP device) or a passkey (a WebAuthn
credential). Backup codes (a static device) are a way in when the factor is lost, never a
factor of their own."""

from urllib.parse import urlencode

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from .constants import TWO_FACTOR_REQUIRED_ROLES

BACKUP_DEVICE_NAME = "Backup codes"
BACKUP_CODE_COUNT = 10


def second_factor_required(user) -> bool:
    """Whether `user` must use a second factor: when TWO_FACTOR_REQUIRED is on, national
    administrators, PCC office staff and pledge moderators; never provider staff."""
    return (
        settings.TWO_FACTOR_REQUIRED
        and user.is_authenticated
        and (user.is_national_admin or user.role in TWO_FACTOR_REQUIRED_ROLES)
    )


def authenticator_app(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def passkeys(user):
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at")


def backup_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, name=BACKUP_DEVICE_NAME).first()


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=BACKUP_DEVICE_NAME).count()


def has_second_factor(user) -> bool:
    return authenticator_app(user) is not None or passkeys(user).exists()


def second_factor_step(user) -> str | None:
    """The name of the two-factor page `user` must pass next, or None if they need not:
    the code (or passkey) step for anyone with a factor, the setup step for a role that must
    have one and has none yet."""
    if not (settings.TWO_FACTOR_REQUIRED and user.is_authenticated):
        return None
    # OTPMiddleware gives the request's user is_verified; a user signed in during this request
    # (by the sign-in page) is a new object without it, and has not passed the step yet.
    if getattr(user, "is_verified", lambda: False)():
        return None
    if has_second_factor(user):
        return "two_factor_verify"
    return "two_factor_setup" if second_factor_required(user) else None


def second_factor_url(step: str, next_url: str) -> str:
    return f"{reverse(step)}?{urlencode({'next': next_url})}"


def qr_code_svg(text: str, *, label: str) -> str:
    """`text` as a QR code, in SVG markup to put inline in a page (the Content-Security-Policy
    allows inline SVG, with no style attributes; an image from a data: address is not needed).
    Read by screen readers as one image named `label`."""
    svg = segno.make(text, error="m").svg_inline(
        scale=4, dark="#0b0c0c", light="#ffffff", title=label, svgclass="rj-qr-code"
    )
    attributes = f'role="img" aria-label="{escape(label)}" focusable="false"'
    return mark_safe(svg.replace("<svg ", f"<svg {attributes} ", 1))  # noqa: S308 (segno's own markup)
