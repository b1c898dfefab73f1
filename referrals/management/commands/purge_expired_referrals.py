from django.core.management.base import BaseCommand, CommandError

from referrals.services import MIN_RETENTION_MONTHS, referral_retention_months, referrals_purge_expired


class Command(BaseCommand):
    help = (
        "Delete referrals, with their timelines, completed or closed more than a set period ago: --months, or "
        "the REFERRAL_RETENTION_MONTHS setting (default 72). Open referrals are kept. The audit log records how "
        "many were deleted. Safe to repeat: run it daily (for example from cron: 30 3 * * * manage.py "
        "purge_expired_referrals). --dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted; change nothing")
        parser.add_argument("--months", type=int, default=None, help="Months after completion or closure")

    def handle(self, *args, dry_run, months, **options):
        months = referral_retention_months() if months is None else months
        if months < MIN_RETENTION_MONTHS:
            raise CommandError(f"--months must be {MIN_RETENTION_MONTHS} or more.")
        result = referrals_purge_expired(months=months, dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {result.referrals} referral(s) completed or closed before "
            f"{result.finished_before:%-d %B %Y}, with {result.events} timeline event(s)."
        )
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
