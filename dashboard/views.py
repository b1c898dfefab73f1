from django.views.generic import TemplateView

from rjportal.accounts.constants import Role
from rjportal.accounts.permissions import RoleRequiredMixin
from rjportal.areas.models import PoliceArea
from rjportal.areas.selectors import area_list


class DashboardIndexView(RoleRequiredMixin, TemplateView):
    """The starting point for PCC offices and administrators. Referral gap charts join
    this page when referral data exists; until then it lists the areas in the user's scope."""

    allowed_roles = (Role.PCC_STAFF,)
    template_name = "dashboard/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        areas, year_ending = area_list()
        context.update(
            areas=areas.filter(pk__in=PoliceArea.objects.for_user(self.request.user).values("pk")),
            year_ending=year_ending,
        )
        return context
