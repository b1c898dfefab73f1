from django.urls import path

from .views import ApiTokenCreateView, ApiTokenListView, ApiTokenRevokeView

app_name = "apitokens"

urlpatterns = [
    path("", ApiTokenListView.as_view(), name="list"),
    path("new/", ApiTokenCreateView.as_view(), name="create"),
    path("<int:pk>/revoke/", ApiTokenRevokeView.as_view(), name="revoke"),
]
