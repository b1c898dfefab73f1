from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from rjportal.accounts.constants import Role
from rjportal.accounts.roles import tasks_for


@method_decorator(login_not_required, name="dispatch")
class HomeView(TemplateView):
    """A start page for the public; for staff, what their role lets them do."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        context = super().get_context_data(**kwargs)
        if user.is_authenticated:
            role = Role.NATIONAL_ADMIN if user.is_national_admin else Role(user.role)
            context.update(
                role_label=role.label,
                organisation=user.organisation,
                tasks=[
                    {"title": task.title, "url": task.url, "description": task.description} for task in tasks_for(user)
                ],
            )
        return context


@method_decorator(login_not_required, name="dispatch")
class PublicPageView(TemplateView):
    pass


@login_not_required
@never_cache
def healthz(request):
    """For load balancers and uptime checks: 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
