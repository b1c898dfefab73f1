"""Who may hold, create and revoke API tokens."""

from rjportal.accounts.constants import Role
from rjportal.organisations.constants import OrganisationKind


def may_hold_token(user) -> bool:
    """Only active RJ provider staff, in an RJ provider, may hold API tokens. National
    administrators may not: their sign-in needs a second factor that a token cannot give, and
    they see every area's case-level data."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == Role.PROVIDER_STAFF
        and not user.is_superuser
        and user.organisation_id is not None
        and user.organisation.kind == OrganisationKind.RJ_PROVIDER
    )


def may_revoke_token(user, token) -> bool:
    """National administrators revoke any token; provider staff their organisation's."""
    if user.is_national_admin:
        return True
    return may_hold_token(user) and user.organisation_id == token.organisation_id
