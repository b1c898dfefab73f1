from django.apps import AppConfig


class ApiTokensConfig(AppConfig):
    name = "rjportal.apitokens"
    label = "apitokens"
    verbose_name = "API tokens"

    def ready(self):
        # Registers the token scheme with drf-spectacular, so the schema names it.
        from . import schema  # noqa: F401
