from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "rjportal.organisations"
    label = "organisations"
