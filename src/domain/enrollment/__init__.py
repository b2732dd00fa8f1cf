"""The Enrollment aggregate: a plan selection and everything that follows from it — binder,
monthly invoices, payments, delinquency, retroactive termination, reinstatement, voluntary
termination and the end of the plan year (956 CMR 12.07, 12.10, 12.12, 12.16).

One aggregate (billing, delinquency, waivers and termination change the same invoices and credit:
one consistency boundary), one module per section of the regulation: `billing.py` (12.10(2),
12.12(1)), `delinquency.py` (12.12(2)-(6)), `coverage.py` (12.07(1), 12.10(1)-(3), (8)),
`waivers.py` (12.12(7)) and `schedule.py` (the time-driven decisions and their same-day order).
Here: the `Enrollment` class, its state, its events and its commands (guards, then the event).

What it shares with a small group's enrollment (recording an event, the payment path, folding,
the schedule's entry points and the time-driven decisions' principles) is `account.py`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from ..calendar import first_of_month
from ..errors import InvalidCommand
from ..events import CopiedForCommands, LedgerCreated, aggregate_uuid
from ..money import ZERO
from ..parameters import PolicyVersion
from ..rules import premiums as rules
from ..rules import waivers as waiver_rules
from . import (
    billing,
    coverage,
    delinquency,
    fraud,
    members,
    premium_changes,
    restoration,
    schedule,
    waivers,
)
from .account import BilledEnrollment, CoverageSection, Schedule, after_money_in
from .billing import Invoice, MoneyAccount
from .coverage import effectuate
from .premium_changes import PremiumStep
from .shared import (
    EnrollmentEvent,
    InvoiceKind,
    PremiumTerms,
    RefundReason,
    Status,
    WaiverDecision,
    individual_premium_terms,
)

__all__ = [
    "CANCELLED",
    "DELINQUENT",
    "TERMINATED",
    "Enrollment",
    "EnrollmentEvent",
    "Invoice",
    "MoneyAccount",
    "Status",
    "replay",
]

# The statuses under the names the read models and the ledger import.
DELINQUENT = Status.DELINQUENT
TERMINATED = Status.TERMINATED
CANCELLED = Status.CANCELLED


class Enrollment(BilledEnrollment, CopiedForCommands, Aggregate):
    """One plan selection by a household for some of its members."""

    schedule: ClassVar[Schedule] = schedule
    coverage_section: ClassVar[CoverageSection] = coverage
    described = "an enrollment"

    @staticmethod
    def id_for(enrollment_id: str) -> UUID:
        return aggregate_uuid("enrollment", enrollment_id)

    class PlanSelected(LedgerCreated):
        """Version 2 adds `metal_level` (12.04(1): a catastrophic plan); version 1 had none."""

        class_version = 2
        enrollment_id: str
        household_id: str
        member_ids: list[str]
        plan_id: str
        coverage: str
        monthly_premium: Decimal
        aptc_applied: Decimal
        program: str
        plan_type: str | None
        financially_assisted: bool
        plan_year: int
        enrollment_basis: str
        binder_month: date
        binder_due_on: date
        dependent_start_on: date | None
        metal_level: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["metal_level"] = None

    def __init__(
        self,
        enrollment_id: str,
        household_id: str,
        member_ids: list[str],
        plan_id: str,
        coverage: str,
        monthly_premium: Decimal,
        aptc_applied: Decimal,
        program: str,
        plan_type: str | None,
        financially_assisted: bool,
        plan_year: int,
        binder_month: date,
        binder_due_on: date,
        on: date,
        dependent_start_on: date | None = None,
        metal_level: str | None = None,
    ) -> None:
        self.enrollment_id = enrollment_id
        self.metal_level = metal_level
        self.dependent_start_on = dependent_start_on
        self.household_id = household_id
        self.member_ids = member_ids
        self.plan_id = plan_id
        self.coverage = coverage
        self.program = program
        self.plan_type = plan_type
        self.financially_assisted = financially_assisted
        self.aptc_applied = aptc_applied
        self.plan_year = plan_year
        self.premiums: dict[int, Decimal] = {plan_year: monthly_premium}
        # premium changes after redeterminations (12.12(8)(a)), in record order
        self.premium_changes: list[PremiumStep] = []
        # members whose coverage ended on their own (12.10(5)(c)): member_id -> end, reason
        self.ended_members: dict[str, dict[str, Any]] = {}
        self.binder_month = binder_month
        self.binder_due_on = binder_due_on
        self.selected_on = on
        self._open_account(on)
        self.renewed_years: set[int] = {plan_year}
        self.plan_year_end_decided: set[int] = set()
        # hardship waivers (12.12(7))
        self.waiver_requests: dict[str, dict[str, Any]] = {}
        self.waiver_ends_on: date | None = None

    @classmethod
    def select(
        cls,
        *,
        on: date,
        enrollment_id: str,
        household_id: str,
        member_ids: list[str],
        plan_id: str,
        coverage: str,
        monthly_premium: Decimal,
        aptc_applied: Decimal,
        program: str,
        plan_type: str | None,
        plan_year: int,
        enrollment_basis: str,
        policy: PolicyVersion,
        dependent_start_on: date | None = None,
        metal_level: str | None = None,
    ) -> Enrollment:
        """12.10(2): the selection, then its binder invoice (and effectuation at once when no
        premium is required). Under a new-dependent period, 12.10(3) lets coverage start on the
        date of the birth, adoption or placement (`dependent_start_on`)."""
        binder_due = rules.binder_due_on(on, policy)
        binder_month = rules.first_coverage_month(on, plan_year, policy)
        if dependent_start_on is not None:
            binder_month = first_of_month(dependent_start_on)
        enrollment = cls._create(
            cls.PlanSelected,
            id=cls.id_for(enrollment_id),
            on=on,
            effective_on=binder_month,
            citation=rules.BINDER,
            policy_version=policy.version,
            enrollment_id=enrollment_id,
            household_id=household_id,
            member_ids=member_ids,
            plan_id=plan_id,
            coverage=coverage,
            monthly_premium=monthly_premium,
            aptc_applied=aptc_applied,
            program=program,
            plan_type=plan_type,
            financially_assisted=rules.is_financially_assisted(coverage, program, aptc_applied),
            plan_year=plan_year,
            enrollment_basis=enrollment_basis,
            binder_month=binder_month,
            binder_due_on=binder_due,
            dependent_start_on=dependent_start_on,
            metal_level=metal_level,
        )
        billing.issue_invoice(enrollment, binder_month, on, binder_due, InvoiceKind.BINDER, policy)
        if monthly_premium == ZERO:
            effectuate(enrollment, on, dependent_start_on or binder_month, policy)
        return enrollment

    # ---- events: defined by their sections, adopted here (their topics name this class) -------
    # In the order they have always been declared (the `schema` output lists them in it).

    InvoiceIssued = billing.InvoiceIssued
    PaymentRecorded = billing.PaymentRecorded
    TerminationRescinded = delinquency.TerminationRescinded
    CancellationRescinded = coverage.CancellationRescinded
    CoverageEffectuated = coverage.CoverageEffectuated
    EnrollmentCancelled = coverage.EnrollmentCancelled
    PaymentMissed = delinquency.PaymentMissed
    DelinquencyNoticeIssued = delinquency.DelinquencyNoticeIssued
    DelinquencyCured = delinquency.DelinquencyCured
    CoverageTerminated = delinquency.CoverageTerminated
    ReinstatementWindowExpired = delinquency.ReinstatementWindowExpired
    ReinstatementDecided = delinquency.ReinstatementDecided
    VoluntaryTerminationRequested = coverage.VoluntaryTerminationRequested
    PlanYearEnded = coverage.PlanYearEnded
    CoverageEnded = coverage.CoverageEnded
    EnrollmentRenewed = coverage.EnrollmentRenewed
    CreditApplied = billing.CreditApplied
    RefundDue = billing.RefundDue
    ReplacedByEnrollment = coverage.ReplacedByEnrollment
    HardshipWaiverRequested = waivers.HardshipWaiverRequested
    HardshipWaiverDecided = waivers.HardshipWaiverDecided
    HardshipWaiverEnded = waivers.HardshipWaiverEnded
    MemberCoverageEnded = members.MemberCoverageEnded
    PremiumChanged = premium_changes.PremiumChanged
    CoverageTerminatedForFraud = fraud.CoverageTerminatedForFraud
    CoverageRestoredOnAppeal = restoration.CoverageRestoredOnAppeal

    # ---- commands ----------------------------------------------------------------------------

    def request_termination(self, on: date, policy: PolicyVersion) -> None:
        """12.10(8): the enrollee's own request (see `coverage.terminate_voluntarily`)."""
        self.advance(on, policy)
        if self.status in (Status.TERMINATED, Status.CANCELLED) or self.ended:
            raise InvalidCommand("the enrollment has already ended", "invalid_state")
        coverage.terminate_voluntarily(self, on, policy)

    def terminate_for_fraud(
        self, on: date, effective_on: date, finding: str, policy: PolicyVersion
    ) -> None:
        """12.10(5)(a), 12.10(7): ended for fraud (`fraud.terminate_for_fraud`)."""
        self.advance(on, policy)
        fraud.terminate_for_fraud(self, on, effective_on, finding, policy)

    def renew(
        self,
        on: date,
        plan_year: int,
        monthly_premium: Decimal,
        plan_id: str | None,
        program: str,
        plan_type: str | None,
        policy: PolicyVersion,
    ) -> None:
        """12.07(1), 12.12(8)(b): coverage continues into the plan year (`coverage.renew`)."""
        self.advance(on, policy)
        if self.status in (Status.TERMINATED, Status.CANCELLED) or self.ended:
            raise InvalidCommand("the enrollment has ended and cannot be renewed", "invalid_state")
        if plan_year in self.renewed_years:
            raise InvalidCommand(f"already renewed for plan year {plan_year}", "invalid_state")
        if plan_year - 1 in self.plan_year_end_decided or plan_year - 1 not in self.renewed_years:
            raise InvalidCommand(
                f"plan year {plan_year} cannot be renewed: coverage ends before it", "invalid_state"
            )
        coverage.renew(self, on, plan_year, monthly_premium, plan_id, program, plan_type, policy)

    def replace_with(
        self, on: date, replacement_id: str, starts_on: date, policy: PolicyVersion
    ) -> None:
        """12.10(1): ended the day before its replacement begins (`coverage.replace_with`)."""
        coverage.replace_with(self, on, replacement_id, starts_on, policy)

    def request_hardship_waiver(self, on: date, grounds: list[str], policy: PolicyVersion) -> str:
        """12.12(7)(a): the request on its grounds (unknown grounds are refused first)."""
        clauses = waiver_rules.grounds_clauses(grounds)
        self.advance(on, policy)
        return waivers.record_request(self, on, grounds, clauses, policy)

    def decide_hardship_waiver(
        self,
        on: date,
        request_id: str | None,
        decision: str,
        first_month: date,
        months: int,
        policy: PolicyVersion,
    ) -> None:
        """12.12(7)(b)-(f), 12.16(3)(c) (`waivers.decide`): a grant frees what was paid on the
        waived portion, which then pays what is owed, may cure a delinquency, or is due back."""
        request_id = waivers.pending_request(self, request_id, decision)
        self.advance(on, policy)
        waivers.decide(self, on, request_id, decision, first_month, months, policy)
        if decision == WaiverDecision.GRANTED:
            billing.apply_credit(self, on, policy)
            after_money_in(self, on, policy)
            billing.refund_credit(self, on, policy, RefundReason.WAIVED_AFTER_END)

    def end_member_coverage(
        self,
        on: date,
        member_id: str,
        end_on: date,
        reason: str,
        citation: str,
        determination_event_id: str | None,
        policy: PolicyVersion,
    ) -> bool:
        """12.10(5)(c), 12.16(1)(a): a member's coverage ends on `end_on`
        (`members.end_member_coverage`); False when nothing changes here. An end already passed
        is taken at once (`CoverageEnded`)."""
        self.advance(on, policy)
        changed = members.end_member_coverage(
            self, on, member_id, end_on, reason, citation, determination_event_id, policy
        )
        if changed:
            self.advance(on, policy)
        return changed

    def change_premium(
        self,
        on: date,
        monthly_premium: Decimal,
        from_month: date,
        determination_event_id: str,
        program: str,
        plan_type: str | None,
        policy: PolicyVersion,
    ) -> None:
        """12.12(8)(a): the premium from `from_month` (`premium_changes.change_premium`)."""
        self.advance(on, policy)
        if self.closed:
            raise InvalidCommand("the enrollment has ended", "invalid_state")
        premium_changes.change_premium(
            self,
            on,
            monthly_premium,
            from_month,
            determination_event_id,
            program,
            plan_type,
            policy,
        )

    def restore_on_appeal(
        self,
        on: date,
        appeal_id: str,
        appealed_event_id: str,
        eligible_member_ids: list[str] | None,
        policy: PolicyVersion,
    ) -> bool:
        """12.15(4), 45 CFR 155.545(c): what the reversed action ended is restored
        (`restoration.restore_on_appeal`); False when it ended nothing here."""
        self.advance(on, policy)
        return restoration.restore_on_appeal(
            self, on, appeal_id, appealed_event_id, eligible_member_ids, policy
        )

    def covered_members(self) -> list[str]:
        """The members whose coverage has not ended on their own (12.10(5)(c))."""
        return members.covered_members(self)

    # ---- reading state -----------------------------------------------------------------------

    def covers_after(self, day: date) -> bool:
        return coverage.covers_after(self, day)

    def monthly_premium(self, month: date) -> Decimal:
        """The premium of `month` (its plan year's)."""
        return billing.premium_for(self, month)

    def premium_terms(self) -> PremiumTerms:
        """12.10(2), 12.12(1)-(6), 12.16(3)(b): an individual's premium rules, which depend on
        financial assistance (and, for a dental plan, on APTC applied to it)."""
        return individual_premium_terms(self.financially_assisted, self.coverage)


def replay(events: list[Any]) -> Enrollment | None:
    """Fold a subset of an enrollment's events (e.g. those known at an instant, or dated by a
    day) into its state, without the library's contiguous-version check."""
    if not events:
        return None
    enrollment: Enrollment = events[0].mutate(None)
    for event in events[1:]:
        enrollment.fold_in(event)
    return enrollment
