from django.urls import path

from .commissioning_views import AreaServicesView

app_name = "strategy_public"

urlpatterns: list = [
    path("<str:code>/restorative-justice/", AreaServicesView.as_view(), name="area"),
]
