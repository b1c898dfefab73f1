from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dashboard.alerts import quarter_label
from dashboard.services import change_alerts_send


class Command(BaseCommand):
    help = (
        "Email each PCC office a digest of its areas' change alerts for the last complete quarter: referring "
        "teams, team categories and offence groups whose referrals fell far below their recent level (beyond "
        "chance). Each alert is sent once for its quarter. Sent to the office's shared email address, or else "
        "to each of its active staff. Safe to repeat: run it daily (for example from cron: "
        "30 7 * * * manage.py send_change_alerts). --dry-run shows what would be sent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would be sent; send and record nothing")
        parser.add_argument(
            "--site-url",
            default="",
            help="The portal's address, like https://rjportal.example.org, for the links in each email",
        )

    def handle(self, *args, dry_run, site_url, **options):
        today = timezone.localdate()
        run = change_alerts_send(today=today, dry_run=dry_run, site_url=site_url)
        verb = "Would send" if dry_run else "Sent"
        self.stdout.write(f"Change alerts on {today:%-d %B %Y} for {quarter_label(run.quarter)}")
        for digest in run.sent:
            offices = ", ".join(f"{office.name} ({len(addresses)} address(es))" for office, addresses in digest.offices)
            names = "; ".join(alert.name for alert in digest.alerts)
            self.stdout.write(f"{verb} {len(digest.alerts)} alert(s) for {digest.area.name} ({names}) to {offices}")
        for digest in run.unreachable:
            self.stdout.write(
                f"Nobody to tell about {len(digest.alerts)} alert(s) for {digest.area.name}: its PCC offices have no "
                "email address and no active staff"
            )
        for digest, error in run.failed:
            self.stderr.write(f"Could not send the alerts for {digest.area.name}: {error}")
        self.stdout.write(
            f"{verb} {run.alerts} alert(s) for {len(run.sent)} area(s)"
            + ("" if dry_run else f" in {run.emails} email(s)")
            + f"; {len(run.unreachable)} area(s) with nobody to tell; {len(run.failed)} failed"
        )
        if dry_run:
            self.stdout.write("Dry run: nothing was sent or recorded.")
        if run.failed:
            raise CommandError(f"The alerts for {len(run.failed)} area(s) could not be sent; they will be tried again.")
