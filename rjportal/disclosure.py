"""Small-number suppression for anything shown beyond the area that owns the data.

A count from 1 to 4 could identify a victim, so it is shown as "<5", and no rate is worked out
from it. Zero is shown: it identifies nobody, and an empty cell is the gap the portal is for."""

SUPPRESSED = "<5"
SMALLEST_SHOWN = 5


def is_suppressed(count: int | None) -> bool:
    return count is not None and 0 < count < SMALLEST_SHOWN


def shown_count(count: int | None):
    """The count as it may be shown: the number, or "<5"."""
    return SUPPRESSED if is_suppressed(count) else count


def shown_rate(count: int | None, denominator: int | None, per: int = 1000) -> float | None:
    """count per `per` of denominator, or None when the count is suppressed or the denominator
    is missing or zero."""
    if count is None or not denominator or is_suppressed(count):
        return None
    return count * per / denominator
