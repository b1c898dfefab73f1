"""The area dashboard's figures are read from one covering index, on PostgreSQL and SQLite. If a
selector starts reading a column the index does not carry, the database silently goes back to
reading the table for every row, and the dashboard of a large area becomes several times slower:
these tests catch that."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.models import AREA_FIGURE_COLUMNS
from referrals.selectors import ReferralScope, referral_area_figures, referral_teams_and_closures
from rjportal.periods import FinancialYear
from tests.factories import KENT, ReferralFactory, area

pytestmark = pytest.mark.django_db

YEAR = FinancialYear(2025)
INDEX = "referral_area_figures_idx"


def _plans(run) -> list[str]:
    """The plan of every query `run` makes on the referrals table. For a handful of rows the
    planner's choice between indexes is a toss-up, so it is left only this index (the other
    indexes are dropped inside the test's transaction, which is rolled back) and told to avoid
    reading the table where it can: a plan that still reads the table means the index lacks a
    column the query needs."""
    with CaptureQueriesContext(connection) as captured:
        run()
    if connection.vendor == "sqlite":
        return _sqlite_plans(captured)
    plans = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'referrals_referral'::regclass "
            "AND indexrelid <> %s::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = pg_index.indexrelid)",
            [INDEX],
        )
        for (other,) in cursor.fetchall():
            cursor.execute(f"DROP INDEX {other}")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        for query in captured.captured_queries:
            if not _counts_referrals(query["sql"]):
                continue
            cursor.execute(f"EXPLAIN {query['sql']}")
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


def _counts_referrals(sql: str) -> bool:
    """A query of the figures themselves, not the newest id and change that key their cache."""
    return '"referrals_referral"' in sql and not sql.startswith("SELECT MAX(")


def _sqlite_plans(captured) -> list[str]:
    """SQLite's plans, which name a covering index when the table is not read."""
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            if _counts_referrals(query["sql"]):
                cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
                plans.append("\n".join(row[3] for row in cursor.fetchall()))
    return plans


def _reads_the_index_alone(plan: str) -> bool:
    if connection.vendor == "sqlite":
        return f"USING COVERING INDEX {INDEX}" in plan
    return f"Index Only Scan using {INDEX}" in plan


def test_area_figures_come_from_the_index_alone():
    kent = area(KENT)
    ReferralFactory.create_batch(3, area=kent)  # received in January 2026
    scope = ReferralScope(period=YEAR.period)

    plans = _plans(
        lambda: referral_area_figures(area=kent, scope=scope, today=date(2026, 1, 31), periods=YEAR.quarters())
    )

    assert plans
    for plan in plans:
        assert _reads_the_index_alone(plan), plan


def test_area_figures_with_every_filter_come_from_the_index_alone():
    kent = area(KENT)
    ReferralFactory(area=kent)
    scope = ReferralScope(period=YEAR.period, offence_group="robbery", justice_stage="pre_sentence", initiator="victim")

    plans = _plans(lambda: referral_teams_and_closures(area=kent, scope=scope))
    plans += _plans(
        lambda: referral_area_figures(area=kent, scope=scope, today=date(2026, 1, 31), periods=YEAR.quarters())
    )

    assert len(plans) == 2
    for plan in plans:
        assert _reads_the_index_alone(plan), plan


def test_postgresql_compares_only_area_and_received_date():
    """The figure columns ride in the index's leaves, never compared: as key columns they made
    every import's writes to this index half as slow again."""
    if connection.vendor != "postgresql":
        pytest.skip("INCLUDE columns are PostgreSQL's; SQLite has them as key columns")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indnkeyatts, indnatts FROM pg_index WHERE indexrelid = %s::regclass", [INDEX])
        keys, columns = cursor.fetchone()
    assert keys == 2
    assert columns == 2 + len(AREA_FIGURE_COLUMNS)
