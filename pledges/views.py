"""The pledge pages: public signup and register (no account needed), moderation and import."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from rjportal.areas.models import PoliceArea
from rjportal.csp import ChartsCspMixin
from rjportal.exports import csv_response
from rjportal.forms import add_service_errors
from rjportal.imports import ImportRejected
from rjportal.listing import paginate, sort_queryset
from rjportal.web.addresses import client_address

from .constants import OPEN_DATA_LICENCE, OPEN_DATA_LICENCE_URL, PledgeStatus
from .forms import (
    ChangeRequestForm,
    CorrectForm,
    ModerationFilterForm,
    PledgeChangeForm,
    PledgeImportForm,
    PledgeSignForm,
    RegisterFilterForm,
    RejectForm,
    WithdrawForm,
)
from .maps import register_map
from .models import Pledge, PledgeCampaign
from .permissions import ImportRequiredMixin, ModeratorRequiredMixin
from .selectors import default_campaign, published_parties, register_counts, register_pledges
from .services import (
    IMPORT_COLUMNS,
    REJECTABLE,
    WITHDRAWABLE,
    RateLimited,
    personal_data_months,
    pledge_change_by_signer,
    pledge_change_request,
    pledge_correct,
    pledge_publish,
    pledge_reject,
    pledge_sign,
    pledge_verify,
    pledge_withdraw,
    pledges_import,
)
from .tokens import InvalidToken, pledge_for_change_token, pledge_for_token, verification_max_age

public = method_decorator(login_not_required, name="dispatch")

REGISTER_COLUMNS = {
    "name": ("Name", "name"),
    "role": ("Role", "role"),
    "party": ("Party", "party"),
    "area": ("Police area", "area__name"),
}


# Public register ---------------------------------------------------------------------------


@public
class RegisterView(ChartsCspMixin, TemplateView):
    template_name = "pledges/register.html"

    def get_context_data(self, **kwargs):
        request = self.request
        probe = RegisterFilterForm(request.GET or None)
        campaign = None
        if probe.is_bound and probe.is_valid():
            campaign = probe.cleaned_data["campaign"]
        campaign = campaign or default_campaign()
        form = RegisterFilterForm(request.GET or None, parties=published_parties(campaign))
        if not form.is_bound:
            form.initial["campaign"] = campaign.pk if campaign else None
        context = super().get_context_data(**kwargs, filter_form=form, campaign=campaign)
        if campaign is None:
            return context
        campaign_pledges = register_pledges().filter(campaign=campaign)
        pledges = form.filter_queryset(campaign_pledges, by_campaign=False)
        pledges, sort_headers = sort_queryset(request, pledges, columns=REGISTER_COLUMNS, default="area")
        page, pagination = paginate(request, pledges)
        params = request.GET.copy()
        params.pop("page", None)
        params.pop("sort", None)
        params["campaign"] = campaign.pk
        query = params.urlencode()
        context.update(
            pledges=page,
            pagination=pagination,
            sort_headers=sort_headers,
            counts=register_counts(campaign),
            chart=register_map(campaign=campaign, published_pledges=campaign_pledges),
            csv_url=f"{reverse('pledges:register_csv')}?{query}",
            json_url=f"{reverse('pledges:register_json')}?{query}",
            is_filtered=any(request.GET.get(key) for key in ("area", "role", "party")),
            licence=OPEN_DATA_LICENCE,
            licence_url=OPEN_DATA_LICENCE_URL,
        )
        return context


@public
class AreaPledgesView(TemplateView):
    template_name = "pledges/area.html"

    def get_context_data(self, **kwargs):
        area = get_object_or_404(PoliceArea, code=self.kwargs["code"])
        pledges = register_pledges().filter(area=area).order_by("-campaign__election_date", "name")
        by_campaign = {}
        for pledge in pledges:
            by_campaign.setdefault(pledge.campaign, []).append(pledge)
        return super().get_context_data(**kwargs, area=area, by_campaign=by_campaign)


def _open_data_pledges(request):
    form = RegisterFilterForm(request.GET or None, parties=published_parties())
    pledges = register_pledges()
    return form.filter_queryset(pledges).order_by("-campaign__election_date", "area__name", "name", "pk")


OPEN_DATA_FIELDS = [
    "campaign",
    "election_date",
    "name",
    "role",
    "party",
    "area_code",
    "area_name",
    "statement",
    "pledge_text",
    "source",
    "published_on",
]


def _open_data_row(pledge: Pledge) -> dict:
    """One published pledge as open data: never the email address or anything private."""
    return {
        "campaign": pledge.campaign.title,
        "election_date": pledge.campaign.election_date.isoformat(),
        "name": pledge.name,
        "role": pledge.get_role_display(),
        "party": pledge.party,
        "area_code": pledge.area.code,
        "area_name": pledge.area.name,
        "statement": pledge.statement,
        "pledge_text": pledge.text_signed,
        "source": pledge.source_note if pledge.source_note else pledge.get_source_display(),
        "published_on": timezone.localdate(pledge.published_at).isoformat() if pledge.published_at else "",
    }


@public
class RegisterCsvView(View):
    def get(self, request):
        rows = (
            [*_open_data_row(pledge).values(), OPEN_DATA_LICENCE] for pledge in _open_data_pledges(request).iterator()
        )
        response = csv_response(filename="rj-pledge-register.csv", header=[*OPEN_DATA_FIELDS, "licence"], rows=rows)
        response["X-Licence"] = f"{OPEN_DATA_LICENCE} <{OPEN_DATA_LICENCE_URL}>"
        return response


@public
class RegisterJsonView(View):
    def get(self, request):
        pledges = [_open_data_row(pledge) for pledge in _open_data_pledges(request)]
        response = JsonResponse(
            {
                "licence": {"name": OPEN_DATA_LICENCE, "url": OPEN_DATA_LICENCE_URL},
                "attribution": "RJ Portal pledge register",
                "generated_at": timezone.now().isoformat(timespec="seconds"),
                "count": len(pledges),
                "pledges": pledges,
            },
            json_dumps_params={"ensure_ascii": False},
        )
        response["X-Licence"] = f"{OPEN_DATA_LICENCE} <{OPEN_DATA_LICENCE_URL}>"
        return response


@public
class PrivacyView(TemplateView):
    template_name = "pledges/privacy.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs,
            months=personal_data_months(),
            days=max(1, verification_max_age() // 86400),
            contact_email=settings.PLEDGE_CONTACT_EMAIL,
        )


# Signing -----------------------------------------------------------------------------------


@public
class SignView(View):
    def dispatch(self, request, *args, **kwargs):
        self.campaigns = list(PledgeCampaign.objects.open_on(timezone.localdate()).newest_first())
        if not self.campaigns:
            return render(request, "pledges/sign_closed.html", {"campaign": default_campaign()})
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(PledgeSignForm(campaigns=self.campaigns))

    def post(self, request):
        form = PledgeSignForm(request.POST, campaigns=self.campaigns)
        if form.is_bot:
            # Pretend it worked: a bot learns nothing, and nothing is saved or sent.
            return redirect("pledges:check_email")
        if not form.is_valid():
            return self.render(form)
        data = form.cleaned_data
        try:
            pledge_sign(
                campaign=data["campaign"],
                name=data["name"],
                role=data["role"],
                party=data["party"],
                area=data["area"],
                email=data["email"],
                statement=data["statement"],
                consent_to_publish=data["consent_to_publish"],
                ip_address=client_address(request),
                site_url=request.build_absolute_uri("/"),
            )
        except RateLimited as limited:
            form.add_error(None, limited.message)
            return self.render(form, status=429)
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_messages)
            return self.render(form)
        return redirect("pledges:check_email")

    def render(self, form, status=200):
        campaign = self.campaigns[0] if len(self.campaigns) == 1 else None
        return render(self.request, "pledges/sign.html", {"form": form, "campaign": campaign}, status=status)


@public
class CheckEmailView(TemplateView):
    template_name = "pledges/check_email.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, days=max(1, verification_max_age() // 86400))


TOKEN_PROBLEM_STATUS = {InvalidToken.TAMPERED: 400, InvalidToken.EXPIRED: 410, InvalidToken.USED: 410}


def _token_problem(request, problem: InvalidToken):
    return render(
        request,
        "pledges/confirm_problem.html",
        {"reason": problem.reason, "days": max(1, verification_max_age() // 86400)},
        status=TOKEN_PROBLEM_STATUS[problem.reason],
    )


@public
@method_decorator(never_cache, name="dispatch")
class ConfirmView(View):
    """GET shows the pledge and a button; only the POST confirms, so a mail scanner that
    follows the link confirms nothing."""

    def get(self, request, token):
        try:
            pledge = pledge_for_token(token)
        except InvalidToken as problem:
            return _token_problem(request, problem)
        return render(request, "pledges/confirm.html", {"pledge": pledge})

    def post(self, request, token):
        try:
            pledge = pledge_verify(token=token)
        except InvalidToken as problem:
            return _token_problem(request, problem)
        request.session["pledge_confirmed"] = pledge.pk
        return redirect("pledges:confirmed")


@public
class ConfirmedView(View):
    def get(self, request):
        pledge = Pledge.objects.select_related("campaign").filter(pk=request.session.get("pledge_confirmed")).first()
        return render(request, "pledges/confirmed.html", {"pledge": pledge})


# Signers changing their details ----------------------------------------------------------------


@public
class ChangeRequestView(View):
    """'Change your pledge details': an email address in, a link out if that address signed a
    pledge in an open campaign. The next page says the same whether or not it did."""

    def get(self, request):
        return self.render(ChangeRequestForm())

    def post(self, request):
        form = ChangeRequestForm(request.POST)
        if not form.is_valid():
            return self.render(form)
        pledge_change_request(
            email=form.cleaned_data["email"],
            ip_address=client_address(request),
            site_url=request.build_absolute_uri("/"),
        )
        return redirect("pledges:change_request_sent")

    def render(self, form):
        return render(self.request, "pledges/change_request.html", {"form": form})


@public
class ChangeRequestSentView(TemplateView):
    template_name = "pledges/change_request_sent.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, days=max(1, verification_max_age() // 86400))


def _change_problem(request, problem: InvalidToken):
    return render(
        request,
        "pledges/change_problem.html",
        {"reason": problem.reason, "days": max(1, verification_max_age() // 86400)},
        status=TOKEN_PROBLEM_STATUS[problem.reason],
    )


@public
@method_decorator(never_cache, name="dispatch")
class ChangeDetailsView(View):
    """The emailed link's form: the signer changes their own details, and the pledge goes back
    to the moderators. Opening the link changes nothing; saving the form uses it up."""

    def get(self, request, token):
        try:
            pledge = pledge_for_change_token(token)
        except InvalidToken as problem:
            return _change_problem(request, problem)
        return self.render(pledge, PledgeChangeForm(pledge=pledge))

    def post(self, request, token):
        try:
            pledge = pledge_for_change_token(token)
        except InvalidToken as problem:
            return _change_problem(request, problem)
        form = PledgeChangeForm(request.POST, pledge=pledge)
        if form.is_valid():
            try:
                pledge_change_by_signer(token=token, **form.cleaned_data)
            except InvalidToken as problem:
                return _change_problem(request, problem)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("pledges:change_done")
        return self.render(pledge, form)

    def render(self, pledge, form):
        return render(self.request, "pledges/change_details.html", {"pledge": pledge, "form": form})


@public
class ChangeDoneView(TemplateView):
    template_name = "pledges/change_done.html"


# Moderation --------------------------------------------------------------------------------

MODERATION_COLUMNS = {
    "name": ("Name", "name"),
    "area": ("Police area", "area__name"),
    "campaign": ("Campaign", "campaign__election_date"),
    "verified": ("Email confirmed", "verified_at"),
}


class ModerationQueueView(ModeratorRequiredMixin, TemplateView):
    template_name = "pledges/moderation/queue.html"

    def get_context_data(self, **kwargs):
        request = self.request
        form = ModerationFilterForm(request.GET or None)
        status = PledgeStatus.VERIFIED
        search = ""
        if form.is_bound and form.is_valid():
            status = form.cleaned_data["status"] or PledgeStatus.VERIFIED
            search = form.cleaned_data["q"].strip()
        if not form.is_bound:
            form.initial["status"] = status
        pledges = Pledge.objects.filter(status=status).select_related("campaign", "area")
        if search:
            pledges = pledges.filter(name__icontains=search)
        pledges, sort_headers = sort_queryset(request, pledges, columns=MODERATION_COLUMNS, default="verified")
        page, pagination = paginate(request, pledges)
        return super().get_context_data(
            **kwargs,
            filter_form=form,
            status=PledgeStatus(status),
            pledges=page,
            pagination=pagination,
            sort_headers=sort_headers,
        )


class ModerationPledgeMixin(ModeratorRequiredMixin):
    def get_pledge(self) -> Pledge:
        return get_object_or_404(Pledge.objects.select_related("campaign", "area"), pk=self.kwargs["pk"])

    def error_page(self, pledge, error: ValidationError):
        for message in error.messages:
            messages.error(self.request, message)
        return redirect(pledge)


class ModerationDetailView(ModerationPledgeMixin, View):
    def get(self, request, pk):
        pledge = self.get_pledge()
        return render(
            request,
            "pledges/moderation/detail.html",
            {
                "pledge": pledge,
                "can_publish": pledge.status == PledgeStatus.VERIFIED and pledge.consent_to_publish,
                "can_reject": pledge.status in REJECTABLE,
                "can_withdraw": pledge.status in WITHDRAWABLE,
                "can_correct": pledge.status != PledgeStatus.WITHDRAWN,
            },
        )


class PublishView(ModerationPledgeMixin, View):
    """GET asks the moderator to check; POST publishes."""

    def get(self, request, pk):
        return render(request, "pledges/moderation/publish.html", {"pledge": self.get_pledge()})

    def post(self, request, pk):
        pledge = self.get_pledge()
        try:
            pledge_publish(actor=request.user, pledge=pledge, site_url=request.build_absolute_uri("/"))
        except ValidationError as error:
            return self.error_page(pledge, error)
        messages.success(request, f"The pledge of {pledge.name} is published on the register.")
        return redirect("pledges:moderation")


class TwoStepActionView(ModerationPledgeMixin, View):
    """A form, then a page to check what it will do, then the change."""

    form_class = None
    template_name = ""
    confirm_template_name = ""

    def get(self, request, pk):
        pledge = self.get_pledge()
        return self.render(pledge, self.form_class(initial=self.initial(pledge)))

    def initial(self, pledge):
        return {}

    def post(self, request, pk):
        pledge = self.get_pledge()
        form = self.form_class(request.POST)
        if not form.is_valid():
            return self.render(pledge, form)
        if request.POST.get("confirm") != "yes":
            return render(
                request, self.confirm_template_name, {"pledge": pledge, "form": form, "data": form.cleaned_data}
            )
        try:
            self.act(pledge, form.cleaned_data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, field_messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, field_messages)
                return self.render(pledge, form)
            return self.error_page(pledge, error)
        return redirect(self.success_url(pledge))

    def success_url(self, pledge):
        return pledge.get_absolute_url()

    def render(self, pledge, form):
        return render(self.request, self.template_name, {"pledge": pledge, "form": form})


class RejectView(TwoStepActionView):
    form_class = RejectForm
    template_name = "pledges/moderation/reject.html"
    confirm_template_name = "pledges/moderation/reject_confirm.html"

    def act(self, pledge, data):
        pledge_reject(
            actor=self.request.user,
            pledge=pledge,
            reason=data["reason"],
            site_url=self.request.build_absolute_uri("/"),
        )
        messages.success(self.request, f"The pledge of {pledge.name} is rejected.")

    def success_url(self, pledge):
        return reverse("pledges:moderation")


class CorrectView(TwoStepActionView):
    form_class = CorrectForm
    template_name = "pledges/moderation/correct.html"
    confirm_template_name = "pledges/moderation/correct_confirm.html"

    def initial(self, pledge):
        return {"name": pledge.name, "party": pledge.party, "statement": pledge.statement}

    def act(self, pledge, data):
        pledge_correct(actor=self.request.user, pledge=pledge, **data)
        messages.success(self.request, "The pledge is corrected.")


class WithdrawView(ModerationPledgeMixin, View):
    """The form is the check: it says what withdrawing does, and its button does it."""

    def get(self, request, pk):
        return self.render(self.get_pledge(), WithdrawForm())

    def post(self, request, pk):
        pledge = self.get_pledge()
        form = WithdrawForm(request.POST)
        if not form.is_valid():
            return self.render(pledge, form)
        try:
            pledge_withdraw(actor=request.user, pledge=pledge, note=form.cleaned_data["note"])
        except ValidationError as error:
            return self.error_page(pledge, error)
        messages.success(request, f"The pledge of {pledge.name} is withdrawn.")
        return redirect(pledge)

    def render(self, pledge, form):
        return render(self.request, "pledges/moderation/withdraw.html", {"pledge": pledge, "form": form})


# Import ------------------------------------------------------------------------------------

IMPORT_RESULT_KEY = "pledge_import_result"


class PledgeImportView(ImportRequiredMixin, View):
    def get(self, request):
        return self.render(PledgeImportForm())

    def post(self, request):
        form = PledgeImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(form)
        try:
            result = pledges_import(actor=request.user, source=form.cleaned_data["file"])
        except ImportRejected as rejected:
            return self.render(PledgeImportForm(), errors=rejected.errors)
        request.session[IMPORT_RESULT_KEY] = {"created": result.created, "campaigns": result.campaigns}
        return redirect("pledges:import_result")

    def render(self, form, errors=None):
        return render(
            self.request,
            "pledges/import/upload.html",
            {
                "form": form,
                "errors": errors,
                "columns": IMPORT_COLUMNS,
                "campaigns": PledgeCampaign.objects.newest_first(),
            },
        )


class PledgeImportResultView(ImportRequiredMixin, View):
    def get(self, request):
        result = request.session.get(IMPORT_RESULT_KEY)
        if result is None:
            return redirect("pledges:import")
        return render(request, "pledges/import/result.html", {"result": result})
