"""A stored allocation is applied to its month only up to what that month still owes in the
fold at hand (`billing.pay_month`): in the fold of the present, all of it; in a fold by business
date that lacks the month, holds it voided or holds it partly paid already, only the rest it owes,
the remainder left as credit (12.12(1)); so no credit goes negative and no month is paid twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest
from enrollment_ledger.domain.enrollment.billing import Invoice, pay_month


@dataclass
class _Account:
    invoices: dict[date, Invoice] = field(default_factory=dict)
    credit: Decimal = Decimal("0")


def _account(paid: str = "0.00", voided: bool = False) -> _Account:
    invoice = Invoice(date(2025, 3, 1), Decimal("50.00"), date(2025, 2, 5), date(2025, 2, 23), "m")
    invoice.paid, invoice.voided = Decimal(paid), voided
    return _Account({invoice.month: invoice})


@pytest.mark.parametrize(
    ("paid", "share", "applied"),
    [
        ("0.00", "50.00", "50.00"),  # the present: what it owes, all applied
        ("0.00", "49.99", "49.99"),
        ("0.01", "49.99", "49.99"),  # exactly what is left
        ("0.01", "50.00", "49.99"),  # one cent more than it owes: that cent stays credit
        ("50.00", "0.01", "0.00"),
    ],
)
def test_a_share_is_applied_up_to_what_the_month_still_owes(
    paid: str, share: str, applied: str
) -> None:
    account = _account(paid)
    assert pay_month(account, "2025-03", Decimal(share)) == Decimal(applied)
    assert account.invoices[date(2025, 3, 1)].paid == Decimal(paid) + Decimal(applied)


def test_a_month_missing_or_voided_in_this_fold_takes_nothing() -> None:
    assert pay_month(_account(), "2025-04", Decimal("50.00")) == 0
    voided = _account(voided=True)
    assert pay_month(voided, "2025-03", Decimal("50.00")) == 0
    assert voided.invoices[date(2025, 3, 1)].paid == 0
