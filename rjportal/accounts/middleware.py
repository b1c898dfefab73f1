from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

# What someone signed in with a password alone may still reach: the two-factor steps, and
# signing out.
OPEN_BEFORE_SECOND_FACTOR = {"two_factor_setup", "two_factor_verify", "logout"}


class AdminTwoFactorMiddleware:
    """National administrators see every area's case-level data and manage every account, so
    when ADMIN_TWO_FACTOR_REQUIRED is on a password alone does not get them past the
    two-factor step: until a code from their authenticator app is entered in this session
    (django-otp's `is_verified`), every page but the public ones sends them to it. Comes after
    django-otp's OTPMiddleware, which sets `is_verified`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if _public(view_func):
            return None
        if request.resolver_match.url_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        step = second_factor_step(request.user)
        if step is None:
            return None
        return redirect(second_factor_url(step, request.get_full_path()))


def _public(view_func) -> bool:
    """Pages anyone may see, signed in or not. DRF marks its views as not needing a sign-in,
    because requests with an API token carry no session; a request that does carry an
    administrator's session must still pass the second factor there."""
    return getattr(view_func, "login_required", True) is False and not hasattr(view_func, "cls")


def second_factor_step(user) -> str | None:
    """The name of the two-factor page `user` must pass next, or None if they need not."""
    if not (settings.ADMIN_TWO_FACTOR_REQUIRED and user.is_authenticated and user.is_national_admin):
        return None
    # OTPMiddleware gives the request's user is_verified; a user signed in during this request
    # (by the sign-in page) is a new object without it, and has not passed the step yet.
    if getattr(user, "is_verified", lambda: False)():
        return None
    has_app = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return "two_factor_verify" if has_app else "two_factor_setup"


def second_factor_url(step: str, next_url: str) -> str:
    return f"{reverse(step)}?{urlencode({'next': next_url})}"
