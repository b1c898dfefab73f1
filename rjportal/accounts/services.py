from django.db import transaction

from rjportal.audit.constants import AuditAction
from rjportal.audit.services import audit_record

from .models import User


@transaction.atomic
def user_create(*, actor, email: str, role: str, organisation=None, full_name: str = "", password: str | None = None):
    """Create a staff account. Without a password the account cannot sign in until the person
    sets one through 'Forgotten your password?'."""
    user = User(email=email.strip().lower(), role=role, organisation=organisation, full_name=full_name)
    user.full_clean(exclude=["password"])
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=user,
        summary=f"Added {user.get_role_display()} {user.email}" + (f" at {organisation.name}" if organisation else ""),
    )
    return user
