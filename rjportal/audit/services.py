from collections.abc import Callable, Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models

from .constants import AuditAction
from .models import AuditEvent


def audit_record(
    *,
    actor,
    action: AuditAction,
    summary: str,
    target: models.Model | None = None,
    changes=None,
    record_type: type[models.Model] | None = None,
):
    """Write one audit event. Call it inside the transaction of the change it records, so
    that the change and its record stand or fall together. `record_type` names the kind of
    record an event about many of them concerns (a list page, an export), with no one target."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    kind = target if target is not None else record_type
    return AuditEvent.objects.create(
        actor=actor,
        actor_email=actor.email if actor else "",
        action=action,
        target_type=ContentType.objects.get_for_model(kind) if kind is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        summary=summary[:500],
        changes=changes or {},
    )


def audited_update(
    *,
    actor,
    instance: models.Model,
    fields: Iterable[str],
    values: dict,
    validate: Callable[[models.Model], None],
    summary: Callable[[models.Model], str],
) -> dict:
    """The shape every "change" service shares: set `values` (each one of `fields`) on
    `instance`, run `validate(instance)`, which raises ValidationError when a rule is broken
    (and may set fields that follow from the others), then save and audit the instance if any
    of `fields` changed. On a ValidationError the instance gets its old values back, so that
    nothing changes, the object in hand included. Returns the changes, as model_changes gives
    them; the audit summary is `summary(instance)`, as changed, followed by the names of the
    changed fields. Call it inside the caller's transaction."""
    fields = list(fields)
    unknown = set(values) - set(fields)
    if unknown:
        raise TypeError(f"Cannot change {', '.join(sorted(unknown))} here.")
    before = {field: getattr(instance, field) for field in fields}
    for field, value in values.items():
        setattr(instance, field, value)
    try:
        validate(instance)
    except ValidationError:
        for field, value in before.items():
            setattr(instance, field, value)
        raise
    changes = model_changes(instance, fields, before)
    if changes:
        instance.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=instance,
            summary=f"{summary(instance)}: {', '.join(changes)}",
            changes=changes,
        )
    return changes


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
