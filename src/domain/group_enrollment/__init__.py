"""The GroupEnrollment aggregate: a small employer's plan selection and everything that follows
from it — its employees enrolled or waived, the binder and the monthly invoices for the total
premium of the participating employees, the employer's payments, delinquency, termination for
non-payment with notices to the employer and every enrolled employee, reinstatement, and the
employer's voluntary termination (956 CMR 12.11, 12.12(1), (11)-(13), 12.16(1)(b)).

One aggregate: employees, invoices and payments change the same balance (the employer pays one
premium for all its participating employees, 12.11(1)). It is billed and kept delinquent by the
enrollment package's `billing` and `delinquency` (one billing, one delinquency for both programs),
under the small group's `PremiumTerms`; its employees are `employees.py`, its coverage decisions
`coverage.py`, its schedule `schedule.py`.

A group enrollment's id lives in the same space as an individual enrollment's: `record_payment`,
`request_reinstatement` and `request_termination` take it as their `enrollment_id`, and the
store refuses an id already used by either.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from ..calendar import add_months
from ..enrollment import billing, delinquency
from ..enrollment import coverage as enrollment_coverage
from ..enrollment.billing import Invoice, MoneyAccount
from ..enrollment.shared import (
    EndReason,
    EnrollmentEvent,
    PremiumTerms,
    RefundReason,
    Status,
)
from ..errors import InvalidCommand
from ..events import CopiedForCommands, LedgerCreated, aggregate_uuid
from ..money import ZERO
from ..policy import PolicyVersion
from ..rules import small_group as rules
from . import changes, coverage, employees, schedule, terminations
from .employees import EmployeeSpan

__all__ = ["EmployeeSpan", "GroupEnrollment", "replay"]


class GroupEnrollment(CopiedForCommands, Aggregate):
    """One small employer's group plan (a health plan, or a dental plan, 12.16(1)(b))."""

    @staticmethod
    def id_for(group_enrollment_id: str) -> UUID:
        """The same id an individual enrollment of that name would have: one id space."""
        return aggregate_uuid("enrollment", group_enrollment_id)

    class GroupPlanSelected(LedgerCreated):
        group_enrollment_id: str
        employer_id: str
        plan_id: str
        coverage: str
        coverage_start_on: date
        enrollment_deadline: date
        binder_month: date
        binder_due_on: date
        coverage_year_ends_on: date

    def __init__(
        self,
        group_enrollment_id: str,
        employer_id: str,
        plan_id: str,
        coverage: str,
        coverage_start_on: date,
        enrollment_deadline: date,
        binder_month: date,
        binder_due_on: date,
        coverage_year_ends_on: date,
        on: date,
    ) -> None:
        self.group_enrollment_id = group_enrollment_id
        self.enrollment_id = group_enrollment_id
        self.employer_id = employer_id
        self.plan_id = plan_id
        self.coverage = coverage
        self.coverage_start_on = coverage_start_on
        self.enrollment_deadline = enrollment_deadline
        self.binder_month = binder_month
        self.binder_due_on = binder_due_on
        self.coverage_year_ends_on = coverage_year_ends_on
        self.selected_on = on
        self.participation_waived: bool | None = None  # noted at the selection (12.11(3))
        self.dependents_from: dict[str, date] = {}  # 12.11(2): each new dependent's start
        self.counted_waivers: set[str] = set()  # waived without other coverage (12.11(1))
        self.enrollment_closed = False
        self.employees: list[EmployeeSpan] = []
        self.waivers: dict[str, date] = {}
        self.status = Status.PENDING_BINDER
        self.start_on: date | None = None
        self.end_on: date | None = None
        self.end_reason: str | None = None
        self.end_citation: str | None = None
        self.ended = False
        self.cancel_reason: str | None = None
        self.invoices: dict[date, Invoice] = {}
        self.credit = ZERO
        self.refund_due = ZERO
        # what the Connector paid on the group's behalf and may recoup after a termination for
        # fraud: no group fraud termination is recorded yet (12.11(5)), so always zero
        self.recoupment_due = ZERO
        self.references: set[str] = set()
        self.payments: list[tuple[date, Decimal]] = []
        # no hardship waiver for a small group (12.12(7) is an individual's)
        self.waived_months: dict[date, Decimal] = {}
        # a small group's premium carries no financial assistance (12.12(11)-(12))
        self.financially_assisted = False
        self.horizon = on
        # delinquency episode (12.12(11))
        self.first_unpaid_month: date | None = None
        self.missed_count = 0
        self.notices: list[dict[str, Any]] = []
        self.pending_notice_on: date | None = None
        self.payment_due_on: date | None = None
        # termination for non-payment (12.12(12)-(13))
        self.terminated_on: date | None = None
        self.reinstatement_deadline: date | None = None
        self.reinstatement_months: list[date] = []
        self.reinstatable = False

    @classmethod
    def select(
        cls,
        *,
        on: date,
        group_enrollment_id: str,
        employer_id: str,
        plan_id: str,
        coverage: str,
        coverage_start_on: date,
        enrollment_deadline: date,
        policy: PolicyVersion,
    ) -> GroupEnrollment:
        """12.11(1)-(2): the employer's plan, the date its coverage starts, the deadline for its
        employees, and the binder's terms (billed when employee enrollment closes)."""
        binder_due = rules.check_group_selection(on, coverage_start_on, enrollment_deadline, policy)
        _start, year_ends_on = rules.coverage_year_of(coverage_start_on)
        return cls._create(
            cls.GroupPlanSelected,
            id=cls.id_for(group_enrollment_id),
            on=on,
            effective_on=coverage_start_on,
            citation=rules.GROUP_ENROLLMENT,
            policy_version=policy.version,
            group_enrollment_id=group_enrollment_id,
            employer_id=employer_id,
            plan_id=plan_id,
            coverage=coverage,
            coverage_start_on=coverage_start_on,
            enrollment_deadline=enrollment_deadline,
            binder_month=coverage_start_on,
            binder_due_on=binder_due,
            coverage_year_ends_on=year_ends_on,
        )

    # ---- events: the group's own, and those adopted from the enrollment package ---------------

    EmployeeEnrolled = employees.EmployeeEnrolled
    EmployeeWaived = employees.EmployeeWaived
    EmployeeTerminationRequested = employees.EmployeeTerminationRequested
    GroupEnrollmentClosed = coverage.GroupEnrollmentClosed
    GroupCoverageTerminated = terminations.GroupCoverageTerminated
    EmployeeTerminatedForFraud = terminations.EmployeeTerminatedForFraud
    ParticipationTermsNoted = changes.ParticipationTermsNoted
    ParticipationChecked = changes.ParticipationChecked
    WaiverCounted = changes.WaiverCounted
    DependentAdded = changes.DependentAdded
    GroupRenewed = changes.GroupRenewed
    TerminationNoticeIssued = coverage.TerminationNoticeIssued
    InvoiceIssued = billing.InvoiceIssued
    PaymentRecorded = billing.PaymentRecorded
    CreditApplied = billing.CreditApplied
    RefundDue = billing.RefundDue
    CoverageEffectuated = enrollment_coverage.CoverageEffectuated
    EnrollmentCancelled = enrollment_coverage.EnrollmentCancelled
    CancellationRescinded = enrollment_coverage.CancellationRescinded
    VoluntaryTerminationRequested = enrollment_coverage.VoluntaryTerminationRequested
    CoverageEnded = enrollment_coverage.CoverageEnded
    PaymentMissed = delinquency.PaymentMissed
    DelinquencyNoticeIssued = delinquency.DelinquencyNoticeIssued
    DelinquencyCured = delinquency.DelinquencyCured
    CoverageTerminated = delinquency.CoverageTerminated
    TerminationRescinded = delinquency.TerminationRescinded
    ReinstatementWindowExpired = delinquency.ReinstatementWindowExpired
    ReinstatementDecided = delinquency.ReinstatementDecided

    def _decide(
        self,
        event_class: type[EnrollmentEvent],
        *,
        on: date,
        citation: str | None,
        policy: PolicyVersion,
        effective_on: date | None = None,
        **fields: Any,
    ) -> None:
        """Record an event of this group enrollment (as `Enrollment._decide`): `event_class` is
        one this class adopted (`g.PaymentMissed`)."""
        if not issubclass(event_class, type(self).Event):
            raise TypeError(f"{event_class.__qualname__} is not an event of {type(self).__name__}")
        self.trigger_event(
            event_class,
            on=on,
            effective_on=on if effective_on is None else effective_on,
            citation=citation,
            policy_version=policy.version,
            **fields,
        )

    # ---- commands ----------------------------------------------------------------------------

    def _require_open(self) -> None:
        if self.status in (Status.TERMINATED, Status.CANCELLED) or self.ended:
            raise InvalidCommand(
                f"group enrollment {self.group_enrollment_id!r} has ended", "invalid_state"
            )

    def enroll_employee(
        self,
        on: date,
        employee_id: str,
        member_ids: list[str],
        monthly_premium: Decimal,
        kind: rules.EmployeeEventKind | None,
        event_on: date | None,
        policy: PolicyVersion,
    ) -> None:
        """12.11(1), (2), (4) (`employees.enroll`)."""
        self.advance(on, policy)
        self._require_open()
        employees.enroll(self, on, employee_id, member_ids, monthly_premium, kind, event_on, policy)

    def waive_coverage(self, on: date, employee_id: str, policy: PolicyVersion) -> None:
        """12.11(1) (`employees.waive`)."""
        self.advance(on, policy)
        self._require_open()
        employees.waive(self, on, employee_id, policy)

    def terminate_employee(
        self,
        on: date,
        employee_id: str,
        kind: rules.EmployeeEventKind,
        event_on: date | None,
        policy: PolicyVersion,
    ) -> None:
        """12.11(4), (7) (`employees.terminate`)."""
        self.advance(on, policy)
        self._require_open()
        employees.terminate(self, on, employee_id, kind, event_on, policy)

    def record_payment(
        self, on: date, amount: Decimal, reference: str, policy: PolicyVersion
    ) -> bool:
        """12.11(1), 12.12(1): the employer's payment, applied to the oldest amount owed; the rest
        is held as credit. False (recording nothing) for a reference already recorded. A payment
        entered late that shows a cancellation or a termination was paid in time rescinds it."""
        if reference in self.references:
            return False
        self.advance(on, policy)
        billing.record_payment(self, on, amount, reference, policy)
        self._after_money_in(on, policy)
        delinquency.rescind_termination_paid_in_time(self, on, policy)
        coverage.rescind_cancellation_paid_in_time(self, on, policy)
        billing.refund_credit(self, on, policy, RefundReason.RECEIVED_AFTER_END)
        return True

    def _after_money_in(self, on: date, policy: PolicyVersion) -> None:
        coverage.effectuate_if_binder_paid(self, on, policy)
        delinquency.cure_if_paid(self, on, policy)

    def request_reinstatement(self, on: date, policy: PolicyVersion) -> None:
        """12.12(13): within 30 days of the termination, with every outstanding month and the
        next month paid (`delinquency.decide_reinstatement` under the group's terms)."""
        self.advance(on, policy)
        if self.status != Status.TERMINATED or self.end_reason != EndReason.NON_PAYMENT:
            raise InvalidCommand(
                "only a group enrollment terminated for non-payment can be reinstated "
                f"({rules.GROUP_REINSTATEMENT})",
                "invalid_state",
            )
        delinquency.decide_reinstatement(self, on, policy)

    def request_termination(self, on: date, policy: PolicyVersion) -> None:
        """12.11(7): the employer's own request (`coverage.terminate_voluntarily`)."""
        self.advance(on, policy)
        self._require_open()
        coverage.terminate_voluntarily(self, on, policy)

    # ---- the schedule ------------------------------------------------------------------------

    def advance(
        self, through: date, policy_for: PolicyVersion | Callable[[date], PolicyVersion]
    ) -> None:
        schedule.advance(self, through, policy_for)

    def take_late_decisions(
        self, schedule_through: date, policy_for: Callable[[date], PolicyVersion]
    ) -> None:
        schedule.take_late_decisions(self, schedule_through, policy_for)

    def next_due_on(self, policy: PolicyVersion) -> date | None:
        return schedule.next_due_on(self, policy)

    # ---- reading state -----------------------------------------------------------------------

    def fold_in(self, event: Any) -> None:
        """Apply a recorded event to this state as a fold does (no contiguous-version check)."""
        event.apply(self)
        if event.on > self.horizon:
            self.horizon = event.on
        self.version = event.originator_version

    @property
    def closed(self) -> bool:
        """Ended for good: nothing more can be billed, so money held is due back."""
        return (
            self.ended
            or self.status == Status.CANCELLED
            or (self.status == Status.TERMINATED and not self.reinstatable)
        )

    def monthly_premium(self, month: date) -> Decimal:
        """12.11(1): the total premium of the employees whose coverage includes `month`."""
        return sum((s.monthly_premium for s in self.employees if s.billed_for(month)), ZERO)

    def premium_terms(self) -> PremiumTerms:
        """12.11(1), 12.12(1), (11)-(13): a small group's premium rules."""
        return PremiumTerms(
            binder=rules.GROUP_ENROLLMENT,
            premiums_due=rules.GROUP_PREMIUMS_DUE,
            delinquency=rules.GROUP_DELINQUENT,
            termination=rules.GROUP_TERMINATION,
            reinstatement=rules.GROUP_REINSTATEMENT,
            months_before_payment_date=rules.delinquent_months_before_payment_date,
            reinstatement_deadline=rules.reinstatement_deadline,
        )

    def current_span(self, employee_id: str) -> EmployeeSpan | None:
        """The employee's enrollment without an end of its own, if any."""
        for span in self.employees:
            if span.employee_id == employee_id and span.end_on is None:
                return span
        return None

    def last_month_billed(self) -> date | None:
        return max(self.invoices) if self.invoices else None

    def first_month_not_billed(self) -> date:
        """The first month no invoice has been issued for: the group's start before any."""
        billed = self.last_month_billed()
        return self.coverage_start_on if billed is None else add_months(billed, 1)

    def coverage_year(self) -> tuple[date, date] | None:
        """12.04(4)(b): the coverage year of coverage that has begun and not ended, if any (with
        the years it was renewed for: a renewal is decided while the employer is eligible on its
        own terms, so each renewed year is one it enrolled its employees in)."""
        if self.start_on is None or self.status not in (Status.ACTIVE, Status.DELINQUENT):
            return None
        return self.coverage_start_on, self.coverage_year_ends_on

    def money_account(self) -> MoneyAccount:
        return billing.money_account(self)

    def reinstatement_outstanding(self) -> Decimal:
        return delinquency.reinstatement_outstanding(self)


def replay(events: list[Any]) -> GroupEnrollment | None:
    """Fold a subset of a group enrollment's events into its state (as `enrollment.replay`)."""
    if not events:
        return None
    group: GroupEnrollment = events[0].mutate(None)
    for event in events[1:]:
        group.fold_in(event)
    return group
