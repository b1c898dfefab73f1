from django.apps import AppConfig


class WebConfig(AppConfig):
    """Pages that belong to no single part of the domain: home, static pages, health."""

    name = "rjportal.web"
    label = "web"
