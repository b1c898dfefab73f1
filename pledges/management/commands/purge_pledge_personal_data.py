from django.core.management.base import BaseCommand, CommandError

from pledges.services import personal_data_months, pledge_personal_data_purge


class Command(BaseCommand):
    help = (
        "Remove pledge signers' personal data a set period after each campaign closes: delete signups that "
        "never reached the register (email not confirmed, awaiting review, rejected) and blank every remaining "
        "email address; also delete week-old signup attempt records kept for rate limits. The period is "
        "--months, or the PLEDGE_PERSONAL_DATA_MONTHS setting (default 6). Safe to repeat: run it daily "
        "(for example from cron: 15 3 * * * manage.py purge_pledge_personal_data). --dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be removed; change nothing")
        parser.add_argument("--months", type=int, default=None, help="Months after a campaign closes")

    def handle(self, *args, dry_run, months, **options):
        months = personal_data_months() if months is None else months
        if months < 0:
            raise CommandError("--months must be 0 or more.")
        result = pledge_personal_data_purge(months=months, dry_run=dry_run)
        verb = "Would remove" if dry_run else "Removed"
        campaigns = ", ".join(result.campaigns) or "none"
        self.stdout.write(f"Campaigns closed more than {months} month(s) ago: {campaigns}")
        self.stdout.write(f"{verb} {result.emails_removed} email address(es) from published or withdrawn pledges")
        self.stdout.write(f"{verb} {result.signups_deleted} unpublished signup(s)")
        self.stdout.write(f"{verb} {result.attempts_deleted} old signup attempt record(s)")
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
