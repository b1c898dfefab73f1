from django.urls import include, path

app_name = "strategy"

urlpatterns = [
    path("", include("strategy.commissioning_urls")),
]
