from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demonstration data. It sits above every other app, so that filling them never makes the
    core depend on a domain app."""

    name = "demo"
