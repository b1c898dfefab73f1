from django.urls import path

from .views import PoliceAreaDetailView, PoliceAreaListView

app_name = "areas"

urlpatterns = [
    path("", PoliceAreaListView.as_view(), name="list"),
    path("<str:code>/", PoliceAreaDetailView.as_view(), name="detail"),
]
