from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .views import DocsView, ReferralViewSet, ReferringTeamViewSet, SchemaView

app_name = "api"

router = SimpleRouter()
router.register("referrals", ReferralViewSet, basename="referral")
router.register("referring-teams", ReferringTeamViewSet, basename="referring-team")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(), name="docs"),
]
