from django.urls import path

from .views import AuditEventListView, UnusualAccessView

app_name = "audit"

urlpatterns = [
    path("", AuditEventListView.as_view(), name="list"),
    path("unusual/", UnusualAccessView.as_view(), name="unusual"),
]
