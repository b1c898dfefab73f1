"""Counts judged against chance: every probability here is worked out by hand from the Poisson
formula P(X = k) = e^-m m^k / k!, so that the SciPy-backed code is checked against arithmetic."""

import math

import pytest

from dashboard.gaps import most_significant_shortfall, team_category_gaps
from dashboard.limits import Band, control_limit, funnel_limits, judge


def poisson_cdf(count, mean):
    return sum(math.exp(-mean) * mean**k / math.factorial(k) for k in range(count + 1))


@pytest.mark.parametrize(
    ("observed", "expected", "band"),
    [
        (0, 3, Band.WITHIN),  # P(0) = e^-3 = 0.0498: more than 1 in 40
        (0, 4, Band.BELOW),  # e^-4 = 0.0183: below the 95% limit (0.025)
        (0, 7, Band.FAR_BELOW),  # e^-7 = 0.00091: below the 99.8% limit (0.001)
        (2, 10, Band.BELOW),  # e^-10 (1 + 10 + 50) = 0.0028
        (1, 10, Band.FAR_BELOW),  # e^-10 (1 + 10) = 0.0005
        (0, 0.5, Band.WITHIN),  # a tiny area: nothing referred is what chance gives most often
        (10, 10, Band.WITHIN),
        (18, 10, Band.ABOVE),  # P(X >= 18) = 0.0143
        (22, 10, Band.FAR_ABOVE),  # P(X >= 22) = 0.0007
    ],
)
def test_bands_against_hand_computed_probabilities(observed, expected, band):
    judgement = judge(observed, expected)
    assert judgement.band == band
    assert judgement.p_below == pytest.approx(poisson_cdf(observed, expected))
    if observed:
        assert judgement.p_above == pytest.approx(1 - poisson_cdf(observed - 1, expected))


def test_nothing_expected_is_not_judged():
    assert judge(0, 0) is None
    assert judge(3, None) is None


def test_control_limits_interpolate_between_whole_counts():
    # Mean 30: the 2.5% point lies between 19 and 20. F(20) = 0.03528, F(19) = 0.02187, so the
    # limit is 20 - (0.03528 - 0.025) / (0.03528 - 0.02187) = 19.23 (close to 30 - 1.96 * sqrt(30)).
    f20, f19 = poisson_cdf(20, 30), poisson_cdf(19, 30)
    assert control_limit(30, 0.025) == pytest.approx(20 - (f20 - 0.025) / (f20 - f19))
    assert control_limit(30, 0.025) == pytest.approx(30 - 1.96 * math.sqrt(30), abs=0.1)
    limits = funnel_limits(100)
    assert limits["lower_998"] < limits["lower_95"] < 100 < limits["upper_95"] < limits["upper_998"]
    assert control_limit(0, 0.025) == 0


def test_the_headline_is_the_least_likely_shortfall_of_either_kind():
    crime_rows = [
        {"label": "Robbery", "referrals": 2, "expected": 10.0, "judgement": judge(2, 10.0)},  # p 0.0028
        {"label": "Theft", "referrals": 45, "expected": 50.0, "judgement": judge(45, 50.0)},  # within chance
    ]
    categories = team_category_gaps(
        area_counts={"response": 100, "custody": 0},
        national_counts={"response": 500, "custody": 100},
        categories=[("response", "Response"), ("custody", "Custody")],
    )
    # Custody: expected 100 * 100 / 600 = 16.7, none referred: e^-16.7, far below chance.
    headline = most_significant_shortfall(crime_rows, categories)
    assert headline["label"] == "Custody"
    assert headline["band"] == Band.FAR_BELOW
    assert most_significant_shortfall(crime_rows[1:]) is None
