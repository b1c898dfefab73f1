import json
from base64 import b32encode
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView
from django_otp import login as otp_login
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import CompleteCredentialRegistrationView

from .forms import BackupCodeForm, SignInForm, TwoFactorCodeForm
from .services import (
    backup_code_used,
    backup_codes_first_set,
    backup_codes_generate,
    two_factor_device_confirm,
    two_factor_passkey_added,
    two_factor_passkey_remove,
    two_factor_pending_device,
)
from .two_factor import (
    authenticator_app,
    backup_codes_left,
    backup_device,
    has_second_factor,
    passkeys,
    qr_code_svg,
    second_factor_required,
    second_factor_step,
    second_factor_url,
)

# Backup codes just made, kept in the session until the page that shows them once.
NEW_BACKUP_CODES = "two_factor_new_backup_codes"


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_success_url(self):
        """Where the user was going, by way of the two-factor step if they must pass it (even
        when they were going to a public page, such as the home page)."""
        url = super().get_success_url()
        step = second_factor_step(self.request.user)
        return second_factor_url(step, url) if step else url


def _keeping_next(name: str, request) -> str:
    """The address of page `name`, passing on the request's `next`."""
    query = f"?{urlencode({'next': request.GET['next']})}" if request.GET.get("next") else ""
    return reverse(name) + query


def _redirect_keeping_next(name: str, request):
    return redirect(_keeping_next(name, request))


def _next_url(request, default: str = "/") -> str:
    """Where the user was going (`next`), if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _keep_new_backup_codes(request, codes: list[str] | None) -> None:
    if codes:
        request.session[NEW_BACKUP_CODES] = codes


class _TwoFactorView(FormView):
    """A step after signing in with a password: the user proves they have their second factor
    and is sent on to where they were going."""

    form_class = TwoFactorCodeForm
    submit_label = "Continue"
    step = ""  # the URL name of the step this page belongs to

    def dispatch(self, request, *args, **kwargs):
        """Only for the step the user must pass next: anyone else is sent on (to the other
        step, or to where they were going if they need neither)."""
        step = second_factor_step(request.user)
        if step is None:
            return redirect(self.get_success_url())
        if step != self.step:
            return _redirect_keeping_next(step, request)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "devices": self.devices(), "submit_label": self.submit_label}

    def devices(self):
        """The apps whose codes are accepted: the one already set up."""
        app = authenticator_app(self.request.user)
        return [app] if app else []

    def get_success_url(self):
        return _next_url(self.request)


@method_decorator(never_cache, name="dispatch")
class TwoFactorSetupView(_TwoFactorView):
    """Setting up an authenticator app: at the first sign-in of someone whose role must use a
    second factor, or by choice from the security page. Scan the QR code (or type the setup key),
    then prove it with a code. A passkey may be set up here instead."""

    template_name = "registration/two_factor_setup.html"
    step = "two_factor_setup"

    def dispatch(self, request, *args, **kwargs):
        step = second_factor_step(request.user)
        if step == "two_factor_verify":
            return _redirect_keeping_next(step, request)
        if step is None and authenticator_app(request.user) is not None:
            return redirect(self.get_success_url())  # they have one, and have used it
        return FormView.dispatch(self, request, *args, **kwargs)

    def devices(self):
        """The app being set up, which is not yet confirmed."""
        self.device = two_factor_pending_device(user=self.request.user)
        return [self.device]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)  # makes the form, and so finds self.device
        key = b32encode(self.device.bin_key).decode()
        next_url = _next_url(self.request)
        return {
            **context,
            "required": second_factor_required(self.request.user),
            "setup_key": " ".join(key[start : start + 4] for start in range(0, len(key), 4)),
            "setup_link": self.device.config_url,
            "qr_code": qr_code_svg(self.device.config_url, label="QR code to add RJ Portal to an authenticator app"),
            "offer_passkey": not has_second_factor(self.request.user),
            "passkey_done_url": _with_next("two_factor_backup_codes", next_url),
        }

    def form_valid(self, form):
        first = not has_second_factor(self.request.user)
        device = two_factor_device_confirm(user=self.request.user, device=form.device)
        otp_login(self.request, device)
        codes = backup_codes_first_set(user=self.request.user) if first else None
        if codes:
            _keep_new_backup_codes(self.request, codes)
            return redirect(_with_next("two_factor_backup_codes", self.get_success_url()))
        messages.success(self.request, "Your authenticator app is set up.")
        return super().form_valid(form)


@method_decorator(never_cache, name="dispatch")
class TwoFactorVerifyView(_TwoFactorView):
    """Later sign-ins: a code from the authenticator app, a passkey, or a backup code."""

    template_name = "registration/two_factor_verify.html"
    step = "two_factor_verify"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            "has_app": authenticator_app(user) is not None,
            "has_passkeys": passkeys(user).exists(),
            "backup_codes_left": backup_codes_left(user),
            "backup_url": _keeping_next("two_factor_backup_verify", self.request),
        }

    def form_valid(self, form):
        otp_login(self.request, form.device)
        return super().form_valid(form)


@method_decorator(never_cache, name="dispatch")
class TwoFactorBackupVerifyView(_TwoFactorView):
    """The code step with one of the user's backup codes, when the app or passkey is lost."""

    template_name = "registration/two_factor_backup_verify.html"
    step = "two_factor_verify"
    form_class = BackupCodeForm

    def get_form_kwargs(self):
        return {**FormView.get_form_kwargs(self), "device": backup_device(self.request.user)}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "back_url": _keeping_next("two_factor_verify", self.request)}

    def form_valid(self, form):
        otp_login(self.request, form.device)
        backup_code_used(user=self.request.user)
        return super().form_valid(form)


@method_decorator(never_cache, name="dispatch")
class BackupCodesView(TemplateView):
    """Shows a new set of backup codes once (they are kept in the session only until this page
    shows them); afterwards, how many are left."""

    template_name = "registration/two_factor_backup_codes.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "codes": self.request.session.pop(NEW_BACKUP_CODES, None),
            "backup_codes_left": backup_codes_left(self.request.user),
            "next_url": _next_url(self.request, default=reverse("account_security")),
        }


class BackupCodesNewView(View):
    """Make a new set of backup codes, which replaces the old set."""

    http_method_names = ["post"]

    def post(self, request):
        if not has_second_factor(request.user):
            messages.error(request, "Set up an authenticator app or a passkey before getting backup codes.")
            return redirect("account_security")
        _keep_new_backup_codes(request, backup_codes_generate(user=request.user))
        return redirect(_with_next("two_factor_backup_codes", reverse("account_security")))


@method_decorator(never_cache, name="dispatch")
class SecurityView(TemplateView):
    """Someone's own second factors: their authenticator app, passkeys and backup codes."""

    template_name = "registration/security.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        here = reverse("account_security")
        return {
            **super().get_context_data(**kwargs),
            "required": second_factor_required(user),
            "app": authenticator_app(user),
            "passkeys": passkeys(user),
            "has_factor": has_second_factor(user),
            "backup_codes_left": backup_codes_left(user),
            "setup_url": _with_next("two_factor_setup", here),
            # A first factor comes with backup codes, shown on their page; a later passkey only needs this page.
            "passkey_done_url": _with_next("two_factor_backup_codes", here) if not has_second_factor(user) else here,
        }


class PasskeyRemoveView(View):
    http_method_names = ["post"]

    def post(self, request, pk):
        passkey = get_object_or_404(WebAuthnCredential, pk=pk, user=request.user)
        try:
            two_factor_passkey_remove(actor=request.user, passkey=passkey)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "The passkey has been removed.")
        return redirect("account_security")


class PasskeyRegistrationCompleteView(CompleteCredentialRegistrationView):
    """django-otp-webauthn's last registration step, which saves the passkey; then the passkey is
    named and audited, and a first factor comes with backup codes."""

    def post(self, *args, **kwargs):
        user = self.request.user
        first = not has_second_factor(user)
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            passkey = WebAuthnCredential.objects.get(pk=json.loads(response.content)["id"], user=user)
            two_factor_passkey_added(user=user, passkey=passkey)
            if first:
                _keep_new_backup_codes(self.request, backup_codes_first_set(user=user))
            messages.success(self.request, "Your passkey has been added.")
        return response
