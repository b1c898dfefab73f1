from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.DipSampleListView.as_view(), name="index"),
    path("new/register/", views.RegisterUploadView.as_view(), name="create_register"),
    path("new/referrals/", views.ReferralWindowView.as_view(), name="create_referrals"),
    path("case-register-template.csv", views.RegisterTemplateView.as_view(), name="register_template"),
    path("<int:pk>/", views.DipSampleDetailView.as_view(), name="detail"),
    path("<int:pk>/design/", views.DipSampleDesignView.as_view(), name="design"),
    path("<int:pk>/complete/", views.DipSampleCompleteView.as_view(), name="complete"),
    path("<int:pk>/results/", views.DipSampleResultsView.as_view(), name="results"),
    path("<int:pk>/cases/", views.DipSampleCasesExportView.as_view(), name="cases_export"),
    path("<int:pk>/cases/<int:case_pk>/", views.CaseReviewView.as_view(), name="case_review"),
    path("actions/", views.ActionListView.as_view(), name="actions"),
    path("actions/new/", views.ActionCreateView.as_view(), name="action_create"),
    path("actions/<int:pk>/", views.ActionUpdateView.as_view(), name="action_update"),
]
