from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from demo.organisations import (
    DEMO_BACKUP_CODES,
    DEMO_PASSWORD,
    DEMO_TOTP_KEY,
    DEMO_USERS,
    demo_admin,
    demo_totp_code,
    seed_organisations_and_users,
)
from demo.pledges import seed_pledges
from demo.referrals import seed_referrals
from demo.reviews import seed_reviews
from demo.strategy import seed_strategy
from rjportal.accounts.constants import TWO_FACTOR_REQUIRED_ROLES


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
        with transaction.atomic():
            records += seed_reviews(today=timezone.localdate())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready ({created} new accounts and organisations, {records} new strategy records)."
            )
        )
        self.stdout.write("\nDemo sign-ins (development only):")
        for email, role, organisation, _name in DEMO_USERS:
            where = f", {organisation}" if organisation else ""
            second = "  + two-factor code" if role in TWO_FACTOR_REQUIRED_ROLES else "  (two-factor optional)"
            self.stdout.write(f"  {role.label:<24} {email:<34} password: {DEMO_PASSWORD}{second}{where}")
        key = " ".join(DEMO_TOTP_KEY[start : start + 4] for start in range(0, len(DEMO_TOTP_KEY), 4))
        fresh_code_command = (
            '.venv/bin/python -c "from base64 import b32decode; from django_otp.oath import TOTP; '
            f"print('%06d' % TOTP(b32decode('{DEMO_TOTP_KEY}')).token())\""
        )
        self.stdout.write(
            "\nTwo-factor sign-in is on. After the password, the accounts marked '+ two-factor code' ask for a code:\n"
            f"  - add this setup key to an authenticator app (time-based, 6 digits, 30 seconds): {key}\n"
            f"  - or enter the code it shows now, {demo_totp_code()}\n"
            "    It changes every 30 seconds. For a fresh one, run:\n"
            f"    {fresh_code_command}\n"
            f"  - or choose 'Use a backup code instead' and enter one of: {', '.join(DEMO_BACKUP_CODES)}\n"
            "    (each works once; every `make run` restores them all).\n"
            "Passkeys work at http://localhost:8000 (a browser allows them on localhost, not on 127.0.0.1)."
        )
