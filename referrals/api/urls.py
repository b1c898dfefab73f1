from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from .views import ApiNotFoundView, DocsView, ReferralViewSet, ReferringTeamViewSet, SchemaView

app_name = "api"

router = SimpleRouter()
router.register("referrals", ReferralViewSet, basename="referral")
router.register("referring-teams", ReferringTeamViewSet, basename="referring-team")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(), name="docs"),
    # Last: everything else under /api/ is a JSON 404.
    re_path(r"^.*/$", ApiNotFoundView.as_view(), name="not_found"),
]
