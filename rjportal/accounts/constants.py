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
