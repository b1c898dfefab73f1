from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rjportal.accounts"
    label = "accounts"
    verbose_name = "Users and roles"
