"""Billing (956 CMR 12.10(2), 12.12(1)): invoices, payments, the member's credit and refunds.

Money is applied to what is owed oldest month first (`allocate`), whether it comes in as a payment
or is held as credit; what is left over is credit. Once an enrollment has ended for good, its credit
first pays what is still owed for covered months and the rest is due back (`refund_credit`).

The same billing keeps an individual's `Enrollment` and a small group's `GroupEnrollment`
(12.11(1), 12.12(1): the employer pays the total premium of its participating employees): its
decisions read and change what the `Account` protocol names, and take their citations from the
aggregate's `PremiumTerms`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from ..calendar import add_months, month_key, parse_month
from ..money import ZERO
from ..parameters import PolicyVersion
from ..rules import coverage_changes as change_rules
from ..rules import premiums as rules
from .shared import EnrollmentEvent, InvoiceKind, PremiumTerms, RefundReason

if TYPE_CHECKING:
    from . import Enrollment


@dataclass
class Invoice:
    month: date
    amount: Decimal
    issued_on: date
    due_on: date
    kind: str
    paid: Decimal = ZERO
    waived: Decimal = ZERO
    voided: bool = False
    checked: bool = False
    adjustments: tuple[dict[str, str], ...] = ()
    """Changes of its amount after it was issued (12.12(8)(a): `PremiumChanged`), oldest first."""

    @property
    def outstanding(self) -> Decimal:
        if self.voided:
            return ZERO
        return max(self.amount - self.paid - self.waived, ZERO)


@dataclass(frozen=True)
class MoneyAccount:
    """Where the money received for an enrollment is. Conserved when every cent received is in
    exactly one place a person can see: paid on a month still owed (not voided), held as the
    member's credit, or due back to the member (`refund_due`)."""

    received: Decimal
    paid_on_months_owed: Decimal
    credit: Decimal
    refund_due: Decimal

    @property
    def unaccounted(self) -> Decimal:
        """Received but in none of the three places (zero when money is conserved)."""
        return self.received - self.paid_on_months_owed - self.credit - self.refund_due

    @property
    def conserved(self) -> bool:
        return self.unaccounted == ZERO


@dataclass(frozen=True)
class Allocation:
    """Money applied to the months owed: each share as the events store it (`{"month": "YYYY-MM",
    "amount": "12.34"}`), oldest month first, and what is left over."""

    shares: list[dict[str, str]]
    left_over: Decimal


def allocate(invoices: Mapping[date, Invoice], amount: Decimal) -> Allocation:
    """12.12(1): money received pays the oldest amount owed first, then the next, while any is
    left; a voided month is owed nothing."""
    left = amount
    shares: list[dict[str, str]] = []
    for month in sorted(invoices):
        owed = invoices[month].outstanding
        if owed > 0 and left > 0:
            share = min(owed, left)
            shares.append({"month": month_key(month), "amount": str(share)})
            left -= share
    return Allocation(shares, left)


def pay_month(e: Account, month: str, share: Decimal) -> Decimal:
    """A stored allocation's `share` applied to its month up to what it still owes in this fold
    (a fold `--as-of` may lack it, hold it voided or partly paid): what was applied (12.12(1))."""
    invoice = e.invoices.get(parse_month(month))
    if invoice is None:
        return ZERO
    applied = min(share, invoice.outstanding)
    invoice.paid += applied
    return applied


# ---- events ------------------------------------------------------------------------------------


class InvoiceIssued(EnrollmentEvent):
    month: str
    amount: Decimal
    due_on: date
    kind: str
    paid_from_credit: Decimal
    waived: Decimal

    def apply(self, e: Account) -> None:
        month = parse_month(self.month)
        invoice = Invoice(month, self.amount, self.on, self.due_on, self.kind)
        invoice.paid = self.paid_from_credit
        invoice.waived = self.waived
        e.credit -= self.paid_from_credit
        e.invoices[month] = invoice


class PaymentRecorded(EnrollmentEvent):
    amount: Decimal
    reference: str
    allocations: list[dict[str, str]]
    to_credit: Decimal

    def apply(self, e: Account) -> None:
        e.references.add(self.reference)
        e.payments.append((self.on, self.amount))
        for allocation in self.allocations:
            share = Decimal(allocation["amount"])
            e.credit += share - pay_month(e, allocation["month"], share)
        e.credit += self.to_credit


class CreditApplied(EnrollmentEvent):
    allocations: list[dict[str, str]]

    def apply(self, e: Account) -> None:
        for allocation in self.allocations:
            e.credit -= pay_month(e, allocation["month"], Decimal(allocation["amount"]))


class RefundDue(EnrollmentEvent):
    """The member's credit on an enrollment ended for good, now an amount due back to them
    (for downstream billing to pay out)."""

    amount: Decimal
    reason: str

    def apply(self, e: Account) -> None:
        e.credit -= self.amount
        e.refund_due += self.amount


class Account(Protocol):
    """What billing reads and changes of an aggregate that bills premiums (an `Enrollment`, a
    `GroupEnrollment`): its invoices by month, the money received, held and due back, when its
    coverage starts and ends, the events it adopted from this module, the premium of a month and
    the terms its premiums are kept by."""

    invoices: dict[date, Invoice]
    credit: Decimal
    refund_due: Decimal
    payments: list[tuple[date, Decimal]]
    references: set[str]
    waived_months: dict[date, Decimal]
    start_on: date | None
    end_on: date | None

    @property
    def closed(self) -> bool: ...

    @property
    def InvoiceIssued(self) -> type[InvoiceIssued]: ...

    @property
    def PaymentRecorded(self) -> type[PaymentRecorded]: ...

    @property
    def CreditApplied(self) -> type[CreditApplied]: ...

    @property
    def RefundDue(self) -> type[RefundDue]: ...

    def monthly_premium(self, month: date) -> Decimal:
        """The premium billed for `month`."""
        ...

    def premium_terms(self) -> PremiumTerms: ...

    def _decide(
        self,
        event_class: type[EnrollmentEvent],
        *,
        on: date,
        citation: str | None,
        policy: PolicyVersion,
        effective_on: date | None = None,
        **fields: Any,
    ) -> None: ...


# ---- decisions -----------------------------------------------------------------------------------


def issue_invoice(
    e: Account, month: date, on: date, due_on: date, kind: InvoiceKind, policy: PolicyVersion
) -> None:
    """12.10(2), 12.12(1): the month's premium, less any waived portion, paid at once from credit
    as far as it goes."""
    amount = e.monthly_premium(month)
    waived = min(e.waived_months.get(month, ZERO), amount)
    terms = e.premium_terms()
    e._decide(
        e.InvoiceIssued,
        on=on,
        effective_on=month,
        citation=terms.binder if kind == InvoiceKind.BINDER else terms.premiums_due,
        policy=policy,
        month=month_key(month),
        amount=amount,
        due_on=due_on,
        kind=kind,
        paid_from_credit=min(e.credit, amount - waived),
        waived=waived,
    )


def issue_next_invoice(e: Account, at: date, policy: PolicyVersion) -> None:
    """The schedule's invoice day: the next month is billed, due on its due date (or at once when
    billed late)."""
    month = next_invoice_month(e)
    assert month is not None
    _issue_on, due = rules.invoice_dates(month, policy)
    issue_invoice(e, month, at, max(due, at), InvoiceKind.MONTHLY, policy)


def record_payment(
    e: Account, on: date, amount: Decimal, reference: str, policy: PolicyVersion
) -> None:
    """12.12(1): a payment, applied to the oldest amount owed; the rest is held as credit."""
    allocation = allocate(e.invoices, amount)
    e._decide(
        e.PaymentRecorded,
        on=on,
        citation=e.premium_terms().premiums_due,
        policy=policy,
        amount=amount,
        reference=reference,
        allocations=allocation.shares,
        to_credit=allocation.left_over,
    )


def money_in_hand_on(e: Account, on: date) -> date:
    """The day from which the credit held is in hand: a decision that moves credit (pays a month
    from it, or makes it due back) is dated no earlier than the last payment it may hold, so that
    a fact entered out of order (a termination request dated before a payment already recorded)
    never moves money before it was received, seen `--as-of` any day."""
    return max([on, *(received_on for received_on, _amount in e.payments)])


def apply_credit(e: Account, on: date, policy: PolicyVersion) -> None:
    """12.12(1): the credit held pays what is owed, oldest month first."""
    allocation = allocate(e.invoices, e.credit)
    if allocation.shares:
        e._decide(
            e.CreditApplied,
            on=money_in_hand_on(e, on),
            citation=e.premium_terms().premiums_due,
            policy=policy,
            allocations=allocation.shares,
        )


def refund_credit(e: Account, on: date, policy: PolicyVersion, reason: RefundReason) -> None:
    """12.12(1): premiums are owed for months of coverage. Once the enrollment has ended for
    good, the credit first pays what is still owed for covered months; the rest is due back."""
    if not e.closed:
        return
    apply_credit(e, on, policy)
    if e.credit > 0:
        e._decide(
            e.RefundDue,
            on=money_in_hand_on(e, on),
            citation=e.premium_terms().premiums_due,
            policy=policy,
            amount=e.credit,
            reason=reason,
        )


# ---- state: what the events change, and reading it -----------------------------------------------


def void_months_after(e: Account, end_on: date | None) -> None:
    """The invoices of months after `end_on` (every invoice when None) are no longer owed:
    what was paid on them goes back to the member's credit."""
    for month, invoice in e.invoices.items():
        if (end_on is None or month > end_on) and not invoice.voided:
            invoice.voided = True
            e.credit += invoice.paid
            invoice.paid = ZERO


def owe_again(e: Account) -> None:
    """An end undone (a rescission, a reinstatement): every month is owed again (paid from credit
    by a `CreditApplied`) and what was due back is credit again."""
    for invoice in e.invoices.values():
        invoice.voided = False
    e.credit += e.refund_due
    e.refund_due = ZERO


def premium_for(e: Enrollment, month: date) -> Decimal:
    """The monthly premium in force for `month`: the latest premium change recorded for its plan
    year that applies by then (12.12(8)(a)), else the plan year's (12.10(2), 12.07(1))."""
    return premium_basis(e, month).monthly_premium


@dataclass(frozen=True)
class PremiumBasis:
    """The premium in force for a month, and the rule and determination that set it."""

    monthly_premium: Decimal
    citation: str
    determination_event_id: str | None


def premium_basis(e: Enrollment, month: date) -> PremiumBasis:
    """Which premium applies to `month` and why: a premium change (12.12(8)(a)) recorded for its
    plan year and in force by then (the latest recorded wins), else the renewal's for a later
    plan year (12.07(1), 12.12(8)(b)), else the premium chosen with the plan (12.10(2))."""
    for step in reversed(e.premium_changes):
        if step.from_month <= month and step.from_month.year == month.year:
            return PremiumBasis(
                step.monthly_premium, change_rules.PREMIUM_CHANGE, step.determination_event_id
            )
    year = month.year if month.year in e.premiums else max(e.premiums)
    citation = rules.BINDER if year == e.plan_year else rules.PLAN_YEAR_RENEWAL
    return PremiumBasis(e.premiums[year], citation, None)


def next_invoice_month(e: Account) -> date | None:
    """The month billed next: the one after the last billed, from coverage start, up to its end."""
    if e.start_on is None:
        return None
    month = add_months(max(e.invoices), 1) if e.invoices else e.start_on
    if e.end_on is not None and month > e.end_on:
        return None
    return month


def first_unchecked_monthly(e: Account, owing: bool = False) -> Invoice | None:
    """The oldest monthly invoice not voided nor checked yet (`owing`: nor paid in full)."""
    oldest: Invoice | None = None
    monthly = InvoiceKind.MONTHLY  # looked up once (an enum member's lookup is slow)
    for i in e.invoices.values():
        skip = i.checked or i.voided or i.kind != monthly or (owing and i.outstanding == 0)
        if not skip and (oldest is None or i.month < oldest.month):
            oldest = i
    return oldest


def past_due(e: Account, on: date) -> Decimal:
    """Everything billed and due before `on` that is not yet paid."""
    return sum((i.outstanding for i in e.invoices.values() if i.due_on < on), ZERO)


def oldest_unpaid_month(e: Account) -> date:
    return min(m for m, i in e.invoices.items() if i.outstanding > 0)


def paid_by(e: Account, day: date) -> Decimal:
    """Everything received on or before `day` (a payment's date is its receipt date)."""
    return sum((amount for on, amount in e.payments if on <= day), ZERO)


def billed_due_by(e: Account, day: date) -> Decimal:
    """Everything billed with a due date on or before `day`, less waivers, voided or not."""
    return sum((i.amount - i.waived for i in e.invoices.values() if i.due_on <= day), ZERO)


def money_account(e: Account) -> MoneyAccount:
    """Where the money received is; `.conserved` is the ledger's invariant (contract:
    payments = paid on months still owed + credit + refund due)."""
    return MoneyAccount(
        received=sum((amount for _on, amount in e.payments), ZERO),
        paid_on_months_owed=sum((i.paid for i in e.invoices.values() if not i.voided), ZERO),
        credit=e.credit,
        refund_due=e.refund_due,
    )
