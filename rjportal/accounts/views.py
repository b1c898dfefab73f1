from base64 import b32encode
from urllib.parse import urlencode

from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import SignInForm, TwoFactorCodeForm
from .middleware import second_factor_step, second_factor_url
from .services import two_factor_device_confirm, two_factor_pending_device


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_success_url(self):
        """Where the user was going, by way of the two-factor step if they must pass it (even
        when they were going to a public page, such as the home page)."""
        url = super().get_success_url()
        step = second_factor_step(self.request.user)
        return second_factor_url(step, url) if step else url


def _redirect_keeping_next(name: str, request):
    query = f"?{urlencode({'next': request.GET['next']})}" if request.GET.get("next") else ""
    return redirect(reverse(name) + query)


class _TwoFactorView(FormView):
    """A step after signing in with a password: the user enters a code from their
    authenticator app and is sent on to where they were going."""

    form_class = TwoFactorCodeForm
    submit_label = "Continue"
    step = ""  # this page's URL name

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
        return TOTPDevice.objects.filter(user=self.request.user, confirmed=True)

    def get_success_url(self):
        target = self.request.POST.get("next") or self.request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()}, require_https=False):
            return target
        return "/"


class TwoFactorSetupView(_TwoFactorView):
    """First sign-in of someone who must use two-factor sign-in: add the portal to an
    authenticator app with a setup key, then prove it with a code."""

    template_name = "registration/two_factor_setup.html"
    step = "two_factor_setup"

    def devices(self):
        """The app being set up, which is not yet confirmed."""
        self.device = two_factor_pending_device(user=self.request.user)
        return [self.device]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)  # makes the form, and so finds self.device
        key = b32encode(self.device.bin_key).decode()
        return {
            **context,
            "setup_key": " ".join(key[start : start + 4] for start in range(0, len(key), 4)),
            "setup_link": self.device.config_url,
        }

    def form_valid(self, form):
        device = two_factor_device_confirm(user=self.request.user, device=form.device)
        otp_login(self.request, device)
        return super().form_valid(form)


class TwoFactorVerifyView(_TwoFactorView):
    """Later sign-ins: a code from the authenticator app already set up."""

    template_name = "registration/two_factor_verify.html"
    step = "two_factor_verify"

    def form_valid(self, form):
        otp_login(self.request, form.device)
        return super().form_valid(form)
