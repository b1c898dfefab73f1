from datetime import date

import pytest

from rjportal.disclosure import SUPPRESSED, shown_count, shown_rate
from rjportal.periods import FinancialYear, Period, financial_year_of, months_before


def test_financial_years_run_april_to_march():
    year = FinancialYear(2025)
    assert year.label == "2025/26"
    assert year.period == Period(date(2025, 4, 1), date(2026, 3, 31), "2025/26")
    assert financial_year_of(date(2026, 3, 31)) == year
    assert financial_year_of(date(2026, 4, 1)) == FinancialYear(2026)


def test_quarters():
    quarters = FinancialYear(2025).quarters()
    assert [(q.start, q.end) for q in quarters] == [
        (date(2025, 4, 1), date(2025, 6, 30)),
        (date(2025, 7, 1), date(2025, 9, 30)),
        (date(2025, 10, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 3, 31)),
    ]
    assert quarters[3].label == "2025/26 Q4"
    with pytest.raises(ValueError, match="quarters 1 to 4"):
        FinancialYear(2025).quarter(5)


def test_same_period_last_year_handles_leap_days():
    period = Period(date(2024, 1, 1), date(2024, 2, 29), "Jan-Feb 2024")
    earlier = period.same_period_last_year()
    assert (earlier.start, earlier.end) == (date(2023, 1, 1), date(2023, 2, 28))


@pytest.mark.parametrize(("count", "shown"), [(0, 0), (1, SUPPRESSED), (4, SUPPRESSED), (5, 5), (None, None)])
def test_counts_from_one_to_four_are_suppressed(count, shown):
    assert shown_count(count) == shown


def test_rates_are_not_computed_from_suppressed_counts():
    assert shown_rate(4, 1000) is None
    assert shown_rate(5, 1000) == 5.0
    assert shown_rate(0, 1000) == 0.0
    assert shown_rate(10, 0) is None
    assert shown_rate(10, None) is None


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 11, 1), 6, date(2026, 5, 1)),
        (date(2026, 8, 31), 6, date(2026, 2, 28)),
        (date(2026, 3, 15), 6, date(2025, 9, 15)),
        (date(2026, 1, 31), 1, date(2025, 12, 31)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected
