from django.urls import path

from .views import PublicPageView

app_name = "pages"

urlpatterns = [
    path("accessibility/", PublicPageView.as_view(template_name="pages/accessibility.html"), name="accessibility"),
    path("privacy/", PublicPageView.as_view(template_name="pages/privacy.html"), name="privacy"),
    path("cookies/", PublicPageView.as_view(template_name="pages/cookies.html"), name="cookies"),
]
