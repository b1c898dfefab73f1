"""Template tags that other apps' pages use to show strategy warnings, without importing
strategy code (the home page lives in the core, which never imports a domain app)."""

from django import template
from django.utils import timezone

from strategy.selectors import accreditation_alerts as alerts_for

register = template.Library()


@register.inclusion_tag("strategy/includes/accreditation_alerts.html", takes_context=True)
def accreditation_alerts(context):
    """A banner for PCC office staff naming each commissioned provider whose registration
    expires within 90 days or has expired; nothing for anyone else."""
    request = context.get("request")
    user = getattr(request, "user", None)
    today = timezone.localdate()
    alerts = alerts_for(user, today=today) if user is not None else []
    return {"alerts": alerts, "today": today}
