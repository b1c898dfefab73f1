"""Bulk import of referrals by RJ provider staff (and national administrators, for a provider
they choose). The work is in referrals.importing, run in the background by referrals.tasks;
these views take the file, queue it and show its progress and outcome. Problems name rows and
columns and never repeat what a cell holds."""

from django import forms
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, FormView, TemplateView, View

from rjportal.accounts.constants import Role
from rjportal.accounts.permissions import RoleRequiredMixin
from rjportal.areas.models import PoliceArea
from rjportal.exports import FORMULA_PREFIXES, csv_response
from rjportal.organisations.constants import OrganisationKind
from rjportal.organisations.models import Organisation

from .columns import EXAMPLE_ROW, TEMPLATE_COLUMNS
from .forms import SpreadsheetUploadForm
from .importing import CHOICES, COLUMNS, MAX_ERRORS
from .models import ReferralImportJob, ReferringTeam
from .tasks import referral_import_job_create

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
RECENT_JOBS = 10
PROGRESS_SECONDS = 2  # how often the job page's script asks for progress


def max_upload_bytes() -> int:
    return getattr(settings, "REFERRAL_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


class ReferralImportForm(SpreadsheetUploadForm):
    provider = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(kind=OrganisationKind.RJ_PROVIDER),
        label="RJ provider",
        help_text="The provider whose referrals these are",
        empty_label="Choose a provider",
        error_messages={"required": "Choose the RJ provider whose referrals these are"},
    )
    file = forms.FileField(
        label="Upload a file",
        help_text="CSV (UTF-8, separated by commas or semicolons) or Excel workbook (.xlsx)",
        error_messages={"required": "Choose a file to upload", "empty": "The file is empty."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not user.is_national_admin:
            del self.fields["provider"]

    def max_bytes(self) -> int:
        return max_upload_bytes()


class ImportAccessMixin(RoleRequiredMixin):
    allowed_roles = (Role.PROVIDER_STAFF,)


def _jobs(user):
    """The imports `user` may see, without their files."""
    return ReferralImportJob.objects.for_user(user).defer("content").select_related("provider", "uploaded_by")


class ReferralImportView(ImportAccessMixin, FormView):
    template_name = "referrals/import/upload.html"
    form_class = ReferralImportForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        user = self.request.user
        provider = form.cleaned_data["provider"] if user.is_national_admin else user.organisation
        job = referral_import_job_create(actor=user, provider=provider, upload=form.cleaned_data["file"])
        return redirect(job)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs, max_bytes=max_upload_bytes(), jobs=_jobs(self.request.user)[:RECENT_JOBS]
        )


class ReferralImportJobView(ImportAccessMixin, DetailView):
    """One import: its progress while it runs, then its counts or its problems."""

    template_name = "referrals/import/job.html"
    context_object_name = "job"

    def get_queryset(self):
        return _jobs(self.request.user)

    def get_context_data(self, **kwargs):
        job = self.object
        errors = [{"row": row, "column": column, "message": message} for row, column, message in job.errors]
        return super().get_context_data(
            **kwargs,
            errors=errors,
            error_count=len(errors),
            max_errors=MAX_ERRORS,
            progress_seconds=PROGRESS_SECONDS,
        )


class ReferralImportJobProgressView(ImportAccessMixin, View):
    """The job's progress as JSON, for the job page's script."""

    def get(self, request, pk):
        job = get_object_or_404(_jobs(request.user), pk=pk)
        return JsonResponse(
            {
                "status": job.status,
                "finished": job.finished,
                "phase": job.phase,
                "rows_done": job.rows_done,
                "rows_total": job.rows_total,
                "text": progress_text(job),
            }
        )


def progress_text(job: ReferralImportJob) -> str:
    if job.status == ReferralImportJob.Status.QUEUED:
        return "Waiting to start."
    if job.finished:
        return f"{job.get_status_display()}."
    if job.phase == "save":
        return f"All rows checked. Saving {job.rows_total or 0:,} referrals."
    if job.phase == "update":
        return f"Updating existing referrals: {job.rows_done:,} of {job.rows_total or 0:,}."
    return f"Checking rows: {job.rows_done:,} rows checked so far."


class ReferralImportJobProblemsCsvView(ImportAccessMixin, View):
    def get(self, request, pk):
        job = get_object_or_404(_jobs(request.user), pk=pk)
        return csv_response(
            filename=f"referral-import-problems-{job.created_at:%Y-%m-%d}-{job.pk}.csv",
            header=["Row", "Column", "Problem"],
            rows=([row if row is not None else "", column, message] for row, column, message in job.errors),
        )


def example_team(user) -> ReferringTeam | None:
    """A referring team in an area `user`'s organisation serves, for the template's example row,
    so that the template uploads as it is; None if it has none (or `user` is no organisation's).
    A team whose name a spreadsheet would read as a formula is passed over: the download would
    change its name."""
    if not user.organisation_id:
        return None
    teams = ReferringTeam.objects.filter(area__organisations=user.organisation_id).select_related("area")
    for team in teams.order_by("area__name", "name").iterator():
        if not team.name.startswith(FORMULA_PREFIXES):
            return team
    return None


def example_row(team: ReferringTeam | None) -> dict[str, str]:
    """The template's example row, in `team`'s area and naming it; the general example without."""
    example = dict(EXAMPLE_ROW)
    if team is not None:
        example.update(police_area_code=team.area.code, referring_team=team.name)
    return example


class ReferralImportTemplateView(ImportAccessMixin, View):
    def get(self, request):
        example = example_row(example_team(request.user))
        return csv_response(
            filename="referral-import-template.csv",
            header=COLUMNS,
            rows=[[example[column] for column in COLUMNS]],
        )


class ReferralImportGuideView(ImportAccessMixin, TemplateView):
    template_name = "referrals/import/guide.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        areas = PoliceArea.objects.order_by("name")
        if not user.is_national_admin:
            areas = areas.filter(organisations=user.organisation_id)
        teams = ReferringTeam.objects.filter(area__in=areas).select_related("area").order_by("area__name", "name")
        team = example_team(user)
        example = example_row(team)
        columns = [
            {
                "name": column.name,
                "required": column.required,
                "always_in_file": column.always_in_file,
                "description": column.description,
                "is_date": column.is_date,
                "choices": CHOICES.get(column.name, []),
                "example": example[column.name],
            }
            for column in TEMPLATE_COLUMNS
        ]
        return super().get_context_data(
            **kwargs, columns=columns, areas=areas, teams=teams, example_is_yours=team is not None
        )
