import json
from base64 import b32encode
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, ListView, TemplateView
from django_otp import login as otp_login
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import CompleteCredentialRegistrationView

from rjportal.exports import csv_response
from rjportal.forms import add_service_errors
from rjportal.listing import paginate, sort_queryset

from .forms import BackupCodeForm, PersonFilterForm, PersonForm, SignInForm, TwoFactorCodeForm
from .invitations import invitation_max_age, invitation_tokens
from .models import User
from .permissions import PeopleManagerRequiredMixin
from .services import (
    backup_code_used,
    backup_codes_first_set,
    backup_codes_generate,
    organisations_assignable_by,
    roles_assignable_by,
    two_factor_device_confirm,
    two_factor_passkey_added,
    two_factor_passkey_remove,
    two_factor_pending_device,
    user_change,
    user_deactivate,
    user_invitation_accepted,
    user_invitation_resend,
    user_invite,
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


# People: invite, change and deactivate staff accounts --------------------------------------

PEOPLE_COLUMNS = {
    "email": ("Email", "email"),
    "name": ("Name", "full_name"),
    "role": ("Role", "role"),
    "organisation": ("Organisation", "organisation__name"),
}


def _site_url(request) -> str:
    return request.build_absolute_uri("/")


def _manageable_person(request, pk) -> User:
    """Someone the user may manage; anyone else is 'not found'."""
    return get_object_or_404(User.objects.manageable_by(request.user).select_related("organisation"), pk=pk)


class PersonListView(PeopleManagerRequiredMixin, ListView):
    """The people the user manages, searchable; CSV with `?format=csv`."""

    template_name = "organisations/people/list.html"

    def get_queryset(self):
        user = self.request.user
        self.filter_form = PersonFilterForm(self.request.GET or None, organisations=organisations_assignable_by(user))
        people = self.filter_form.filter_queryset(User.objects.manageable_by(user).select_related("organisation"))
        people, self.sort_headers = sort_queryset(self.request, people, columns=PEOPLE_COLUMNS, default="email")
        return people

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.csv(self.get_queryset())
        return super().get(request, *args, **kwargs)

    def csv(self, people):
        rows = (
            [
                person.email,
                person.full_name,
                person.get_role_display(),
                person.organisation.name if person.organisation else "",
                "Yes" if person.manages_users else "No",
                "Active" if person.is_active else "Deactivated",
                "Yes" if person.has_usable_password() else "No",
                timezone.localtime(person.last_login).strftime("%Y-%m-%d %H:%M") if person.last_login else "",
            ]
            for person in people.iterator()
        )
        return csv_response(
            filename=f"people-{timezone.localdate():%Y-%m-%d}.csv",
            header=[
                "Email",
                "Name",
                "Role",
                "Organisation",
                "Manages users",
                "Account",
                "Password set",
                "Last sign-in",
            ],
            rows=rows,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, pagination = paginate(self.request, self.object_list)
        params = self.request.GET.copy()
        params.pop("page", None)
        params["format"] = "csv"
        context.update(
            people=page,
            pagination=pagination,
            filter_form=self.filter_form,
            is_filtered=self.filter_form.is_filtered,
            sort_headers=self.sort_headers,
            csv_url=f"?{params.urlencode()}",
            show_organisation=self.request.user.is_national_admin,
        )
        return context


class PersonInviteView(PeopleManagerRequiredMixin, View):
    def form(self, data=None):
        user = self.request.user
        return PersonForm(
            data,
            roles=roles_assignable_by(user),
            organisations=organisations_assignable_by(user).order_by("name"),
            submit_label="Send invitation",
        )

    def get(self, request):
        return self.render(self.form())

    def post(self, request):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                person = user_invite(
                    actor=request.user,
                    email=form.cleaned_data["email"],
                    site_url=_site_url(request),
                    **form.cleaned_values(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Invitation sent to {person.email}.")
                return redirect("organisations:people")
        return self.render(form)

    def render(self, form):
        days = max(1, invitation_max_age() // (60 * 60 * 24))
        return render(
            self.request, "organisations/people/form.html", {"form": form, "title": "Invite someone", "days": days}
        )


class PersonChangeView(PeopleManagerRequiredMixin, View):
    def form(self, person, data=None):
        user = self.request.user
        return PersonForm(
            data,
            roles=roles_assignable_by(user),
            organisations=organisations_assignable_by(user).order_by("name"),
            person=person,
            submit_label="Save changes",
        )

    def get(self, request, pk):
        person = _manageable_person(request, pk)
        return self.render(person, self.form(person))

    def post(self, request, pk):
        person = _manageable_person(request, pk)
        form = self.form(person, request.POST)
        if form.is_valid():
            try:
                user_change(actor=request.user, user=person, **form.cleaned_values())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Changes to {person.email} saved.")
                return redirect("organisations:people")
        return self.render(person, form)

    def render(self, person, form):
        return render(
            self.request,
            "organisations/people/form.html",
            {"form": form, "person": person, "title": f"Change {person.full_name or person.email}"},
        )


class PersonDeactivateView(PeopleManagerRequiredMixin, View):
    def get(self, request, pk):
        return self.render(_manageable_person(request, pk))

    def post(self, request, pk):
        person = _manageable_person(request, pk)
        try:
            user_deactivate(actor=request.user, user=person)
        except ValidationError as error:
            return self.render(person, error=" ".join(error.messages))
        messages.success(request, f"{person.email} has been deactivated and can no longer sign in.")
        return redirect("organisations:people")

    def render(self, person, error=None):
        return render(self.request, "organisations/people/deactivate.html", {"person": person, "error": error})


class PersonInvitationResendView(PeopleManagerRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        person = _manageable_person(request, pk)
        try:
            user_invitation_resend(actor=request.user, user=person, site_url=_site_url(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"A new invitation has been sent to {person.email}.")
        return redirect("organisations:people")


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The emailed invitation link: set a first password. The link works once and expires
    (rjportal.accounts.invitations); deactivated accounts cannot use it."""

    token_generator = invitation_tokens
    template_name = "registration/invitation_accept.html"
    success_url = reverse_lazy("invitation_complete")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        response = super().form_valid(form)
        user_invitation_accepted(user=form.user)
        return response


class InvitationCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/invitation_complete.html"
