import time
from itertools import islice

from django.core.management.base import BaseCommand, CommandError
from django.db import reset_queries, transaction
from django.utils import timezone
from tqdm import tqdm

from referrals.synthetic import (
    PLANTED_SHORTFALLS,
    WORLD_RATE_PER_1000,
    SyntheticReferrals,
    SyntheticWorld,
    area_plans,
    ensure_referring_teams,
    ensure_synthetic_providers,
    existing_indices,
    existing_world_references,
    providers_by_area,
    recorded_crime_by_area,
    recorded_crime_for_world,
    world_areas,
    write_referrals,
)
from rjportal.areas.models import PoliceArea
from rjportal.audit.constants import AuditAction
from rjportal.audit.services import audit_record

DEFAULT_BATCH = 10_000


class Command(BaseCommand):
    help = (
        "Create synthetic referrals across all 43 police areas, for demos and benchmarks. Each area gets "
        "referring teams of every category and an RJ provider named '<Area> RJ service (synthetic)'. The "
        "same --seed gives the same referrals (references SYN-<seed>-<n>); running it again skips those "
        "already there, and a larger --count adds to a smaller one. With --world instead of --count: a "
        "national world over the current and previous financial years, every area referring at one "
        "national rate per 1,000 recorded crimes by offence group (with Poisson noise) from team categories "
        "in national shares, except the planted shortfalls (referrals.synthetic.PLANTED_SHORTFALLS); running "
        "it again adds only those received since. Each referral gets one timeline event (its latest stage "
        "change), not its full history. Not for a production database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, help="How many referrals (row numbers 0 to N-1)")
        parser.add_argument(
            "--world",
            action="store_true",
            help="A national world from recorded crime instead of --count referrals (needs recorded crime loaded)",
        )
        parser.add_argument(
            "--rate",
            type=float,
            default=WORLD_RATE_PER_1000,
            help=f"--world: referrals per 1,000 recorded crimes, before each group's propensity "
            f"(default {WORLD_RATE_PER_1000:g})",
        )
        parser.add_argument("--no-shortfalls", action="store_true", help="--world: plant no shortfalls")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1)")
        parser.add_argument(
            "--provider-per-area",
            action="store_true",
            help="Give every referral to its area's synthetic provider only. By default referrals are "
            "spread over every RJ provider serving the area, demo providers included.",
        )
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH, help="Rows per database write")
        parser.add_argument("--no-events", action="store_true", help="Skip the timeline event of each referral")

    def handle(self, *args, count, seed, provider_per_area, batch_size, no_events, world, **options):
        if (count is None) == (not world):
            raise CommandError("Give either --count or --world.")
        if (count or 0) < 0 or seed < 0 or batch_size < 1 or options["rate"] <= 0:
            raise CommandError("--count and --seed must be 0 or more, --rate above 0 and --batch-size at least 1.")
        if world:
            return self.world(
                seed=seed, provider_per_area=provider_per_area, batch_size=batch_size, no_events=no_events, **options
            )
        started = time.monotonic()
        today = timezone.localdate()
        areas = list(PoliceArea.objects.order_by("code"))
        if not areas:
            raise CommandError("No police areas: run the migrations first.")

        with transaction.atomic():
            teams = ensure_referring_teams(areas)
            synthetic = ensure_synthetic_providers(areas)
        providers = providers_by_area(areas, synthetic, own_only=provider_per_area)
        groups, totals = recorded_crime_by_area()
        plans = area_plans(
            [(area.pk, area.code, totals.get(area.pk) or area.population) for area in areas],
            seed=seed,
            teams=teams,
            providers=providers,
            recorded_crime=groups,
        )
        generator = SyntheticReferrals(plans, seed=seed, today=today)

        skip = existing_indices(seed)
        todo = [index for index in range(count) if index not in skip]
        created = 0
        with tqdm(total=len(todo), unit=" referrals", file=self.stderr._out, smoothing=0.1) as bar:
            for start in range(0, len(todo), batch_size):
                rows = [generator.values(index) for index in todo[start : start + batch_size]]
                write_referrals(rows, events=not no_events)
                created += len(rows)
                bar.update(len(rows))
                reset_queries()  # with DEBUG on, Django keeps every statement; these are large

        if created:
            audit_record(
                actor=None,
                action=AuditAction.CREATE,
                summary=f"Generated {created} synthetic referrals (seed {seed})",
                changes={"seed": seed, "count": count, "created": created, "already_there": count - created},
            )
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {created} synthetic referrals (seed {seed}) in {elapsed:.1f} s; "
                f"{count - created} were already there."
            )
        )

    def world(self, *, seed, provider_per_area, batch_size, no_events, rate, no_shortfalls, **options):
        started = time.monotonic()
        today = timezone.localdate()
        areas = list(PoliceArea.objects.order_by("code"))
        recorded = recorded_crime_for_world()
        if not areas or not recorded:
            raise CommandError("A world needs police areas and a complete year of recorded crime: run the migrations "
                               "and import_recorded_crime first.")  # fmt: skip
        with transaction.atomic():
            teams = ensure_referring_teams(areas)
            synthetic = ensure_synthetic_providers(areas)
        providers = providers_by_area(areas, synthetic, own_only=provider_per_area)
        generator = SyntheticWorld(
            world_areas(
                [(area.pk, area.code) for area in areas],
                teams=teams,
                providers=providers,
                recorded_crime=recorded,
                rate=rate,
                shortfalls=() if no_shortfalls else PLANTED_SHORTFALLS,
            ),
            seed=seed,
            today=today,
        )
        existing = existing_world_references(seed)
        rows = generator.rows(skip=existing)
        created = 0
        with tqdm(unit=" referrals", file=self.stderr._out, smoothing=0.1) as bar:
            while batch := list(islice(rows, batch_size)):
                write_referrals(batch, events=not no_events)
                created += len(batch)
                bar.update(len(batch))
                reset_queries()
        if created:
            audit_record(
                actor=None,
                action=AuditAction.CREATE,
                summary=f"Generated {created} synthetic referrals (national world, seed {seed})",
                changes={"seed": seed, "rate": rate, "created": created, "already_there": len(existing),
                         "shortfalls": not no_shortfalls},
            )  # fmt: skip
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {created} synthetic referrals (national world, seed {seed}) in {elapsed:.1f} s; "
                f"{len(existing)} were already there."
            )
        )
