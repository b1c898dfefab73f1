from django.urls import path

from .views import ReferralCreateView, ReferralDetailView, ReferralListView, ReferralTransitionView, ReferralUpdateView

app_name = "referrals"

urlpatterns = [
    path("", ReferralListView.as_view(), name="list"),
    path("new/", ReferralCreateView.as_view(), name="create"),
    path("<int:pk>/", ReferralDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", ReferralUpdateView.as_view(), name="update"),
    path("<int:pk>/stage/", ReferralTransitionView.as_view(), name="transition"),
]
