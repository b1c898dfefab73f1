"""Commissioning and accreditation pages, in the strategy namespace."""

from django.urls import path

from . import commissioning_views as views

urlpatterns: list = [
    path("commissioning/", views.CommissionListView.as_view(), name="commissions"),
    path("commissioning/new/", views.CommissionCreateView.as_view(), name="commission_create"),
    path("commissioning/<int:pk>/", views.CommissionDetailView.as_view(), name="commission_detail"),
    path("commissioning/<int:pk>/edit/", views.CommissionUpdateView.as_view(), name="commission_update"),
    path("accreditation/", views.RegistrationListView.as_view(), name="registrations"),
    path("accreditation/new/", views.RegistrationCreateView.as_view(), name="registration_create"),
    path("accreditation/<int:pk>/edit/", views.RegistrationUpdateView.as_view(), name="registration_update"),
]
