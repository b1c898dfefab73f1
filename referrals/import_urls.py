from django.urls import path

from . import import_views as views

app_name = "referral_imports"

urlpatterns = [
    path("", views.ReferralImportView.as_view(), name="upload"),
    path("template.csv", views.ReferralImportTemplateView.as_view(), name="template"),
    path("guide/", views.ReferralImportGuideView.as_view(), name="guide"),
    path("<int:pk>/", views.ReferralImportJobView.as_view(), name="job"),
    path("<int:pk>/progress.json", views.ReferralImportJobProgressView.as_view(), name="job_progress"),
    path("<int:pk>/problems.csv", views.ReferralImportJobProblemsCsvView.as_view(), name="job_problems_csv"),
]
