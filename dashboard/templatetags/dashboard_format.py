from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()


@register.filter
def index(sequence, position):
    try:
        return sequence[position]
    except (IndexError, TypeError):
        return None


@register.filter
def figure(value):
    """A table cell: thousands separated (pounds keep their two decimals), "Not available" for a
    missing figure."""
    if value is None or value == "":
        return "Not available"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float | Decimal):
        return intcomma(value)
    return value


@register.filter
def percent(ratio, digits=0):
    if ratio is None:
        return "Not available"
    return f"{ratio * 100:.{int(digits)}f}%"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
