from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from demo.organisations import DEMO_PASSWORD, DEMO_USERS, demo_admin, seed_organisations_and_users
from demo.pledges import seed_pledges
from demo.referrals import seed_referrals
from demo.strategy import seed_strategy


class Command(BaseCommand):
    help = (
        "Create demonstration organisations, one user of each role, pledges, synthetic referrals and the demo "
        "areas' commissioning, money and 10-ways records. Safe to run repeatedly."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo creates accounts with a published password: it runs only with DEBUG on.")
        with transaction.atomic():
            created = seed_organisations_and_users()
        admin = demo_admin()
        seed_pledges(actor=admin)
        seed_referrals()
        with transaction.atomic():
            records = seed_strategy(actor=admin, today=timezone.localdate())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready ({created} new accounts and organisations, {records} new strategy records)."
            )
        )
        self.stdout.write("\nDemo sign-ins (development only):")
        for email, role, organisation, _name in DEMO_USERS:
            where = f", {organisation}" if organisation else ""
            self.stdout.write(f"  {role.label:<24} {email:<34} password: {DEMO_PASSWORD}{where}")
