"""Links that people type into the portal and others click: only http:// and https://, so that
a javascript: or data: address can never reach a page as a link."""

from django.core.validators import URLValidator
from django.db.models import Q

WEB_ADDRESS_MESSAGE = "Enter a web address that starts with http:// or https://"

web_address_validator = URLValidator(schemes=["http", "https"], message=WEB_ADDRESS_MESSAGE)


def is_web_address(field: str) -> Q:
    """For a CheckConstraint: the field is empty or starts http:// or https://."""
    return Q(**{field: ""}) | Q(**{f"{field}__startswith": "http://"}) | Q(**{f"{field}__startswith": "https://"})
