from django.urls import include, path

from . import views

app_name = "strategy"

urlpatterns = [
    path("", views.StrategyIndexView.as_view(), name="index"),
    path("scorecard/", views.NationalScorecardView.as_view(), name="scorecard"),
    path("benefit-ratio/", views.BenefitRatioView.as_view(), name="benefit_ratio"),
    path("benefit-ratio/new/", views.BenefitRatioCreateView.as_view(), name="benefit_ratio_create"),
    path("area/<str:code>/", views.AreaStrategyView.as_view(), name="area"),
    path("area/<str:code>/money/", views.MoneyView.as_view(), name="money"),
    path("area/<str:code>/money/<int:year>/budget/", views.BudgetEditView.as_view(), name="budget_edit"),
    path("area/<str:code>/money/<int:year>/spend/", views.SpendEditView.as_view(), name="spend_edit"),
    path("area/<str:code>/ways/<str:way>/<int:year>/", views.WayAssessmentView.as_view(), name="way_assess"),
    path("area/<str:code>/records/<slug:kind>/", views.RecordListView.as_view(), name="records"),
    path("area/<str:code>/records/<slug:kind>/new/", views.RecordCreateView.as_view(), name="record_create"),
    path("area/<str:code>/records/<slug:kind>/<int:pk>/edit/", views.RecordUpdateView.as_view(), name="record_update"),
    path(
        "area/<str:code>/records/<slug:kind>/<int:pk>/delete/", views.RecordDeleteView.as_view(), name="record_delete"
    ),
    path("", include("strategy.commissioning_urls")),
]
