from django.core.management.base import BaseCommand

from referrals.tasks import STALE_AFTER, referral_import_jobs_fail_stale


class Command(BaseCommand):
    help = (
        "Mark as failed the referral imports left running by a background worker that stopped part way (a "
        f"restart, a crash): those started more than {STALE_AFTER} ago. Nothing of them was saved; their "
        "pages then ask for the file again. Each import run does this too; run it from cron where workers "
        "are often restarted (for example */30 * * * * manage.py fail_stale_imports)."
    )

    def handle(self, *args, **options):
        failed = referral_import_jobs_fail_stale()
        self.stdout.write(f"Marked {failed} import(s) left running as failed.")
