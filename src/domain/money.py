"""Money is a Decimal with two places; on the wire a two-place string, never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | int | str) -> Decimal:
    """Quantize to cents (half up); a negative zero is zero."""
    cents = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return cents if cents else ZERO


@lru_cache(maxsize=4096)
def money_str(value: Decimal) -> str:
    """The two-place string form used on the wire. Cached (a view or a rebuild writes the same
    few premiums, payments and zeros over and over): equal amounts give the same string, so
    `1.0`, `1.00` and `1.000` are all "1.00", and `-0.00` is "0.00"."""
    return str(money(value))
