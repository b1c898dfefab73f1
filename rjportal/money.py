"""Money is held in integer pence and entered and shown in pounds. Parsing and formatting live
here, so that every form, page and download writes £1,234.50 the same way."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Pounds with an optional £, thousands separated by commas (or not), and at most two decimals.
POUNDS_PATTERN = re.compile(r"^£?\s*(?P<number>(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?)$")

# £1 billion: more than any one area spends on RJ, and well inside a 64-bit integer of pence.
MAX_PENCE = 100_000_000_000


class PoundsError(ValueError):
    pass


def pounds_to_pence(text: str) -> int:
    """'£1,234.5' -> 123450. Raises PoundsError for anything that is not a plain amount."""
    cleaned = (text or "").strip().replace(" ", "")
    if cleaned.startswith(("-", "£-")):
        raise PoundsError("negative")
    match = POUNDS_PATTERN.match(cleaned)
    if match is None:
        raise PoundsError("not an amount")
    try:
        pounds = Decimal(match.group("number").replace(",", ""))
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only digits
        raise PoundsError("not an amount") from error
    return int(pounds * 100)


def pence_to_pounds(pence: int | None, *, whole: bool = False) -> str:
    """123450 -> '£1,234.50'; with whole=True, '£1,235' (rounded half up). None -> ''."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pence = abs(int(pence))
    if whole:
        pounds = (Decimal(pence) / 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        return f"{sign}£{int(pounds):,}"
    return f"{sign}£{pence // 100:,}.{pence % 100:02d}"


def pence_for_input(pence: int | None) -> str:
    """The value a form shows for an amount: '1234.50', or '1234' for whole pounds."""
    if pence is None:
        return ""
    if pence % 100 == 0:
        return str(pence // 100)
    return f"{pence // 100}.{pence % 100:02d}"


def multiply_pence(pence: int, ratio: Decimal) -> int:
    """An amount in pence times a ratio, to the nearest penny (halves rounded up)."""
    return int((Decimal(pence) * Decimal(ratio)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
