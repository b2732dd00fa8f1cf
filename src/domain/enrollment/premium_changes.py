"""A change of premium after a redetermination (956 CMR 12.12(8)(a)): the new premium applies from
the determination's effective date (12.08), for the rest of that plan year (a renewal sets the next
year's, 12.12(8)(b)).

Invoices already issued for those months are never rewritten: the `PremiumChanged` event lists,
per month, the amount billed before and after (the difference billed, or credited). What was paid
beyond a lowered amount goes back to the member's credit and pays what is owed, oldest first; a
raised amount on a month already due and paid in full is due on the next premium due date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from ..calendar import month_key, parse_month
from ..money import ZERO
from ..parameters import PolicyVersion
from ..rules import coverage_changes as rules
from ..rules import premiums as premium_rules
from . import billing
from .account import after_money_in
from .shared import EnrollmentEvent

if TYPE_CHECKING:
    from . import Enrollment


@dataclass(frozen=True)
class PremiumStep:
    """A premium in force from `from_month` to the end of that plan year (12.12(8)(a))."""

    from_month: date
    monthly_premium: Decimal
    determination_event_id: str


class PremiumChanged(EnrollmentEvent):
    """From `from_month` the premium is `monthly_premium` (was `previous_premium`), on the program
    and plan type of the determination `determination_event_id`. `adjustments`: each issued
    invoice changed, as `{"month", "billed", "amount", "difference", "due_on"}` (money as decimal
    strings; `difference` positive when billed, negative when credited); `to_credit`: what was
    paid beyond the new amounts, back to credit."""

    monthly_premium: Decimal
    previous_premium: Decimal
    from_month: str
    determination_event_id: str
    program: str
    plan_type: str | None
    financially_assisted: bool
    adjustments: list[dict[str, str]]
    to_credit: Decimal

    def apply(self, e: Enrollment) -> None:
        step = PremiumStep(
            parse_month(self.from_month), self.monthly_premium, self.determination_event_id
        )
        e.premium_changes = [*e.premium_changes, step]
        e.program = self.program
        e.plan_type = self.plan_type
        e.financially_assisted = self.financially_assisted
        for adjustment in self.adjustments:
            adjust_invoice(e, self.on, adjustment)


def invoice_adjustment(
    month: date, billed: Decimal, amount: Decimal, due_on: date
) -> dict[str, str]:
    """An issued invoice's change as an event records it and `adjust_invoice` reads it: the month
    billed `billed`, now `amount` (the difference), due on `due_on`."""
    return {
        "month": month_key(month),
        "billed": str(billed),
        "amount": str(amount),
        "difference": str(amount - billed),
        "due_on": due_on.isoformat(),
    }


def adjust_invoice(e: billing.Account, on: date, adjustment: dict[str, str]) -> None:
    """An issued invoice's amount changed on `on` as `adjustment` says (`{"month", "billed",
    "amount", "difference", "due_on"}`), noted on it; what was paid beyond the new amount is
    credit again. An individual's premium change, or a small group's employee covered again."""
    month = parse_month(adjustment["month"])
    invoice = e.invoices.get(month)
    if invoice is None:
        return
    invoice.amount = Decimal(adjustment["amount"])
    invoice.adjustments = (*invoice.adjustments, {"on": on.isoformat(), **adjustment})
    due_on = date.fromisoformat(adjustment["due_on"])
    if due_on != invoice.due_on:
        invoice.due_on = due_on
        invoice.checked = False  # the difference billed is checked on its own due date
    invoice.waived = min(e.waived_months.get(month, invoice.waived), invoice.amount)
    excess = invoice.paid + invoice.waived - invoice.amount
    if excess > 0:
        invoice.paid -= excess
        e.credit += excess


def change_premium(
    e: Enrollment,
    on: date,
    monthly_premium: Decimal,
    from_month: date,
    determination_event_id: str,
    program: str,
    plan_type: str | None,
    policy: PolicyVersion,
) -> None:
    """12.12(8)(a): record the new premium and adjust the invoices already issued for the months
    it applies to; the credit it frees (or holds) then pays what is owed."""
    adjustments: list[dict[str, str]] = []
    to_credit = ZERO
    for month, invoice in sorted(e.invoices.items()):
        if month < from_month or month.year != from_month.year:
            continue
        if invoice.amount == monthly_premium:
            continue
        due_on = invoice.due_on
        raised = monthly_premium > invoice.amount
        if raised and not invoice.voided and invoice.outstanding == 0 and invoice.due_on < on:
            due_on = rules.adjustment_due_on(on, policy)
        if not invoice.voided:
            waived = min(e.waived_months.get(month, invoice.waived), monthly_premium)
            to_credit += max(invoice.paid + waived - monthly_premium, ZERO)
        adjustments.append(invoice_adjustment(month, invoice.amount, monthly_premium, due_on))
    e._decide(
        e.PremiumChanged,
        on=on,
        effective_on=from_month,
        citation=rules.PREMIUM_CHANGE,
        policy=policy,
        monthly_premium=monthly_premium,
        previous_premium=billing.premium_for(e, from_month),
        from_month=month_key(from_month),
        determination_event_id=determination_event_id,
        program=program,
        plan_type=plan_type,
        financially_assisted=premium_rules.is_financially_assisted(
            e.coverage, program, e.aptc_applied
        ),
        adjustments=adjustments,
        to_credit=to_credit,
    )
    billing.apply_credit(e, on, policy)
    after_money_in(e, on, policy)
