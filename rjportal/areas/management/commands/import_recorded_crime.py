from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rjportal.areas.services import recorded_crime_import
from rjportal.imports import ImportRejected


class Command(BaseCommand):
    help = (
        "Load ONS police recorded crime by police force area from a long-format CSV "
        "(columns year_ending, code, name, offence_group, level, count). Figures for each "
        "year ending in the file replace those already held; an invalid file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--partial",
            action="store_true",
            help="Accept a year that does not cover all 43 areas. It is kept, but never used for rates.",
        )

    def handle(self, *args, file: Path, partial: bool = False, **options):
        if not file.is_file():
            raise CommandError(f"No file at {file}.")
        try:
            with file.open("rb") as source:
                result = recorded_crime_import(actor=None, source=source, partial=partial)
        except ImportRejected as rejected:
            for error in rejected.errors[:50]:
                self.stderr.write(str(error))
            if len(rejected.errors) > 50:
                self.stderr.write(f"... and {len(rejected.errors) - 50} more.")
            raise CommandError(f"{file.name}: {rejected} Fix the file and run the import again.") from None
        years = ", ".join(f"{year:%-d %B %Y}" for year in result.year_endings)
        self.stdout.write(
            self.style.SUCCESS(f"Imported {result.rows_written} figures for year ending {years}")
            + (f" (replacing {result.rows_replaced})." if result.rows_replaced else ".")
        )
