"""A small group's coverage (956 CMR 12.11(1)-(2), (6)-(7), 12.12(12)): the close of the
employer's enrollment period and the binder billed for the employees enrolled, effectuation once
the binder is paid, cancellation of an unpaid selection, the employer's voluntary termination,
the end of coverage, and the notices of a termination for non-payment to the employer and to every
enrolled employee.

The events that change the state as an individual enrollment's do (`CoverageEffectuated`,
`EnrollmentCancelled`, `CancellationRescinded`, `VoluntaryTerminationRequested`, `CoverageEnded`)
are the enrollment package's, adopted by `GroupEnrollment`; the decisions here give them the
small group's clauses.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from ..enrollment import billing, delinquency
from ..enrollment import coverage as enrollment_coverage
from ..enrollment.shared import (
    EndReason,
    EnrollmentEvent,
    InvoiceKind,
    RefundReason,
    Status,
)
from ..parameters import PolicyVersion
from ..rules import small_group as rules
from ..rules import small_group_enrollment as enrollment_rules
from . import changes

if TYPE_CHECKING:
    from . import GroupEnrollment


class GroupCancelReason(StrEnum):
    """Why a small group's selection was cancelled before coverage began (besides the
    enrollment's own `CancelReason`s)."""

    NO_EMPLOYEE_ENROLLED = "no_employee_enrolled"


class NoticeRecipient(StrEnum):
    EMPLOYER = "employer"
    EMPLOYEE = "employee"


# ---- events ------------------------------------------------------------------------------------


class GroupEnrollmentClosed(EnrollmentEvent):
    """The employer's enrollment period is over: who enrolled, who waived, and the monthly total
    the employer pays for the participating employees (12.11(1))."""

    enrolled: list[str]
    waived: list[str]
    monthly_total: Decimal

    def apply(self, g: GroupEnrollment) -> None:
        g.enrollment_closed = True


class TerminationNoticeIssued(EnrollmentEvent):
    """A written notice of termination (12.11(6), 12.12(12)): one to the employer, one to each
    enrolled employee (with the dependents it covered)."""

    recipient: str
    employee_id: str | None
    member_ids: list[str]
    end_on: date
    reason: str

    def apply(self, g: GroupEnrollment) -> None:
        pass


# ---- decisions -----------------------------------------------------------------------------------


def close_enrollment(g: GroupEnrollment, at: date, policy: PolicyVersion) -> None:
    """12.11(1): the day after the employer's deadline, the binder is billed for the total
    premium of the employees enrolled, paid from any money already received; with no employee
    enrolled, the selection is cancelled."""
    enrolled = sorted({s.employee_id for s in g.employees if s.end_on is None})
    g._decide(
        g.GroupEnrollmentClosed,
        on=at,
        effective_on=g.enrollment_deadline,
        citation=rules.GROUP_ENROLLMENT,
        policy=policy,
        enrolled=enrolled,
        waived=sorted(g.waivers),
        monthly_total=g.monthly_premium(g.binder_month),
    )
    if not enrolled:
        g._decide(
            g.EnrollmentCancelled,
            on=at,
            effective_on=g.enrollment_deadline,
            citation=rules.GROUP_ENROLLMENT,
            policy=policy,
            reason=GroupCancelReason.NO_EMPLOYEE_ENROLLED,
        )
        billing.refund_credit(g, at, policy, RefundReason.CANCELLED)
        return
    if not changes.participation_met(g, at, len(enrolled), policy):  # 12.11(1), (3)
        return
    billing.issue_invoice(g, g.binder_month, at, g.binder_due_on, InvoiceKind.BINDER, policy)
    effectuate_if_binder_paid(g, at, policy)


def effectuate_if_binder_paid(g: GroupEnrollment, on: date, policy: PolicyVersion) -> None:
    """12.11(2): enrollment is complete once the premium owed for every participating employee
    is paid by the due date; coverage begins on the group's start, the first of the month after."""
    if g.status != Status.PENDING_BINDER or g.binder_month not in g.invoices:
        return
    if g.invoices[g.binder_month].outstanding == 0 and on <= g.binder_due_on:
        g._decide(
            g.CoverageEffectuated,
            on=on,
            effective_on=g.coverage_start_on,
            citation=rules.GROUP_EFFECTIVE_DATE,
            policy=policy,
            start_on=g.coverage_start_on,
        )


def cancel_for_unpaid_binder(g: GroupEnrollment, at: date, policy: PolicyVersion) -> None:
    """12.11(1)-(2): the first month's premium not paid by its due date, enrollment is not
    complete and the selection is cancelled, with no coverage."""
    enrollment_coverage.cancel_unpaid_selection(g, at, policy, rules.GROUP_EFFECTIVE_DATE)


def rescind_cancellation_paid_in_time(g: GroupEnrollment, on: date, policy: PolicyVersion) -> None:
    """12.11(2): a payment entered late (its date is earlier) that shows the binder was received
    by its due date rescinds the cancellation by a new event, and coverage is effectuated."""
    enrollment_coverage.rescind_unpaid_cancellation(
        g, on, policy, rules.GROUP_EFFECTIVE_DATE, effectuate_if_binder_paid
    )


def terminate_voluntarily(g: GroupEnrollment, on: date, policy: PolicyVersion) -> None:
    """12.11(7): the employer's request ends coverage at the end of the month (of the next month
    after the mid-month cut-off); premiums stay owed for every coverage month. Before coverage has
    begun it cancels the selection."""
    enrollment_coverage.end_voluntarily(
        g,
        on,
        policy,
        enrollment_rules.voluntary_end_on(on, policy),
        rules.EMPLOYER_VOLUNTARY_TERMINATION,
    )


def terminate_for_non_payment(g: GroupEnrollment, at: date, policy: PolicyVersion) -> None:
    """12.12(12): unpaid by the notice's payment date, coverage ends retroactively to the last day
    of the last month paid in full (the enrollment's `delinquency.terminate_for_non_payment` under
    the group's terms); the employer and every enrolled employee get a notice of termination
    (12.11(6)), one event each."""
    delinquency.terminate_for_non_payment(g, at, policy)
    assert g.end_on is not None
    end_on = g.end_on
    g._decide(
        g.TerminationNoticeIssued,
        on=at,
        effective_on=end_on,
        citation=rules.GROUP_TERMINATION_NOTICE,
        policy=policy,
        recipient=NoticeRecipient.EMPLOYER,
        employee_id=None,
        member_ids=[],
        end_on=end_on,
        reason=EndReason.NON_PAYMENT,
    )
    for span in g.employees:
        if span.end_on is None or span.end_on > end_on:
            g._decide(
                g.TerminationNoticeIssued,
                on=at,
                effective_on=end_on,
                citation=rules.GROUP_TERMINATION_NOTICE,
                policy=policy,
                recipient=NoticeRecipient.EMPLOYEE,
                employee_id=span.employee_id,
                member_ids=list(span.member_ids),
                end_on=end_on,
                reason=EndReason.NON_PAYMENT,
            )
