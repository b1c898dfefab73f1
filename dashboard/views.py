import io
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views import View
from django.views.generic import TemplateView
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from pledges.maps import register_map
from pledges.selectors import default_campaign, register_pledges
from reviews.selectors import can_sign_off_return, return_checks
from reviews.services import return_sign_off
from rjportal.accounts.constants import Role
from rjportal.accounts.permissions import RoleRequiredMixin
from rjportal.areas.models import PoliceArea
from rjportal.csp import ChartsCspMixin
from rjportal.exports import csv_response, neutralise_formula
from rjportal.periods import FinancialYear
from strategy.selectors import quarterly_spend

from .figures import area_charts, national_charts
from .forms import DashboardFilterForm
from .reports import area_report, national_report, quarterly_return

EARLIER_CRIME_YEAR_NOTICE = (
    "Crime figures are from an earlier year: recorded crime for the year that matches this financial year is "
    "not loaded yet."
)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Pounds (the tables' Decimal cells) as numbers shown with two decimals.
POUNDS_FORMAT = "#,##0.00"


def _xlsx_cell(sheet, value):
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = POUNDS_FORMAT
        return cell
    return neutralise_formula(value)


def tables_as_xlsx(tables, *, filename: str, notes: list[str]) -> HttpResponse:
    workbook = Workbook(write_only=True)
    about = workbook.create_sheet("About")
    for line in notes:
        about.append([neutralise_formula(line)])
    for table in tables:
        sheet = workbook.create_sheet(table.key[:31])
        sheet.append([table.title])
        sheet.append(table.columns)
        for row in table.rows:
            sheet.append([_xlsx_cell(sheet, cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class DashboardView(ChartsCspMixin, RoleRequiredMixin, TemplateView):
    """Shared by the area and national views: the filter form, and downloads of any table
    (`?export=<table>`, CSV) or of them all (`?format=xlsx`)."""

    allowed_roles = (Role.PCC_STAFF,)

    def get(self, request, *args, **kwargs):
        self.filter_form = DashboardFilterForm(request.GET or None)
        self.report = self.build_report()
        tables = self.report.tables()
        export = request.GET.get("export")
        if export:
            table = next((table for table in tables if table.key == export), None)
            if table is None:
                raise Http404("No such table.")
            return csv_response(filename=f"{self.file_stem()}-{table.key}.csv", header=table.columns, rows=table.rows)
        if request.GET.get("format") == "xlsx":
            return tables_as_xlsx(tables, filename=f"{self.file_stem()}.xlsx", notes=self.notes())
        return super().get(request, *args, **kwargs)

    def download_url(self, **params):
        query = self.request.GET.copy()
        query.pop("export", None)
        query.pop("format", None)
        for key, value in params.items():
            query[key] = value
        return f"?{query.urlencode()}"

    def notes(self) -> list[str]:
        scope = self.report.scope
        year = self.report.year_ending
        return [
            f"RJ Portal: {self.title()}",
            f"Referrals received {scope.period.start:%-d %B %Y} to {scope.period.end:%-d %B %Y}.",
            "A referral is counted when an RJ provider records receiving it.",
            f"Recorded crime: ONS police recorded crime, year ending {year:%-d %B %Y}." if year else "",
            EARLIER_CRIME_YEAR_NOTICE if self.report.crime_year and self.report.crime_year.is_earlier else "",
            "Counts from 1 to 4 beyond the viewer's own area are shown as <5 and give no rate.",
            "Source for recorded crime: Office for National Statistics, Open Government Licence v3.0.",
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tables = {table.key: table for table in self.report.tables()}
        csv_urls = {key: self.download_url(export=key) for key in tables}
        context.update(
            filter_form=self.filter_form,
            report=self.report,
            tables=tables,
            csv_urls=csv_urls,
            charts=self.charts(tables, csv_urls),
            xlsx_url=self.download_url(format="xlsx"),
            notes=self.notes(),
        )
        return context


class AreaDashboardView(DashboardView):
    template_name = "dashboard/area.html"

    def build_report(self):
        # Another area's dashboard is "not found" for PCC staff: they see it only as aggregates.
        self.area = get_object_or_404(PoliceArea.objects.for_user(self.request.user), code=self.kwargs["code"])
        return area_report(
            area=self.area,
            scope=self.filter_form.scope(),
            financial_year=self.filter_form.financial_year(),
            today=timezone.localdate(),
        )

    def title(self):
        return f"{self.area.name} referral dashboard"

    def notes(self) -> list[str]:
        year = self.report.money.year.label
        return [
            *super().notes(),
            f"The 10 ways scorecard, budget, spend, costs and estimated benefit are for the whole of {year}, "
            "whatever quarter or filters are chosen.",
            SPEND_NOTE,
            "Cost per referral and per victim supported: the year's spend divided by the referrals received, or "
            "the victims supported, in the year; the national median is across the areas that recorded spend "
            "and had referrals.",
            self.report.benefit_note,
        ]

    def charts(self, tables, csv_urls):
        return area_charts(self.report, tables, csv_urls)

    def file_stem(self):
        return f"rj-dashboard-{slugify(self.area.name)}-{self.report.scope.period.start:%Y-%m-%d}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            area=self.area,
            other_areas=PoliceArea.objects.for_user(self.request.user).exclude(pk=self.area.pk),
            national_url=reverse("dashboard:index") + self.download_url(),
        )
        return context


class NationalDashboardView(DashboardView):
    template_name = "dashboard/national.html"

    def build_report(self):
        own_areas = PoliceArea.objects.for_user(self.request.user)
        peer_code = self.request.GET.get("peers_of")
        peer_of = own_areas.filter(code=peer_code).first() if peer_code else None
        if peer_of is None and not self.request.user.sees_all_areas:
            peer_of = own_areas.first()
        self.own_areas = [] if self.request.user.sees_all_areas else list(own_areas)
        return national_report(
            scope=self.filter_form.scope(),
            peer_of=peer_of,
            openable_codes=frozenset(own_areas.values_list("code", flat=True)),
        )

    def title(self):
        return "National comparison of RJ referrals"

    def charts(self, tables, csv_urls):
        charts = national_charts(self.report, tables, csv_urls, highlight=self.own_areas)
        if self.colour_by_pledges():
            campaign = default_campaign()
            if campaign is not None:
                # The map shows pledge status instead; the league keeps its table.
                charts.pop("league")
                charts["pledge_map"] = register_map(
                    campaign=campaign, published_pledges=register_pledges().filter(campaign=campaign)
                )
        return charts

    def colour_by_pledges(self):
        return self.request.GET.get("colour") == "pledges"

    def file_stem(self):
        return f"rj-national-{self.report.scope.period.start:%Y-%m-%d}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            own_areas=self.own_areas,
            area_choices=PoliceArea.objects.order_by("name") if self.request.user.sees_all_areas else [],
            colour_by_pledges=self.colour_by_pledges(),
            rate_map_url=self.download_url(colour="rate"),
            pledge_map_url=self.download_url(colour="pledges"),
        )
        return context


def pick_area(request):
    """The administrators' area picker: to the chosen area's dashboard, if the user may open it."""
    area = get_object_or_404(PoliceArea.objects.for_user(request.user), code=request.GET.get("code", ""))
    return redirect("dashboard:area", code=area.code)


def my_area_dashboard(request):
    """PCC office staff land on their own area; administrators on the national view."""
    area = PoliceArea.objects.for_user(request.user).order_by("name").first()
    if request.user.sees_all_areas or area is None:
        return redirect("dashboard:index")
    return redirect("dashboard:area", code=area.code)


class QuarterlyReturnView(RoleRequiredMixin, TemplateView):
    """The figures the Ministry of Justice asks PCCs for, by quarter of a financial year:
    referrals and victims supported from the referrals, spend from the PCC office's records."""

    allowed_roles = (Role.PCC_STAFF,)
    template_name = "dashboard/return.html"

    def get(self, request, *args, **kwargs):
        self.area = get_object_or_404(PoliceArea.objects.for_user(request.user), code=kwargs["code"])
        self.filter_form = DashboardFilterForm(request.GET or None)
        self.table = quarterly_return(
            area=self.area, financial_year=self.filter_form.financial_year(), today=timezone.localdate()
        )
        # Completeness checks and sign-off, for the offices that may sign the return off.
        self.can_sign_off = can_sign_off_return(request.user, self.area)
        year = self.filter_form.financial_year()
        self.checks = (
            return_checks(
                area=self.area,
                financial_year=year,
                today=timezone.localdate(),
                spend_by_quarter=quarterly_spend(area=self.area, year=year),
            )
            if self.can_sign_off
            else []
        )
        stem = (
            f"rj-quarterly-return-{slugify(self.area.name)}-{self.filter_form.financial_year().label.replace('/', '-')}"
        )
        if request.GET.get("format") == "csv":
            return csv_response(filename=f"{stem}.csv", header=self.table.columns, rows=self.table.rows)
        if request.GET.get("format") == "xlsx":
            return tables_as_xlsx([self.table], filename=f"{stem}.xlsx", notes=RETURN_NOTES)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        links = {}
        for kind in ("csv", "xlsx"):
            query["format"] = kind
            links[kind] = f"?{query.urlencode()}"
        context.update(
            area=self.area,
            table=self.table,
            links=links,
            notes=RETURN_NOTES,
            year=self.filter_form.financial_year(),
            checks=self.checks,
            can_sign_off=self.can_sign_off,
        )
        return context


class ReturnSignOffView(RoleRequiredMixin, View):
    """POST only, from the return page: sign off one ended quarter, its spend included (which
    is why this lives here, above both the reviews and the strategy apps)."""

    allowed_roles = (Role.PCC_STAFF,)

    def post(self, request, code, year, quarter):
        area = get_object_or_404(PoliceArea.objects.for_user(request.user), code=code)
        if not can_sign_off_return(request.user, area):
            raise Http404
        financial_year = FinancialYear(year)
        try:
            return_sign_off(
                actor=request.user,
                area=area,
                financial_year=financial_year,
                quarter=quarter,
                today=timezone.localdate(),
                spend_by_quarter=quarterly_spend(area=area, year=financial_year),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Q{quarter} of {financial_year.label} signed off.")
        return redirect(f"{reverse('dashboard:return', args=[area.code])}?year={year}")


SPEND_NOTE = (
    "Spend (£): RJ spend in pounds, recorded by the PCC office in RJ Portal for each quarter. A quarter not yet "
    "begun reads 'Not yet begun', and one the office has not recorded 'Not recorded'. The year's total is the "
    "sum of the quarters recorded."
)

RETURN_NOTES = [
    "Referrals: referrals an RJ provider recorded as received in the quarter.",
    "Victims supported: of those referrals, the ones that reached an RJ intervention (direct or indirect).",
    SPEND_NOTE,
]
