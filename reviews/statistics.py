"""Proportions with 95% intervals: Wilson score intervals for each stratum (SciPy), and the
stratified estimate of the whole population's proportion with a normal approximation and the
finite population correction (Cochran, Sampling Techniques, 3rd ed., sections 5.3 and 5A.3)."""

from dataclasses import dataclass
from math import sqrt

from scipy.stats import binomtest, norm

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float


def wilson(successes: int, trials: int) -> Interval | None:
    """The proportion and its Wilson 95% interval; None when nothing was counted."""
    if trials == 0:
        return None
    ci = binomtest(successes, trials).proportion_ci(confidence_level=CONFIDENCE, method="wilson")
    return Interval(successes / trials, float(ci.low), float(ci.high))


@dataclass(frozen=True)
class StratumCounts:
    population: int  # N_h
    sampled: int  # cases drawn, for the finite population correction n_h/N_h
    answered: int  # yes + no (cannot tell excluded): the n_h of the estimate
    yes: int


def stratified(strata: list[StratumCounts]) -> Interval | None:
    """sum_h (N_h/N) p_h, with variance sum_h (N_h/N)^2 (1 - n_h/N_h) p_h (1 - p_h) / (n_h - 1),
    where n_h counts the answered cases; a normal 95% interval clipped to [0, 1]. None when a
    stratum has no answered case, or fewer than 2 and was not reviewed in full."""
    total = sum(stratum.population for stratum in strata)
    if not strata or total == 0:
        return None
    estimate = variance = 0.0
    for stratum in strata:
        n, big_n = stratum.answered, stratum.population
        if n == 0:
            return None
        share = big_n / total
        p = stratum.yes / n
        estimate += share * p
        if n >= big_n:
            continue  # every case of the stratum answered: no sampling error
        if n < 2:
            return None
        variance += share**2 * (1 - n / big_n) * p * (1 - p) / (n - 1)
    half = norm.ppf(1 - (1 - CONFIDENCE) / 2) * sqrt(variance)
    return Interval(estimate, max(0.0, estimate - half), min(1.0, estimate + half))
