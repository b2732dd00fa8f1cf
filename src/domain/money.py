"""Money is a Decimal with two places; on the wire a two-place string, never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | int | str) -> Decimal:
    """Quantize to cents (half up)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@lru_cache(maxsize=4096)
def money_str(value: Decimal) -> str:
    """The two-place string form used on the wire (cached: a view or a rebuild writes the same
    few premiums, payments and zeros over and over)."""
    return str(money(value))
