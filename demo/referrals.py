"""Synthetic referrals across all 43 areas, for the dashboard. The same seed each time, so a
second run adds nothing."""

from io import StringIO

from django.core.management import call_command

DEMO_REFERRALS = 3000
DEMO_SEED = 2026


def seed_referrals() -> None:
    call_command("generate_referrals", count=DEMO_REFERRALS, seed=DEMO_SEED, verbosity=0, stderr=StringIO())
