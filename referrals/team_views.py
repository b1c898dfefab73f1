"""Referring teams in bulk: PCC office staff upload a file of their areas' teams, national
administrators a file of any area's. The work is in referrals.team_importing; a teams file is
small, so it is checked and saved while the person waits."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View

from rjportal.accounts.constants import Role
from rjportal.accounts.permissions import RoleRequiredMixin
from rjportal.exports import csv_response
from rjportal.imports import ImportRejected

from .forms import ReferringTeamUploadForm
from .team_importing import (
    CATEGORIES,
    COLUMN_NAMES,
    TEAM_COLUMNS,
    TEAM_IMPORT_MAX_ROWS,
    example_rows,
    referring_teams_import,
)
from .views import editable_team_areas


class ReferringTeamImportView(RoleRequiredMixin, View):
    """Each area's PCC office keeps its teams: other roles are forbidden (403), as on the form
    that adds one team."""

    allowed_roles = (Role.PCC_STAFF,)

    def get(self, request):
        return self.render(ReferringTeamUploadForm())

    def post(self, request):
        editable_team_areas(request)
        form = ReferringTeamUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = referring_teams_import(actor=request.user, source=upload, filename=upload.name)
            except ImportRejected as rejected:
                count = len(rejected.errors)
                form.add_error(
                    "file",
                    f"The file has {count} problem{'' if count == 1 else 's'}, listed below. Nothing was saved: fix "
                    f"{'it' if count == 1 else 'them'} and upload the file again",
                )
                return self.render(form, problems=rejected.errors)
            messages.success(
                request,
                f"Teams uploaded from {upload.name}: {result.created} added, {result.updated} changed, "
                f"{result.unchanged} unchanged.",
            )
            return redirect("referrals:teams")
        return self.render(form)

    def render(self, form, problems=()):
        areas = list(editable_team_areas(self.request))
        only_area = areas[0] if len(areas) == 1 else None
        columns = [
            {
                "name": column.name,
                "required": column.required and not (only_area and column.name == "police_area_code"),
                "description": column.description,
            }
            for column in TEAM_COLUMNS
        ]
        return render(
            self.request,
            "referrals/teams/upload.html",
            {
                "form": form,
                "errors": problems,
                "columns": columns,
                "categories": CATEGORIES,
                "areas": areas,
                "only_area": only_area,
                "max_rows": TEAM_IMPORT_MAX_ROWS,
            },
        )


class ReferringTeamImportTemplateView(RoleRequiredMixin, View):
    allowed_roles = (Role.PCC_STAFF,)

    def get(self, request):
        area = editable_team_areas(request).first()
        return csv_response(filename="referring-teams-template.csv", header=COLUMN_NAMES, rows=example_rows(area.code))
