from django.shortcuts import redirect

from .two_factor import second_factor_step, second_factor_url

# What someone signed in with a password alone may still reach: the two-factor steps (a code,
# a backup code or a passkey; the passkey endpoints refuse to register a new passkey for
# someone who has a factor and has not used it), and signing out.
OPEN_BEFORE_SECOND_FACTOR = {
    "two_factor_setup",
    "two_factor_verify",
    "two_factor_backup_verify",
    "logout",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
}


class TwoFactorMiddleware:
    """National administrators, PCC office staff and pledge moderators (and provider staff who
    have chosen to set up a factor) must pass a second factor: when TWO_FACTOR_REQUIRED is on,
    until they have done so in this session (django-otp's `is_verified`), every page but the
    public ones sends them to the two-factor step (rjportal.accounts.two_factor). Comes after
    django-otp's OTPMiddleware, which sets `is_verified`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if _public(view_func):
            return None
        if request.resolver_match.view_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        step = second_factor_step(request.user)
        if step is None:
            return None
        return redirect(second_factor_url(step, request.get_full_path()))


def _public(view_func) -> bool:
    """Pages anyone may see, signed in or not. DRF marks its views as not needing a sign-in,
    because requests with an API token carry no session; a request that does carry a
    session must still pass the second factor there."""
    return getattr(view_func, "login_required", True) is False and not hasattr(view_func, "cls")
