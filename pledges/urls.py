from django.urls import path

from . import views

app_name = "pledges"

urlpatterns = [
    path("", views.RegisterView.as_view(), name="register"),
    path("register.csv", views.RegisterCsvView.as_view(), name="register_csv"),
    path("register.json", views.RegisterJsonView.as_view(), name="register_json"),
    path("area/<str:code>/", views.AreaPledgesView.as_view(), name="area"),
    path("sign/", views.SignView.as_view(), name="sign"),
    path("sign/check-your-email/", views.CheckEmailView.as_view(), name="check_email"),
    path("confirm/done/", views.ConfirmedView.as_view(), name="confirmed"),
    path("confirm/<str:token>/", views.ConfirmView.as_view(), name="confirm"),
    path("change/", views.ChangeRequestView.as_view(), name="change_request"),
    path("change/check-your-email/", views.ChangeRequestSentView.as_view(), name="change_request_sent"),
    path("change/done/", views.ChangeDoneView.as_view(), name="change_done"),
    path("change/<str:token>/", views.ChangeDetailsView.as_view(), name="change_details"),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
    path("moderation/", views.ModerationQueueView.as_view(), name="moderation"),
    path("moderation/<int:pk>/", views.ModerationDetailView.as_view(), name="moderation_detail"),
    path("moderation/<int:pk>/publish/", views.PublishView.as_view(), name="publish"),
    path("moderation/<int:pk>/reject/", views.RejectView.as_view(), name="reject"),
    path("moderation/<int:pk>/correct/", views.CorrectView.as_view(), name="correct"),
    path("moderation/<int:pk>/withdraw/", views.WithdrawView.as_view(), name="withdraw"),
    path("import/", views.PledgeImportView.as_view(), name="import"),
    path("import/done/", views.PledgeImportResultView.as_view(), name="import_result"),
]
