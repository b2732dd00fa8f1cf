"""The Enrollment aggregate: a plan selection and everything that follows from it — binder,
monthly invoices, payments, delinquency, retroactive termination, reinstatement, voluntary
termination and the end of the plan year (956 CMR 12.07, 12.10, 12.12, 12.16).

One aggregate (billing, delinquency, waivers and termination change the same invoices and credit:
one consistency boundary), one module per section of the regulation: `billing.py` (12.10(2),
12.12(1)), `delinquency.py` (12.12(2)-(6)), `coverage.py` (12.07(1), 12.10(1)-(3), (8)),
`waivers.py` (12.12(7)) and `schedule.py` (the time-driven decisions and their same-day order).
Here: the `Enrollment` class, its state, its events and its commands (guards, then the event).

Time-driven decisions are taken by `advance(through)`, one milestone at a time in date order, so
advancing once to a date or day by day to it records the same decisions. A decision for day X
looks only at facts dated before X; a command dated d first advances through d, then records its
fact and the decisions the fact itself triggers (effectuation, cure, reinstatement). A decision
that a late fact makes due on or before the date the schedule has already been run through is
taken as of that date, never back-dated (`take_late_decisions`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from ..calendar import first_of_month
from ..errors import InvalidCommand
from ..events import CopiedForCommands, LedgerCreated, aggregate_uuid
from ..money import ZERO
from ..policy import PolicyVersion
from ..rules import premiums as rules
from ..rules import waivers as waiver_rules
from . import billing, coverage, delinquency, fraud, members, premium_changes, schedule, waivers
from .billing import Invoice, MoneyAccount
from .coverage import effectuate
from .premium_changes import PremiumStep
from .shared import (
    EndReason,
    EnrollmentEvent,
    InvoiceKind,
    PremiumTerms,
    RefundReason,
    Status,
    WaiverDecision,
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
    "coverage_lost",
    "replay",
]

# The statuses under the names the read models and the ledger import.
DELINQUENT = Status.DELINQUENT
TERMINATED = Status.TERMINATED
CANCELLED = Status.CANCELLED


class Enrollment(CopiedForCommands, Aggregate):
    """One plan selection by a household for some of its members."""

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
        self.status = Status.PENDING_BINDER
        self.start_on: date | None = None
        self.end_on: date | None = None
        # codes held as recorded: an `EndReason`, a `CancelReason` (or their plain strings)
        self.end_reason: str | None = None
        self.end_citation: str | None = None
        self.ended = False
        self.invoices: dict[date, Invoice] = {}
        self.credit = ZERO
        self.refund_due = ZERO
        self.references: set[str] = set()
        self.payments: list[tuple[date, Decimal]] = []
        self.cancel_reason: str | None = None
        self.horizon = on
        self.renewed_years: set[int] = {plan_year}
        self.plan_year_end_decided: set[int] = set()
        # delinquency episode
        self.first_unpaid_month: date | None = None
        self.missed_count = 0
        self.notices: list[dict[str, Any]] = []
        self.pending_notice_on: date | None = None
        self.payment_due_on: date | None = None
        # termination for non-payment
        self.terminated_on: date | None = None
        self.reinstatement_deadline: date | None = None
        self.reinstatement_months: list[date] = []
        self.reinstatable = False
        # hardship waivers (12.12(7))
        self.waiver_requests: dict[str, dict[str, Any]] = {}
        self.waived_months: dict[date, Decimal] = {}
        self.waiver_ends_on: date | None = None
        # termination for fraud (12.10(7)): what may be recouped from the enrollee
        self.recoupment_due = ZERO

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
        """Record an event of this enrollment: its business date `on`, the date it takes effect
        (`on` unless said), the rule applied and the policy version in force. `event_class` is
        one this class adopted (`e.PaymentMissed`, not the section's own class, whose topic
        would name the section's module)."""
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

    def record_payment(
        self, on: date, amount: Decimal, reference: str, policy: PolicyVersion
    ) -> bool:
        """12.12(1): a payment, applied to the oldest amount owed; the rest is held as credit.
        Returns False (recording nothing) for a reference already recorded. A payment entered
        after decisions it would have changed (its date is earlier) corrects them by new events:
        a termination or a cancellation it shows was paid in time is rescinded."""
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
        """Money in (a payment, a waiver): a binder paid in time effectuates (12.10(3)); a
        delinquency paid off is cured (12.12(2), (4))."""
        coverage.effectuate_if_binder_paid(self, on, policy)
        delinquency.cure_if_paid(self, on, policy)

    def request_reinstatement(self, on: date, policy: PolicyVersion) -> None:
        """12.12(6): granted or refused (see `delinquency.decide_reinstatement`)."""
        self.advance(on, policy)
        if self.status != Status.TERMINATED or self.end_reason != EndReason.NON_PAYMENT:
            raise InvalidCommand(
                "only an enrollment terminated for non-payment can be reinstated "
                f"({rules.REINSTATEMENT})",
                "invalid_state",
            )
        delinquency.decide_reinstatement(self, on, policy)

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
        request_id = waivers.pending_request(self, request_id)
        self.advance(on, policy)
        waivers.decide(self, on, request_id, decision, first_month, months, policy)
        if decision == WaiverDecision.GRANTED:
            billing.apply_credit(self, on, policy)
            self._after_money_in(on, policy)
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

    def covered_members(self) -> list[str]:
        """The members whose coverage has not ended on their own (12.10(5)(c))."""
        return members.covered_members(self)

    # ---- the schedule ------------------------------------------------------------------------

    def advance(
        self, through: date, policy_for: PolicyVersion | Callable[[date], PolicyVersion]
    ) -> None:
        """Record every time-driven decision due up to and including `through`."""
        schedule.advance(self, through, policy_for)

    def take_late_decisions(
        self, schedule_through: date, policy_for: Callable[[date], PolicyVersion]
    ) -> None:
        """Take the decisions a fact entered late made due by the date the schedule has been
        run through store-wide, as of that date (`schedule.take_late_decisions`)."""
        schedule.take_late_decisions(self, schedule_through, policy_for)

    def next_due_on(self, policy: PolicyVersion) -> date | None:
        """The next date on which a time-driven decision falls due (the schedule index)."""
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
        """Ended for good: coverage ended, cancelled, or terminated and no longer reinstatable.
        Nothing more can be billed, so money held for the member is due back to them."""
        return (
            self.ended
            or self.status == Status.CANCELLED
            or (self.status == Status.TERMINATED and not self.reinstatable)
        )

    def covers_after(self, day: date) -> bool:
        return coverage.covers_after(self, day)

    def coverage_lost_for(self) -> str | None:
        """Why coverage was lost, when it was lost in a way that is no qualifying loss of
        coverage (12.10(1)(a), the special enrollment periods page): terminated for non-payment
        (`EndReason.NON_PAYMENT`), or for fraud (`EndReason.FRAUD`); else None."""
        if self.status == Status.TERMINATED and self.end_reason == EndReason.NON_PAYMENT:
            return EndReason.NON_PAYMENT
        if self.ended and self.end_reason == EndReason.FRAUD:
            return EndReason.FRAUD
        return None

    def money_account(self) -> MoneyAccount:
        return billing.money_account(self)

    def monthly_premium(self, month: date) -> Decimal:
        """The premium of `month` (its plan year's)."""
        return billing.premium_for(self, month)

    def premium_terms(self) -> PremiumTerms:
        """12.10(2), 12.12(1)-(6), 12.16(3)(b): an individual's premium rules, which depend on
        financial assistance (and, for a dental plan, on APTC applied to it)."""
        assisted = self.financially_assisted
        return PremiumTerms(
            binder=rules.BINDER,
            premiums_due=rules.PREMIUMS_DUE,
            delinquency=rules.delinquency_citation(assisted, self.coverage),
            termination=rules.termination_citation(assisted),
            reinstatement=rules.REINSTATEMENT,
            months_before_payment_date=partial(
                rules.delinquent_months_before_payment_date, assisted
            ),
            reinstatement_deadline=rules.reinstatement_deadline,
        )

    def reinstatement_outstanding(self) -> Decimal:
        return delinquency.reinstatement_outstanding(self)


def coverage_lost(enrollments: Iterable[Enrollment]) -> dict[str, str]:
    """Each of `enrollments` whose coverage was lost in a way that is no qualifying loss, by
    enrollment id, with the reason (`Enrollment.coverage_lost_for`)."""
    return {
        e.enrollment_id: reason
        for e in enrollments
        if (reason := e.coverage_lost_for()) is not None
    }


def replay(events: list[Any]) -> Enrollment | None:
    """Fold a subset of an enrollment's events (e.g. those known at an instant, or dated by a
    day) into its state, without the library's contiguous-version check."""
    if not events:
        return None
    enrollment: Enrollment = events[0].mutate(None)
    for event in events[1:]:
        enrollment.fold_in(event)
    return enrollment
