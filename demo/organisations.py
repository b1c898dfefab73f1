"""The demonstration organisations and one signed-in user of each role."""

from rjportal.accounts.constants import Role
from rjportal.accounts.models import User
from rjportal.accounts.services import user_create
from rjportal.areas.models import PoliceArea
from rjportal.organisations.constants import OrganisationKind
from rjportal.organisations.models import Organisation
from rjportal.organisations.services import organisation_create

KENT = "E23000032"
AVON_AND_SOMERSET = "E23000036"
DEVON_AND_CORNWALL = "E23000035"
DYFED_POWYS = "W15000004"

KENT_OFFICE = "Kent PCC office (demo)"
AVON_AND_SOMERSET_OFFICE = "Avon and Somerset PCC office (demo)"
DYFED_POWYS_OFFICE = "Dyfed-Powys PCC office (demo)"
SOUTH_WEST_PROVIDER = "South West Restorative Justice Service (demo)"
KENT_PROVIDER = "Kent Restorative Approaches (demo)"

# Fictional organisations: the names say they are demonstrations.
DEMO_ORGANISATIONS = [
    (KENT_OFFICE, OrganisationKind.PCC_OFFICE, [KENT]),
    (AVON_AND_SOMERSET_OFFICE, OrganisationKind.PCC_OFFICE, [AVON_AND_SOMERSET]),
    (DYFED_POWYS_OFFICE, OrganisationKind.PCC_OFFICE, [DYFED_POWYS]),
    (SOUTH_WEST_PROVIDER, OrganisationKind.RJ_PROVIDER, [AVON_AND_SOMERSET, DEVON_AND_CORNWALL]),
    (KENT_PROVIDER, OrganisationKind.RJ_PROVIDER, [KENT]),
]

ADMIN_EMAIL = "admin@demo.rjportal.invalid"
DEMO_USERS = [
    (ADMIN_EMAIL, Role.NATIONAL_ADMIN, None, "Demo Administrator"),
    ("pcc@demo.rjportal.invalid", Role.PCC_STAFF, KENT_OFFICE, "Demo PCC Officer"),
    ("provider@demo.rjportal.invalid", Role.PROVIDER_STAFF, KENT_PROVIDER, "Demo Practitioner"),
    ("moderator@demo.rjportal.invalid", Role.PLEDGE_MODERATOR, None, "Demo Moderator"),
]

DEMO_PASSWORD = "demo-password-rj-2026"  # noqa: S105 (published on purpose; DEBUG only)


def seed_organisations_and_users() -> int:
    """Create the organisations and users that are missing, and reset every demo user's
    password so that the printed one always works. Returns how many were created."""
    created = 0
    areas = {area.code: area for area in PoliceArea.objects.all()}
    for name, kind, codes in DEMO_ORGANISATIONS:
        if not Organisation.objects.filter(name=name).exists():
            organisation_create(actor=None, name=name, kind=kind, areas=[areas[code] for code in codes])
            created += 1
    for email, role, organisation_name, full_name in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            organisation = Organisation.objects.get(name=organisation_name) if organisation_name else None
            user = user_create(actor=None, email=email, role=role, organisation=organisation, full_name=full_name)
            created += 1
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
    return created


def demo_admin() -> User:
    """The demo administrator, in whose name the rest of the demo data is recorded."""
    return User.objects.get(email=ADMIN_EMAIL)
