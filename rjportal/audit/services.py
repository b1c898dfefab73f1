from django.contrib.contenttypes.models import ContentType
from django.db import models

from .constants import AuditAction
from .models import AuditEvent


def audit_record(*, actor, action: AuditAction, summary: str, target: models.Model | None = None, changes=None):
    """Write one audit event. Call it inside the transaction of the change it records, so
    that the change and its record stand or fall together."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        actor_email=actor.email if actor else "",
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        summary=summary[:500],
        changes=changes or {},
    )


def model_changes(instance: models.Model, fields, before: dict) -> dict:
    """Field-by-field differences between `before` (a dict of old values) and the instance."""
    changed = {}
    for field in fields:
        old, new = before.get(field), getattr(instance, field)
        if old != new:
            changed[field] = {"from": _plain(old), "to": _plain(new)}
    return changed


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
