from django.urls import path

from .views import (
    AreaDashboardView,
    NationalDashboardView,
    QuarterlyReturnView,
    ReturnSignOffView,
    my_area_dashboard,
    pick_area,
)

app_name = "dashboard"

urlpatterns = [
    path("", NationalDashboardView.as_view(), name="index"),
    path("mine/", my_area_dashboard, name="mine"),
    path("area/", pick_area, name="pick"),
    path("area/<str:code>/", AreaDashboardView.as_view(), name="area"),
    path("area/<str:code>/return/", QuarterlyReturnView.as_view(), name="return"),
    path(
        "area/<str:code>/return/<int:year>/<int:quarter>/sign-off/", ReturnSignOffView.as_view(), name="return_sign_off"
    ),
]
