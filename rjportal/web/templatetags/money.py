from django import template

from rjportal.money import pence_to_pounds

register = template.Library()


@register.filter
def pounds(pence, whole=False):
    """{{ amount_pence|pounds }} -> £1,234.50; {{ amount_pence|pounds:"whole" }} -> £1,235.
    A missing amount reads "Not recorded"."""
    if pence is None or pence == "":
        return "Not recorded"
    return pence_to_pounds(pence, whole=bool(whole))
