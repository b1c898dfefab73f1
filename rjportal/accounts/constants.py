from django.db import models

from rjportal.organisations.constants import OrganisationKind


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", "National administrator"
    PCC_STAFF = "pcc_staff", "PCC office staff"
    PROVIDER_STAFF = "provider_staff", "RJ provider staff"
    PLEDGE_MODERATOR = "pledge_moderator", "Pledge moderator"


# Roles that act for an organisation, and the kind of organisation each must belong to.
ORGANISATION_KIND_FOR_ROLE = {
    Role.PCC_STAFF: OrganisationKind.PCC_OFFICE,
    Role.PROVIDER_STAFF: OrganisationKind.RJ_PROVIDER,
}


# Roles whose members must confirm every sign-in with a second factor (an authenticator app or
# a passkey) when TWO_FACTOR_REQUIRED is on: they see case-level data across areas, manage
# accounts or decide what the public sees. Provider staff may choose to use one; once they have
# one, they must use it. National administrators are required whatever their role field says
# (superusers count as administrators), see rjportal.accounts.two_factor.
TWO_FACTOR_REQUIRED_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.PCC_STAFF, Role.PLEDGE_MODERATOR})
