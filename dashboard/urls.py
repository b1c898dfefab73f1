from django.urls import path

from .views import AreaDashboardView, NationalDashboardView, QuarterlyReturnView, my_area_dashboard, pick_area

app_name = "dashboard"

urlpatterns = [
    path("", NationalDashboardView.as_view(), name="index"),
    path("mine/", my_area_dashboard, name="mine"),
    path("area/", pick_area, name="pick"),
    path("area/<str:code>/", AreaDashboardView.as_view(), name="area"),
    path("area/<str:code>/return/", QuarterlyReturnView.as_view(), name="return"),
]
