"""Benchmark the referral list, the CSV export and the file import against 1,000,000
synthetic referrals, on PostgreSQL and on SQLite. `make bench` runs it; it is not part of
`make test`.

Environment:
  BENCH_DATABASE_URL or DATABASE_URL
                     PostgreSQL to use (default postgres://postgres@127.0.0.1:5432/rj_bench;
                     created and migrated if missing). Use a local database made for this:
                     the bench adds a million synthetic referrals to it.
  BENCH_REFERRALS    referrals to load once (default 1000000); loading skips those already there
  BENCH_SQLITE_REFERRALS  the same for SQLite (default BENCH_REFERRALS)
  BENCH_BACKENDS     which to run (default "postgresql,sqlite")
  BENCH_REQUESTS     timed requests per page (default 20)
  BENCH_IMPORT_ROWS  rows in the import file (default 100000; 0 skips the import)
  BENCH_TIMEOUT      seconds allowed per database, loading included (default 1800)

Each database is measured in its own process (Django is configured once per process), and
the import in another, so that its peak memory is its own."""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/rj_bench"
SQLITE_FILE = Path(tempfile.gettempdir()) / "rjportal-bench.sqlite3"
TARGET_MS = 150
TARGET_IMPORT_ROWS_PER_S = 20_000


def main() -> int:
    backends = [b.strip() for b in os.environ.get("BENCH_BACKENDS", "postgresql,sqlite").split(",") if b.strip()]
    count = int(os.environ.get("BENCH_REFERRALS", "1000000"))
    timeout = int(os.environ.get("BENCH_TIMEOUT", "1800"))
    results = []
    for backend in backends:
        if backend == "postgresql":
            url, n = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_POSTGRES, count
            if not url.startswith("postgres"):
                url = DEFAULT_POSTGRES
        elif backend == "sqlite":
            url, n = f"sqlite:///{SQLITE_FILE}", int(os.environ.get("BENCH_SQLITE_REFERRALS", count))
        else:
            print(f"Unknown backend {backend!r}; use postgresql and/or sqlite.", file=sys.stderr)
            return 2
        _say(f"== {backend}: {n:,} referrals ({_safe(url)})")
        result = _child(["measure", str(n)], url, timeout)
        if result is None:
            continue
        imported = None
        if int(os.environ.get("BENCH_IMPORT_ROWS", "100000")):
            imported = _child(["import"], url, timeout)
        results.append((backend, result, imported))
    _print_table(results)
    return 0


def _child(args, url, timeout):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "rjportal.settings.local",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "testserver",
        "PYTHONPATH": str(ROOT),
    }
    started = time.monotonic()
    try:
        done = subprocess.run(  # noqa: S603 (our own script, with our own arguments)
            [sys.executable, str(ROOT / "bench" / "measure.py"), *args],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        _say(f"   gave up after {timeout} s (BENCH_TIMEOUT)")
        return None
    if done.returncode != 0:
        _say(f"   failed (exit {done.returncode}) after {time.monotonic() - started:.0f} s")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def _print_table(results):
    if not results:
        print("No results.")
        return
    print()
    print(f"{'measure':58} " + " ".join(f"{backend:>16}" for backend, _r, _i in results))
    rows = []
    first = results[0][1]
    rows.append(("referrals in the database", [f"{r['referrals']:,}" for _b, r, _i in results]))
    rows.append(("time to load them this run", [f"{r['load_seconds']:.0f} s" for _b, r, _i in results]))
    for key in first["pages"]:
        label = first["pages"][key]["label"]
        rows.append(
            (
                f"{label}: median / p95 ms",
                [f"{r['pages'][key]['median_ms']:.0f} / {r['pages'][key]['p95_ms']:.0f}" for _b, r, _i in results],
            )
        )
        rows.append((f"{label}: queries", [str(r["pages"][key]["queries"]) for _b, r, _i in results]))
        rows.append(
            (f"{label}: slowest query ms", [f"{r['pages'][key]['slowest_query_ms']:.0f}" for _b, r, _i in results])
        )
    for key in first["counts"]:
        rows.append(
            (
                f"COUNT(*) alone, {first['counts'][key]['label']}: ms",
                [f"{r['counts'][key]['ms']:.0f}" for _b, r, _i in results],
            )
        )
        rows.append(
            (
                f"page of 50 alone, {first['counts'][key]['label']}: ms",
                [f"{r['slices'][key]['ms']:.0f}" for _b, r, _i in results],
            )
        )
    for key in first["csv"]:
        label = first["csv"][key]["label"]
        rows.append(
            (
                f"{label}: median / p95 ms",
                [f"{r['csv'][key]['median_ms']:.0f} / {r['csv'][key]['p95_ms']:.0f}" for _b, r, _i in results],
            )
        )
    rows.append(("import: rows/s", [_imported(i, "rows_per_s", "{:,.0f}") for _b, _r, i in results]))
    rows.append(("import: seconds", [_imported(i, "seconds", "{:.1f}") for _b, _r, i in results]))
    rows.append(("import: peak memory added (MiB)", [_imported(i, "peak_mib", "{:.0f}") for _b, _r, i in results]))
    for label, values in rows:
        print(f"{label:58} " + " ".join(f"{value:>16}" for value in values))
    print()
    print(
        f"Targets: list page and first CSV rows < {TARGET_MS} ms on PostgreSQL; "
        f"import >= {TARGET_IMPORT_ROWS_PER_S:,} rows/s."
    )
    for backend, result, _i in results:
        if result.get("plans_file"):
            print(f"Query plans ({backend}): {result['plans_file']}")


def _imported(result, key, pattern):
    if result is None:
        return "n/a"
    if result.get("skipped"):
        return "skipped"
    return pattern.format(result[key])


def _safe(url: str) -> str:
    """The URL without any password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        return f"{scheme}://{credentials.split(':', 1)[0]}@{host}"
    return url


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
