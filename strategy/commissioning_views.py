"""Contracts with RJ providers, providers' accreditation, and the public "RJ in your area" page.

PCC office staff keep their office's contracts; providers read the contracts that name them.
Providers keep their own accreditation; PCC office staff read that of the providers they
commission. National administrators do everything. A record outside the user's scope is 'not
found'; one they may read but not change is 'forbidden'."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import ListView, TemplateView

from rjportal.accounts.constants import Role
from rjportal.accounts.permissions import RoleRequiredMixin
from rjportal.areas.models import GoverningBody, PoliceArea
from rjportal.exports import csv_response
from rjportal.forms import add_service_errors
from rjportal.listing import paginate, sort_queryset
from rjportal.organisations.models import Organisation

from .commissioning_forms import CommissionForm, RegistrationForm
from .constants import AccreditationStatus
from .models import Commission, ProviderRegistration
from .selectors import (
    CONTRACT_STATUS_LABELS,
    accreditations,
    area_services,
    contract_status,
    registration_status,
    with_contract_status,
)
from .services import commission_create, commission_update, registration_create, registration_update

# The roles that see these pages at all; others get 'forbidden' (administrators always pass).
READERS = (Role.PCC_STAFF, Role.PROVIDER_STAFF)


def _csv_pounds(pence: int | None) -> str:
    return "" if pence is None else f"{pence // 100}.{pence % 100:02d}"


def _csv_day(value) -> str:
    return value.isoformat() if value else ""


# Contracts ------------------------------------------------------------------------------------


def visible_commission(request, pk) -> Commission:
    return get_object_or_404(
        Commission.objects.for_user(request.user).select_related("commissioner", "provider"), pk=pk
    )


def editable_commission(request, pk) -> Commission:
    """A contract the user may change: 404 when they cannot see it, 403 when they can only read it."""
    commission = visible_commission(request, pk)
    if not Commission.objects.editable_by(request.user).filter(pk=commission.pk).exists():
        raise PermissionDenied("Only the PCC office that holds this contract can change it.")
    return commission


class CommissionListView(RoleRequiredMixin, ListView):
    """The contracts in the user's scope, with their status today; CSV with `?format=csv`."""

    allowed_roles = READERS
    template_name = "strategy/commissioning/list.html"

    def get_queryset(self):
        user = self.request.user
        self.today = timezone.localdate()
        commissions = with_contract_status(Commission.objects.for_user(user), today=self.today)
        self.status = self.request.GET.get("status", "")
        if self.status not in CONTRACT_STATUS_LABELS:
            self.status = ""
        if self.status:
            commissions = commissions.filter(contract_status=self.status)
        self.show_commissioner = user.is_national_admin or user.role != Role.PCC_STAFF
        columns = {"provider": ("RJ provider", "provider__name")}
        if self.show_commissioner:
            columns["commissioner"] = ("PCC office", "commissioner__name")
        columns.update(
            starts=("Starts", "starts_on"),
            ends=("Ends", "ends_on"),
            value=("Annual value", "annual_value_pence"),
            status=("Status", "contract_status_order"),
        )
        commissions, self.sort_headers = sort_queryset(self.request, commissions, columns=columns, default="provider")
        return commissions.select_related("provider", "commissioner").prefetch_related("areas")

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.csv(self.get_queryset())
        return super().get(request, *args, **kwargs)

    def csv(self, commissions):
        rows = (
            [
                commission.commissioner.name,
                commission.provider.name,
                "; ".join(area.code for area in commission.areas.all()),
                "; ".join(area.name for area in commission.areas.all()),
                _csv_day(commission.starts_on),
                _csv_day(commission.ends_on),
                _csv_pounds(commission.annual_value_pence),
                CONTRACT_STATUS_LABELS[commission.contract_status],
                commission.public_name,
                commission.phone,
                commission.email,
                commission.web_page,
                commission.how_to_ask,
            ]
            for commission in commissions
        )
        return csv_response(
            filename=f"rj-contracts-{self.today:%Y-%m-%d}.csv",
            header=[
                "PCC office",
                "RJ provider",
                "Police area codes",
                "Police areas",
                "Start date",
                "End date",
                "Annual value (£)",
                f"Status on {self.today:%-d %B %Y}",
                "Public name",
                "Public phone",
                "Public email",
                "Public web page",
                "How a victim can ask for RJ",
            ],
            rows=rows,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, pagination = paginate(self.request, self.object_list)
        for commission in page:
            commission.contract_status_label = CONTRACT_STATUS_LABELS[commission.contract_status]
        params = self.request.GET.copy()
        params.pop("page", None)
        params["format"] = "csv"
        user = self.request.user
        editable = set(Commission.objects.editable_by(user).values_list("pk", flat=True))
        # Areas sit after the provider (and office) columns, which sort; the areas column does not.
        leading = 2 if self.show_commissioner else 1
        context.update(
            commissions=page,
            pagination=pagination,
            leading_headers=self.sort_headers[:leading],
            trailing_headers=self.sort_headers[leading:],
            numeric_columns=["value"],
            show_commissioner=self.show_commissioner,
            status=self.status,
            statuses=CONTRACT_STATUS_LABELS.items(),
            csv_url=f"?{params.urlencode()}",
            editable_ids=editable,
            can_add=user.is_national_admin or user.role == Role.PCC_STAFF,
            is_filtered=bool(self.status),
            today=self.today,
            organisation=user.organisation,
        )
        return context


class CommissionDetailView(RoleRequiredMixin, View):
    allowed_roles = READERS

    def get(self, request, pk):
        commission = visible_commission(request, pk)
        today = timezone.localdate()
        standing = accreditations([commission.provider_id], today=today)[commission.provider_id]
        status = contract_status(commission, today=today)
        return render(
            request,
            "strategy/commissioning/detail.html",
            {
                "commission": commission,
                "areas": commission.areas.order_by("name"),
                "status": status,
                "status_label": CONTRACT_STATUS_LABELS[status],
                "accreditation": standing,
                "can_change": Commission.objects.editable_by(request.user).filter(pk=commission.pk).exists(),
                "today": today,
            },
        )


class CommissionCreateView(RoleRequiredMixin, View):
    allowed_roles = (Role.PCC_STAFF,)

    def get(self, request):
        return self.render(CommissionForm(user=request.user))

    def post(self, request):
        form = CommissionForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                commission = commission_create(
                    actor=request.user,
                    commissioner=form.chosen_commissioner(),
                    areas=form.cleaned_data["areas"],
                    **form.values(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Contract with {commission.provider.name} saved.")
                return redirect("strategy:commissions")
        return self.render(form)

    def render(self, form):
        return render(
            self.request, "strategy/commissioning/form.html", {"form": form, "title": "Add a contract with a provider"}
        )


class CommissionUpdateView(RoleRequiredMixin, View):
    allowed_roles = READERS

    def get(self, request, pk):
        commission = editable_commission(request, pk)
        return self.render(commission, CommissionForm(user=request.user, commission=commission))

    def post(self, request, pk):
        commission = editable_commission(request, pk)
        form = CommissionForm(request.POST, user=request.user, commission=commission)
        if form.is_valid():
            try:
                commission_update(
                    actor=request.user, commission=commission, areas=form.cleaned_data["areas"], **form.values()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Contract with {commission.provider.name} saved.")
                return redirect("strategy:commission_detail", pk=commission.pk)
        return self.render(commission, form)

    def render(self, commission, form):
        return render(
            self.request,
            "strategy/commissioning/form.html",
            {"form": form, "commission": commission, "title": f"Change the contract with {commission.provider.name}"},
        )


# Accreditation --------------------------------------------------------------------------------


class AccreditationRow:
    """One line of the accreditation list: a registration, or a provider with none recorded."""

    def __init__(self, provider, registration, status, *, latest: bool, editable: bool):
        self.provider = provider
        self.registration = registration
        self.status = status
        self.latest = latest
        self.editable = editable


def accreditation_rows(user, *, today) -> list[AccreditationRow]:
    """Every registration the user may read, newest first within each provider, and each
    provider named in the user's contracts that has no registration at all."""
    registrations = list(
        ProviderRegistration.objects.for_user(user).select_related("provider").order_by("provider__name", "-expires_on")
    )
    commissioned = Organisation.objects.filter(pk__in=Commission.objects.for_user(user).values("provider")).exclude(
        pk__in={registration.provider_id for registration in registrations}
    )
    standing = accreditations({registration.provider_id for registration in registrations}, today=today)
    latest_ids = {item.registration.pk for item in standing.values() if item.registration is not None}
    editable = set(ProviderRegistration.objects.editable_by(user).values_list("pk", flat=True))
    rows = [
        AccreditationRow(
            registration.provider,
            registration,
            registration_status(registration, today=today),
            latest=registration.pk in latest_ids,
            editable=registration.pk in editable,
        )
        for registration in registrations
    ]
    rows += [
        AccreditationRow(provider, None, AccreditationStatus.NONE, latest=True, editable=False)
        for provider in commissioned
    ]
    return sorted(rows, key=lambda row: (row.provider.name.lower(), row.provider.pk, not row.latest))


class RegistrationListView(RoleRequiredMixin, TemplateView):
    """Providers' accreditation with its status today; CSV with `?format=csv`."""

    allowed_roles = READERS
    template_name = "strategy/accreditation/list.html"

    def get(self, request, *args, **kwargs):
        self.today = timezone.localdate()
        self.rows = accreditation_rows(request.user, today=self.today)
        if request.GET.get("format") == "csv":
            return self.csv()
        return super().get(request, *args, **kwargs)

    def csv(self):
        rows = (
            [
                row.provider.name,
                row.registration.get_scheme_display() if row.registration else "",
                _csv_day(row.registration.awarded_on) if row.registration else "",
                _csv_day(row.registration.expires_on) if row.registration else "",
                row.status.label,
                "Yes" if row.latest and row.registration else "",
                row.registration.certificate_reference if row.registration else "",
                row.registration.certificate_url if row.registration else "",
                row.registration.evidence_note if row.registration else "",
            ]
            for row in self.rows
        )
        return csv_response(
            filename=f"rj-provider-accreditation-{self.today:%Y-%m-%d}.csv",
            header=[
                "RJ provider",
                "Scheme",
                "Awarded",
                "Expires",
                f"Status on {self.today:%-d %B %Y}",
                "Latest registration",
                "Certificate reference",
                "Certificate link",
                "Evidence note",
            ],
            rows=rows,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        page, pagination = paginate(self.request, self.rows)
        context.update(
            rows=page,
            pagination=pagination,
            csv_url="?format=csv",
            can_add=user.is_national_admin or user.role == Role.PROVIDER_STAFF,
            is_provider=user.role == Role.PROVIDER_STAFF and not user.is_national_admin,
            organisation=user.organisation,
            today=self.today,
        )
        return context


def visible_registration(request, pk) -> ProviderRegistration:
    return get_object_or_404(ProviderRegistration.objects.for_user(request.user).select_related("provider"), pk=pk)


def editable_registration(request, pk) -> ProviderRegistration:
    """404 when the user cannot see it, 403 when they can only read it."""
    registration = visible_registration(request, pk)
    if not ProviderRegistration.objects.editable_by(request.user).filter(pk=registration.pk).exists():
        raise PermissionDenied("Only the provider that holds this accreditation can change it.")
    return registration


class RegistrationCreateView(RoleRequiredMixin, View):
    allowed_roles = (Role.PROVIDER_STAFF,)

    def get(self, request):
        return self.render(RegistrationForm(user=request.user))

    def post(self, request):
        form = RegistrationForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                registration = registration_create(actor=request.user, provider=form.chosen_provider(), **form.values())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{registration.get_scheme_display()} for {registration.provider.name} saved: expires on "
                    f"{registration.expires_on:%-d %B %Y}.",
                )
                return redirect("strategy:registrations")
        return self.render(form)

    def render(self, form):
        return render(self.request, "strategy/accreditation/form.html", {"form": form, "title": "Add an accreditation"})


class RegistrationUpdateView(RoleRequiredMixin, View):
    allowed_roles = READERS

    def get(self, request, pk):
        registration = editable_registration(request, pk)
        return self.render(registration, RegistrationForm(user=request.user, registration=registration))

    def post(self, request, pk):
        registration = editable_registration(request, pk)
        form = RegistrationForm(request.POST, user=request.user, registration=registration)
        if form.is_valid():
            try:
                registration_update(actor=request.user, registration=registration, **form.values())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{registration.get_scheme_display()} for {registration.provider.name} saved: expires on "
                    f"{registration.expires_on:%-d %B %Y}.",
                )
                return redirect("strategy:registrations")
        return self.render(registration, form)

    def render(self, registration, form):
        return render(
            self.request,
            "strategy/accreditation/form.html",
            {"form": form, "registration": registration, "title": "Change an accreditation"},
        )


# The public page ------------------------------------------------------------------------------


@method_decorator(login_not_required, name="dispatch")
class AreaServicesView(TemplateView):
    """'RJ in your area': the RJ services commissioned for a police area today, for anyone.
    Only the services' public contact details are shown: no money, no staff, no cases."""

    template_name = "strategy/public_area.html"

    def get_context_data(self, **kwargs):
        area = get_object_or_404(PoliceArea, code=self.kwargs["code"])
        today = timezone.localdate()
        body = GoverningBody.objects.current_on(today).filter(area=area).first()
        return super().get_context_data(
            **kwargs, area=area, services=area_services(area, today=today), governing_body=body
        )
