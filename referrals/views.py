from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import ListView

from rjportal.accounts.constants import Role
from rjportal.accounts.permissions import RoleRequiredMixin
from rjportal.areas.models import PoliceArea
from rjportal.audit.constants import AuditAction
from rjportal.audit.services import audit_record
from rjportal.exports import csv_response
from rjportal.forms import add_service_errors
from rjportal.listing import paginate, sort_queryset

from .constants import TeamCategory
from .exports import referrals_csv, referrals_xlsx
from .forms import (
    MoveCorrectionForm,
    ReferralFilterForm,
    ReferralForm,
    ReferringTeamForm,
    ReferringTeamYearForm,
    TransitionForm,
)
from .managers import team_areas_editable_by
from .models import Referral, ReferringTeam
from .services import (
    CONTACT_STAGES,
    allowed_transitions,
    latest_move,
    referral_advance,
    referral_contact_attempt_record,
    referral_create,
    referral_move_correct,
    referral_update,
    referring_team_create,
    referring_team_update,
)

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

            def when_sent(rows: int, finished: bool) -> None:
                # Counted as they are sent: a COUNT first would read every matching row before
                # the first left. A download cut off is recorded with what had gone.
                summary = f"Exported {{rows}} as {export.upper()}" + ("" if finished else " (cut off before the end)")
                self.audit(AuditAction.EXPORT, summary, rows=rows)

            export_file = referrals_csv if export == "csv" else referrals_xlsx
            return export_file(referrals, when_sent=when_sent)
        response = super().get(request, *args, **kwargs)
        page = response.context_data["referrals"]
        self.audit(
            AuditAction.VIEW,
            f"Viewed the referral list (page {page.number}): {{rows}} matched",
            rows=page.paginator.count,
        )
        return response

    def audit(self, action, summary: str, *, rows: int) -> None:
        """Record a view or export of the list: which filters, how many referrals matched."""
        filters = self.filters_applied()
        described = "; ".join(f"{label}: {value}" for label, value in filters.items()) or "no filters"
        audit_record(
            actor=self.request.user,
            action=action,
            record_type=Referral,
            summary=summary.format(rows=f"{rows} referral{'' if rows == 1 else 's'}") + f" ({described})",
            changes={"filters": filters, "rows": rows, "query": self.request.GET.urlencode()},
        )

    def filters_applied(self) -> dict[str, str]:
        """The list's filters as the person chose them, by label."""
        form = self.filter_form
        if not form.is_bound:
            return {}
        if not form.is_valid():
            return {"Filters": "not valid, so nothing matched"}
        applied = {}
        for name, value in form.cleaned_data.items():
            if value in (None, "", [], False):
                continue
            field = form.fields[name]
            choices = {} if isinstance(field, forms.ModelChoiceField) else dict(getattr(field, "choices", None) or [])
            if isinstance(value, list):
                text = ", ".join(str(choices.get(item, item)) for item in value)
            elif value is True:
                text = "yes"
            elif isinstance(value, str) and value in choices:
                text = str(choices[value])
            else:
                text = str(value)
            applied[str(field.label)] = text
        return applied

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
            import_job=self.filter_form.cleaned_data.get("import") if self.filter_form.is_valid() else None,
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
                "events": referral.events.select_related("actor", "corrected_by"),
                "can_edit": Referral.objects.editable_by(request.user).filter(pk=referral.pk).exists(),
                "transitions": allowed_transitions(referral),
                "latest_move": latest_move(referral),
                "can_record_contact": referral.stage in CONTACT_STAGES,
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
                add_service_errors(form, error)
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
                add_service_errors(form, error)
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
    """Choose the next stage or a later one, with the date each stage was reached, or close the
    referral; check it all on one confirmation page, then confirm."""

    def post(self, request, pk):
        referral = editable_referral(request, pk)
        form = TransitionForm(request.POST, referral=referral)
        if not form.is_valid():
            return self.render(referral, form)
        move, plan = form.move(), form.plan
        if request.POST.get("confirm") != "yes":
            choices = {
                name: dict(form.fields[name].choices) for name in ("reason", "intervention_type") if name in form.fields
            }
            return render(
                request,
                "referrals/transition_confirm.html",
                {
                    "referral": referral,
                    "form": form,
                    "plan": plan,
                    "data": move,
                    "to_stage": plan.to_stage,
                    "reason_label": choices.get("reason", {}).get(move["reason"], ""),
                    "intervention_label": choices.get("intervention_type", {}).get(move["intervention_type"], ""),
                },
            )
        try:
            referral_advance(actor=request.user, referral=referral, **move)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render(referral, form)
        passed = [stage.label.lower() for stage, _ in plan.moves[:-1]]
        through = f", through {', '.join(passed)}" if passed else ""
        messages.success(request, f"Referral {referral.reference} moved to {plan.to_stage.label.lower()}{through}.")
        return redirect(referral)

    def get(self, request, pk):
        referral = editable_referral(request, pk)
        return self.render(referral, TransitionForm(referral=referral))

    def render(self, referral, form):
        return render(self.request, "referrals/transition.html", {"referral": referral, "form": form})


class ReferralMoveCorrectView(View):
    """Correct the latest move, recorded by mistake: the page says what will happen and asks
    why; confirming it is the one step."""

    def get(self, request, pk):
        referral = editable_referral(request, pk)
        event = latest_move(referral)
        if event is None:
            messages.info(request, f"Referral {referral.reference} has no move to correct.")
            return redirect(referral)
        return self.render(referral, event, MoveCorrectionForm())

    def post(self, request, pk):
        referral = editable_referral(request, pk)
        event = latest_move(referral)
        if event is None:
            messages.info(request, f"Referral {referral.reference} has no move to correct.")
            return redirect(referral)
        form = MoveCorrectionForm(request.POST)
        if form.is_valid():
            try:
                referral = referral_move_correct(
                    actor=request.user, referral=referral, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"The move of referral {referral.reference} to {event.get_to_stage_display().lower()} was "
                    f"corrected: it is back at {referral.get_stage_display().lower()}.",
                )
                return redirect(referral)
        return self.render(referral, event, form)

    def render(self, referral, event, form):
        return render(self.request, "referrals/move_correct.html", {"referral": referral, "event": event, "form": form})


class ReferralContactAttemptView(View):
    """Count one more attempt to contact the parties: a button on the referral's page."""

    def post(self, request, pk):
        referral = editable_referral(request, pk)
        try:
            referral = referral_contact_attempt_record(actor=request.user, referral=referral)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"Contact attempt recorded: referral {referral.reference} has {referral.contact_attempts} "
                f"contact attempt{'' if referral.contact_attempts == 1 else 's'}.",
            )
        return redirect(referral)


# Referring teams ---------------------------------------------------------------------------


def editable_team_areas(request):
    """The areas whose teams the user may add or change; a user with none gets 'not found'."""
    areas = team_areas_editable_by(request.user).order_by("name")
    if not areas.exists():
        raise Http404("You cannot add or change referring teams.")
    return areas


class ReferringTeamListView(RoleRequiredMixin, ListView):
    """The teams of the user's areas with their referrals in a financial year (the current one
    unless `year` chooses another); CSV with `?format=csv`. Team names are not case-level data,
    so viewing them is not audited."""

    allowed_roles = (Role.PCC_STAFF, Role.PROVIDER_STAFF)
    template_name = "referrals/teams/list.html"

    def get_queryset(self):
        user = self.request.user
        self.year_form = ReferringTeamYearForm(self.request.GET)
        self.year = self.year_form.financial_year()
        self.areas = list(PoliceArea.objects.for_user(user).order_by("name"))
        teams = ReferringTeam.objects.for_user(user).with_referral_counts(self.year.period, user=user)
        self.search = self.request.GET.get("q", "").strip()
        if self.search:
            teams = teams.filter(name__icontains=self.search)
        self.area_code = self.request.GET.get("area", "").strip()
        if self.area_code:
            teams = teams.filter(area__code=self.area_code)
        self.counts_label = (
            f"Your referrals in {self.year.label}"
            if user.role == Role.PROVIDER_STAFF and not user.is_national_admin
            else f"Referrals in {self.year.label}"
        )
        columns = {"name": ("Team", "name"), "category": ("Category", "category")}
        if len(self.areas) > 1:
            columns["area"] = ("Police area", "area__name")
        columns["staff"] = ("Officers or staff", "staff_count")
        columns["referrals"] = (self.counts_label, "referral_count")
        self.columns = columns
        teams, self.sort_headers = sort_queryset(self.request, teams, columns=columns, default="name")
        return teams

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.csv(self.get_queryset())
        return super().get(request, *args, **kwargs)

    def csv(self, teams):
        categories = dict(TeamCategory.choices)
        rows = (
            [area_code, area_name, name, categories.get(category, category), staff_count, count]
            for area_code, area_name, name, category, staff_count, count in teams.values_list(
                "area__code", "area__name", "name", "category", "staff_count", "referral_count"
            )
        )
        return csv_response(
            filename=f"referring-teams-{timezone.localdate():%Y-%m-%d}.csv",
            header=[
                "Police area code",
                "Police area",
                "Team",
                "Category",
                "Officers or staff",
                f"{self.counts_label} ({self.year.period.start:%-d %B %Y} to {self.year.period.end:%-d %B %Y})",
            ],
            rows=rows,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, pagination = paginate(self.request, self.object_list.select_related("area"))
        params = self.request.GET.copy()
        params.pop("page", None)
        params["format"] = "csv"
        editable_area_ids = set(team_areas_editable_by(self.request.user).values_list("pk", flat=True))
        context.update(
            teams=page,
            pagination=pagination,
            search=self.search,
            area_code=self.area_code,
            areas=self.areas if len(self.areas) > 1 else [],
            only_area=self.areas[0] if len(self.areas) == 1 else None,
            sort_headers=self.sort_headers,
            numeric_columns=["staff", "referrals"],
            show_area="area" in self.columns,
            year=self.year,
            year_form=self.year_form,
            csv_url=f"?{params.urlencode()}",
            editable_area_ids=editable_area_ids,
            can_add=bool(editable_area_ids),
            is_filtered=bool(self.search or self.area_code),
        )
        return context


class ReferringTeamCreateView(RoleRequiredMixin, View):
    """Each area's PCC office keeps its teams: other roles are forbidden (403), as on every page
    a role never uses; a team outside the user's areas is 'not found'."""

    allowed_roles = (Role.PCC_STAFF,)

    def get(self, request):
        areas = editable_team_areas(request)
        initial = {}
        chosen = areas.filter(code=request.GET.get("area", "")).first()
        if chosen is not None:
            initial["area"] = chosen.pk
        return self.render(ReferringTeamForm(areas=areas, initial=initial))

    def post(self, request):
        form = ReferringTeamForm(request.POST, areas=editable_team_areas(request))
        if form.is_valid():
            data = form.cleaned_data
            try:
                team = referring_team_create(
                    actor=request.user,
                    area=data["area"],
                    name=data["name"],
                    category=data["category"],
                    staff_count=data["staff_count"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{team.name} added to the referring teams of {team.area.name}.")
                return redirect("referrals:teams")
        return self.render(form)

    def render(self, form):
        return render(self.request, "referrals/teams/form.html", {"form": form, "title": "Add a referring team"})


class ReferringTeamUpdateView(RoleRequiredMixin, View):
    allowed_roles = (Role.PCC_STAFF,)

    def get_team(self):
        return get_object_or_404(
            ReferringTeam.objects.editable_by(self.request.user).select_related("area"), pk=self.kwargs["pk"]
        )

    def get(self, request, pk):
        team = self.get_team()
        return self.render(team, ReferringTeamForm(areas=editable_team_areas(request), team=team))

    def post(self, request, pk):
        team = self.get_team()
        form = ReferringTeamForm(request.POST, areas=editable_team_areas(request), team=team)
        if form.is_valid():
            values = {field: form.cleaned_data[field] for field in ("name", "category", "staff_count")}
            if "area" in form.fields:
                values["area"] = form.cleaned_data["area"]
            try:
                referring_team_update(actor=request.user, team=team, **values)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{team.name} ({team.area.name}) saved.")
                return redirect("referrals:teams")
        return self.render(team, form)

    def render(self, team, form):
        return render(
            self.request,
            "referrals/teams/form.html",
            {"form": form, "team": team, "title": f"Change {team.name}", "has_referrals": team.referrals.exists()},
        )
