from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from strategy.services import accreditation_reminders_send


class Command(BaseCommand):
    help = (
        "Email the PCC offices that commission an RJ provider (under a contract running today) 90 and 30 days "
        "before the provider's accreditation expires, each reminder once. Only the registration that expires "
        "last counts. Sent to the office's shared email address, or else to its active staff. Safe to repeat: "
        "run it daily (for example from cron: 0 7 * * * manage.py send_accreditation_reminders). --dry-run "
        "shows what would be sent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would be sent; send and record nothing")
        parser.add_argument(
            "--site-url",
            default="",
            help="The portal's address, like https://rjportal.example.org, for the link in each email",
        )

    def handle(self, *args, dry_run, site_url, **options):
        today = timezone.localdate()
        run = accreditation_reminders_send(today=today, dry_run=dry_run, site_url=site_url)
        verb = "Would send" if dry_run else "Sent"
        self.stdout.write(f"Accreditation reminders on {today:%-d %B %Y}")
        for notice in run.sent:
            registration = notice.registration
            offices = ", ".join(
                f"{office.name} ({len(addresses)} address(es))" for office, addresses, _areas in notice.offices
            )
            self.stdout.write(
                f"{verb} the {notice.days_before}-day reminder for {registration.provider.name} "
                f"(expires {registration.expires_on:%-d %B %Y}, {notice.days_left} day(s) left) to {offices}"
            )
        for notice in run.unreachable:
            self.stdout.write(
                f"Nobody to tell about {notice.registration.provider.name}: its commissioning offices have no email "
                "address and no active staff"
            )
        for notice, error in run.failed:
            self.stderr.write(f"Could not send the reminder for {notice.registration.provider.name}: {error}")
        self.stdout.write(
            f"{verb} {len(run.sent)} reminder(s)"
            + ("" if dry_run else f" in {run.emails} email(s) to {run.addresses} address(es)")
            + f"; {len(run.unreachable)} with nobody to tell; {len(run.failed)} failed"
        )
        if dry_run:
            self.stdout.write("Dry run: nothing was sent or recorded.")
        if run.failed:
            raise CommandError(f"{len(run.failed)} reminder(s) could not be sent; they will be tried again next run.")
