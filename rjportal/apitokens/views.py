"""Pages where RJ provider staff create, list and revoke their organisation's API tokens, and
national administrators list and revoke anyone's."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import ListView

from rjportal.accounts.constants import Role
from rjportal.accounts.permissions import RoleRequiredMixin
from rjportal.forms import add_service_errors
from rjportal.listing import paginate

from .forms import ApiTokenForm
from .models import ApiToken
from .permissions import may_hold_token
from .services import api_token_create, api_token_revoke


class ApiTokenListView(RoleRequiredMixin, ListView):
    allowed_roles = (Role.PROVIDER_STAFF,)
    template_name = "apitokens/list.html"

    def get_queryset(self):
        return ApiToken.objects.for_user(self.request.user).select_related("user", "organisation", "revoked_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, pagination = paginate(self.request, self.object_list)
        now = timezone.now()
        context.update(
            tokens=page,
            rows=[(token, token.status(now)) for token in page],
            pagination=pagination,
            can_create=may_hold_token(self.request.user),
            show_organisation=self.request.user.is_national_admin,
        )
        return context


@method_decorator(never_cache, name="dispatch")
class ApiTokenCreateView(RoleRequiredMixin, View):
    """Provider staff only: a national administrator may not hold a token."""

    allowed_roles = (Role.PROVIDER_STAFF,)

    def test_func(self):
        return may_hold_token(self.request.user)

    def get(self, request):
        return self.render(ApiTokenForm())

    def post(self, request):
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                token, secret = api_token_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                # Shown in this response only: the secret is not stored, so it cannot be shown again.
                return render(request, "apitokens/created.html", {"token": token, "secret": secret})
        return self.render(form)

    def render(self, form):
        return render(self.request, "apitokens/form.html", {"form": form})


class ApiTokenRevokeView(RoleRequiredMixin, View):
    allowed_roles = (Role.PROVIDER_STAFF,)

    def get_token(self):
        tokens = ApiToken.objects.for_user(self.request.user).filter(revoked_at__isnull=True)
        return get_object_or_404(tokens.select_related("user", "organisation"), pk=self.kwargs["pk"])

    def get(self, request, pk):
        return render(request, "apitokens/revoke.html", {"token": self.get_token()})

    def post(self, request, pk):
        token = api_token_revoke(actor=request.user, token=self.get_token())
        messages.success(request, f"Token {token.name} revoked: systems using it can no longer reach the API.")
        return redirect("apitokens:list")
