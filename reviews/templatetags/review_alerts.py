"""The home page's banner of overdue actions, without the core importing this app's code."""

from django import template
from django.utils import timezone

from reviews.selectors import overdue_actions as overdue_for

register = template.Library()


@register.inclusion_tag("reviews/includes/overdue_actions.html", takes_context=True)
def overdue_actions(context):
    """For PCC office staff: their areas' open actions past their due date."""
    request = context.get("request")
    user = getattr(request, "user", None)
    actions = list(overdue_for(user, today=timezone.localdate())) if user is not None else []
    return {"actions": actions}
