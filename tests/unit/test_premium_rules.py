"""The premium rules as pure functions (956 CMR 12.12(3), (5))."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from enrollment_ledger.domain.rules.premiums import (
    first_month_not_paid_in_full,
    termination_end_on,
)

FEBRUARY, MARCH, APRIL, MAY = (date(2026, m, 1) for m in (2, 3, 4, 5))


def unpaid(*amounts: str) -> list[tuple[date, Decimal]]:
    """What is still unpaid on February, March, April and May, at the notice's payment date."""
    return list(zip((FEBRUARY, MARCH, APRIL, MAY), map(Decimal, amounts), strict=True))


class TestTheLastMonthPaidForInFull:
    """12.12(3) without financial assistance: coverage ends on "the last day of the last month
    for which the Enrollee has paid for coverage in full", judged at the payment date."""

    def test_april_paid_in_full_ends_coverage_on_30_april(self) -> None:
        first_unpaid = first_month_not_paid_in_full(unpaid("0.00", "0.00", "0.00", "450.00"))
        assert first_unpaid == MAY
        assert termination_end_on(first_unpaid, financially_assisted=False) == date(2026, 4, 30)

    def test_april_one_cent_short_ends_coverage_on_31_march(self) -> None:
        first_unpaid = first_month_not_paid_in_full(unpaid("0.00", "0.00", "0.01", "450.00"))
        assert first_unpaid == APRIL
        assert termination_end_on(first_unpaid, financially_assisted=False) == date(2026, 3, 31)

    def test_a_later_month_paid_does_not_extend_coverage_past_an_unpaid_one(self) -> None:
        assert first_month_not_paid_in_full(unpaid("0.00", "150.00", "0.00", "0.00")) == MARCH

    def test_when_every_month_is_paid_there_is_no_unpaid_month(self) -> None:
        assert first_month_not_paid_in_full(unpaid("0.00", "0.00", "0.00", "0.00")) is None


class TestTheFinanciallyAssistedReadingIsUnchanged:
    """12.12(5) with the FAQ: retroactive to the last day of the first unpaid month (the 30-day
    grace period), whatever was paid later."""

    def test_the_first_unpaid_month_is_covered_to_its_last_day(self) -> None:
        assert termination_end_on(APRIL, financially_assisted=True) == date(2026, 4, 30)
