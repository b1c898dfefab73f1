from django.urls import path

from .team_views import ReferringTeamImportTemplateView, ReferringTeamImportView
from .views import (
    ReferralContactAttemptView,
    ReferralCreateView,
    ReferralDetailView,
    ReferralListView,
    ReferralMoveCorrectView,
    ReferralTransitionView,
    ReferralUpdateView,
    ReferringTeamCreateView,
    ReferringTeamListView,
    ReferringTeamUpdateView,
)

app_name = "referrals"

urlpatterns = [
    path("", ReferralListView.as_view(), name="list"),
    path("new/", ReferralCreateView.as_view(), name="create"),
    path("<int:pk>/", ReferralDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", ReferralUpdateView.as_view(), name="update"),
    path("<int:pk>/stage/", ReferralTransitionView.as_view(), name="transition"),
    path("<int:pk>/stage/correct/", ReferralMoveCorrectView.as_view(), name="move_correct"),
    path("<int:pk>/contact-attempts/", ReferralContactAttemptView.as_view(), name="contact_attempt"),
    path("teams/", ReferringTeamListView.as_view(), name="teams"),
    path("teams/new/", ReferringTeamCreateView.as_view(), name="team_create"),
    path("teams/upload/", ReferringTeamImportView.as_view(), name="team_import"),
    path("teams/upload/template.csv", ReferringTeamImportTemplateView.as_view(), name="team_import_template"),
    path("teams/<int:pk>/edit/", ReferringTeamUpdateView.as_view(), name="team_update"),
]
