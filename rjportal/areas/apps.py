from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "rjportal.areas"
    label = "areas"
    verbose_name = "Police areas and recorded crime"
