"""Delinquency (956 CMR 12.12(2)-(6)): a monthly premium missed, the notices of delinquency, the
cure, the retroactive termination for non-payment, its rescission when a payment entered late was
in time, and reinstatement.

Without financial assistance (12.12(2)-(3)) the first notice gives the payment date and coverage
ends on the last day of the last month paid in full; with it (12.12(4)-(5)) the notice after two
consecutive delinquent months gives it and coverage ends on the last day of the first delinquent
month. The number of months is a policy parameter (`rules.delinquent_months_before_payment_date`).

A small group (12.12(11)-(13)) is kept by the same decisions under its own `PremiumTerms`: the
first notice gives the payment date, coverage ends with the last month paid in full, and
reinstatement is asked within 30 days. The decisions read and change what `Delinquent` names.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from ..calendar import month_key, parse_month, plus_days
from ..money import ZERO
from ..parameters import PolicyVersion
from ..rules import premiums as rules
from . import billing
from .coverage import ends_on
from .shared import EndReason, EnrollmentEvent, InvoiceKind, RefundReason, Status


class Delinquent(billing.Account, Protocol):
    """What the delinquency decisions read and change of an aggregate billed by `billing`: its
    status and end, the delinquency episode, the termination for non-payment and its
    reinstatement, and the events it adopted from this module."""

    status: Status
    end_reason: str | None
    end_citation: str | None
    financially_assisted: bool
    first_unpaid_month: date | None
    missed_count: int
    notices: list[dict[str, Any]]
    pending_notice_on: date | None
    payment_due_on: date | None
    terminated_on: date | None
    reinstatement_deadline: date | None
    reinstatement_months: list[date]
    reinstatable: bool
    held_at_window_close: Decimal

    @property
    def PaymentMissed(self) -> type[PaymentMissed]: ...

    @property
    def DelinquencyNoticeIssued(self) -> type[DelinquencyNoticeIssued]: ...

    @property
    def DelinquencyCured(self) -> type[DelinquencyCured]: ...

    @property
    def CoverageTerminated(self) -> type[CoverageTerminated]: ...

    @property
    def TerminationRescinded(self) -> type[TerminationRescinded]: ...

    @property
    def ReinstatementWindowExpired(self) -> type[ReinstatementWindowExpired]: ...

    @property
    def ReinstatementDecided(self) -> type[ReinstatementDecided]: ...


def restore_coverage(e: Delinquent) -> None:
    """Undo a termination for non-payment (a reinstatement, or a rescission): coverage
    continues with no gap and the months after the old end are owed again."""
    e.status = Status.ACTIVE
    e.end_on = None
    e.end_reason = None
    e.end_citation = None
    e.reinstatable = False
    e.reinstatement_deadline = None
    e.terminated_on = None
    end_delinquency(e)
    billing.owe_again(e)


def end_delinquency(e: Delinquent) -> None:
    """The delinquency episode is over: no month unpaid, no notice due, no payment date."""
    e.first_unpaid_month = None
    e.missed_count = 0
    e.notices = []
    e.pending_notice_on = None
    e.payment_due_on = None


def _terminated_for_non_payment(e: Delinquent) -> bool:
    return e.status == Status.TERMINATED and e.end_reason == EndReason.NON_PAYMENT


# ---- events ------------------------------------------------------------------------------------


class TerminationRescinded(EnrollmentEvent):
    terminated_on: date
    payment_due_on: date
    paid_by_payment_date: Decimal
    owed_by_payment_date: Decimal

    def apply(self, e: Delinquent) -> None:
        if _terminated_for_non_payment(e):
            restore_coverage(e)


class PaymentMissed(EnrollmentEvent):
    month: str
    due_on: date
    outstanding: Decimal
    first_unpaid_month: str
    consecutive_months: int
    notice_on: date | None

    def apply(self, e: Delinquent) -> None:
        e.invoices[parse_month(self.month)].checked = True
        e.status = Status.DELINQUENT
        e.first_unpaid_month = parse_month(self.first_unpaid_month)
        e.missed_count = self.consecutive_months
        e.pending_notice_on = self.notice_on


class DelinquencyNoticeIssued(EnrollmentEvent):
    notice_number: int
    payment_due_on: date | None
    outstanding: Decimal
    first_unpaid_month: str
    warns_of_termination: bool

    def apply(self, e: Delinquent) -> None:
        e.pending_notice_on = None
        e.notices.append(
            {
                "on": self.on.isoformat(),
                "notice_number": self.notice_number,
                "payment_due_on": self.payment_due_on.isoformat() if self.payment_due_on else None,
                "outstanding": str(self.outstanding),
                "citation": self.citation,
            }
        )
        if self.payment_due_on is not None:
            e.payment_due_on = self.payment_due_on


class DelinquencyCured(EnrollmentEvent):
    first_unpaid_month: str

    def apply(self, e: Delinquent) -> None:
        e.status = Status.ACTIVE
        end_delinquency(e)


class CoverageTerminated(EnrollmentEvent):
    end_on: date
    reason: str
    first_unpaid_month: str
    reinstatement_deadline: date | None
    reinstatement_months: list[str]

    def apply(self, e: Delinquent) -> None:
        e.status = Status.TERMINATED
        e.terminated_on = self.on
        e.reinstatement_deadline = self.reinstatement_deadline
        e.reinstatement_months = [parse_month(m) for m in self.reinstatement_months]
        e.reinstatable = self.reinstatement_deadline is not None
        e.pending_notice_on = None
        ends_on(e, self.end_on, self.reason, self.citation)


class ReinstatementWindowExpired(EnrollmentEvent):
    deadline: date

    def apply(self, e: Delinquent) -> None:
        e.reinstatable = False
        e.held_at_window_close = e.credit


class ReinstatementDecided(EnrollmentEvent):
    granted: bool
    amount_required: Decimal
    amount_paid: Decimal
    months: list[str]
    reason: str

    def apply(self, e: Delinquent) -> None:
        if self.granted:
            restore_coverage(e)


# ---- decisions (the schedule's, then those a payment or a request triggers) ---------------------


def check_premium_paid(e: Delinquent, at: date, policy: PolicyVersion) -> None:
    """12.12(2), (4): a monthly premium not paid in full by its due date makes the account
    delinquent."""
    invoice = billing.first_unchecked_monthly(e)
    assert invoice is not None
    if invoice.outstanding == 0:
        invoice.checked = True  # paid in time: nothing to record
        return
    first_unpaid = e.first_unpaid_month or billing.oldest_unpaid_month(e)
    consecutive = e.missed_count + 1 if e.status == Status.DELINQUENT else 1
    # Once a notice has given a payment date for all outstanding premium (12.12(2), (4)),
    # further missed months fall under it: no new notice (the FAQ's two notices).
    notice_on = (
        None
        if e.payment_due_on is not None
        else rules.delinquency_notice_on(invoice.due_on, policy)
    )
    e._decide(
        e.PaymentMissed,
        on=at,
        effective_on=invoice.due_on,
        citation=e.premium_terms().delinquency,
        policy=policy,
        month=month_key(invoice.month),
        due_on=invoice.due_on,
        outstanding=invoice.outstanding,
        first_unpaid_month=month_key(first_unpaid),
        consecutive_months=consecutive,
        notice_on=notice_on,
    )


def issue_notice(e: Delinquent, at: date, policy: PolicyVersion) -> None:
    """12.12(2), (4): the notice of delinquency; once enough consecutive months are delinquent, it
    gives the payment date after which coverage is terminated."""
    threshold = e.premium_terms().months_before_payment_date(at, policy)
    warns = e.missed_count >= threshold and e.payment_due_on is None
    e._decide(
        e.DelinquencyNoticeIssued,
        on=at,
        citation=e.premium_terms().delinquency,
        policy=policy,
        notice_number=len(e.notices) + 1,
        payment_due_on=rules.delinquency_payment_due_on(at, policy) if warns else None,
        outstanding=billing.past_due(e, at),
        first_unpaid_month=month_key(e.first_unpaid_month or at),
        warns_of_termination=warns,
    )


def terminate_for_non_payment(e: Delinquent, at: date, policy: PolicyVersion) -> None:
    """12.12(3) / 12.12(5): all outstanding premium not paid by the notice's payment date."""
    first_unpaid, end_on = non_payment_end(e)
    e._decide(
        e.CoverageTerminated,
        on=at,
        effective_on=end_on,
        citation=e.premium_terms().termination,
        policy=policy,
        end_on=end_on,
        reason=EndReason.NON_PAYMENT,
        first_unpaid_month=month_key(first_unpaid),
        reinstatement_deadline=e.premium_terms().reinstatement_deadline(at, policy),
        reinstatement_months=[month_key(m) for m in rules.reinstatement_months(first_unpaid, at)],
    )


def non_payment_end(e: Delinquent) -> tuple[date, date]:
    """12.12(3) / 12.12(5), as the delinquent account stands at the payment date: the first month
    not paid in full, and the retroactive end (the last day of the last month paid in full, or of
    the first delinquent month with financial assistance; an earlier end stands)."""
    assert e.first_unpaid_month is not None
    first_unpaid = e.first_unpaid_month
    if not e.financially_assisted:
        # 12.12(3): judged at the payment date, after the payments received by then
        first_unpaid = (
            rules.first_month_not_paid_in_full(
                [(m, i.outstanding) for m, i in sorted(e.invoices.items()) if not i.voided]
            )
            or first_unpaid
        )
    end_on = rules.termination_end_on(first_unpaid, e.financially_assisted)
    if e.end_on is not None and e.end_on < end_on:
        end_on = e.end_on  # an earlier end (voluntary, plan year) stands
    return first_unpaid, end_on


def close_reinstatement_window(e: Delinquent, at: date, policy: PolicyVersion) -> None:
    """12.12(6): the day after the deadline, reinstatement is no longer possible; the credit held
    is due back."""
    e._decide(
        e.ReinstatementWindowExpired,
        on=at,
        citation=e.premium_terms().reinstatement,
        policy=policy,
        deadline=e.reinstatement_deadline,
    )
    billing.refund_credit(e, at, policy, RefundReason.REINSTATEMENT_WINDOW_EXPIRED)


def cure_if_paid(e: Delinquent, on: date, policy: PolicyVersion) -> None:
    """12.12(2), (4): everything past due paid, the account is no longer delinquent."""
    if e.status == Status.DELINQUENT and billing.past_due(e, on) == 0:
        e._decide(
            e.DelinquencyCured,
            on=on,
            citation=e.premium_terms().delinquency,
            policy=policy,
            first_unpaid_month=month_key(e.first_unpaid_month or on),
        )


def rescind_termination_paid_in_time(e: Delinquent, on: date, policy: PolicyVersion) -> None:
    """12.12(3), (5): a payment entered after the termination but dated by the notice's payment
    date, which shows everything due by then was received by then, rescinds the termination by a
    new event (never by rewriting it)."""
    if not (
        _terminated_for_non_payment(e)
        and e.payment_due_on is not None
        and e.terminated_on is not None
        and on <= e.payment_due_on
        and billing.paid_by(e, e.payment_due_on) >= billing.billed_due_by(e, e.payment_due_on)
    ):
        return
    e._decide(
        e.TerminationRescinded,
        on=on,
        effective_on=e.terminated_on,
        citation=e.premium_terms().termination,
        policy=policy,
        terminated_on=e.terminated_on,
        payment_due_on=e.payment_due_on,
        paid_by_payment_date=billing.paid_by(e, e.payment_due_on),
        owed_by_payment_date=billing.billed_due_by(e, e.payment_due_on),
    )
    billing.apply_credit(e, on, policy)


def decide_reinstatement(e: Delinquent, on: date, policy: PolicyVersion) -> None:
    """12.12(6): within the window, with every month through the notice's month and the next
    month paid, coverage is restored without a gap; otherwise refused with the amount."""
    required = reinstatement_total(e)
    outstanding = reinstatement_outstanding(e)
    granted = e.reinstatable and outstanding == 0
    if not e.reinstatable:
        reason = "the reinstatement window has closed"
    elif granted:
        reason = "all outstanding premiums and the next month's premium are paid"
    else:
        reason = "the payments received do not cover the amount required"
    e._decide(
        e.ReinstatementDecided,
        on=on,
        effective_on=plus_days(e.end_on or on, 1) if granted else on,
        citation=e.premium_terms().reinstatement,
        policy=policy,
        granted=granted,
        amount_required=required,
        amount_paid=required
        - (outstanding if e.reinstatable else reinstatement_outstanding(e, e.held_at_window_close)),
        months=[month_key(m) for m in e.reinstatement_months],
        reason=reason,
    )
    if granted:
        for month in e.reinstatement_months:
            if month not in e.invoices:
                billing.issue_invoice(e, month, on, on, InvoiceKind.MONTHLY, policy)
        billing.apply_credit(e, on, policy)


def reinstatement_total(e: Delinquent) -> Decimal:
    """12.12(6): the premiums of every month of the reinstatement (less any waived)."""
    total = ZERO
    for month in e.reinstatement_months:
        invoice = e.invoices.get(month)
        total += e.monthly_premium(month) if invoice is None else invoice.amount - invoice.waived
    return total


def reinstatement_outstanding(e: Delinquent, credit: Decimal | None = None) -> Decimal:
    """What is still to pay to reinstate: the total less what was paid on those months and
    the credit held (payments during the window count); `credit`, another credit to count (the
    one held when the window closed, due back since: a refusal names what was paid by the
    deadline, 12.12(6))."""
    paid = sum((e.invoices[m].paid for m in e.reinstatement_months if m in e.invoices), ZERO)
    held = e.credit if credit is None else credit
    return max(reinstatement_total(e) - paid - held, ZERO)
