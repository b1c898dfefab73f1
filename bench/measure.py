"""One database's measurements, run by bench/run.py in its own process. Progress goes to
stderr; the last line on stdout is the result as JSON.

  measure.py measure N   load N synthetic referrals (once), then time the list page, the
                         COUNT behind its pagination, and the first rows of the CSV export
  measure.py import      time the import of a file of BENCH_IMPORT_ROWS new referrals
  measure.py dashboard N load N synthetic referrals (once), then time the dashboard pages and
                         their downloads, and compare with a naive pandas implementation
                         (see bench/dashboard_bench.py)"""

import csv
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

SEED = 1
FIRST_CSV_ROWS = 1000
IMPORT_SEED = 990_001
IMPORT_PROVIDER_AREA = "E23000032"  # Kent


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ensure_postgres_database(url: str) -> None:
    """Create the database named in the URL if it is not there yet."""
    from urllib.parse import urlparse

    import psycopg2
    from psycopg2 import sql

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(
        dbname="postgres",
        user=parts.username or "postgres",
        password=parts.password,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            say(f"   creating database {name}")
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def setup():
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        ensure_postgres_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    say("   migrating")
    call_command("migrate", verbosity=0)
    from rjportal.areas.models import RecordedCrime

    if not RecordedCrime.objects.exists():
        say("   loading recorded crime")
        call_command("import_recorded_crime", "rjportal/areas/data/recorded_crime_by_pfa_2023.csv")


def load(count: int) -> float:
    from django.core.management import call_command
    from django.db import connection

    from referrals.models import Referral
    from referrals.synthetic import reference_prefix

    have = Referral.objects.filter(reference__startswith=reference_prefix(SEED)).count()
    started = time.monotonic()
    if have >= count:
        say(f"   {have:,} synthetic referrals already loaded")
    else:
        say(f"   loading {count - have:,} synthetic referrals (have {have:,})")
        call_command("generate_referrals", count=count, seed=SEED, provider_per_area=True)
    seconds = time.monotonic() - started if have < count else 0.0
    # Fresh statistics (and, on PostgreSQL, a visibility map for index-only scans), as
    # autovacuum would give a production database after a while.
    say("   VACUUM ANALYZE" if connection.vendor == "postgresql" else "   ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return seconds


def bench_user():
    from rjportal.accounts.constants import Role
    from rjportal.accounts.models import User

    user, _created = User.objects.get_or_create(
        email="bench-admin@bench.rjportal.invalid",
        defaults={"full_name": "Bench administrator", "role": Role.NATIONAL_ADMIN},
    )
    return user


def timed_pages(client, requests: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rjportal.areas.models import PoliceArea

    kent = PoliceArea.objects.get(code="E23000032")
    pages = {
        "default": ("list page, default", "/referrals/"),
        "filtered": (
            "list page, area + offence + clock missed",
            f"/referrals/?area={kent.pk}&offence_group=violence_against_the_person&clock_missed=on",
        ),
        "last_page": ("list page, page 100", "/referrals/?page=100"),
    }
    results, captured = {}, {}
    for key, (label, url) in pages.items():
        say(f"   {label}: {requests} requests")
        client.get(url)  # warm up
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        captured[key] = list(queries.captured_queries)
        results[key] = {
            "label": label,
            "median_ms": statistics.median(timings),
            "p95_ms": percentile(timings, 95),
            "queries": len(queries.captured_queries),
            "slowest_query_ms": max(float(q["time"]) for q in queries.captured_queries) * 1000,
        }
    return results, captured


def timed_counts(user) -> tuple[dict, dict]:
    """The COUNT(*) behind the pagination, and one page of 50, each on its own."""
    from django.test import RequestFactory
    from django.utils import timezone

    from referrals.forms import ReferralFilterForm
    from referrals.models import Referral
    from rjportal.areas.models import PoliceArea

    kent = PoliceArea.objects.get(code="E23000032")
    today = timezone.localdate()
    cases = {
        "default": ("no filters", None),
        "filtered": (
            "area + offence + clock missed",
            {"area": str(kent.pk), "offence_group": "violence_against_the_person", "clock_missed": "on"},
        ),
    }
    counts, slices = {}, {}
    for key, (label, data) in cases.items():
        request = RequestFactory().get("/referrals/", data or {})
        request.user = user
        form = ReferralFilterForm(data, user=user)
        queryset = form.filter_queryset(Referral.objects.for_user(user).with_clocks(today), today=today)
        queryset = queryset.order_by("-received_on", "-pk")  # the list's default order
        counts[key] = {"label": label, "ms": best_of(lambda queryset=queryset: queryset.count())}
        page = queryset.select_related("provider", "area", "referring_team")
        slices[key] = {"label": label, "ms": best_of(lambda page=page: list(page[:50]))}
    return counts, slices


def timed_csv(client, requests: int) -> dict:
    urls = {
        "default": ("CSV export, first 1,000 rows", "/referrals/?format=csv"),
        "filtered": (
            "CSV export filtered, first 1,000 rows",
            "/referrals/?format=csv&offence_group=violence_against_the_person&clock_missed=on",
        ),
    }
    results = {}
    for key, (label, url) in urls.items():
        say(f"   {label}: {requests} requests")
        timings = []
        for attempt in range(requests + 1):
            started = time.perf_counter()
            response = client.get(url)
            lines = 0
            for chunk in response.streaming_content:
                lines += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
                if lines > FIRST_CSV_ROWS:
                    break
            elapsed = (time.perf_counter() - started) * 1000
            response.close()  # ends the query (on PostgreSQL, its server-side cursor)
            if attempt:  # the first is a warm-up
                timings.append(elapsed)
        results[key] = {"label": label, "median_ms": statistics.median(timings), "p95_ms": percentile(timings, 95)}
    return results


def explain(captured: dict) -> str | None:
    """Plans of the costliest queries of each page, in a file beside the SQLite database."""
    from django.db import connection

    lines = []
    for key, queries in captured.items():
        for query in sorted(queries, key=lambda q: float(q["time"]), reverse=True)[:2]:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
            with connection.cursor() as cursor:
                cursor.execute(prefix + sql)
                plan = "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())
            lines += [f"-- {key}: {float(query['time']) * 1000:.0f} ms", sql, plan, ""]
    path = Path(tempfile.gettempdir()) / f"rjportal-bench-plans-{connection.vendor}.txt"
    path.write_text("\n".join(lines))
    return str(path)


def measure(count: int) -> dict:
    setup()
    load_seconds = load(count)
    from django.test import Client

    from referrals.models import Referral

    requests = int(os.environ.get("BENCH_REQUESTS", "20"))
    user = bench_user()
    client = Client()
    client.force_login(user)
    pages, captured = timed_pages(client, requests)
    say("   COUNT(*) and one page, on their own")
    counts, slices = timed_counts(user)
    csv = timed_csv(client, max(5, requests // 2))
    say("   query plans")
    plans_file = explain(captured)
    return {
        "referrals": Referral.objects.count(),
        "load_seconds": load_seconds,
        "pages": pages,
        "counts": counts,
        "slices": slices,
        "csv": csv,
        "plans_file": plans_file,
    }


def import_file(rows: int) -> Path:
    """A CSV in the import template of `rows` new referrals for Kent's synthetic provider. Every
    other row gives the stage the synthetic data has reached (nearly always beyond referred),
    with the date of that stage and its outcome, so that the moves are checked and written with
    the rows; the others leave the stage columns empty and start at referred."""
    from django.utils import timezone

    from referrals.columns import STAGE_DATE_COLUMN_NAMES
    from referrals.constants import Stage
    from referrals.importing import COLUMNS
    from referrals.models import ReferringTeam
    from referrals.synthetic import SyntheticReferrals, area_plans, ensure_referring_teams
    from rjportal.areas.models import PoliceArea

    kent = PoliceArea.objects.get(code=IMPORT_PROVIDER_AREA)
    teams = ensure_referring_teams([kent])
    names = dict(ReferringTeam.objects.filter(area=kent).values_list("pk", "name"))
    plans = area_plans([(kent.pk, kent.code, 1)], seed=IMPORT_SEED, teams=teams, providers={kent.pk: [0]})
    generator = SyntheticReferrals(plans, seed=IMPORT_SEED, today=timezone.localdate())
    path = Path(tempfile.gettempdir()) / f"rjportal-bench-import-{rows}.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        for index in range(rows):
            values, _previous = generator.values(index)
            row = {
                **values,
                "reference": f"BENCH-IMPORT-{index:07d}",
                "police_area_code": kent.code,
                "referring_team": names[values["referring_team_id"]],
            }
            if index % 2 or row["stage"] == Stage.REFERRED:
                row.update(dict.fromkeys(COLUMNS[COLUMNS.index("stage") :], ""))
            else:
                # The synthetic data knows the day of the latest move only: the stages before it
                # are taken as reached that day, as the import does for stages without a date.
                row[STAGE_DATE_COLUMN_NAMES[row["stage"]]] = row["stage_changed_on"]
                if row["furthest_stage"] != Stage.REFERRED:
                    row[STAGE_DATE_COLUMN_NAMES[row["furthest_stage"]]] = row["stage_changed_on"]
            writer.writerow([_cell(row.get(column)) for column in COLUMNS])
    return path


def _cell(value):
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None:
        return ""
    return str(value)


def measure_import() -> dict:
    import resource

    setup()
    try:
        from referrals.importing import referral_import
    except ImportError:
        say("   referrals.importing.referral_import does not exist yet: import skipped")
        return {"skipped": True}
    from referrals.models import Referral, ReferralEvent
    from referrals.synthetic import ensure_synthetic_providers
    from rjportal.areas.models import PoliceArea
    from rjportal.audit.constants import AuditAction
    from rjportal.audit.models import AuditEvent
    from rjportal.organisations.models import Organisation

    rows = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
    kent = PoliceArea.objects.get(code=IMPORT_PROVIDER_AREA)
    provider = Organisation.objects.get(pk=ensure_synthetic_providers([kent])[kent.pk])
    say(f"   writing an import file of {rows:,} rows")
    path = import_file(rows)
    # Start clean, so that every row is created (a second import of the same file updates).
    # In SQL: the ORM's delete would load every row first, and raise the process's peak memory
    # above what the import itself needs.
    earlier = Referral.objects.filter(provider=provider, reference__startswith="BENCH-IMPORT-")
    ReferralEvent.objects.filter(referral__in=earlier)._raw_delete(ReferralEvent.objects.db)
    moved = AuditEvent.objects.filter(action=AuditAction.TRANSITION, summary__contains=f"importing {path.name}")
    moved._raw_delete(moved.db)
    earlier._raw_delete(earlier.db)
    _vacuum([Referral, ReferralEvent, AuditEvent])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    say(f"   importing {rows:,} rows")
    started = time.monotonic()
    with path.open("rb") as source:
        result = referral_import(actor=None, provider=provider, source=source, filename=path.name)
    seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert result.created == rows, result
    say("   storing the same referrals and events again, ready-made")
    database_seconds, events = database_alone(earlier)
    return {
        "rows": rows,
        "moved": result.moved,
        "events": events,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "peak_mib": (after - before) / 1024,
        "database_seconds": database_seconds,
        "database_rows_per_s": rows / database_seconds,
        "against_database": seconds / database_seconds,
    }


def database_alone(referrals) -> tuple[float, int]:
    """How long the database itself takes to store what the import stored: the imported
    referrals and their timeline events are read back, deleted, and written again as they were
    (ids and all), in one transaction, as the import writes them (COPY from text made
    beforehand on PostgreSQL, one prepared statement elsewhere), indexes, constraints and the
    commit's foreign-key checks included. Nothing is checked or worked out: this is the limit
    that no import of these rows can beat on this machine, whatever its speed. Returns the
    seconds and the number of events."""
    import io

    from django.db import connection, transaction

    from referrals.importing import _copy_sql
    from referrals.models import Referral, ReferralEvent

    tables = []
    for model, rows in (
        (Referral, referrals),
        (ReferralEvent, ReferralEvent.objects.filter(referral__in=referrals)),
    ):
        fields = model._meta.concrete_fields
        values = list(rows.order_by("pk").values_list(*(field.attname for field in fields)))
        tables.append((model, fields, values))
    events = len(tables[1][2])
    ReferralEvent.objects.filter(referral__in=referrals)._raw_delete(ReferralEvent.objects.db)
    referrals._raw_delete(referrals.db)
    _vacuum([Referral, ReferralEvent])
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        texts = []
        for model, fields, values in tables:
            text = io.StringIO()
            csv.writer(text, lineterminator="\n").writerows(values)
            texts.append((_copy_sql(quote(model._meta.db_table), fields, quote), text))
        started = time.monotonic()
        with transaction.atomic(), connection.cursor() as cursor:
            for sql, text in texts:
                text.seek(0)
                cursor.cursor.copy_expert(sql, text, size=256 * 1024)
        return time.monotonic() - started, events
    statements = []
    for model, fields, values in tables:
        columns = ", ".join(quote(field.column) for field in fields)
        marks = ", ".join(["%s"] * len(fields))
        prepared = [
            tuple(field.get_db_prep_value(value, connection) for field, value in zip(fields, row, strict=True))
            for row in values
        ]
        statements.append((f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})", prepared))  # noqa: S608
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, values in statements:
            cursor.executemany(sql, values)
    return time.monotonic() - started, events


def _vacuum(models) -> None:
    """On PostgreSQL, clear away the rows of the previous import: left, they would keep every
    index of the table larger by a tenth at each run, and autovacuum would set about them
    while the import is being timed."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(connection.ops.quote_name(m._meta.db_table) for m in models)}")


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def best_of(function, times: int = 5) -> float:
    """Median of a few runs, in ms."""
    timings = []
    for _ in range(times):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def measure_dashboard(count: int) -> dict:
    from dashboard_bench import measure_dashboard as dashboard

    setup()
    load_seconds = load(count)
    from referrals.models import Referral

    result = dashboard(int(os.environ.get("BENCH_REQUESTS", "20")))
    return {"referrals": Referral.objects.count(), "load_seconds": load_seconds, **result}


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "measure":
        result = measure(int(sys.argv[2]))
    elif mode == "dashboard":
        result = measure_dashboard(int(sys.argv[2]))
    else:
        result = measure_import()
    print(json.dumps(result))
