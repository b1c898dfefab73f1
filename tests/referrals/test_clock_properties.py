"""Properties of the working-day clocks that hold for any start date and any number of days."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from referrals.clocks import add_working_days, is_working_day, working_days_between

DAYS = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))
COUNTS = st.integers(min_value=0, max_value=60)


@settings(max_examples=300, deadline=None)
@given(start=DAYS, days=COUNTS)
def test_adding_working_days_lands_on_a_working_day_that_many_working_days_later(start, days):
    end = add_working_days(start, days)
    assert end >= start
    assert working_days_between(start, end) == days
    if days:
        assert is_working_day(end)
    else:
        assert end == start


@settings(max_examples=300, deadline=None)
@given(start=DAYS, days=st.integers(min_value=1, max_value=60))
def test_the_deadline_is_the_first_day_with_that_many_working_days(start, days):
    end = add_working_days(start, days)
    assert working_days_between(start, end - timedelta(days=1)) == days - 1


@settings(max_examples=100, deadline=None)
@given(start=DAYS, middle=DAYS, end=DAYS)
def test_working_days_add_up_over_consecutive_spans(start, middle, end):
    start, middle, end = sorted([start, middle, end])
    assert working_days_between(start, middle) + working_days_between(middle, end) == working_days_between(start, end)


@settings(max_examples=100, deadline=None)
@given(start=DAYS, end=DAYS)
def test_no_working_days_between_a_day_and_an_earlier_one(start, end):
    if end <= start:
        assert working_days_between(start, end) == 0
    else:
        assert 0 <= working_days_between(start, end) <= (end - start).days
