from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from referrals.importing import referral_import
from rjportal.imports import ImportRejected
from rjportal.organisations.constants import OrganisationKind
from rjportal.organisations.models import Organisation

MAX_ERRORS_PRINTED = 50
PHASES = {"check": "Checking rows", "save": "Saving new referrals", "update": "Updating existing referrals"}


class Command(BaseCommand):
    help = (
        "Import referrals for an RJ provider from the referral import template, as CSV (UTF-8, comma or "
        "semicolon separated) or XLSX. Rows are matched on the provider's reference, so importing a file "
        "again updates rather than duplicates; a row at a later stage than the portal moves the referral on. "
        "An invalid file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--provider", required=True, help="The RJ provider's id or name")

    def handle(self, *args, file: Path, provider: str, **options):
        if not file.is_file():
            raise CommandError(f"No file at {file}.")
        organisation = self.find_provider(provider)
        bars: dict[str, tqdm] = {}

        def progress(phase: str, done: int, total: int | None):
            bar = bars.get(phase)
            if bar is None:
                bar = bars[phase] = tqdm(
                    desc=PHASES.get(phase, phase), total=total, unit=" rows", file=self.stderr._out, leave=False
                )
            bar.update(done - bar.n)

        try:
            with file.open("rb") as source:
                result = referral_import(
                    actor=None, provider=organisation, source=source, filename=file.name, progress=progress
                )
        except ImportRejected as rejected:
            for bar in bars.values():
                bar.close()
            for error in rejected.errors[:MAX_ERRORS_PRINTED]:
                self.stderr.write(str(error))
            if len(rejected.errors) > MAX_ERRORS_PRINTED:
                self.stderr.write(f"... and {len(rejected.errors) - MAX_ERRORS_PRINTED} more.")
            raise CommandError(f"{file.name}: {rejected} Fix the file and run the import again.") from None
        finally:
            for bar in bars.values():
                bar.close()
        moved = f"; {result.moved} moved on to a later stage" if result.moved else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.total} referrals for {organisation.name}: "
                f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged{moved}."
            )
        )

    def find_provider(self, value: str) -> Organisation:
        organisations = Organisation.objects.all()
        matches = organisations.filter(pk=int(value)) if value.isdigit() else organisations.none()
        if not matches:
            matches = organisations.filter(name__iexact=value.strip())
        organisation = matches.first()
        if organisation is None:
            raise CommandError(f"No organisation has the id or name {value!r}.")
        if organisation.kind != OrganisationKind.RJ_PROVIDER:
            raise CommandError(f"{organisation.name} is not an RJ provider.")
        return organisation
