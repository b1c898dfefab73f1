from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from rjportal.accounts.constants import Role
from rjportal.accounts.models import User
from rjportal.accounts.services import user_create
from rjportal.areas.models import PoliceArea
from rjportal.organisations.constants import OrganisationKind
from rjportal.organisations.models import Organisation
from rjportal.organisations.services import organisation_create

# Fictional organisations: the names say they are demonstrations.
DEMO_ORGANISATIONS = [
    ("Kent PCC office (demo)", OrganisationKind.PCC_OFFICE, ["E23000032"]),
    ("Avon and Somerset PCC office (demo)", OrganisationKind.PCC_OFFICE, ["E23000036"]),
    ("Dyfed-Powys PCC office (demo)", OrganisationKind.PCC_OFFICE, ["W15000004"]),
    ("South West Restorative Justice Service (demo)", OrganisationKind.RJ_PROVIDER, ["E23000036", "E23000035"]),
    ("Kent Restorative Approaches (demo)", OrganisationKind.RJ_PROVIDER, ["E23000032"]),
]

DEMO_USERS = [
    ("admin@demo.rjportal.invalid", Role.NATIONAL_ADMIN, None, "Demo Administrator"),
    ("pcc@demo.rjportal.invalid", Role.PCC_STAFF, "Kent PCC office (demo)", "Demo PCC Officer"),
    ("provider@demo.rjportal.invalid", Role.PROVIDER_STAFF, "Kent Restorative Approaches (demo)", "Demo Practitioner"),
    ("moderator@demo.rjportal.invalid", Role.PLEDGE_MODERATOR, None, "Demo Moderator"),
]

# Synthetic referrals across all 43 areas for the dashboard; the same seed each time, so a
# second run adds nothing.
DEMO_REFERRALS = 3000
DEMO_SEED = 2026

DEMO_PASSWORD = "demo-password-rj-2026"  # noqa: S105 (published on purpose; DEBUG only)


class Command(BaseCommand):
    help = "Create demonstration organisations and one user of each role. Safe to run repeatedly."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo creates accounts with a published password: it runs only with DEBUG on.")
        with transaction.atomic():
            created = self.seed()
        call_command("generate_referrals", count=DEMO_REFERRALS, seed=DEMO_SEED, verbosity=0, stderr=StringIO())
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new accounts and organisations)."))
        self.stdout.write("\nDemo sign-ins (development only):")
        for email, role, organisation, _name in DEMO_USERS:
            where = f", {organisation}" if organisation else ""
            self.stdout.write(f"  {role.label:<24} {email:<34} password: {DEMO_PASSWORD}{where}")

    def seed(self) -> int:
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
            # Reset each run, so the printed password always works.
            user.set_password(DEMO_PASSWORD)
            user.is_active = True
            user.save(update_fields=["password", "is_active"])
        return created
