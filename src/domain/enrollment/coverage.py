"""Coverage (956 CMR 12.07(1), 12.10(1)-(3), 12.10(8)): when it begins and how it ends other than
for non-payment — effectuation once the binder is paid, cancellation of an unpaid selection, the
enrollee's own termination, the end of a plan year not renewed, renewal, and replacement by
another enrollment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from ..calendar import add_months
from ..errors import InvalidCommand
from ..parameters import PolicyVersion
from ..rules import effective_dates, enrollment_periods
from ..rules import premiums as rules
from ..rules.enrollment_periods import LostCoverage
from . import billing
from .shared import CancelReason, EndReason, EnrollmentEvent, RefundReason, Status

if TYPE_CHECKING:
    from . import Enrollment


class Ending(billing.Account, Protocol):
    """What ending coverage changes: its end, why, and under which clause (and the invoices)."""

    end_reason: str | None
    end_citation: str | None


class Selected(Ending, Protocol):
    """What the decisions an individual's and a small group's selections share read and change:
    the binder (its month and due date), where the selection stands, why it was cancelled, and
    the events of this module it adopted."""

    status: Status
    cancel_reason: str | None
    binder_month: date
    binder_due_on: date

    @property
    def EnrollmentCancelled(self) -> type[EnrollmentCancelled]: ...

    @property
    def CancellationRescinded(self) -> type[CancellationRescinded]: ...

    @property
    def VoluntaryTerminationRequested(self) -> type[VoluntaryTerminationRequested]: ...

    @property
    def CoverageEnded(self) -> type[CoverageEnded]: ...


def ends_on(e: Ending, end_on: date, reason: str, citation: str | None) -> None:
    """Coverage ends on `end_on` for `reason` (an `EndReason`): the months after it are no longer
    owed, and what was paid on them is credit again."""
    e.end_on = end_on
    e.end_reason = reason
    e.end_citation = citation
    billing.void_months_after(e, end_on)


# ---- events ------------------------------------------------------------------------------------


class CancellationRescinded(EnrollmentEvent):
    binder_due_on: date
    paid_by_due_date: Decimal

    def apply(self, e: Enrollment) -> None:
        if e.status != Status.CANCELLED:
            return
        e.status = Status.PENDING_BINDER
        e.cancel_reason = None
        billing.owe_again(e)


class CoverageEffectuated(EnrollmentEvent):
    start_on: date

    def apply(self, e: Enrollment) -> None:
        e.status = Status.ACTIVE
        e.start_on = self.start_on
        start_month = self.start_on.replace(day=1)
        if start_month != e.binder_month:
            invoice = e.invoices.pop(e.binder_month)
            invoice.month = start_month
            e.invoices[start_month] = invoice
            e.binder_month = start_month


class EnrollmentCancelled(EnrollmentEvent):
    reason: str

    def apply(self, e: Enrollment) -> None:
        e.status = Status.CANCELLED
        e.cancel_reason = self.reason
        billing.void_months_after(e, None)


class VoluntaryTerminationRequested(EnrollmentEvent):
    end_on: date

    def apply(self, e: Enrollment) -> None:
        ends_on(e, self.end_on, EndReason.VOLUNTARY, self.citation)


class PlanYearEnded(EnrollmentEvent):
    """The plan year `plan_year` ended, not renewed: coverage ends on `end_on` (its
    31 December)."""

    class_version = 2
    plan_year: int
    end_on: date

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Version 1 named the plan year after the one that ended (the year of the January
        not billed); version 2 names the plan year that ended."""
        state["plan_year"] -= 1

    def apply(self, e: Enrollment) -> None:
        e.plan_year_end_decided.add(self.plan_year)
        if e.end_on is None or e.end_on > self.end_on:
            # no month after it has been billed: its January is the invoice this end replaces
            e.end_on = self.end_on
            e.end_reason = EndReason.PLAN_YEAR_ENDED
            e.end_citation = self.citation


class CoverageEnded(EnrollmentEvent):
    end_on: date
    reason: str

    def apply(self, e: Enrollment) -> None:
        e.ended = True
        began = e.start_on is not None and e.start_on <= self.end_on
        e.status = Status.TERMINATED if began else Status.CANCELLED


class EnrollmentRenewed(EnrollmentEvent):
    plan_year: int
    monthly_premium: Decimal
    plan_id: str
    program: str
    plan_type: str | None
    financially_assisted: bool

    def apply(self, e: Enrollment) -> None:
        e.premiums[self.plan_year] = self.monthly_premium
        # the renewal sets the year's premium (12.12(8)(b)): an earlier change for it is replaced
        e.premium_changes = [c for c in e.premium_changes if c.from_month.year != self.plan_year]
        e.renewed_years.add(self.plan_year)
        e.plan_id = self.plan_id
        e.program = self.program
        e.plan_type = self.plan_type
        e.financially_assisted = self.financially_assisted


class ReplacedByEnrollment(EnrollmentEvent):
    replacement_enrollment_id: str
    end_on: date

    def apply(self, e: Enrollment) -> None:
        ends_on(e, self.end_on, EndReason.PLAN_CHANGE, self.citation)


# ---- decisions -----------------------------------------------------------------------------------


def effectuate(e: Enrollment, on: date, start_on: date, policy: PolicyVersion) -> None:
    """12.10(3): enrollment complete; coverage begins on `start_on`."""
    e._decide(
        e.CoverageEffectuated,
        on=on,
        effective_on=start_on,
        citation=rules.ENROLLMENT_EFFECTIVE,
        policy=policy,
        start_on=start_on,
    )


def effectuate_if_binder_paid(e: Enrollment, on: date, policy: PolicyVersion) -> None:
    """12.10(3): a binder paid in full by its due date completes enrollment; coverage starts the
    month the payment's date gives (or on the new dependent's date, 12.10(3))."""
    if e.status != Status.PENDING_BINDER:
        return
    if e.invoices[e.binder_month].outstanding == 0 and on <= e.binder_due_on:
        start = e.dependent_start_on or rules.coverage_start_for_payment(on, e.binder_month, policy)
        effectuate(e, on, start, policy)


def cancel_for_unpaid_binder(e: Enrollment, at: date, policy: PolicyVersion) -> None:
    """12.10(3): "shall not be enrolled in coverage" — an unpaid binder cancels the selection."""
    cancel_unpaid_selection(e, at, policy, rules.ENROLLMENT_EFFECTIVE)


def cancel_unpaid_selection(e: Selected, at: date, policy: PolicyVersion, citation: str) -> None:
    """An unpaid binder cancels the selection (as of its due date) under `citation` (an
    individual's 12.10(3), a small group's 12.11(1)-(2)), and the credit held is due back."""
    e._decide(
        e.EnrollmentCancelled,
        on=at,
        effective_on=e.binder_due_on,
        citation=citation,
        policy=policy,
        reason=CancelReason.BINDER_UNPAID,
    )
    billing.refund_credit(e, at, policy, RefundReason.CANCELLED)


def rescind_cancellation_paid_in_time(e: Enrollment, on: date, policy: PolicyVersion) -> None:
    """12.10(3): a payment entered late (its date is earlier) that shows the binder was received
    by its due date rescinds the cancellation by a new event, never by rewriting it, and the
    enrollment is effectuated as of that payment (`rescind_unpaid_cancellation`)."""
    rescind_unpaid_cancellation(
        e, on, policy, rules.ENROLLMENT_EFFECTIVE, effectuate_if_binder_paid
    )


def rescind_unpaid_cancellation(
    e: Selected,
    on: date,
    policy: PolicyVersion,
    citation: str,
    effectuate_if_paid: Callable[[Any, date, PolicyVersion], None],
) -> None:
    """A cancellation for an unpaid binder that a payment entered late shows was paid by its
    due date is rescinded under `citation`; the credit then pays what is owed and the selection
    is effectuated (`effectuate_if_paid`, the aggregate's own)."""
    if (
        e.status == Status.CANCELLED
        and e.cancel_reason == CancelReason.BINDER_UNPAID
        and on <= e.binder_due_on
        and billing.paid_by(e, e.binder_due_on) >= e.invoices[e.binder_month].amount
    ):
        e._decide(
            e.CancellationRescinded,
            on=on,
            effective_on=e.binder_due_on,
            citation=citation,
            policy=policy,
            binder_due_on=e.binder_due_on,
            paid_by_due_date=billing.paid_by(e, e.binder_due_on),
        )
        billing.apply_credit(e, on, policy)
        effectuate_if_paid(e, on, policy)


def terminate_voluntarily(e: Enrollment, on: date, policy: PolicyVersion) -> None:
    """12.10(8): the enrollee's own request ends coverage at the end of the month (the next
    month's after the cut-off); before coverage has begun it cancels the selection."""
    end_voluntarily(e, on, policy, rules.voluntary_end_on(on, policy), rules.VOLUNTARY_TERMINATION)


def end_voluntarily(
    e: Selected, on: date, policy: PolicyVersion, end_on: date, citation: str
) -> None:
    """A request to end coverage on `end_on` under `citation` (an individual's 12.10(8), an
    employer's 12.11(7)): recorded, to be taken the day after; before coverage has begun it
    cancels the selection (the credit held due back); refused when coverage already ends by
    then."""
    if e.status == Status.PENDING_BINDER or (e.start_on is not None and e.start_on > end_on):
        e._decide(
            e.EnrollmentCancelled,
            on=on,
            citation=citation,
            policy=policy,
            reason=CancelReason.VOLUNTARY_BEFORE_COVERAGE_BEGAN,
        )
        billing.refund_credit(e, on, policy, RefundReason.CANCELLED)
        return
    if e.end_on is not None and e.end_on <= end_on:
        raise InvalidCommand(f"coverage already ends on {e.end_on.isoformat()}", "invalid_state")
    e._decide(
        e.VoluntaryTerminationRequested,
        on=on,
        effective_on=end_on,
        citation=citation,
        policy=policy,
        end_on=end_on,
    )


def end_plan_year(e: Enrollment, at: date, policy: PolicyVersion) -> None:
    """Contract: an enrollment not renewed by the day January's invoice is issued ends on
    31 December of its plan year (12.07(1): eligibility and enrollment are renewed yearly)."""
    month = billing.next_invoice_month(e)
    assert month is not None
    end_on = rules.plan_year_end_on(month)
    e._decide(
        e.PlanYearEnded,
        on=at,
        effective_on=end_on,
        citation=rules.PLAN_YEAR_RENEWAL,
        policy=policy,
        plan_year=add_months(month, -1).year,
        end_on=end_on,
    )


def end_coverage(e: Selected, at: date, policy: PolicyVersion) -> None:
    """The day after an end known ahead (`ENDS_ON_ITS_DATE`: an individual's, or a small group's
    voluntary end): coverage has ended, and the credit left is due back."""
    assert e.end_on is not None and e.end_reason is not None
    e._decide(
        e.CoverageEnded,
        on=at,
        effective_on=e.end_on,
        citation=e.end_citation,
        policy=policy,
        end_on=e.end_on,
        reason=e.end_reason,
    )
    billing.refund_credit(e, at, policy, RefundReason.COVERAGE_ENDED)


def renew(
    e: Enrollment,
    on: date,
    plan_year: int,
    monthly_premium: Decimal,
    plan_id: str | None,
    program: str,
    plan_type: str | None,
    policy: PolicyVersion,
) -> None:
    """12.07(1), 12.12(8)(b): coverage continues into the plan year at its premium, on the
    program and plan type of that year's determination."""
    e._decide(
        e.EnrollmentRenewed,
        on=on,
        effective_on=effective_dates.renewal_effective_on(plan_year),
        citation=rules.PLAN_YEAR_RENEWAL,
        policy=policy,
        plan_year=plan_year,
        monthly_premium=monthly_premium,
        plan_id=plan_id or e.plan_id,
        program=program,
        plan_type=plan_type,
        financially_assisted=rules.is_financially_assisted(e.coverage, program, e.aptc_applied),
    )


def replace_with(
    e: Enrollment, on: date, replacement_id: str, starts_on: date, policy: PolicyVersion
) -> None:
    """12.10(1): a transfer to another plan in an enrollment period ends this enrollment the
    day before the new one begins, so coverage continues without a gap."""
    end_on = rules.replaced_plan_end_on(starts_on)
    e._decide(
        e.ReplacedByEnrollment,
        on=on,
        effective_on=end_on,
        citation=enrollment_periods.PLAN_TRANSFER,
        policy=policy,
        replacement_enrollment_id=replacement_id,
        end_on=end_on,
    )


def covers_after(e: Enrollment, day: date) -> bool:
    """Whether this enrollment's coverage (begun and not ended) reaches `day` or later."""
    if e.status in (Status.CANCELLED, Status.PENDING_BINDER, Status.TERMINATED):
        return False
    if e.ended or e.start_on is None:
        return False
    return e.end_on is None or e.end_on >= day


def coverage_lost_for(e: Enrollment) -> str | None:
    """Why coverage was lost, when it was lost in a way that is no qualifying loss of coverage
    (12.10(1)(a), the special enrollment periods page): terminated for non-payment
    (`EndReason.NON_PAYMENT`), or for fraud (`EndReason.FRAUD`); else None."""
    if e.status == Status.TERMINATED and e.end_reason == EndReason.NON_PAYMENT:
        return EndReason.NON_PAYMENT
    if e.ended and e.end_reason == EndReason.FRAUD:
        return EndReason.FRAUD
    return None


def coverage_lost(enrollments: Iterable[Enrollment]) -> dict[str, LostCoverage]:
    """Each of `enrollments` whose coverage was lost in a way that is no qualifying loss, by
    enrollment id: the reason (`coverage_lost_for`), its last day covered and the day the
    termination was decided."""
    return {
        e.enrollment_id: LostCoverage(reason, e.end_on, e.terminated_on or e.end_on)
        for e in enrollments
        if (reason := coverage_lost_for(e)) is not None and e.end_on is not None
    }
