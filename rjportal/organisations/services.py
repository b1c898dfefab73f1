from django.core.exceptions import ValidationError
from django.db import transaction

from rjportal.audit.constants import AuditAction
from rjportal.audit.services import audit_record, model_changes

from .models import Organisation

EDITABLE_FIELDS = ["name", "kind", "email", "website"]


@transaction.atomic
def organisation_create(*, actor, name: str, kind: str, areas, email: str = "", website: str = "") -> Organisation:
    areas = list(areas)
    if not areas:
        raise ValidationError({"areas": "Select at least one police area the organisation serves."})
    organisation = Organisation(name=name.strip(), kind=kind, email=email, website=website)
    organisation.full_clean()
    organisation.save()
    organisation.areas.set(areas)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=organisation,
        summary=f"Added {organisation.get_kind_display()} {organisation.name}",
        changes={"areas": sorted(area.code for area in areas)},
    )
    return organisation


@transaction.atomic
def organisation_update(*, actor, organisation: Organisation, areas=None, **fields) -> Organisation:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Cannot change {', '.join(sorted(unknown))} here.")
    before = {field: getattr(organisation, field) for field in EDITABLE_FIELDS}
    for field, value in fields.items():
        setattr(organisation, field, value)
    organisation.full_clean()
    organisation.save()
    changes = model_changes(organisation, EDITABLE_FIELDS, before)
    if areas is not None:
        areas = list(areas)
        if not areas:
            raise ValidationError({"areas": "Select at least one police area the organisation serves."})
        old_codes = sorted(organisation.areas.values_list("code", flat=True))
        new_codes = sorted(area.code for area in areas)
        if old_codes != new_codes:
            organisation.areas.set(areas)
            changes["areas"] = {"from": old_codes, "to": new_codes}
    if changes:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=organisation,
            summary=f"Changed {organisation.name}: {', '.join(changes)}",
            changes=changes,
        )
    return organisation
