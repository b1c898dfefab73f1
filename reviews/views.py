"""Pages for case reviews (dip samples), the action log and the return sign-off. PCC office staff
for their own areas and national administrators everywhere; anything outside the user's areas is
'not found'."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views import View
from django.views.generic import TemplateView

from rjportal.accounts.constants import Role
from rjportal.accounts.permissions import RoleRequiredMixin
from rjportal.exports import csv_response, xlsx_response
from rjportal.forms import add_service_errors
from rjportal.imports import ImportRejected

from .constants import ALLOCATION_RULE, OVERALL_METHOD, STRATUM_METHOD, DipSampleStatus
from .forms import (
    ActionForm,
    AreaPickForm,
    CaseReviewForm,
    DesignForm,
    ReferralWindowForm,
    RegisterUploadForm,
    gap_label,
)
from .importing import COLUMNS, EXAMPLE_ROWS, OFFENCE_GROUPS
from .managers import review_areas_for
from .models import Action, DipSample, DipSampleCase
from .selectors import progress_by_sample, sample_progress, sample_results, sample_strata, sampled_cases
from .services import (
    action_create,
    action_update,
    case_review_save,
    dip_sample_complete,
    dip_sample_create_from_referrals,
    dip_sample_create_from_register,
    dip_sample_design,
    dip_sample_draw,
    new_seed,
)


class ReviewsMixin(RoleRequiredMixin):
    allowed_roles = (Role.PCC_STAFF,)

    def areas(self):
        return review_areas_for(self.request.user)

    def get_sample(self) -> DipSample:
        if not hasattr(self, "_sample"):
            self._sample = get_object_or_404(
                DipSample.objects.for_user(self.request.user).select_related("area"), pk=self.kwargs["pk"]
            )
        return self._sample


def _pct(value) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


# Dip samples -----------------------------------------------------------------------------------


class DipSampleListView(ReviewsMixin, TemplateView):
    template_name = "reviews/index.html"

    def get_context_data(self, **kwargs):
        samples = list(DipSample.objects.for_user(self.request.user).select_related("area"))
        progress = progress_by_sample(samples)
        for sample in samples:
            sample.progress = progress.get(sample.pk)
        return super().get_context_data(samples=samples, **kwargs)


class _CreateMixin(ReviewsMixin):
    def render_form(self, form):
        return render(self.request, self.template_name, {"form": form, **self.extra_context_data()})

    def extra_context_data(self):
        return {}


class RegisterUploadView(_CreateMixin, View):
    template_name = "reviews/register_upload.html"

    def extra_context_data(self):
        return {"columns": COLUMNS, "offence_groups": OFFENCE_GROUPS}

    def get(self, request):
        return self.render_form(RegisterUploadForm(areas=self.areas()))

    def post(self, request):
        form = RegisterUploadForm(request.POST, request.FILES, areas=self.areas())
        if not form.is_valid():
            return self.render_form(form)
        upload = form.cleaned_data["file"]
        try:
            sample = dip_sample_create_from_register(
                actor=request.user,
                area=form.area(),
                title=form.cleaned_data["title"],
                content=upload.read(),
                filename=upload.name,
            )
        except ImportRejected as rejected:
            form.add_error("file", f"The case register has {len(rejected.errors)} problem(s): nothing was saved")
            return render(
                request,
                self.template_name,
                {"form": form, "problems": rejected.errors, **self.extra_context_data()},
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render_form(form)
        messages.success(request, f"{sample.cases.count():,} cases loaded. Now set the sample design.")
        return redirect("reviews:design", pk=sample.pk)


class RegisterTemplateView(ReviewsMixin, View):
    def get(self, request):
        return csv_response(
            filename="case-register-template.csv", header=[name for name, _help in COLUMNS], rows=EXAMPLE_ROWS
        )


class ReferralWindowView(_CreateMixin, View):
    template_name = "reviews/referral_window.html"

    def get(self, request):
        return self.render_form(ReferralWindowForm(areas=self.areas()))

    def post(self, request):
        form = ReferralWindowForm(request.POST, areas=self.areas())
        if form.is_valid():
            try:
                sample = dip_sample_create_from_referrals(
                    actor=request.user,
                    area=form.area(),
                    title=form.cleaned_data["title"],
                    start=form.cleaned_data["window_start"],
                    end=form.cleaned_data["window_end"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{sample.cases.count():,} referrals taken. Now set the sample design.")
                return redirect("reviews:design", pk=sample.pk)
        return self.render_form(form)


class DipSampleDetailView(ReviewsMixin, TemplateView):
    template_name = "reviews/detail.html"

    def get_context_data(self, **kwargs):
        sample = self.get_sample()
        return super().get_context_data(
            sample=sample,
            population=sample.cases.count(),
            strata=sample_strata(sample) if sample.is_drawn else [],
            progress=sample_progress(sample),
            cases=sampled_cases(sample) if sample.is_drawn else [],
            allocation_rule=ALLOCATION_RULE,
            actions=sample.actions.select_related("owner"),
            **kwargs,
        )


class DipSampleDesignView(ReviewsMixin, View):
    """Set the design, see it per stratum, then confirm the draw."""

    template_name = "reviews/design.html"

    def page(self, form, design=None, **context):
        sample = self.get_sample()
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "sample": sample,
                "design": design,
                "population": sample.cases.count(),
                "allocation_rule": ALLOCATION_RULE,
                **context,
            },
        )

    def check_open(self):
        sample = self.get_sample()
        if sample.status == DipSampleStatus.COMPLETED or (sample.is_drawn and sample_progress(sample).reviewed):
            raise Http404("This sample can no longer be drawn.")
        return sample

    def get(self, request, pk):
        sample = self.check_open()
        initial = {}
        if sample.is_drawn:
            initial = {
                "sample_size": sample.sample_size,
                "minimum_per_flagged_stratum": sample.minimum_per_flagged_stratum,
                "by_offence_group": "yes" if sample.by_offence_group else "no",
            }
        return self.page(DesignForm(initial=initial, redraw=sample.is_drawn))

    def post(self, request, pk):
        sample = self.check_open()
        form = DesignForm(request.POST, redraw=sample.is_drawn)
        if not form.is_valid():
            return self.page(form)
        values = form.cleaned_data
        seed = values["seed"] if values["seed"] is not None else new_seed()
        settings = {
            "sample_size": values["sample_size"],
            "minimum": values["minimum_per_flagged_stratum"],
            "by_offence_group": values["by_offence_group"],
        }
        try:
            if request.POST.get("confirm") == "draw":
                dip_sample_draw(actor=request.user, sample=sample, seed=seed, **settings)
                messages.success(request, f"{values['sample_size']:,} cases drawn with seed {seed}.")
                return redirect("reviews:detail", pk=sample.pk)
            design = dip_sample_design(sample=sample, **settings)
        except ValidationError as error:
            if "minimum" in error.message_dict:
                error = ValidationError({"minimum_per_flagged_stratum": error.message_dict["minimum"]})
            add_service_errors(form, error)
            return self.page(form)
        confirm = {
            "sample_size": values["sample_size"],
            "minimum_per_flagged_stratum": values["minimum_per_flagged_stratum"],
            "by_offence_group": "yes" if values["by_offence_group"] else "no",
            "seed": seed,
        }
        return self.page(form, design=design, confirm=confirm, seed=seed, total=sum(s.sample for s in design))


class CaseReviewView(ReviewsMixin, View):
    template_name = "reviews/case_review.html"

    def get_case(self):
        sample = self.get_sample()
        return get_object_or_404(DipSampleCase.objects.filter(sample=sample, selected=True), pk=self.kwargs["case_pk"])

    def page(self, form, case):
        return render(self.request, self.template_name, {"form": form, "case": case, "sample": case.sample})

    def get(self, request, pk, case_pk):
        case = self.get_case()
        initial = {}
        if case.is_reviewed:
            initial = {
                "offered": case.offered,
                "evidence_source": case.evidence_source,
                "evidence_other": case.evidence_other,
                "referred": "yes" if case.referred else "no",
            }
        return self.page(CaseReviewForm(initial=initial), case)

    def post(self, request, pk, case_pk):
        case = self.get_case()
        if case.sample.status != DipSampleStatus.REVIEWING:
            raise Http404("This sample is not open for review.")
        form = CaseReviewForm(request.POST)
        if form.is_valid():
            try:
                case_review_save(actor=request.user, case=case, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                progress = sample_progress(case.sample)
                messages.success(
                    request,
                    f"Review of {case.crime_reference} saved: {progress.reviewed} of {progress.sampled} reviewed.",
                )
                following = sampled_cases(case.sample).filter(offered="").exclude(pk=case.pk).first()
                if following is not None and request.POST.get("next") == "1":
                    return redirect("reviews:case_review", pk=case.sample.pk, case_pk=following.pk)
                return redirect("reviews:detail", pk=case.sample.pk)
        return self.page(form, case)


class DipSampleCompleteView(ReviewsMixin, View):
    def post(self, request, pk):
        sample = self.get_sample()
        try:
            dip_sample_complete(actor=request.user, sample=sample)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{sample.title} is completed.")
        return redirect("reviews:detail", pk=sample.pk)


RESULTS_HEADER = [
    "Stratum",
    "Population",
    "Sampled",
    "Sampling fraction",
    "Weight",
    "Reviewed",
    "Offered RJ: yes",
    "Offered RJ: no",
    "Cannot tell",
    "Proportion offered",
    "95% interval low",
    "95% interval high",
    "Then referred",
]


def _results_rows(results):
    rows = []
    for row in results.strata:
        interval = row.interval
        rows.append(
            [
                row.label,
                row.population,
                row.sampled,
                round(row.sampled / row.population, 4) if row.population else "",
                round(row.weight, 4) if row.sampled else "",
                row.reviewed,
                row.yes,
                row.no,
                row.cannot_tell,
                round(interval.estimate, 4) if interval else "",
                round(interval.low, 4) if interval else "",
                round(interval.high, 4) if interval else "",
                row.referred,
            ]
        )
    totals, overall = results.totals, results.overall
    rows.append(
        [
            f"All cases, weighted to the population ({OVERALL_METHOD})",
            results.population,
            totals["sampled"],
            "",
            "",
            totals["reviewed"],
            totals["yes"],
            totals["no"],
            totals["cannot_tell"],
            round(overall.estimate, 4) if overall else "",
            round(overall.low, 4) if overall else "",
            round(overall.high, 4) if overall else "",
            totals["referred"],
        ]
    )
    return rows


class DipSampleResultsView(ReviewsMixin, TemplateView):
    template_name = "reviews/results.html"

    def get(self, request, *args, **kwargs):
        sample = self.get_sample()
        if not sample.is_drawn:
            raise Http404("This sample has not been drawn yet.")
        self.results = sample_results(sample)
        stem = f"dip-sample-{sample.pk}-{slugify(sample.title)[:40]}-results"
        kind = request.GET.get("format")
        if kind == "csv":
            return csv_response(filename=f"{stem}.csv", header=RESULTS_HEADER, rows=_results_rows(self.results))
        if kind == "xlsx":
            return xlsx_response(
                filename=f"{stem}.xlsx", sheets=[("Results", [RESULTS_HEADER, *_results_rows(self.results)])]
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            sample=self.get_sample(),
            results=self.results,
            overall_method=OVERALL_METHOD,
            stratum_method=STRATUM_METHOD,
            **kwargs,
        )


CASES_HEADER = [
    "Crime reference",
    "Offence group",
    "Date reported",
    "Hate crime",
    "Domestic abuse",
    "Sexual harm",
    "Stratum",
    "Weight",
    "Offered RJ",
    "Evidence found in",
    "Then referred",
    "Reviewed on",
]


class DipSampleCasesExportView(ReviewsMixin, View):
    """The sampled cases and their reviews (no personal data: references, groups, flags)."""

    def get(self, request, pk):
        sample = self.get_sample()
        if not sample.is_drawn:
            raise Http404("This sample has not been drawn yet.")
        weights = {stratum.key: stratum.weight for stratum in sample_strata(sample)}

        def yes_no(value):
            return "" if value is None else ("yes" if value else "no")

        rows = [
            [
                case.crime_reference,
                case.get_offence_group_display(),
                case.reported_on.isoformat(),
                yes_no(case.hate_crime),
                yes_no(case.domestic_abuse),
                yes_no(case.sexual_harm),
                case.stratum,
                round(weights[case.stratum], 4),
                case.get_offered_display() if case.offered else "Not yet reviewed",
                case.evidence_label if case.evidence_source else "",
                yes_no(case.referred),
                timezone.localtime(case.reviewed_at).date().isoformat() if case.reviewed_at else "",
            ]
            for case in sampled_cases(sample)
        ]
        stem = f"dip-sample-{sample.pk}-cases"
        if request.GET.get("format") == "xlsx":
            return xlsx_response(filename=f"{stem}.xlsx", sheets=[("Cases", [CASES_HEADER, *rows])])
        return csv_response(filename=f"{stem}.csv", header=CASES_HEADER, rows=rows)


# Actions -------------------------------------------------------------------------------------------

ACTIONS_HEADER = ["Police area", "What", "Owner", "Due date", "Status", "Prompted by", "Overdue"]


def prompt_text(action: Action) -> str:
    if action.prompt == "gap":
        return gap_label(action.gap)
    if action.prompt == "dip_sample":
        return f"Dip sample: {action.dip_sample.title}"
    return f"Scorecard: {action.get_way_display()}"


def prompt_link(action: Action) -> str:
    if action.prompt == "gap":
        return reverse("dashboard:area", args=[action.area.code])
    if action.prompt == "dip_sample":
        return reverse("reviews:detail", args=[action.dip_sample_id])
    return reverse("strategy:area", args=[action.area.code])


class ActionListView(ReviewsMixin, TemplateView):
    template_name = "reviews/actions.html"

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        self.actions = list(
            Action.objects.for_user(request.user)
            .select_related("area", "owner", "dip_sample")
            .order_by("status", "due_on", "pk")
        )
        for action in self.actions:
            action.overdue = action.status == "open" and action.due_on < today
            action.prompt_text = prompt_text(action)
            action.prompt_link = prompt_link(action)
        if request.GET.get("format") == "csv":
            return csv_response(
                filename="rj-actions.csv",
                header=ACTIONS_HEADER,
                rows=[
                    [
                        action.area.name,
                        action.what,
                        action.owner.full_name or action.owner.email,
                        action.due_on.isoformat(),
                        action.get_status_display(),
                        action.prompt_text,
                        "yes" if action.overdue else "no",
                    ]
                    for action in self.actions
                ],
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(actions=self.actions, **kwargs)


class _ActionFormMixin(ReviewsMixin):
    template_name = "reviews/action_form.html"

    def page(self, form, **context):
        return render(self.request, self.template_name, {"form": form, **context})


class ActionCreateView(_ActionFormMixin, View):
    def get_area(self):
        areas = self.areas()
        code = self.request.GET.get("area") or self.request.POST.get("area_code")
        if code:
            return get_object_or_404(areas, code=code)
        only = list(areas[:2])
        return only[0] if len(only) == 1 else None

    def initial(self):
        initial = {"status": "open"}
        if self.request.GET.get("sample"):
            initial.update(prompt="dip_sample", dip_sample=self.request.GET["sample"])
        if self.request.GET.get("way"):
            initial.update(prompt="scorecard", way=self.request.GET["way"])
        if self.request.GET.get("gap"):
            initial.update(prompt="gap", gap=self.request.GET["gap"])
        return initial

    def get(self, request):
        area = self.get_area()
        if area is None:
            return self.page(None, pick=AreaPickForm(areas=self.areas()), title="Record an action")
        return self.page(ActionForm(initial=self.initial(), area=area), area=area, title="Record an action")

    def post(self, request):
        area = self.get_area()
        if area is None:
            raise Http404("Choose an area.")
        form = ActionForm(request.POST, area=area)
        if form.is_valid():
            try:
                action_create(actor=request.user, area=area, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Action recorded for {area.name}.")
                return redirect("reviews:actions")
        return self.page(form, area=area, title="Record an action")


class ActionUpdateView(_ActionFormMixin, View):
    def get_action(self):
        return get_object_or_404(
            Action.objects.for_user(self.request.user).select_related("area"), pk=self.kwargs["pk"]
        )

    def get(self, request, pk):
        action = self.get_action()
        initial = {
            "what": action.what,
            "owner": action.owner_id,
            "due_on": action.due_on,
            "status": action.status,
            "prompt": action.prompt,
            "gap": action.gap,
            "dip_sample": action.dip_sample_id,
            "way": action.way,
        }
        return self.page(
            ActionForm(initial=initial, area=action.area), area=action.area, title="Change an action", action=action
        )

    def post(self, request, pk):
        action = self.get_action()
        form = ActionForm(request.POST, area=action.area)
        if form.is_valid():
            try:
                action_update(actor=request.user, action=action, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Action changed.")
                return redirect("reviews:actions")
        return self.page(form, area=action.area, title="Change an action", action=action)
