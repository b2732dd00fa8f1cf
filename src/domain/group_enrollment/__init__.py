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

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from ..calendar import add_months
from ..enrollment import billing, delinquency
from ..enrollment import coverage as enrollment_coverage
from ..enrollment.account import BilledEnrollment, CoverageSection, Schedule
from ..enrollment.shared import (
    PremiumTerms,
    Status,
)
from ..errors import InvalidCommand
from ..events import CopiedForCommands, LedgerCreated, aggregate_uuid
from ..money import ZERO
from ..parameters import PolicyVersion
from ..rules import small_group as rules
from ..rules import small_group_delinquency as delinquency_rules
from ..rules import small_group_enrollment as enrollment_rules
from . import changes, coverage, employees, restoration, schedule, terminations
from .employees import EmployeeSpan

__all__ = ["EmployeeSpan", "GroupEnrollment", "replay"]


class GroupEnrollment(BilledEnrollment, CopiedForCommands, Aggregate):
    """One small employer's group plan (a health plan, or a dental plan, 12.16(1)(b))."""

    schedule: ClassVar[Schedule] = schedule
    coverage_section: ClassVar[CoverageSection] = coverage
    described = "a group enrollment"

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
        self._open_account(on)
        # a small group's premium carries no financial assistance (12.12(11)-(12)); no hardship
        # waiver (12.12(7) is an individual's) and no fraud termination is recorded (12.11(5)),
        # so its waived months stay empty and what may be recouped zero
        self.financially_assisted = False

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
        binder_due = enrollment_rules.check_group_selection(
            on, coverage_start_on, enrollment_deadline, policy
        )
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
    GroupCoverageRestoredOnAppeal = restoration.GroupCoverageRestoredOnAppeal
    ParticipationTermsNoted = changes.ParticipationTermsNoted
    ParticipationChecked = changes.ParticipationChecked
    WaiverCounted = changes.WaiverCounted
    DependentAdded = changes.DependentAdded
    GroupRenewed = changes.GroupRenewed
    GroupCoverageYearEnded = changes.GroupCoverageYearEnded
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
        kind: enrollment_rules.EmployeeEventKind | None,
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
        kind: enrollment_rules.EmployeeEventKind,
        event_on: date | None,
        policy: PolicyVersion,
    ) -> None:
        """12.11(4), (7) (`employees.terminate`)."""
        self.advance(on, policy)
        self._require_open()
        employees.terminate(self, on, employee_id, kind, event_on, policy)

    def request_termination(self, on: date, policy: PolicyVersion) -> None:
        """12.11(7): the employer's own request (`coverage.terminate_voluntarily`)."""
        self.advance(on, policy)
        self._require_open()
        coverage.terminate_voluntarily(self, on, policy)

    # ---- reading state -----------------------------------------------------------------------

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
            months_before_payment_date=delinquency_rules.delinquent_months_before_payment_date,
            reinstatement_deadline=delinquency_rules.reinstatement_deadline,
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


def replay(events: list[Any]) -> GroupEnrollment | None:
    """Fold a subset of a group enrollment's events into its state (as `enrollment.replay`)."""
    if not events:
        return None
    group: GroupEnrollment = events[0].mutate(None)
    for event in events[1:]:
        group.fold_in(event)
    return group
