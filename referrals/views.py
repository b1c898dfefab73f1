from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import ListView

from rjportal.accounts.constants import Role
from rjportal.accounts.permissions import RoleRequiredMixin
from rjportal.audit.constants import AuditAction
from rjportal.audit.services import audit_record
from rjportal.listing import paginate, sort_queryset

from .constants import Stage
from .exports import referrals_csv, referrals_xlsx
from .forms import ReferralFilterForm, ReferralForm, TransitionForm
from .models import Referral
from .services import allowed_transitions, referral_create, referral_transition, referral_update

REFERRAL_COLUMNS = {
    "reference": ("Reference", "reference"),
    "area": ("Police area", "area__name"),
    "offence": ("Offence group", "offence_group"),
    "received": ("Received", "received_on"),
    "stage": ("Stage", "stage"),
}


def visible_referral(request, pk) -> Referral:
    """A referral the user may see; anything else is 'not found'."""
    return get_object_or_404(Referral.objects.for_user(request.user).select_related("provider", "area"), pk=pk)


def editable_referral(request, pk) -> Referral:
    """A referral the user may change: 404 when they cannot see it, 403 when they can only read it."""
    referral = visible_referral(request, pk)
    if not Referral.objects.editable_by(request.user).filter(pk=referral.pk).exists():
        raise PermissionDenied("Only the provider that holds this referral can change it.")
    return referral


def _form_errors(form, error: ValidationError):
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


class ReferralListView(RoleRequiredMixin, ListView):
    allowed_roles = (Role.PCC_STAFF, Role.PROVIDER_STAFF)
    template_name = "referrals/list.html"

    def get_queryset(self):
        today = timezone.localdate()
        self.filter_form = ReferralFilterForm(self.request.GET or None, user=self.request.user)
        referrals = Referral.objects.for_user(self.request.user).with_clocks(today)
        referrals = self.filter_form.filter_queryset(referrals, today=today)
        referrals, self.sort_headers = sort_queryset(
            self.request, referrals, columns=REFERRAL_COLUMNS, default="-received"
        )
        return referrals

    def get(self, request, *args, **kwargs):
        export = request.GET.get("format")
        if export in ("csv", "xlsx"):
            referrals = self.get_queryset()
            audit_record(
                actor=request.user,
                action=AuditAction.EXPORT,
                summary=f"Exported referrals as {export.upper()} ({request.GET.urlencode()})",
            )
            return referrals_csv(referrals) if export == "csv" else referrals_xlsx(referrals)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, pagination = paginate(self.request, self.object_list.select_related("provider", "area", "referring_team"))
        params = self.request.GET.copy()
        params.pop("page", None)
        exports = {}
        for export in ("csv", "xlsx"):
            params["format"] = export
            exports[export] = f"?{params.urlencode()}"
        context.update(
            referrals=page,
            pagination=pagination,
            filter_form=self.filter_form,
            sort_headers=self.sort_headers,
            exports=exports,
            can_create=self.request.user.role == Role.PROVIDER_STAFF,
            is_filtered=self.filter_form.is_bound
            and any(value for key, value in self.request.GET.items() if key not in ("sort", "page")),
        )
        return context


class ReferralDetailView(View):
    def get(self, request, pk):
        referral = visible_referral(request, pk)
        referral = (
            Referral.objects.with_clocks(timezone.localdate())
            .select_related("provider", "area", "referring_team")
            .get(pk=referral.pk)
        )
        audit_record(
            actor=request.user, action=AuditAction.VIEW, target=referral, summary=f"Viewed referral {referral}"
        )
        return render(
            request,
            "referrals/detail.html",
            {
                "referral": referral,
                "events": referral.events.select_related("actor"),
                "can_edit": Referral.objects.editable_by(request.user).filter(pk=referral.pk).exists(),
                "transitions": allowed_transitions(referral),
            },
        )


class ReferralCreateView(RoleRequiredMixin, View):
    allowed_roles = (Role.PROVIDER_STAFF,)

    def test_func(self):
        # Referrals belong to a provider, so only provider staff record them here.
        return self.request.user.role == Role.PROVIDER_STAFF

    def get(self, request):
        return self.render(ReferralForm(provider=request.user.organisation))

    def post(self, request):
        form = ReferralForm(request.POST, provider=request.user.organisation)
        if form.is_valid():
            values = {field: form.cleaned_data[field] for field in form.Meta.fields}
            try:
                referral = referral_create(actor=request.user, provider=request.user.organisation, **values)
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, f"Referral {referral.reference} recorded.")
                return redirect(referral)
        return self.render(form)

    def render(self, form):
        return render(self.request, "referrals/form.html", {"form": form, "title": "Record a referral"})


class ReferralUpdateView(View):
    def get(self, request, pk):
        referral = editable_referral(request, pk)
        return self.render(referral, ReferralForm(instance=referral, provider=referral.provider))

    def post(self, request, pk):
        referral = editable_referral(request, pk)
        form = ReferralForm(request.POST, instance=Referral.objects.get(pk=referral.pk), provider=referral.provider)
        if form.is_valid():
            values = {field: form.cleaned_data[field] for field in form.Meta.fields}
            try:
                referral_update(actor=request.user, referral=referral, **values)
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, f"Referral {referral.reference} updated.")
                return redirect(referral)
        return self.render(referral, form)

    def render(self, referral, form):
        return render(
            self.request,
            "referrals/form.html",
            {"form": form, "referral": referral, "title": f"Change referral {referral.reference}"},
        )


class ReferralTransitionView(View):
    """Choose the next stage, check it on a confirmation page, then confirm."""

    def post(self, request, pk):
        referral = editable_referral(request, pk)
        form = TransitionForm(request.POST, allowed_stages=allowed_transitions(referral))
        if not form.is_valid():
            return self.render(referral, form)
        data = form.cleaned_data
        if request.POST.get("confirm") != "yes":
            return render(
                request,
                "referrals/transition_confirm.html",
                {"referral": referral, "form": form, "data": data, "to_stage": Stage(data["to_stage"])},
            )
        try:
            referral_transition(actor=request.user, referral=referral, **data)
        except ValidationError as error:
            _form_errors(form, error)
            return self.render(referral, form)
        messages.success(request, f"Referral {referral.reference} moved to {Stage(data['to_stage']).label.lower()}.")
        return redirect(referral)

    def get(self, request, pk):
        referral = editable_referral(request, pk)
        return self.render(referral, TransitionForm(allowed_stages=allowed_transitions(referral)))

    def render(self, referral, form):
        return render(self.request, "referrals/transition.html", {"referral": referral, "form": form})
