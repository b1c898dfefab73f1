from django.urls import path

from . import import_views as views

app_name = "referral_imports"

urlpatterns = [
    path("", views.ReferralImportView.as_view(), name="upload"),
    path("template.csv", views.ReferralImportTemplateView.as_view(), name="template"),
    path("guide/", views.ReferralImportGuideView.as_view(), name="guide"),
    path("problems/", views.ReferralImportErrorsView.as_view(), name="errors"),
    path("problems.csv", views.ReferralImportErrorsCsvView.as_view(), name="errors_csv"),
    path("done/", views.ReferralImportResultView.as_view(), name="result"),
]
