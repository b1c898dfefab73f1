from django.urls import path

from .views import OrganisationDetailView, OrganisationListView, my_organisation

app_name = "organisations"

urlpatterns = [
    path("", OrganisationListView.as_view(), name="list"),
    path("mine/", my_organisation, name="mine"),
    path("<int:pk>/", OrganisationDetailView.as_view(), name="detail"),
]
