"""Money on the wire: two places, half up, the same string for equal amounts whatever their
exponent or sign of zero (the string form is cached by value)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from enrollment_ledger.domain.money import money, money_str


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("1", "1.00"),
        ("1.0", "1.00"),
        ("1.000", "1.00"),
        ("0.005", "0.01"),
        ("2.675", "2.68"),
        ("-0.004", "0.00"),
        ("-0", "0.00"),
        ("0", "0.00"),
        ("-12.345", "-12.35"),
    ],
)
def test_two_places_half_up(value: str, shown: str) -> None:
    assert money_str(Decimal(value)) == shown
    assert str(money(value)) == shown


def test_negative_zero_is_zero_in_either_order() -> None:
    assert money_str(Decimal("-0.00")) == money_str(Decimal("0.00")) == "0.00"
    assert money_str(Decimal("0.000")) == money_str(Decimal("-0.000")) == "0.00"
