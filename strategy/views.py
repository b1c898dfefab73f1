"""Pages for an area's 10-ways records, its money and the scorecard. Commissioning and
accreditation pages are in commissioning_views.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from rjportal.accounts.constants import Role
from rjportal.accounts.permissions import NationalAdminRequiredMixin, RoleRequiredMixin
from rjportal.areas.models import PoliceArea
from rjportal.exports import csv_response, xlsx_response
from rjportal.forms import add_service_errors, gds_helper
from rjportal.listing import paginate
from rjportal.periods import FinancialYear

from .constants import Way, WayStatus
from .forms import BenefitRatioChoiceForm, BenefitRatioForm, BudgetForm, SpendForm, WayAssessmentForm
from .managers import strategy_areas_for
from .models import BenefitRatio
from .records import RECORD_KINDS
from .selectors import (
    FALLBACK_RULE,
    area_money,
    area_scorecard,
    areas_with_training_staff,
    benefit_note,
    rule_text,
    scorecards,
    strategy_years,
)
from .services import (
    area_record_create,
    area_record_delete,
    area_record_update,
    benefit_ratio_choose,
    benefit_ratio_create,
    budget_save,
    spend_quarters_open,
    spend_save,
    way_assessment_save,
)


def _today():
    return timezone.localdate()


def requested_year(request) -> FinancialYear:
    """The financial year in `?year=` when it is one the pages offer, else the current one."""
    years = strategy_years(today=_today())
    wanted = request.GET.get("year", "")
    return next((year for year in years if str(year.start_year) == wanted), years[0])


def offered_year(start_year: int) -> FinancialYear:
    """A year named in the address must be one the pages offer."""
    year = next((year for year in strategy_years(today=_today()) if year.start_year == start_year), None)
    if year is None:
        raise Http404("No such financial year.")
    return year


class AreaStrategyMixin(RoleRequiredMixin):
    """Pages about one area's strategy records: PCC office staff of that area and national
    administrators. Another area's pages are 'not found'."""

    allowed_roles = (Role.PCC_STAFF,)

    def get_area(self) -> PoliceArea:
        if not hasattr(self, "_area"):
            self._area = get_object_or_404(strategy_areas_for(self.request.user), code=self.kwargs["code"])
        return self._area


def _way_links(area: PoliceArea) -> dict[str, str]:
    """Where each way's evidence is kept."""
    records = {kind.way: reverse("strategy:records", args=[area.code, kind.slug]) for kind in RECORD_KINDS.values()}
    records[Way.COMMUNICATIONS] = reverse("strategy:records", args=[area.code, "communications"])
    return {
        Way.PLEDGE: reverse("pledges:area", args=[area.code]),
        Way.PROVIDER: reverse("strategy:commissions"),
        Way.STRATEGY: records[Way.STRATEGY],
        Way.DATA: reverse("dashboard:area", args=[area.code]),
        Way.BUDGET: reverse("strategy:money", args=[area.code]),
        Way.TRAINING: records[Way.TRAINING],
        Way.DIP_SAMPLING: reverse("reviews:index"),
        Way.COMMUNICATIONS: records[Way.COMMUNICATIONS],
        Way.COMMUNITY_REMEDY: records[Way.COMMUNITY_REMEDY],
        Way.OBSERVATION: records[Way.OBSERVATION],
    }


class StrategyIndexView(RoleRequiredMixin, TemplateView):
    """PCC office staff with one area go straight to it; others choose."""

    allowed_roles = (Role.PCC_STAFF,)
    template_name = "strategy/index.html"

    def get(self, request, *args, **kwargs):
        areas = list(strategy_areas_for(request.user).order_by("name"))
        if len(areas) == 1 and not request.user.is_national_admin:
            return redirect("strategy:area", code=areas[0].code)
        self.areas = areas
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(areas=self.areas, **kwargs)


class AreaStrategyView(AreaStrategyMixin, TemplateView):
    """An area's 10 ways: the scorecard for a year, each way's evidence and where to keep it."""

    template_name = "strategy/area.html"

    def get_context_data(self, **kwargs):
        area, year = self.get_area(), requested_year(self.request)
        scorecard = area_scorecard(area, year=year, today=_today())
        links = _way_links(area)
        rows = [
            {
                "result": result,
                "link": links.get(result.way),
                "assess_url": None
                if result.computed
                else reverse("strategy:way_assess", args=[area.code, result.way.value, year.start_year]),
            }
            for result in scorecard.ways
        ]
        return super().get_context_data(
            area=area,
            year=year,
            years=strategy_years(today=_today()),
            scorecard=scorecard,
            counts=scorecard.counts(),
            rows=rows,
            fallback_rule=FALLBACK_RULE,
            kinds=RECORD_KINDS.values(),
            other_areas=strategy_areas_for(self.request.user).exclude(pk=area.pk).order_by("name")
            if not self.request.user.is_national_admin
            else [],
            **kwargs,
        )


# Money --------------------------------------------------------------------------------------


class MoneyView(AreaStrategyMixin, TemplateView):
    template_name = "strategy/money.html"

    def get_context_data(self, **kwargs):
        area, year = self.get_area(), requested_year(self.request)
        money = area_money(area=area, year=year, today=_today())
        return super().get_context_data(
            area=area,
            year=year,
            years=strategy_years(today=_today()),
            money=money,
            benefit_note=benefit_note(money.ratio),
            **kwargs,
        )


class FormPageMixin:
    """A form page for one area's record: title, caption and a back link."""

    template_name = "strategy/form.html"

    def render_form(self, form, **context):
        return render(self.request, self.template_name, {"form": form, "area": self.get_area(), **context})


class BudgetEditView(AreaStrategyMixin, FormPageMixin, View):
    def setup_year(self):
        self.year = offered_year(self.kwargs["year"])
        self.area = self.get_area()

    def get(self, request, code, year):
        self.setup_year()
        money = area_money(area=self.area, year=self.year, today=_today())
        initial = {}
        if money.budget is not None:
            initial = {
                "amount_pence": money.budget.amount_pence,
                "ringfenced": "yes" if money.budget.ringfenced else "no",
            }
            initial.update({f"funding_{source}": pence for source, pence in money.funding.items()})
        return self.page(BudgetForm(initial=initial, year=self.year))

    def post(self, request, code, year):
        self.setup_year()
        form = BudgetForm(request.POST, year=self.year)
        if form.is_valid():
            try:
                budget_save(
                    actor=request.user,
                    area=self.area,
                    financial_year=self.year,
                    amount_pence=form.cleaned_data["amount_pence"],
                    ringfenced=form.cleaned_data["ringfenced"],
                    funding=form.funding(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"RJ budget for {self.area.name}, {self.year.label}, saved.")
                return redirect(f"{reverse('strategy:money', args=[self.area.code])}?year={self.year.start_year}")
        return self.page(form)

    def page(self, form):
        return self.render_form(
            form,
            title=f"RJ budget for {self.year.label}",
            back_url=f"{reverse('strategy:money', args=[self.area.code])}?year={self.year.start_year}",
            back_label="Back to money",
            intro="The budget for restorative justice in the financial year "
            f"{self.year.period.start:%-d %B %Y} to {self.year.period.end:%-d %B %Y}, and where it comes from.",
        )


class SpendEditView(AreaStrategyMixin, FormPageMixin, View):
    def setup_year(self):
        self.year = offered_year(self.kwargs["year"])
        self.area = self.get_area()
        self.open_quarters = spend_quarters_open(self.year, today=_today())

    def get(self, request, code, year):
        self.setup_year()
        money = area_money(area=self.area, year=self.year, today=_today())
        initial = {f"quarter_{quarter.number}": quarter.amount_pence for quarter in money.quarters}
        return self.page(SpendForm(initial=initial, year=self.year, open_quarters=self.open_quarters))

    def post(self, request, code, year):
        self.setup_year()
        form = SpendForm(request.POST, year=self.year, open_quarters=self.open_quarters)
        if form.is_valid():
            try:
                spend_save(actor=request.user, area=self.area, financial_year=self.year, amounts=form.amounts())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"RJ spend for {self.area.name}, {self.year.label}, saved.")
                return redirect(f"{reverse('strategy:money', args=[self.area.code])}?year={self.year.start_year}")
        return self.page(form)

    def page(self, form):
        intro = "What the area spent on restorative justice in each quarter. Leave a quarter empty if it is not known."
        for number in (1, 2, 3, 4):
            if number not in self.open_quarters:
                intro += f" Quarter {number} begins on {self.year.quarter(number).start:%-d %B %Y}."
        return self.render_form(
            form,
            title=f"RJ spend in {self.year.label}",
            back_url=f"{reverse('strategy:money', args=[self.area.code])}?year={self.year.start_year}",
            back_label="Back to money",
            intro=intro,
        )


# The area's other records -------------------------------------------------------------------


class RecordKindMixin(AreaStrategyMixin):
    def get_kind(self):
        kind = RECORD_KINDS.get(self.kwargs["kind"])
        if kind is None:
            raise Http404("No such record.")
        return kind

    def get_record(self):
        kind = self.get_kind()
        return get_object_or_404(
            kind.model.objects.for_user(self.request.user), area=self.get_area(), pk=self.kwargs["pk"]
        )

    def list_url(self):
        return reverse("strategy:records", args=[self.get_area().code, self.get_kind().slug])

    def make_form(self, *args, **kwargs):
        kind = self.get_kind()
        if kind.slug == "strategies":
            kwargs["years"] = strategy_years(today=_today())
        if kind.slug == "training":
            kwargs["team_staff"] = areas_with_training_staff(self.get_area())
        form = kind.form_class(*args, **kwargs)
        form.helper = gds_helper(form, f"Save {kind.noun}")
        return form


class RecordListView(RecordKindMixin, TemplateView):
    template_name = "strategy/records/list.html"

    def get(self, request, *args, **kwargs):
        kind, area = self.get_kind(), self.get_area()
        records = kind.model.objects.for_user(request.user).for_area(area).order_by(*kind.order)
        if request.GET.get("format") == "csv":
            return csv_response(
                filename=f"{kind.slug}-{area.code}-{_today():%Y-%m-%d}.csv",
                header=["Police area code", "Police area", *[column.label for column in kind.columns]],
                rows=([area.code, area.name, *[column.value(record) for column in kind.columns]] for record in records),
            )
        self.page, self.pagination = paginate(request, records)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kind = self.get_kind()
        rows = [
            {"record": record, "cells": [(column, column.value(record)) for column in kind.columns]}
            for record in self.page
        ]
        kwargs.update(area=self.get_area(), kind=kind, rows=rows, page=self.page, pagination=self.pagination)
        return super().get_context_data(**kwargs)


class RecordCreateView(RecordKindMixin, FormPageMixin, View):
    def get(self, request, code, kind):
        return self.page(self.make_form())

    def post(self, request, code, kind):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                record = area_record_create(
                    actor=request.user, model=self.get_kind().model, area=self.get_area(), **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Saved: {record}.")
                return redirect(self.list_url())
        return self.page(form)

    def page(self, form):
        kind = self.get_kind()
        return self.render_form(
            form,
            title=f"Add {kind.singular}",
            back_url=self.list_url(),
            back_label=f"Back to {kind.title.lower() if kind.title[1].islower() else kind.title}",
            intro=kind.intro,
            warning=kind.warning,
        )


class RecordUpdateView(RecordKindMixin, FormPageMixin, View):
    def initial(self, record):
        values = {}
        for name in self.get_kind().form_class.base_fields:
            value = getattr(record, name)
            values[name] = ("yes" if value else "no") if isinstance(value, bool) else value
        return values

    def get(self, request, code, kind, pk):
        record = self.get_record()
        return self.page(record, self.make_form(initial=self.initial(record)))

    def post(self, request, code, kind, pk):
        record = self.get_record()
        form = self.make_form(request.POST, initial=self.initial(record))
        if form.is_valid():
            try:
                area_record_update(actor=request.user, record=record, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Saved: {record}.")
                return redirect(self.list_url())
        return self.page(record, form)

    def page(self, record, form):
        kind = self.get_kind()
        return self.render_form(
            form,
            title=f"Change {kind.noun}",
            back_url=self.list_url(),
            back_label="Back to the list",
            intro=str(record),
            warning=kind.warning,
        )


class RecordDeleteView(RecordKindMixin, View):
    def get(self, request, code, kind, pk):
        return render(request, "strategy/records/delete.html", self.context(self.get_record()))

    def post(self, request, code, kind, pk):
        record = self.get_record()
        area_record_delete(actor=request.user, record=record)
        messages.success(request, f"Deleted: {record}.")
        return redirect(self.list_url())

    def context(self, record):
        kind = self.get_kind()
        return {
            "area": self.get_area(),
            "kind": kind,
            "record": record,
            "cells": [(column, column.value(record)) for column in kind.columns],
            "back_url": self.list_url(),
        }


# The scorecard ----------------------------------------------------------------------------


class WayAssessmentView(AreaStrategyMixin, FormPageMixin, View):
    """Staff's own status for a way the portal cannot work out for this area and year."""

    def setup_way(self):
        self.area = self.get_area()
        self.year = offered_year(self.kwargs["year"])
        try:
            self.way = Way(self.kwargs["way"])
        except ValueError as error:
            raise Http404("No such way.") from error
        self.result = area_scorecard(self.area, year=self.year, today=_today()).by_way()[self.way.value]

    def get(self, request, code, way, year):
        self.setup_way()
        initial = {}
        if self.result.assessment is not None:
            initial = {"status": self.result.assessment.status, "evidence": self.result.assessment.evidence}
        return self.page(WayAssessmentForm(initial=initial))

    def post(self, request, code, way, year):
        self.setup_way()
        if self.result.computed:
            return self.page(WayAssessmentForm())
        form = WayAssessmentForm(request.POST)
        if form.is_valid():
            try:
                way_assessment_save(
                    actor=request.user,
                    area=self.area,
                    financial_year=self.year,
                    way=self.way.value,
                    status=form.cleaned_data["status"],
                    evidence=form.cleaned_data["evidence"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Status of “{self.way.label}” for {self.year.label} saved.")
                return redirect(f"{reverse('strategy:area', args=[self.area.code])}?year={self.year.start_year}")
        return self.page(form)

    def page(self, form):
        return self.render_form(
            form if not self.result.computed else None,
            title=f"{self.way.label}: {self.year.label}",
            back_url=f"{reverse('strategy:area', args=[self.area.code])}?year={self.year.start_year}",
            back_label=f"Back to the 10 ways for {self.area.name}",
            intro=rule_text(self.way) + " " + FALLBACK_RULE
            if not self.result.computed
            else f"{rule_text(self.way)} RJ Portal works this status out from the records, so it cannot be "
            f"recorded by hand. Currently: {self.result.status.label}. {self.result.evidence}",
        )


class NationalScorecardView(RoleRequiredMixin, TemplateView):
    """43 areas by 10 ways. Statuses are not case data: PCC office staff see every area's."""

    allowed_roles = (Role.PCC_STAFF,)
    template_name = "strategy/scorecard.html"

    def get(self, request, *args, **kwargs):
        self.year = requested_year(request)
        areas = list(PoliceArea.objects.order_by("name"))
        cards = scorecards(areas, year=self.year, today=_today())
        self.cards = [cards[area.pk] for area in areas]
        export = request.GET.get("format")
        if export in ("csv", "xlsx"):
            return self.download(export)
        return super().get(request, *args, **kwargs)

    def detail_rows(self):
        for card in self.cards:
            for result in card.ways:
                yield [
                    card.area.code,
                    card.area.name,
                    self.year.label,
                    result.way.label,
                    result.status.label,
                    result.evidence,
                    "Worked out by RJ Portal" if result.computed else "Recorded by the PCC office",
                    timezone.localtime(result.changed_at).strftime("%Y-%m-%d %H:%M") if result.changed_at else "",
                ]

    def download(self, kind):
        header = ["Police area code", "Police area", "Financial year", "Way", "Status", "Evidence", "How", "Changed"]
        stem = f"rj-10-ways-scorecard-{self.year.label.replace('/', '-')}"
        if kind == "csv":
            return csv_response(filename=f"{stem}.csv", header=header, rows=self.detail_rows())
        matrix = [["Police area code", "Police area", *[way.label for way in Way]]]
        matrix += [
            [card.area.code, card.area.name, *[result.status.label for result in card.ways]] for card in self.cards
        ]
        about = [[f"RJ Portal: the 10-ways scorecard, {self.year.label}, as on {self.cards[0].on:%-d %B %Y}"]]
        about += [[f"{way.label}: {rule_text(way)}"] for way in Way]
        about += [[FALLBACK_RULE]]
        return xlsx_response(
            filename=f"{stem}.xlsx",
            sheets=[("About", about), ("Matrix", matrix), ("Detail", [header, *self.detail_rows()])],
        )

    def get_context_data(self, **kwargs):
        own = set(strategy_areas_for(self.request.user).values_list("pk", flat=True))
        totals = dict.fromkeys(WayStatus.values, 0)
        for card in self.cards:
            for status, count in card.counts().items():
                totals[status] += count
        query = self.request.GET.copy()
        links = {}
        for kind in ("csv", "xlsx"):
            query["format"] = kind
            links[kind] = f"?{query.urlencode()}"
        return super().get_context_data(
            year=self.year,
            years=strategy_years(today=_today()),
            cards=self.cards,
            own_area_ids=own,
            ways=list(Way),
            rules=[(way, rule_text(way)) for way in Way],
            fallback_rule=FALLBACK_RULE,
            totals=totals,
            links=links,
            on=self.cards[0].on if self.cards else None,
            **kwargs,
        )


# The benefit ratio ----------------------------------------------------------------------------


class BenefitRatioView(NationalAdminRequiredMixin, View):
    template_name = "strategy/benefit_ratio.html"

    def get(self, request):
        ratios = BenefitRatio.objects.all()
        current = ratios.filter(in_use=True).first()
        return self.page(BenefitRatioChoiceForm(ratios=ratios, initial={"ratio": current.pk if current else None}))

    def post(self, request):
        form = BenefitRatioChoiceForm(request.POST, ratios=BenefitRatio.objects.all())
        if form.is_valid():
            ratio = benefit_ratio_choose(actor=request.user, ratio=form.cleaned_data["ratio"])
            messages.success(request, f"Estimates of benefit now use {ratio.label} ({ratio.citation}).")
            return redirect("strategy:benefit_ratio")
        return self.page(form)

    def page(self, form):
        return render(
            self.request,
            self.template_name,
            {"form": form, "ratios": BenefitRatio.objects.all(), "note": benefit_note(BenefitRatio.objects.in_use())},
        )


class BenefitRatioCreateView(NationalAdminRequiredMixin, View):
    def get(self, request):
        return self.page(BenefitRatioForm())

    def post(self, request):
        form = BenefitRatioForm(request.POST)
        if form.is_valid():
            try:
                ratio = benefit_ratio_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{ratio.label} added. Choose it below to use it for estimates.")
                return redirect("strategy:benefit_ratio")
        return self.page(form)

    def page(self, form):
        return render(
            self.request,
            "strategy/form.html",
            {
                "form": form,
                "title": "Add a benefit ratio",
                "back_url": reverse("strategy:benefit_ratio"),
                "back_label": "Back to the benefit ratio",
                "intro": "Estimates of benefit multiply spend by this figure. Give its source, so that every "
                "estimate can say where it comes from.",
            },
        )
