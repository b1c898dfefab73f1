"""How far an observed count stands from the count expected of it, judged against chance.

A count of referrals varies by chance even where nothing is wrong, and more so in proportion
for small counts. Treating the count as Poisson with the expected count as its mean, these
functions give the probability of a count at least as far below (or above) expectation, the
band it falls in at the 95% and 99.8% levels, and the funnel plot's control limits, as in
Spiegelhalter, "Funnel plots for comparing institutional performance", Statistics in Medicine
24 (2005) 1185-1202. The distributions come from SciPy."""

from dataclasses import dataclass

from django.db import models
from scipy.special import pdtr, pdtrc
from scipy.stats import poisson

# Two-sided levels, as in the funnel plots of public-health profiles: 95% (about 2 standard
# deviations) and 99.8% (about 3).
LEVELS = {"95": 0.025, "99.8": 0.001}


class Band(models.TextChoices):
    FAR_BELOW = "far_below", "Below the 99.8% limit"
    BELOW = "below", "Below the 95% limit"
    WITHIN = "within", "Within what chance would explain"
    ABOVE = "above", "Above the 95% limit"
    FAR_ABOVE = "far_above", "Above the 99.8% limit"


SHORTFALL_BANDS = (Band.FAR_BELOW, Band.BELOW)


@dataclass(frozen=True)
class Judgement:
    observed: int
    expected: float
    p_below: float  # the probability of a count this low or lower by chance
    p_above: float  # ... this high or higher
    band: Band

    @property
    def is_shortfall(self) -> bool:
        return self.band in SHORTFALL_BANDS


def judge(observed: int, expected: float | None) -> Judgement | None:
    """The observed count against the expected, or None when nothing is expected (no
    denominator, or an expected count of zero)."""
    if expected is None or expected <= 0:
        return None
    # SciPy's Poisson CDF and survival function themselves (poisson.cdf and poisson.sf call
    # them): a page judges a few hundred counts, and the distribution object's argument checks
    # cost a hundred times the sum.
    p_below = float(pdtr(observed, expected))
    p_above = float(pdtrc(observed - 1, expected)) if observed > 0 else 1.0
    if p_below < LEVELS["99.8"]:
        band = Band.FAR_BELOW
    elif p_below < LEVELS["95"]:
        band = Band.BELOW
    elif p_above < LEVELS["99.8"]:
        band = Band.FAR_ABOVE
    elif p_above < LEVELS["95"]:
        band = Band.ABOVE
    else:
        band = Band.WITHIN
    return Judgement(observed, expected, p_below, p_above, band)


def control_limit(expected: float, probability: float) -> float:
    """The count below which a fraction `probability` of chance outcomes falls, for a Poisson
    count with mean `expected`, interpolated between whole counts so that funnel lines are
    smooth (Spiegelhalter 2005, appendix A.1.1)."""
    if expected <= 0:
        return 0.0
    count = float(poisson.ppf(probability, expected))
    at, below = poisson.cdf(count, expected), poisson.cdf(count - 1, expected)
    share = (at - probability) / (at - below) if at > below else 0.0
    return float(max(0.0, count - share))


def funnel_limits(expected: float) -> dict[str, float]:
    """The four control limits around an expected count, in counts."""
    return {
        "lower_998": control_limit(expected, LEVELS["99.8"]),
        "lower_95": control_limit(expected, LEVELS["95"]),
        "upper_95": control_limit(expected, 1 - LEVELS["95"]),
        "upper_998": control_limit(expected, 1 - LEVELS["99.8"]),
    }
