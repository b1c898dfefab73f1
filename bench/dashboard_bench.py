"""The dashboard part of the bench, run by bench/measure.py (`measure.py dashboard N`) in its
own process. Progress goes to stderr.

For the financial year with the most referrals it times, through the test client:
  - the area dashboard of the area with the most referrals, as a national administrator and as
    PCC office staff of that area, and the national view;
  - the CSV download of one table and the XLSX workbook of the area dashboard;
and it counts the queries of each page, for two areas and again with many more teams in one
area and more police areas (added in a transaction that is rolled back), to show that the
count does not grow with them.

It then computes the same area figures the naive way (the period's referral rows loaded into
pandas and grouped there), checks that both give the same numbers, and reports the speed-up
of the database implementation as a ratio. The plans of the costliest queries go to a file in
the system temp folder."""

import contextlib
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from unittest import mock

EXTRA_TEAMS = 200
EXTRA_AREAS = 5
NAIVE_RUNS = 3
TOP_QUERIES = 4
MIN_REQUESTS = 5
# Indexes tried on PostgreSQL with BENCH_TRY_INDEXES=1: created, measured, then dropped.
CANDIDATE_INDEXES = {
    # The national aggregates (by area, by area and offence group, by team category) read
    # only these columns: an index-only scan of the period instead of the whole table.
    "bench_referral_received_cover": (
        "CREATE INDEX IF NOT EXISTS bench_referral_received_cover ON referrals_referral "
        "(received_on) INCLUDE (area_id, offence_group, referring_team_id)"
    ),
    # The area's own figures (headlines, funnel, drop-out, trend, teams) read these columns
    # of the area's rows: an index-only scan instead of a heap page per few rows.
    "bench_referral_area_cover": (
        "CREATE INDEX IF NOT EXISTS bench_referral_area_cover ON referrals_referral (area_id, received_on) "
        "INCLUDE (offence_group, referring_team_id, stage, furthest_stage, intervention_type, closure_reason, "
        "agreement_reached, victim_satisfaction, information_due_on, victim_informed_on, referral_due_on, "
        "referred_on)"
    ),
}


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def median_ms(function, times: int) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(times):
        started = time.perf_counter()
        result = function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), result


# Who looks, and at what


def busiest_year():
    """The financial year, of those the dashboard offers, with the most referrals."""
    from dashboard.forms import DashboardFilterForm
    from referrals.models import Referral
    from rjportal.periods import FinancialYear

    years = [FinancialYear(value) for value, _label in DashboardFilterForm().fields["year"].choices]
    counts = {
        year: Referral.objects.filter(received_on__gte=year.period.start, received_on__lte=year.period.end).count()
        for year in years
    }
    year = max(years, key=lambda candidate: (counts[candidate], candidate.start_year))
    return year, counts[year]


def areas_by_referrals(year):
    """The police areas, most referrals in the year first, with their referral and team counts."""
    from django.db.models import Count, Q

    from rjportal.areas.models import PoliceArea

    period = year.period
    return list(
        PoliceArea.objects.annotate(
            referral_count=Count(
                "referrals", filter=Q(referrals__received_on__gte=period.start, referrals__received_on__lte=period.end)
            )
        ).order_by("-referral_count", "name")
    )


def team_counts():
    from django.db.models import Count

    from referrals.models import ReferringTeam

    return dict(ReferringTeam.objects.values_list("area_id").annotate(count=Count("id")).order_by())


def admin_user():
    from rjportal.accounts.constants import Role
    from rjportal.accounts.models import User

    user, _created = User.objects.get_or_create(
        email="bench-admin@bench.rjportal.invalid",
        defaults={"full_name": "Bench administrator", "role": Role.NATIONAL_ADMIN},
    )
    return user


def pcc_user(area):
    """A member of the PCC office of `area` (office and user made once, kept for later runs)."""
    from rjportal.accounts.constants import Role
    from rjportal.accounts.models import User
    from rjportal.organisations.constants import OrganisationKind
    from rjportal.organisations.models import Organisation

    office, _created = Organisation.objects.get_or_create(
        name=f"Bench PCC office {area.code}", defaults={"kind": OrganisationKind.PCC_OFFICE}
    )
    office.areas.set([area])
    user, _created = User.objects.get_or_create(
        email=f"bench-pcc-{area.code.lower()}@bench.rjportal.invalid",
        defaults={"full_name": "Bench PCC office member", "role": Role.PCC_STAFF, "organisation": office},
    )
    return user


# Pages


def time_page(client, url, requests, *, label, streaming=False, budget=None):
    """Median and p95 of `requests` requests, fewer (at least MIN_REQUESTS) if they take
    longer than `budget` seconds in all, and the queries of one more."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    say(f"   {label}: up to {requests} requests")
    response = client.get(url)  # warm up
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    deadline = time.monotonic() + budget if budget else None
    for _ in range(requests):
        if deadline and len(timings) >= MIN_REQUESTS and time.monotonic() > deadline:
            break
        started = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content) if streaming or response.streaming else response.content
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    captured = list(queries.captured_queries)
    return {
        "label": label,
        "url": url,
        "requests": len(timings),
        "median_ms": statistics.median(timings),
        "p95_ms": percentile(timings, 95),
        "queries": len(captured),
        "query_ms": sum(float(q["time"]) for q in captured) * 1000,
        "slowest_query_ms": max((float(q["time"]) for q in captured), default=0) * 1000,
        "bytes": len(body),
    }, captured


def query_count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries.captured_queries)


def query_growth(client, *, big, small, year_query) -> dict:
    """Query counts of the area and national pages for two areas, then with EXTRA_TEAMS more
    teams in the small area and EXTRA_AREAS more police areas, added in a transaction that is
    rolled back."""
    from django.db import transaction

    from referrals.constants import TeamCategory
    from referrals.models import ReferringTeam
    from rjportal.areas.models import PoliceArea

    say("   query counts against the number of teams and areas")
    teams = team_counts()
    area_url = "/dashboard/area/{}/?" + year_query
    national_url = "/dashboard/?" + year_query
    result = {
        "big_area": {
            "name": big.name,
            "teams": teams.get(big.pk, 0),
            "queries": query_count(client, area_url.format(big.code)),
        },
        "small_area": {
            "name": small.name,
            "teams": teams.get(small.pk, 0),
            "queries": query_count(client, area_url.format(small.code)),
        },
        "national": {"areas": PoliceArea.objects.count(), "queries": query_count(client, national_url)},
    }
    with transaction.atomic():
        categories = [value for value, _label in TeamCategory.choices]
        ReferringTeam.objects.bulk_create(
            ReferringTeam(area=small, name=f"Bench extra team {index}", category=categories[index % len(categories)])
            for index in range(EXTRA_TEAMS)
        )
        template = PoliceArea.objects.order_by("pk").first()
        PoliceArea.objects.bulk_create(
            PoliceArea(
                code=f"B{index:08d}",
                name=f"Bench extra area {index}",
                country=template.country,
                region=template.region,
                population=template.population,
            )
            for index in range(EXTRA_AREAS)
        )
        try:
            result["small_area_more_teams"] = {
                "teams": teams.get(small.pk, 0) + EXTRA_TEAMS,
                "queries": query_count(client, area_url.format(small.code)),
            }
            result["national_more_areas"] = {
                "areas": PoliceArea.objects.count(),
                "queries": query_count(client, national_url),
            }
            result["big_area_more_areas"] = {
                "areas": PoliceArea.objects.count(),
                "queries": query_count(client, area_url.format(big.code)),
            }
        except Exception as error:  # reported, not fatal: the timings still stand
            say(f"   counting with more teams/areas failed: {error!r}")
            result["error"] = repr(error)
        transaction.set_rollback(True)
    return result


# Plans


def explain(captured: dict, vendor: str, *, append: bool = False) -> tuple[str, dict]:
    """EXPLAIN the costliest queries of each page into a file; return its path and, for each
    page, its costliest queries (time and the start of the SQL)."""
    from django.db import connection

    lines, top = [], {}
    for key, queries in captured.items():
        ranked = sorted(queries, key=lambda q: float(q["time"]), reverse=True)[:TOP_QUERIES]
        top[key] = [{"ms": float(q["time"]) * 1000, "sql": q["sql"][:160]} for q in ranked]
        for query in ranked:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if vendor == "postgresql" else "EXPLAIN QUERY PLAN "
            with connection.cursor() as cursor:
                cursor.execute(prefix + sql)
                plan = "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())
            lines += [f"-- {key}: {float(query['time']) * 1000:.1f} ms", sql, plan, ""]
    path = Path(tempfile.gettempdir()) / f"rjportal-bench-dashboard-plans-{vendor}.txt"
    with path.open("a" if append else "w") as file:
        file.write("\n".join(lines) + "\n")
    return str(path), top


def try_indexes(cases, *, requests, budget) -> dict:
    """Create the candidate indexes, time the area and national pages again, then drop them."""
    from django.db import connection

    say("   trying candidate indexes (dropped afterwards)")
    result = {"indexes": dict(CANDIDATE_INDEXES)}
    try:
        with connection.cursor() as cursor:
            for name, sql in CANDIDATE_INDEXES.items():
                started = time.monotonic()
                cursor.execute(sql)
                say(f"   created {name} in {time.monotonic() - started:.1f} s")
            cursor.execute("VACUUM ANALYZE referrals_referral")
            cursor.execute(
                "SELECT relname, pg_relation_size(oid) FROM pg_class WHERE relname = ANY(%s)", [list(CANDIDATE_INDEXES)]
            )
            result["sizes_mib"] = {name: size / 2**20 for name, size in cursor.fetchall()}
        pages, captured = {}, {}
        for key, label, client, url, streaming in cases:
            pages[key], captured[key] = time_page(
                client, url, requests, label=f"{label}, with candidate indexes", streaming=streaming, budget=budget
            )
        _path, result["top_queries"] = explain(captured, connection.vendor, append=True)
        result["pages"] = pages
    finally:
        with connection.cursor() as cursor:
            for name in CANDIDATE_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
    return result


# The naive implementation: rows into pandas

NAIVE_FIELDS = [
    "area_id",
    "offence_group",
    "referring_team_id",
    "received_on",
    "stage",
    "furthest_stage",
    "intervention_type",
    "agreement_reached",
    "victim_satisfaction",
    "closure_reason",
    "information_due_on",
    "victim_informed_on",
    "referral_due_on",
    "referred_on",
]
DATE_FIELDS = ["received_on", "information_due_on", "victim_informed_on", "referral_due_on", "referred_on"]


def _frame(queryset):
    import pandas as pd

    frame = pd.DataFrame.from_records(list(queryset.values_list(*NAIVE_FIELDS)), columns=NAIVE_FIELDS)
    for column in DATE_FIELDS:
        frame[column] = pd.to_datetime(frame[column])
    return frame


def naive_area_figures(*, area, financial_year, today) -> dict:
    """The area dashboard's figures from the period's referral rows (every area, for the
    national comparisons) and the area's rows a year earlier, grouped in pandas."""
    import pandas as pd

    from dashboard.gaps import crime_type_gaps, national_spreads, team_category_gaps
    from referrals.constants import DIRECT_INTERVENTIONS, PATH_STAGES, Stage, TeamCategory
    from referrals.models import Referral, ReferringTeam
    from rjportal.areas.models import PoliceArea, RecordedCrime
    from rjportal.areas.selectors import recorded_crime_by_area_and_offence

    period, earlier = financial_year.period, financial_year.period.same_period_last_year()
    rows = _frame(Referral.objects.filter(received_on__gte=period.start, received_on__lte=period.end))
    last_year = _frame(Referral.objects.filter(area=area, received_on__gte=earlier.start, received_on__lte=earlier.end))
    teams = pd.DataFrame.from_records(
        list(ReferringTeam.objects.values_list("id", "area_id", "category")), columns=["id", "team_area", "category"]
    )
    rows = rows.merge(teams[["id", "category"]], left_on="referring_team_id", right_on="id", how="left")
    mine = rows[rows["area_id"] == area.pk]

    direct = mine["intervention_type"].isin([value.value for value in DIRECT_INTERVENTIONS])
    completed = mine["stage"] == Stage.COMPLETED
    due, informed = mine["information_due_on"], mine["victim_informed_on"]
    referral_known = mine["referral_due_on"].notna()
    satisfaction = mine["victim_satisfaction"].dropna()
    headlines = {
        "referrals": len(mine),
        "referrals_last_year": len(last_year),
        "direct": int(direct.sum()),
        "indirect": int(((mine["intervention_type"] != "") & ~direct).sum()),
        "completed": int(completed.sum()),
        "agreements": int((completed & (mine["agreement_reached"] == True)).sum()),  # noqa: E712 (None is not True)
        "victim_satisfaction": float(satisfaction.mean()) if len(satisfaction) else None,
        "information_met": int((due.notna() & informed.notna() & (informed <= due)).sum()),
        "information_missed": int(
            (due.notna() & ((informed > due) | (informed.isna() & (due < pd.Timestamp(today))))).sum()
        ),
        "referral_known": int(referral_known.sum()),
        "referral_met": int((referral_known & (mine["referred_on"] <= mine["referral_due_on"])).sum()),
    }

    by_area_offence = {key: int(value) for key, value in rows.groupby(["area_id", "offence_group"]).size().items()}
    year_ending = RecordedCrime.objects.latest_year_ending()
    crime = recorded_crime_by_area_and_offence(year_ending) if year_ending else {}
    area_ids = list(PoliceArea.objects.values_list("pk", flat=True))
    spreads = national_spreads(referrals=by_area_offence, crime=crime, area_ids=area_ids)
    crime_gaps = crime_type_gaps(area_id=area.pk, referrals=by_area_offence, crime=crime, spreads=spreads)

    team_counts = mine.groupby("referring_team_id").size()
    area_teams = teams[teams["team_area"] == area.pk]["id"]
    by_team = {int(team): int(team_counts.get(team, 0)) for team in area_teams}

    category_gaps = team_category_gaps(
        area_counts={key: int(value) for key, value in mine.groupby("category").size().items()},
        national_counts={key: int(value) for key, value in rows.groupby("category").size().items()},
        categories=TeamCategory.choices,
    )

    furthest = mine["furthest_stage"]
    reached = {
        stage.value: int(furthest.isin([later.value for later in PATH_STAGES[index:]]).sum())
        for index, stage in enumerate(PATH_STAGES)
    }
    closed = mine[mine["stage"] == Stage.CLOSED]
    closures = {key: int(value) for key, value in closed.groupby(["furthest_stage", "closure_reason"]).size().items()}

    trend = []
    for quarter, before in zip(financial_year.quarters(), financial_year.previous().quarters(), strict=True):
        now = mine["received_on"].between(pd.Timestamp(quarter.start), pd.Timestamp(quarter.end))
        then = last_year["received_on"].between(pd.Timestamp(before.start), pd.Timestamp(before.end))
        trend.append({"label": quarter.label, "referrals": int(now.sum()), "last_year": int(then.sum())})

    return {
        "headlines": headlines,
        "crime_gaps": crime_gaps,
        "teams": by_team,
        "category_gaps": category_gaps,
        "reached": reached,
        "closures": closures,
        "trend": trend,
        "rows_loaded": len(rows) + len(last_year),
    }


def compare(report, naive) -> tuple[int, list[str]]:
    """Figures checked, and a line for each that differs between the database and pandas."""
    checked, mismatches = 0, []

    def check(name, database, other):
        nonlocal checked
        checked += 1
        if isinstance(database, float) or isinstance(other, float):
            same = database is not None and other is not None and abs(database - other) <= 1e-9 * max(1, abs(other))
            same = same or (database is None and other is None)
        else:
            same = database == other
        if not same:
            mismatches.append(f"{name}: database {database!r}, pandas {other!r}")

    for key, value in naive["headlines"].items():
        check(f"headline {key}", report.headlines.get(key), value)
    naive_gaps = {row["offence_group"]: row for row in naive["crime_gaps"]}
    for row in report.crime_gaps:
        other = naive_gaps.get(row["offence_group"], {})
        for key in ("referrals", "national_q1", "national_median", "national_q3", "gap"):
            check(f"crime type {row['offence_group']} {key}", row[key], other.get(key))
    check("crime type order", [row["offence_group"] for row in report.crime_gaps], list(naive_gaps))
    for team in report.teams:
        check(f"team {team.pk} referrals", team.referral_count, naive["teams"].get(team.pk))
    check("team count", len(report.teams), len(naive["teams"]))
    naive_categories = {row["category"]: row for row in naive["category_gaps"]}
    for row in report.category_gaps:
        other = naive_categories.get(row["category"], {})
        for key in ("referrals", "national_share", "gap"):
            check(f"team category {row['category']} {key}", row[key], other.get(key))
    for row in report.funnel:
        check(f"funnel {row['stage']}", row["count"], naive["reached"].get(row["stage"]))
    check("drop-out reasons", sum(row["count"] for row in report.closures), sum(naive["closures"].values()))
    check("drop-out reason groups", len(report.closures), len(naive["closures"]))
    for row, other in zip(report.trend, naive["trend"], strict=False):
        check(f"trend {row['label']}", (row["referrals"], row["last_year"]), (other["referrals"], other["last_year"]))
    return checked, mismatches


def _as_naive(report) -> dict:
    """A database report in the shape of naive_area_figures(), to compare two reports."""
    return {
        "headlines": {key: report.headlines.get(key) for key in NAIVE_HEADLINES},
        "crime_gaps": report.crime_gaps,
        "teams": {team.pk: team.referral_count for team in report.teams},
        "category_gaps": report.category_gaps,
        "reached": {row["stage"]: row["count"] for row in report.funnel},
        "closures": {index: row["count"] for index, row in enumerate(report.closures)},
        "trend": report.trend,
    }


NAIVE_HEADLINES = [
    "referrals",
    "referrals_last_year",
    "direct",
    "indirect",
    "completed",
    "agreements",
    "victim_satisfaction",
    "information_met",
    "information_missed",
    "referral_known",
    "referral_met",
]


@contextlib.contextmanager
def _first_request_after_a_change(prefixes: tuple[str, ...] | None = None):
    """Each request as the first after a referral changed: what the referral selectors keep until
    the referrals change (all of it, or the keys starting with `prefixes`) is missing when the
    request starts, so it is counted then, and kept for the rest of the request as it would be."""
    from django.core.signals import request_started

    from referrals import selectors

    kept = selectors._cached
    request = ["none"]

    def started(**kwargs):
        request[0] = uuid.uuid4().hex

    def cached(key, compute):
        if prefixes is None or key.startswith(prefixes):
            key = f"{key}:request-{request[0]}"
        return kept(key, compute)

    request_started.connect(started)
    try:
        with mock.patch.object(selectors, "_cached", cached):
            yield
    finally:
        request_started.disconnect(started)


# The keys of the counts kept for one area (referrals.selectors); the others are national.
AREA_KEYS = ("referrals:area:", "referrals:teams_and_closures:", "referrals:by_quarter:")


def _area_counts_not_kept():
    """The area's own counts counted afresh at each call (area_report asks for each once); the
    national ones from the cache."""
    from referrals import selectors

    kept = selectors._cached

    def cached(key, compute):
        return compute() if key.startswith(AREA_KEYS) else kept(key, compute)

    return mock.patch.object(selectors, "_cached", cached)


def naive_comparison(*, area, financial_year, requests) -> dict:
    from django.utils import timezone

    from dashboard.reports import area_report
    from referrals.selectors import ReferralScope

    today = timezone.localdate()
    scope = ReferralScope(period=financial_year.period)

    def database():
        # Counted afresh each time: the cached figures would time the cache, not the database.
        # The national counts, which pandas does not count here, from the cache.
        with _area_counts_not_kept():
            return area_report(area=area, scope=scope, financial_year=financial_year, today=today)

    def naive():
        return naive_area_figures(area=area, financial_year=financial_year, today=today)

    say(f"   area figures in the database (area_report): {requests} runs")
    database()  # warm up
    database_ms, report = median_ms(database, requests)
    say(f"   the same figures in pandas: {NAIVE_RUNS} runs")
    naive_ms, figures = median_ms(naive, NAIVE_RUNS)
    for _attempt in range(3):
        # Checked on pandas' figures between two database reports that agree, so that a write
        # by someone else during the comparison is not taken for a difference.
        checked, mismatches = compare(report, figures)
        again = database()
        if not compare(report, _as_naive(again))[1]:
            break
        say("   the referrals changed during the comparison: comparing again")
        report, figures = again, naive()
    for line in mismatches:
        say(f"   MISMATCH {line}")
    say(f"   {checked} figures compared, {len(mismatches)} differ")
    return {
        "database_ms": database_ms,
        "naive_ms": naive_ms,
        "speedup": naive_ms / database_ms if database_ms else None,
        "rows_loaded": figures["rows_loaded"],
        "checked": checked,
        "mismatches": mismatches,
        "sample": {
            "referrals": report.headlines["referrals"],
            "completed": report.headlines["completed"],
            "top_gap_group": report.crime_gaps[0]["offence_group"] if report.crime_gaps else None,
            "top_gap_median": report.crime_gaps[0]["national_median"] if report.crime_gaps else None,
        },
    }


# Everything


def measure_dashboard(requests: int) -> dict:
    import os

    from django.db import connection
    from django.test import Client

    budget = float(os.environ.get("BENCH_PAGE_SECONDS", "30"))

    year, year_count = busiest_year()
    areas = areas_by_referrals(year)
    big, small = areas[0], areas[-1]
    say(f"   financial year {year.label}: {year_count:,} referrals; areas {big.name} ({big.referral_count:,}) "
        f"and {small.name} ({small.referral_count:,})")  # fmt: skip
    year_query = f"year={year.start_year}"
    admin = Client()
    admin.force_login(admin_user())
    pcc = Client()
    pcc.force_login(pcc_user(big))
    area_url = f"/dashboard/area/{big.code}/?{year_query}"
    national_url = f"/dashboard/?{year_query}"
    pages, captured = {}, {}
    cases = [
        ("area_admin", f"area dashboard ({big.name}), admin", admin, area_url, False),
        ("area_pcc", f"area dashboard ({big.name}), PCC staff", pcc, area_url, False),
        ("national", "national view, admin", admin, national_url, False),
        ("area_csv", "area CSV of one table (crime type)", admin, f"{area_url}&export=crime_type", True),
        ("area_xlsx", "area XLSX workbook", admin, f"{area_url}&format=xlsx", False),
        ("national_csv", "national CSV (league)", admin, f"{national_url}&export=league", True),
    ]
    for key, label, client, url, streaming in cases:
        pages[key], captured[key] = time_page(client, url, requests, label=label, streaming=streaming, budget=budget)
    # The first view of the area after a referral changed, once someone has seen any dashboard
    # (the national counts, which every dashboard shows, counted again then); and the first view
    # of all, with every count the page keeps counted afresh.
    with _first_request_after_a_change(AREA_KEYS):
        pages["area_fresh"], captured["area_fresh"] = time_page(
            admin, area_url, requests, label=f"area dashboard ({big.name}), area's counts not cached", budget=budget
        )
    with _first_request_after_a_change():
        pages["area_cold"], captured["area_cold"] = time_page(
            admin, area_url, requests, label=f"area dashboard ({big.name}), nothing cached", budget=budget
        )
    growth = query_growth(admin, big=big, small=small, year_query=year_query)
    naive = naive_comparison(area=big, financial_year=year, requests=max(MIN_REQUESTS, requests // 2))
    say("   query plans")
    plans_file, top_queries = explain({key: captured[key] for key in ("area_admin", "national")}, connection.vendor)
    indexes = None
    if connection.vendor == "postgresql" and os.environ.get("BENCH_TRY_INDEXES") == "1":
        indexes = try_indexes(
            [case for case in cases if case[0] in ("area_admin", "national")], requests=requests, budget=budget
        )
    return {
        "year": year.label,
        "year_referrals": year_count,
        "area": big.name,
        "area_referrals": big.referral_count,
        "pages": pages,
        "growth": growth,
        "naive": naive,
        "top_queries": top_queries,
        "plans_file": plans_file,
        "indexes": indexes,
    }
