"""Commissioning and accreditation pages, in the strategy namespace."""

urlpatterns: list = []
