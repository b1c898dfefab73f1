"""Benchmark the referral list, the CSV export, the file import and the dashboard against
1,000,000 synthetic referrals, on PostgreSQL and on SQLite. `make bench` runs it; it is not
part of `make test`.

Environment:
  BENCH_DATABASE_URL or DATABASE_URL
                     PostgreSQL to use (default postgres://postgres@127.0.0.1:5432/rj_bench;
                     created and migrated if missing). Use a local database made for this:
                     the bench adds a million synthetic referrals to it.
  BENCH_REFERRALS    referrals to load once (default 1000000); loading skips those already there
  BENCH_SQLITE_REFERRALS  the same for SQLite (default BENCH_REFERRALS)
  BENCH_BACKENDS     which to run (default "postgresql,sqlite")
  BENCH_PARTS        which parts to run (default "referrals,dashboard"; "browser" adds the pages in
                     a real browser, over the demo data and over each backend's million
                     referrals: see bench/browser.py and its BENCH_BROWSER_* settings)
  BENCH_REQUESTS     timed requests per page (default 20)
  BENCH_PAGE_SECONDS dashboard: stop timing a page after this many seconds, once it has
                     had 5 requests (default 30)
  BENCH_TRY_INDEXES  dashboard, PostgreSQL: set to 1 to create the candidate indexes in
                     bench/dashboard_bench.py, time the pages again, then drop them
  BENCH_IMPORT_ROWS  rows in the import file (default 100000; 0 skips the import). After the
                     import, the same referrals and events are stored again ready-made, to time
                     the database alone: the import's time against that is a ratio that holds
                     from one machine to another, where rows/s do not
  BENCH_TIMEOUT      seconds allowed per database and part, loading included (default 1800)

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
TARGET_LIST_POSTGRES_MS = 100
TARGET_IMPORT_ROWS_PER_S = 20_000
TARGET_DASHBOARD_MS = 200
TARGET_DASHBOARD_POSTGRES_MS = 100
PARTS = ("referrals", "dashboard", "browser")
DEFAULT_PARTS = ("referrals", "dashboard")
# Browser budgets, on a 2-core machine with nothing else running, over the demo data.
TARGET_JS_BYTES = 1_500_000
TARGET_LOAD_MS = {"area": 1000, "national": 1000, "register": 1000}
TARGET_LOAD_OTHER_MS = 500


def main() -> int:
    backends = [b.strip() for b in os.environ.get("BENCH_BACKENDS", "postgresql,sqlite").split(",") if b.strip()]
    count = int(os.environ.get("BENCH_REFERRALS", "1000000"))
    timeout = int(os.environ.get("BENCH_TIMEOUT", "1800"))
    parts = [p.strip() for p in os.environ.get("BENCH_PARTS", ",".join(DEFAULT_PARTS)).split(",") if p.strip()]
    if unknown := [part for part in parts if part not in PARTS]:
        print(f"Unknown part(s) {', '.join(unknown)}; use {' and/or '.join(PARTS)}.", file=sys.stderr)
        return 2
    results, dashboards, browsers = [], [], []
    if "browser" in parts:
        _say("== browser: demo data")
        # bench/browser.py builds the demo database itself (the URL is not used for it).
        browser = _child(["demo"], f"sqlite:///{SQLITE_FILE}", timeout, "browser")
        if browser is not None:
            browsers.append(("demo data", browser))
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
        if "referrals" in parts:
            result = _child(["measure", str(n)], url, timeout)
            if result is not None:
                imported = None
                if int(os.environ.get("BENCH_IMPORT_ROWS", "100000")):
                    imported = _child(["import"], url, timeout)
                results.append((backend, result, imported))
        if "dashboard" in parts:
            _say(f"== {backend}: dashboard")
            dashboard = _child(["dashboard", str(n)], url, timeout)
            if dashboard is not None:
                dashboards.append((backend, dashboard))
        if "browser" in parts:
            _say(f"== {backend}: browser")
            browser = _child(["bench", str(n)], url, timeout, "browser")
            if browser is not None:
                browsers.append((f"{backend}, {n:,}", browser))
    if "referrals" in parts:
        _print_table(results)
    if "dashboard" in parts:
        _print_dashboard(dashboards)
    if "browser" in parts:
        _print_browser(browsers)
    mismatched = any(d["naive"]["mismatches"] for _b, d in dashboards)
    return 1 if mismatched else 0


def _child(args, url, timeout, script="measure"):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "rjportal.settings.local",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "testserver",
        "PYTHONPATH": str(ROOT),
    }
    if script == "measure":
        # Server times through the test client, whose force_login is a first factor only; the
        # browser part signs in with both factors.
        env["TWO_FACTOR_REQUIRED"] = "false"
    started = time.monotonic()
    try:
        done = subprocess.run(  # noqa: S603 (our own script, with our own arguments)
            [sys.executable, str(ROOT / "bench" / f"{script}.py"), *args],
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
    rows.append(
        (
            "import: the database alone, same rows ready-made: rows/s",
            [_imported(i, "database_rows_per_s", "{:,.0f}") for _b, _r, i in results],
        )
    )
    rows.append(
        (
            "import: time against the database alone",
            [_imported(i, "against_database", "{:.2f}x") for _b, _r, i in results],
        )
    )
    rows.append(("import: rows moved on a stage", [_imported(i, "moved", "{:,}") for _b, _r, i in results]))
    rows.append(("import: peak memory added (MiB)", [_imported(i, "peak_mib", "{:.0f}") for _b, _r, i in results]))
    for label, values in rows:
        print(f"{label:58} " + " ".join(f"{value:>16}" for value in values))
    print()
    print(
        f"Targets: list pages and first CSV rows <= {TARGET_MS} ms (filtered ones too), list pages <= "
        f"{TARGET_LIST_POSTGRES_MS} ms on PostgreSQL; import >= {TARGET_IMPORT_ROWS_PER_S:,} rows/s."
    )
    for backend, result, _i in results:
        if result.get("plans_file"):
            print(f"Query plans ({backend}): {result['plans_file']}")


def _print_dashboard(results):
    if not results:
        print("No dashboard results.")
        return
    first = results[0][1]
    print()
    print(f"Dashboard, financial year {first['year']} (the one with the most referrals); area: {first['area']}")
    print(f"{'measure':58} " + " ".join(f"{backend:>16}" for backend, _r in results))
    rows = [
        ("referrals in the database", [f"{r['referrals']:,}" for _b, r in results]),
        ("referrals in the financial year", [f"{r['year_referrals']:,}" for _b, r in results]),
        ("referrals of the area in the year", [f"{r['area_referrals']:,}" for _b, r in results]),
    ]
    for key, page in first["pages"].items():
        label = page["label"]
        rows.append(
            (
                f"{label}: median / p95 ms",
                [f"{r['pages'][key]['median_ms']:.0f} / {r['pages'][key]['p95_ms']:.0f}" for _b, r in results],
            )
        )
        rows.append(
            (
                "   queries / their total ms / slowest ms",
                [
                    f"{r['pages'][key]['queries']} / {r['pages'][key]['query_ms']:.0f} / "
                    f"{r['pages'][key]['slowest_query_ms']:.0f}"
                    for _b, r in results
                ],
            )
        )
    growth = first["growth"]
    for key, label in (
        ("big_area", f"area queries: {growth['big_area']['name']}, {growth['big_area']['teams']} teams"),
        ("small_area", f"area queries: {growth['small_area']['name']}, {growth['small_area']['teams']} teams"),
        (
            "small_area_more_teams",
            f"area queries: same with {growth.get('small_area_more_teams', {}).get('teams')} teams",
        ),
        ("big_area_more_areas", f"area queries: {growth.get('big_area_more_areas', {}).get('areas')} police areas"),
        ("national", f"national queries: {growth['national']['areas']} police areas"),
        ("national_more_areas", f"national queries: {growth.get('national_more_areas', {}).get('areas')} police areas"),
    ):
        rows.append((label, [str(r["growth"].get(key, {}).get("queries", "n/a")) for _b, r in results]))
    rows += [
        ("area figures in the database (area_report): ms", [f"{r['naive']['database_ms']:.0f}" for _b, r in results]),
        ("area figures in pandas (rows loaded): ms", [f"{r['naive']['naive_ms']:.0f}" for _b, r in results]),
        ("   rows loaded into pandas", [f"{r['naive']['rows_loaded']:,}" for _b, r in results]),
        ("speed-up of the database over pandas", [f"{r['naive']['speedup']:.1f}x" for _b, r in results]),
        (
            "figures compared / differing",
            [f"{r['naive']['checked']} / {len(r['naive']['mismatches'])}" for _b, r in results],
        ),
    ]
    for key in ("area_admin", "national"):
        if any(r.get("indexes") for _b, r in results):
            rows.append(
                (
                    f"{first['pages'][key]['label']}, candidate indexes: median ms",
                    [
                        f"{r['indexes']['pages'][key]['median_ms']:.0f}" if r.get("indexes") else "n/a"
                        for _b, r in results
                    ],
                )
            )
    for label, values in rows:
        print(f"{label:58} " + " ".join(f"{value:>16}" for value in values))
    print()
    print(
        f"Targets: area dashboard and national view <= {TARGET_DASHBOARD_MS} ms server time; the area dashboard of "
        f"the largest area <= {TARGET_DASHBOARD_POSTGRES_MS} ms on PostgreSQL."
    )
    for backend, result in results:
        for line in result["naive"]["mismatches"]:
            print(f"MISMATCH ({backend}) {line}")
        print(f"Slowest queries ({backend}), plans in {result['plans_file']}:")
        for key, queries in result["top_queries"].items():
            for query in queries[:3]:
                print(f"   {key} {query['ms']:6.0f} ms  {query['sql'][:100]}")
        if result.get("indexes"):
            print(f"   with candidate indexes ({', '.join(result['indexes']['indexes'])}):")
            for key, queries in result["indexes"]["top_queries"].items():
                for query in queries[:3]:
                    print(f"   {key} {query['ms']:6.0f} ms  {query['sql'][:100]}")


def _print_browser(results):
    if not results:
        print("No browser results.")
        return
    print()
    runs = next(iter(results[0][1]["pages"].values()))["runs"]
    print(f"In a real browser (Chromium, cold cache, median of {runs} loads; static files compressed as in production)")
    print(f"{'page (persona)':40} {'measure':22} " + " ".join(f"{label:>18}" for label, _r in results))
    first = results[0][1]["pages"]
    for key, page in first.items():
        rows = [
            ("JavaScript KB", lambda p: f"{p['js_bytes'] / 1000:,.0f}"),
            ("transferred KB", lambda p: f"{p['transferred_bytes'] / 1000:,.0f}"),
            ("load event ms", lambda p: f"{p['load_ms']:,.0f}"),
            ("largest paint ms", lambda p: f"{p['lcp_ms']:,.0f}" if p["lcp_ms"] is not None else "n/a"),
        ]
        if page["charts"]:
            rows.append(("charts drawn ms", lambda p: f"{p['charts_drawn_ms']:,.0f}"))
        for index, (measure, show) in enumerate(rows):
            label = page["label"] if index == 0 else ""
            print(f"{label:40} {measure:22} " + " ".join(f"{show(r['pages'][key]):>18}" for _l, r in results))
    print()
    print(
        f"Targets: JavaScript <= {TARGET_JS_BYTES / 1e6:.1f} MB on any page; load event <= "
        f"{TARGET_LOAD_MS['area']} ms for dashboards (and the register's map), <= {TARGET_LOAD_OTHER_MS} ms for "
        "other pages, on the demo data, on 2 cores with nothing else running."
    )
    for label, result in results:
        for key, page in result["pages"].items():
            misses = []
            if page["js_bytes"] > TARGET_JS_BYTES:
                misses.append(f"JavaScript {page['js_bytes'] / 1e6:.2f} MB")
            if label == "demo data" and page["load_ms"] > TARGET_LOAD_MS.get(key, TARGET_LOAD_OTHER_MS):
                misses.append(f"load {page['load_ms']:.0f} ms")
            if page["failed_charts"] or page["console_errors"]:
                misses.append(f"{page['failed_charts']} charts failed, console: {page['console_errors']}")
            if misses:
                print(f"OVER BUDGET ({label}) {page['label']}: {', '.join(misses)}")


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
