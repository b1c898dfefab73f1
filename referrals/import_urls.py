from django.urls import path

app_name = "referral_imports"

urlpatterns: list = []
