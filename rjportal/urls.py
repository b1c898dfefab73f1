from django.contrib import admin
from django.urls import include, path

from rjportal.web.security import security_txt
from rjportal.web.views import HomeView, healthz

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", healthz, name="healthz"),
    path(".well-known/security.txt", security_txt, name="security_txt"),
    path("accounts/", include("rjportal.accounts.urls")),
    path("pages/", include("rjportal.web.urls")),
    # The public "RJ in your area" pages sit under each area's address.
    path("areas/", include("strategy.public_urls")),
    path("areas/", include("rjportal.areas.urls")),
    path("organisations/", include("rjportal.organisations.urls")),
    path("audit/", include("rjportal.audit.urls")),
    path("referrals/import/", include("referrals.import_urls")),
    path("referrals/", include("referrals.urls")),
    path("api/", include("referrals.api.urls")),
    path("api-tokens/", include("rjportal.apitokens.urls")),
    path("pledges/", include("pledges.urls")),
    path("strategy/", include("strategy.urls")),
    path("reviews/", include("reviews.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("admin/", admin.site.urls),
]
