from django.urls import path

app_name = "strategy_public"

urlpatterns: list = []
