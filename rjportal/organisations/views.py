from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import DetailView, ListView

from rjportal.accounts.constants import Role
from rjportal.accounts.models import can_manage_people
from rjportal.accounts.permissions import NationalAdminRequiredMixin, RoleRequiredMixin
from rjportal.forms import add_service_errors
from rjportal.listing import paginate, sort_queryset

from .constants import OrganisationKind
from .forms import OrganisationForm
from .models import Organisation
from .services import organisation_create, organisation_update

ORGANISATION_COLUMNS = {
    "name": ("Name", "name"),
    "kind": ("Type", "kind"),
}


class OrganisationListView(RoleRequiredMixin, ListView):
    allowed_roles = (Role.PCC_STAFF, Role.PROVIDER_STAFF)
    template_name = "organisations/list.html"

    def get_queryset(self):
        organisations = Organisation.objects.for_user(self.request.user).prefetch_related("areas")
        self.search = self.request.GET.get("q", "").strip()
        if self.search:
            organisations = organisations.filter(name__icontains=self.search)
        self.kind = self.request.GET.get("kind", "")
        if self.kind in OrganisationKind.values:
            organisations = organisations.filter(kind=self.kind)
        organisations, self.sort_headers = sort_queryset(
            self.request, organisations, columns=ORGANISATION_COLUMNS, default="name"
        )
        return organisations

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, pagination = paginate(self.request, self.object_list)
        context.update(
            organisations=page,
            pagination=pagination,
            search=self.search,
            kind=self.kind,
            kinds=OrganisationKind.choices,
            sort_headers=self.sort_headers,
        )
        return context


class OrganisationDetailView(DetailView):
    template_name = "organisations/detail.html"
    context_object_name = "organisation"

    def get_object(self, queryset=None):
        # Out of scope is "not found", so that organisations cannot be enumerated.
        return get_object_or_404(Organisation.objects.for_user(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            areas=self.object.areas.order_by("name"),
            members=self.object.members.filter(is_active=True).order_by("email"),
            manages_people=can_manage_people(self.request.user),
        )
        return context


def my_organisation(request):
    if request.user.organisation_id is None:
        raise Http404("You do not belong to an organisation.")
    return redirect("organisations:detail", pk=request.user.organisation_id)


class OrganisationCreateView(NationalAdminRequiredMixin, View):
    def get(self, request):
        return self.render(OrganisationForm(submit_label="Add organisation"))

    def post(self, request):
        form = OrganisationForm(request.POST, submit_label="Add organisation")
        if form.is_valid():
            try:
                organisation = organisation_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{organisation.name} added.")
                return redirect(organisation)
        return self.render(form)

    def render(self, form):
        return render(self.request, "organisations/form.html", {"form": form, "title": "Add an organisation"})


class OrganisationUpdateView(NationalAdminRequiredMixin, View):
    def get(self, request, pk):
        organisation = get_object_or_404(Organisation, pk=pk)
        return self.render(organisation, OrganisationForm(organisation=organisation, submit_label="Save changes"))

    def post(self, request, pk):
        organisation = get_object_or_404(Organisation, pk=pk)
        form = OrganisationForm(request.POST, organisation=organisation, submit_label="Save changes")
        if form.is_valid():
            try:
                organisation_update(actor=request.user, organisation=organisation, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{organisation.name} saved.")
                return redirect(organisation)
        return self.render(organisation, form)

    def render(self, organisation, form):
        return render(
            self.request,
            "organisations/form.html",
            {"form": form, "organisation": organisation, "title": f"Change {organisation.name}"},
        )
