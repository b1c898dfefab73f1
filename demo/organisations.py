"""The demonstration organisations and one signed-in user of each role."""

from base64 import b32decode

from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from rjportal.accounts.constants import ORGANISATION_KIND_FOR_ROLE, TWO_FACTOR_REQUIRED_ROLES, Role
from rjportal.accounts.models import User
from rjportal.accounts.services import user_create
from rjportal.accounts.two_factor import BACKUP_DEVICE_NAME
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
# The demo accounts whose role must use a second factor share one authenticator app key and one
# set of backup codes, published like the password (DEBUG only). Every run of seed_demo puts
# them back, so a used backup code works again after the next `make run`.
DEMO_TOTP_KEY = "RJPORTALDEMOTOTPKEYRJPORTALDEMO2"  # base32, as an authenticator app takes it
DEMO_TOTP_DEVICE_NAME = "Demo authenticator app"
DEMO_BACKUP_CODES = [f"rjdemo{number:02d}" for number in range(1, 11)]


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
        # The demo PCC officer and practitioner manage their organisations' people.
        user.manages_users = role in ORGANISATION_KIND_FOR_ROLE
        user.save(update_fields=["password", "is_active", "manages_users"])
        if role in TWO_FACTOR_REQUIRED_ROLES:
            _give_demo_second_factor(user)
    return created


def _give_demo_second_factor(user: User) -> None:
    """The published demo authenticator key and backup codes, in place of any app set up
    before (passkeys someone added while trying the demo are kept)."""
    TOTPDevice.objects.filter(user=user).exclude(name=DEMO_TOTP_DEVICE_NAME).delete()
    TOTPDevice.objects.update_or_create(
        user=user,
        name=DEMO_TOTP_DEVICE_NAME,
        defaults={"key": b32decode(DEMO_TOTP_KEY).hex(), "confirmed": True, "throttling_failure_count": 0},
    )
    device, _ = StaticDevice.objects.update_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True, "throttling_failure_count": 0}
    )
    device.token_set.all().delete()
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in DEMO_BACKUP_CODES)


def demo_totp_code() -> str:
    """The code an authenticator app with the demo key shows now (it changes every 30 seconds)."""
    return f"{TOTP(b32decode(DEMO_TOTP_KEY)).token():06d}"


def demo_admin() -> User:
    """The demo administrator, in whose name the rest of the demo data is recorded."""
    return User.objects.get(email=ADMIN_EMAIL)
