"""The figures against values worked by hand and against a published worked example."""

from math import sqrt

import pytest

from reviews.statistics import StratumCounts, stratified, wilson

Z = 1.959963984540054


def hand_wilson(k, n):
    p = k / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    return centre - half, centre + half


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Newcombe (1998), 'Two-sided confidence intervals for the single proportion', Statistics in
        # Medicine 17, 857-872, Table I, method 3 (Wilson score).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        # 0 of n and n of n by hand: the upper limit of 0/10 is z^2/(n+z^2) = 3.8415/13.8415.
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
    ],
)
def test_wilson_matches_published_and_hand_computed_intervals(k, n, low, high):
    interval = wilson(k, n)
    assert interval.estimate == k / n
    assert round(interval.low, 4) == low
    assert round(interval.high, 4) == high
    assert interval.low == pytest.approx(hand_wilson(k, n)[0], abs=1e-9)
    assert interval.high == pytest.approx(hand_wilson(k, n)[1], abs=1e-9)


def test_wilson_of_nothing_is_none():
    assert wilson(0, 0) is None


def test_stratified_estimate_matches_the_hand_computation():
    # N = 400. Stratum 1: N=100, n=10, 5 yes (p=0.5); stratum 2: N=300, n=20, 4 yes (p=0.2).
    # p = 0.25*0.5 + 0.75*0.2 = 0.275
    # var = 0.25^2 * (1-10/100) * 0.25/9 + 0.75^2 * (1-20/300) * 0.16/19
    #     = 0.0015625 + 0.0044210526 = 0.0059835526; se = 0.0773534; half = 1.96 * se = 0.151610
    result = stratified([StratumCounts(100, 10, 10, 5), StratumCounts(300, 20, 20, 4)])
    assert result.estimate == pytest.approx(0.275)
    assert result.low == pytest.approx(0.275 - 0.151610, abs=1e-5)
    assert result.high == pytest.approx(0.275 + 0.151610, abs=1e-5)
    assert round(result.low, 4) == 0.1234
    assert round(result.high, 4) == 0.4266


def test_stratified_estimate_of_none_and_all_offered_is_clipped_to_0_and_1():
    none = stratified([StratumCounts(100, 10, 10, 0), StratumCounts(50, 5, 5, 0)])
    assert (none.estimate, none.low, none.high) == (0.0, 0.0, 0.0)
    every = stratified([StratumCounts(100, 10, 10, 10), StratumCounts(50, 5, 5, 5)])
    assert (every.estimate, every.low, every.high) == (1.0, 1.0, 1.0)
    # Clipping: p = 0.05 with a wide interval never goes below 0.
    # N=1000, n=20, 1 yes: var = (1-0.02) * 0.05*0.95/19 = 0.00245, se = 0.0495, half = 0.0970.
    low = stratified([StratumCounts(1000, 20, 20, 1)])
    assert low.estimate == pytest.approx(0.05)
    assert low.low == 0.0
    assert low.high == pytest.approx(0.05 + Z * sqrt(0.98 * 0.05 * 0.95 / 19))


def test_a_stratum_reviewed_in_full_has_no_sampling_error_and_one_without_answers_gives_no_estimate():
    full = stratified([StratumCounts(4, 4, 4, 1)])
    assert (full.estimate, full.low, full.high) == (0.25, 0.25, 0.25)
    assert stratified([StratumCounts(100, 10, 0, 0), StratumCounts(50, 5, 5, 2)]) is None
    assert stratified([StratumCounts(100, 10, 1, 1)]) is None
