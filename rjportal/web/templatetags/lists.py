from django import template

register = template.Library()


@register.filter
def at(sequence, position):
    """{{ items|at:2 }}: the item at a position, or None when there is none (or no sequence)."""
    try:
        return sequence[int(position)]
    except (IndexError, KeyError, TypeError, ValueError):
        return None
