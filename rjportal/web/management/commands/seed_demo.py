from datetime import date, timedelta
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from pledges.models import PledgeCampaign
from pledges.services import campaign_create, pledges_import
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

DEMO_CAMPAIGN = "2028 PCC elections (demo)"
DEMO_PLEDGE_TEXT = (
    "I pledge to make restorative justice available to every victim of crime in my area, "
    "and to make sure every victim is told about it. (Demonstration text.)"
)
DEMO_SIGNATORIES = [
    ("Alex Example", "PCC", "Independent", "Kent"),
    ("Sam Sample", "candidate", "Example Party", "Avon and Somerset"),
    ("Jo Demo", "PFCC", "Example Party", "Essex"),
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
        self.seed_pledges()
        call_command("generate_referrals", count=DEMO_REFERRALS, seed=DEMO_SEED, verbosity=0, stderr=StringIO())
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new accounts and organisations)."))
        self.stdout.write("\nDemo sign-ins (development only):")
        for email, role, organisation, _name in DEMO_USERS:
            where = f", {organisation}" if organisation else ""
            self.stdout.write(f"  {role.label:<24} {email:<34} password: {DEMO_PASSWORD}{where}")

    def seed_pledges(self):
        """An open demonstration campaign with a few fictional signatories on the register."""
        if PledgeCampaign.objects.filter(title=DEMO_CAMPAIGN).exists():
            return
        admin = User.objects.get(email=DEMO_USERS[0][0])
        today = timezone.localdate()
        campaign_create(
            actor=admin,
            title=DEMO_CAMPAIGN,
            election_date=date(2028, 5, 4),
            opens_on=today - timedelta(days=30),
            closes_on=today + timedelta(days=365),
            pledge_text=DEMO_PLEDGE_TEXT,
        )
        rows = "\n".join(
            f"{name},{role},{party},{area},{DEMO_CAMPAIGN},Demonstration data"
            for name, role, party, area in DEMO_SIGNATORIES
        )
        pledges_import(actor=admin, source=f"name,role,party,area,campaign,source\n{rows}\n".encode())

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
