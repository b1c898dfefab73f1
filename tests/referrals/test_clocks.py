from datetime import date

import pytest

from referrals.clocks import add_working_days, is_working_day, working_days_between
from referrals.constants import ClockStatus
from referrals.models import Referral
from tests.factories import ReferralFactory


def test_weekends_are_not_working_days():
    assert add_working_days(date(2026, 1, 9), 1) == date(2026, 1, 12)  # Friday to Monday
    assert working_days_between(date(2026, 1, 9), date(2026, 1, 12)) == 1


def test_christmas_and_new_year_bank_holidays_are_skipped():
    # Christmas Day falls on Friday 25 December 2026; Boxing Day's substitute is Monday 28th;
    # New Year's Day is Friday 1 January 2027.
    assert not is_working_day(date(2026, 12, 25))
    assert not is_working_day(date(2026, 12, 28))
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert add_working_days(date(2026, 12, 24), 5) == date(2027, 1, 5)


def test_easter_is_skipped():
    assert add_working_days(date(2026, 4, 2), 2) == date(2026, 4, 8)


@pytest.mark.django_db
def test_information_deadline_is_five_working_days_after_the_report():
    referral = ReferralFactory(
        crime_reported_on=date(2026, 12, 24),
        referred_on=date(2027, 1, 6),
        received_on=date(2027, 1, 6),
        victim_informed_on=date(2027, 1, 5),
        victim_requested_on=None,
    )
    assert referral.information_due_on == date(2027, 1, 5)
    assert referral.referral_due_on is None


@pytest.mark.django_db
def test_enhanced_rights_victims_must_be_told_within_one_working_day():
    referral = ReferralFactory(
        crime_reported_on=date(2026, 12, 24),
        victim_informed_on=date(2026, 12, 30),
        victim_requested_on=None,
        referred_on=date(2027, 1, 6),
        received_on=date(2027, 1, 6),
        victim_enhanced_rights=True,
    )
    assert referral.information_due_on == date(2026, 12, 29)
    annotated = Referral.objects.with_clocks(date(2027, 2, 1)).get(pk=referral.pk)
    assert annotated.information_clock == ClockStatus.MISSED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("informed", "today", "expected"),
    [
        (date(2026, 1, 12), date(2026, 2, 1), ClockStatus.MET),  # on the deadline
        (date(2026, 1, 13), date(2026, 2, 1), ClockStatus.MISSED),  # a day late
        (None, date(2026, 1, 12), ClockStatus.PENDING),  # not yet told, not yet due
        (None, date(2026, 1, 13), ClockStatus.MISSED),  # not told, overdue
    ],
)
def test_information_clock_status(informed, today, expected):
    # Reported Monday 5 January 2026: due by Monday 12 January.
    referral = ReferralFactory(crime_reported_on=date(2026, 1, 5), victim_informed_on=informed)
    assert referral.information_due_on == date(2026, 1, 12)
    assert Referral.objects.with_clocks(today).get(pk=referral.pk).information_clock == expected
    assert Referral.objects.clock_missed(today).filter(pk=referral.pk).exists() == (expected == ClockStatus.MISSED)


@pytest.mark.django_db
def test_a_crime_not_reported_has_no_information_clock():
    referral = ReferralFactory(crime_reported_on=None, victim_informed_on=None, justice_stage="not_reported")
    assert Referral.objects.with_clocks(date(2026, 6, 1)).get(pk=referral.pk).information_clock == ClockStatus.UNKNOWN


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("requested", "referred", "expected"),
    [
        (date(2026, 4, 2), date(2026, 4, 8), ClockStatus.MET),  # over Easter, on the deadline
        (date(2026, 4, 2), date(2026, 4, 9), ClockStatus.MISSED),
        (None, date(2026, 4, 9), ClockStatus.UNKNOWN),
    ],
)
def test_referral_clock_status(requested, referred, expected):
    referral = ReferralFactory(
        crime_reported_on=date(2026, 4, 1),
        victim_informed_on=date(2026, 4, 1),
        victim_requested_on=requested,
        referred_on=referred,
        received_on=referred,
    )
    assert Referral.objects.with_clocks(date(2026, 5, 1)).get(pk=referral.pk).referral_clock == expected
