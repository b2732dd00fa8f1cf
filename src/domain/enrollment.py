"""The Enrollment aggregate: a plan selection and everything that follows from it — binder,
monthly invoices, payments, delinquency, retroactive termination, reinstatement, voluntary
termination and the end of the plan year (956 CMR 12.10, 12.12, 12.16).

Time-driven decisions are taken by `advance(through)`, one milestone at a time in date order, so
advancing once to a date or day by day to it records the same decisions. A decision for day X
looks only at facts dated before X; a command dated d first advances through d, then records its
fact and the decisions the fact itself triggers (effectuation, cure, reinstatement). A decision
that a late fact makes due on or before the date the schedule has already been run through is
taken as of that date, never back-dated (`take_late_decisions`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from .calendar import add_months, first_of_month, last_day_of_month, month_key, plus_days
from .errors import InvalidCommand
from .events import CopiedForCommands, LedgerCreated, LedgerEvent, aggregate_uuid
from .money import ZERO
from .policy import PolicyVersion
from .rules import premiums as rules
from .rules import waivers as waiver_rules

ACTIVE = "active"
PENDING_BINDER = "pending_binder"
DELINQUENT = "delinquent"
TERMINATED = "terminated"
CANCELLED = "cancelled"


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


class EnrollmentEvent(LedgerEvent):
    """An enrollment event: also moves the enrollment's horizon to its business date."""

    def mutate(self, aggregate: Any) -> Any:
        enrollment = super().mutate(aggregate)
        if enrollment is not None and self.on > enrollment.horizon:
            enrollment.horizon = self.on
        return enrollment


@dataclass(frozen=True)
class Milestone:
    on: date
    rank: int
    action: Callable[[date, PolicyVersion], None]


class Enrollment(CopiedForCommands, Aggregate):
    """One plan selection by a household for some of its members."""

    @staticmethod
    def id_for(enrollment_id: str) -> UUID:
        return aggregate_uuid("enrollment", enrollment_id)

    class PlanSelected(LedgerCreated):
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
    ) -> None:
        self.enrollment_id = enrollment_id
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
        self.binder_month = binder_month
        self.binder_due_on = binder_due_on
        self.selected_on = on
        self.status = PENDING_BINDER
        self.start_on: date | None = None
        self.end_on: date | None = None
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

    # ---- creation ----------------------------------------------------------------------------

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
        )
        enrollment._issue_invoice(binder_month, on, binder_due, "binder", policy)
        if monthly_premium == ZERO:
            enrollment._effectuate(on, dependent_start_on or binder_month, policy)
        return enrollment

    # ---- events ------------------------------------------------------------------------------

    class InvoiceIssued(EnrollmentEvent):
        month: str
        amount: Decimal
        due_on: date
        kind: str
        paid_from_credit: Decimal
        waived: Decimal

        def apply(self, e: Enrollment) -> None:
            month = date.fromisoformat(self.month + "-01")
            invoice = Invoice(month, self.amount, self.on, self.due_on, self.kind)
            invoice.paid = self.paid_from_credit
            invoice.waived = self.waived
            e.credit -= self.paid_from_credit
            e.invoices[month] = invoice

    def _issue_invoice(
        self, month: date, on: date, due_on: date, kind: str, policy: PolicyVersion
    ) -> None:
        amount = self.premium_for(month)
        waived = min(self.waived_months.get(month, ZERO), amount)
        from_credit = min(self.credit, amount - waived)
        self.trigger_event(
            self.InvoiceIssued,
            on=on,
            effective_on=month,
            citation=rules.BINDER if kind == "binder" else rules.PREMIUMS_DUE,
            policy_version=policy.version,
            month=month_key(month),
            amount=amount,
            due_on=due_on,
            kind=kind,
            paid_from_credit=from_credit,
            waived=waived,
        )

    class PaymentRecorded(EnrollmentEvent):
        amount: Decimal
        reference: str
        allocations: list[dict[str, str]]
        to_credit: Decimal

        def apply(self, e: Enrollment) -> None:
            e.references.add(self.reference)
            e.payments.append((self.on, self.amount))
            for allocation in self.allocations:
                # A fold by business date may not hold the invoice yet (a late payment applied
                # to a month billed after its date), or hold it voided: the money is credit.
                invoice = e.invoices.get(date.fromisoformat(allocation["month"] + "-01"))
                if invoice is None or invoice.voided:
                    e.credit += Decimal(allocation["amount"])
                else:
                    invoice.paid += Decimal(allocation["amount"])
            e.credit += self.to_credit

    def record_payment(
        self, on: date, amount: Decimal, reference: str, policy: PolicyVersion
    ) -> bool:
        """12.12(1): a payment, applied to the oldest amount owed; the rest is held as credit.
        Returns False (recording nothing) for a reference already recorded."""
        if reference in self.references:
            return False
        self.advance(on, policy)
        remaining = amount
        allocations: list[dict[str, str]] = []
        for month in sorted(self.invoices):
            invoice = self.invoices[month]
            if remaining <= 0:
                break
            owed = invoice.outstanding
            if owed > 0:
                share = min(owed, remaining)
                allocations.append({"month": month_key(month), "amount": str(share)})
                remaining -= share
        self.trigger_event(
            self.PaymentRecorded,
            on=on,
            effective_on=on,
            citation=rules.PREMIUMS_DUE,
            policy_version=policy.version,
            amount=amount,
            reference=reference,
            allocations=allocations,
            to_credit=remaining,
        )
        self._after_money_in(on, policy)
        self._correct_for_late_payment(on, policy)
        self._refund_credit(on, policy, "received_after_end")
        return True

    # ---- late-arriving facts -----------------------------------------------------------------

    def paid_by(self, day: date) -> Decimal:
        """Everything received on or before `day` (a payment's date is its receipt date)."""
        return sum((amount for on, amount in self.payments if on <= day), ZERO)

    def billed_due_by(self, day: date) -> Decimal:
        """Everything billed with a due date on or before `day`, less waivers, voided or not."""
        return sum((i.amount - i.waived for i in self.invoices.values() if i.due_on <= day), ZERO)

    class TerminationRescinded(EnrollmentEvent):
        terminated_on: date
        payment_due_on: date
        paid_by_payment_date: Decimal
        owed_by_payment_date: Decimal

        def apply(self, e: Enrollment) -> None:
            if e.status == TERMINATED and e.end_reason == "non_payment":
                e.restore_coverage()

    class CancellationRescinded(EnrollmentEvent):
        binder_due_on: date
        paid_by_due_date: Decimal

        def apply(self, e: Enrollment) -> None:
            if e.status != CANCELLED:
                return
            e.status = PENDING_BINDER
            e.cancel_reason = None
            for invoice in e.invoices.values():
                invoice.voided = False  # owed again, paid from credit by a `CreditApplied`
            e.unrefund()

    def _correct_for_late_payment(self, on: date, policy: PolicyVersion) -> None:
        """A payment entered after decisions it would have changed (its date is earlier): the
        decision is corrected by a new event, never rewritten.

        - 12.12(3), (5): a termination for non-payment is rescinded when everything due by the
          notice's payment date had been received by that date;
        - 12.10(3): a cancellation for an unpaid binder is rescinded when the binder had been
          received by its due date, and the enrollment is effectuated as of that payment.
        """
        if (
            self.status == TERMINATED
            and self.end_reason == "non_payment"
            and self.payment_due_on is not None
            and self.terminated_on is not None
            and on <= self.payment_due_on
            and self.paid_by(self.payment_due_on) >= self.billed_due_by(self.payment_due_on)
        ):
            self.trigger_event(
                self.TerminationRescinded,
                on=on,
                effective_on=self.terminated_on,
                citation=rules.FA_TERMINATION
                if self.financially_assisted
                else rules.NON_FA_TERMINATION,
                policy_version=policy.version,
                terminated_on=self.terminated_on,
                payment_due_on=self.payment_due_on,
                paid_by_payment_date=self.paid_by(self.payment_due_on),
                owed_by_payment_date=self.billed_due_by(self.payment_due_on),
            )
            self._apply_credit(on, policy)
        elif (
            self.status == CANCELLED
            and self.cancel_reason == "binder_unpaid"
            and on <= self.binder_due_on
            and self.paid_by(self.binder_due_on) >= self.invoices[self.binder_month].amount
        ):
            self.trigger_event(
                self.CancellationRescinded,
                on=on,
                effective_on=self.binder_due_on,
                citation=rules.ENROLLMENT_EFFECTIVE,
                policy_version=policy.version,
                binder_due_on=self.binder_due_on,
                paid_by_due_date=self.paid_by(self.binder_due_on),
            )
            self._allocate_credit(on, policy)
            self._after_money_in(on, policy)

    def _after_money_in(self, on: date, policy: PolicyVersion) -> None:
        if self.status == PENDING_BINDER:
            binder = self.invoices[self.binder_month]
            if binder.outstanding == 0 and on <= self.binder_due_on:
                start = self.dependent_start_on or rules.coverage_start_for_payment(
                    on, self.binder_month, policy
                )
                self._effectuate(on, start, policy)
        elif self.status == DELINQUENT and self.past_due(on) == 0:
            self.trigger_event(
                self.DelinquencyCured,
                on=on,
                effective_on=on,
                citation=self._delinquency_citation(),
                policy_version=policy.version,
                first_unpaid_month=month_key(self.first_unpaid_month or on),
            )

    class CoverageEffectuated(EnrollmentEvent):
        start_on: date

        def apply(self, e: Enrollment) -> None:
            e.status = ACTIVE
            e.start_on = self.start_on
            start_month = self.start_on.replace(day=1)
            if start_month != e.binder_month:
                invoice = e.invoices.pop(e.binder_month)
                invoice.month = start_month
                e.invoices[start_month] = invoice
                e.binder_month = start_month

    def _effectuate(self, on: date, start_on: date, policy: PolicyVersion) -> None:
        """12.10(3): enrollment complete; coverage begins on `start_on`."""
        self.trigger_event(
            self.CoverageEffectuated,
            on=on,
            effective_on=start_on,
            citation=rules.ENROLLMENT_EFFECTIVE,
            policy_version=policy.version,
            start_on=start_on,
        )

    class EnrollmentCancelled(EnrollmentEvent):
        reason: str

        def apply(self, e: Enrollment) -> None:
            e.status = CANCELLED
            e.cancel_reason = self.reason
            e.void_months_after(None)

    class PaymentMissed(EnrollmentEvent):
        month: str
        due_on: date
        outstanding: Decimal
        first_unpaid_month: str
        consecutive_months: int
        notice_on: date | None

        def apply(self, e: Enrollment) -> None:
            e.invoices[date.fromisoformat(self.month + "-01")].checked = True
            e.status = DELINQUENT
            e.first_unpaid_month = date.fromisoformat(self.first_unpaid_month + "-01")
            e.missed_count = self.consecutive_months
            e.pending_notice_on = self.notice_on

    class DelinquencyNoticeIssued(EnrollmentEvent):
        notice_number: int
        payment_due_on: date | None
        outstanding: Decimal
        first_unpaid_month: str
        warns_of_termination: bool

        def apply(self, e: Enrollment) -> None:
            e.pending_notice_on = None
            e.notices.append(
                {
                    "on": self.on.isoformat(),
                    "notice_number": self.notice_number,
                    "payment_due_on": self.payment_due_on.isoformat()
                    if self.payment_due_on
                    else None,
                    "outstanding": str(self.outstanding),
                    "citation": self.citation,
                }
            )
            if self.payment_due_on is not None:
                e.payment_due_on = self.payment_due_on

    class DelinquencyCured(EnrollmentEvent):
        first_unpaid_month: str

        def apply(self, e: Enrollment) -> None:
            e.status = ACTIVE
            e.first_unpaid_month = None
            e.missed_count = 0
            e.notices = []
            e.pending_notice_on = None
            e.payment_due_on = None

    class CoverageTerminated(EnrollmentEvent):
        end_on: date
        reason: str
        first_unpaid_month: str
        reinstatement_deadline: date | None
        reinstatement_months: list[str]

        def apply(self, e: Enrollment) -> None:
            e.status = TERMINATED
            e.end_on = self.end_on
            e.end_reason = self.reason
            e.end_citation = self.citation
            e.terminated_on = self.on
            e.reinstatement_deadline = self.reinstatement_deadline
            e.reinstatement_months = [
                date.fromisoformat(m + "-01") for m in self.reinstatement_months
            ]
            e.reinstatable = self.reinstatement_deadline is not None
            e.pending_notice_on = None
            e.void_months_after(self.end_on)

    class ReinstatementWindowExpired(EnrollmentEvent):
        deadline: date

        def apply(self, e: Enrollment) -> None:
            e.reinstatable = False

    class ReinstatementDecided(EnrollmentEvent):
        granted: bool
        amount_required: Decimal
        amount_paid: Decimal
        months: list[str]
        reason: str

        def apply(self, e: Enrollment) -> None:
            if self.granted:
                e.restore_coverage()

    class VoluntaryTerminationRequested(EnrollmentEvent):
        end_on: date

        def apply(self, e: Enrollment) -> None:
            e.end_on = self.end_on
            e.end_reason = "voluntary"
            e.end_citation = self.citation
            e.void_months_after(self.end_on)

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
                e.end_on = self.end_on
                e.end_reason = "plan_year_ended"
                e.end_citation = self.citation

    class CoverageEnded(EnrollmentEvent):
        end_on: date
        reason: str

        def apply(self, e: Enrollment) -> None:
            e.ended = True
            e.status = (
                TERMINATED if e.start_on is not None and e.start_on <= self.end_on else CANCELLED
            )

    class EnrollmentRenewed(EnrollmentEvent):
        plan_year: int
        monthly_premium: Decimal
        plan_id: str
        program: str
        plan_type: str | None
        financially_assisted: bool

        def apply(self, e: Enrollment) -> None:
            e.premiums[self.plan_year] = self.monthly_premium
            e.renewed_years.add(self.plan_year)
            e.plan_id = self.plan_id
            e.program = self.program
            e.plan_type = self.plan_type
            e.financially_assisted = self.financially_assisted

    # ---- commands ----------------------------------------------------------------------------

    def request_reinstatement(self, on: date, policy: PolicyVersion) -> None:
        """12.12(6): within the window, with every month through the notice's month and the next
        month paid, coverage is restored without a gap; otherwise refused with the amount."""
        self.advance(on, policy)
        if self.status != TERMINATED or self.end_reason != "non_payment":
            raise InvalidCommand(
                "only an enrollment terminated for non-payment can be reinstated (956 CMR 12.12(6))",
                "invalid_state",
            )
        required = self.reinstatement_total()
        available = required - self.reinstatement_outstanding()
        granted = self.reinstatable and self.reinstatement_outstanding() == 0
        if not self.reinstatable:
            reason = "the reinstatement window has closed"
        elif granted:
            reason = "all outstanding premiums and the next month's premium are paid"
        else:
            reason = "the payments received do not cover the amount required"
        self.trigger_event(
            self.ReinstatementDecided,
            on=on,
            effective_on=plus_days(self.end_on or on, 1) if granted else on,
            citation=rules.REINSTATEMENT,
            policy_version=policy.version,
            granted=granted,
            amount_required=required,
            amount_paid=available,
            months=[month_key(m) for m in self.reinstatement_months],
            reason=reason,
        )
        if granted:
            for month in self.reinstatement_months:
                if month not in self.invoices:
                    self._issue_invoice(month, on, on, "monthly", policy)
            self._apply_credit(on, policy)

    def _apply_credit(self, on: date, policy: PolicyVersion) -> None:
        if self.credit > 0:
            self._allocate_credit(on, policy)

    class CreditApplied(EnrollmentEvent):
        allocations: list[dict[str, str]]

        def apply(self, e: Enrollment) -> None:
            for allocation in self.allocations:
                invoice = e.invoices.get(date.fromisoformat(allocation["month"] + "-01"))
                if invoice is None or invoice.voided:
                    continue  # not owed at this point of a fold by business date: still credit
                amount = Decimal(allocation["amount"])
                invoice.paid += amount
                e.credit -= amount

    def _allocate_credit(self, on: date, policy: PolicyVersion) -> None:
        remaining = self.credit
        allocations: list[dict[str, str]] = []
        for month in sorted(self.invoices):
            owed = self.invoices[month].outstanding
            if owed > 0 and remaining > 0:
                share = min(owed, remaining)
                allocations.append({"month": month_key(month), "amount": str(share)})
                remaining -= share
        if allocations:
            self.trigger_event(
                self.CreditApplied,
                on=on,
                effective_on=on,
                citation=rules.PREMIUMS_DUE,
                policy_version=policy.version,
                allocations=allocations,
            )

    class RefundDue(EnrollmentEvent):
        """The member's credit on an enrollment ended for good, now an amount due back to them
        (for downstream billing to pay out)."""

        amount: Decimal
        reason: str

        def apply(self, e: Enrollment) -> None:
            e.credit -= self.amount
            e.refund_due += self.amount

    def _refund_credit(self, on: date, policy: PolicyVersion, reason: str) -> None:
        """12.12(1): premiums are owed for months of coverage. Once the enrollment has ended for
        good, the credit first pays what is still owed for covered months; the rest is due back.
        `reason`: `coverage_ended`, `cancelled`, `reinstatement_window_expired`,
        `received_after_end` or `waived_after_end`."""
        if not self.closed:
            return
        self._apply_credit(on, policy)
        if self.credit > 0:
            self.trigger_event(
                self.RefundDue,
                on=on,
                effective_on=on,
                citation=rules.PREMIUMS_DUE,
                policy_version=policy.version,
                amount=self.credit,
                reason=reason,
            )

    def request_termination(self, on: date, policy: PolicyVersion) -> None:
        """12.10(8): the enrollee's own request."""
        self.advance(on, policy)
        if self.status in (TERMINATED, CANCELLED) or self.ended:
            raise InvalidCommand("the enrollment has already ended", "invalid_state")
        end_on = rules.voluntary_end_on(on, policy)
        if self.status == PENDING_BINDER or (self.start_on is not None and self.start_on > end_on):
            self.trigger_event(
                self.EnrollmentCancelled,
                on=on,
                effective_on=on,
                citation=rules.VOLUNTARY_TERMINATION,
                policy_version=policy.version,
                reason="voluntary_before_coverage_began",
            )
            self._refund_credit(on, policy, "cancelled")
            return
        if self.end_on is not None and self.end_on <= end_on:
            raise InvalidCommand(
                f"coverage already ends on {self.end_on.isoformat()}", "invalid_state"
            )
        self.trigger_event(
            self.VoluntaryTerminationRequested,
            on=on,
            effective_on=end_on,
            citation=rules.VOLUNTARY_TERMINATION,
            policy_version=policy.version,
            end_on=end_on,
        )

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
        """12.07(1), 12.12(8)(b): coverage continues into the plan year at its premium, on the
        program and plan type of that year's determination."""
        self.advance(on, policy)
        if self.status in (TERMINATED, CANCELLED) or self.ended:
            raise InvalidCommand("the enrollment has ended and cannot be renewed", "invalid_state")
        if plan_year in self.renewed_years:
            raise InvalidCommand(f"already renewed for plan year {plan_year}", "invalid_state")
        if plan_year - 1 in self.plan_year_end_decided or plan_year - 1 not in self.renewed_years:
            raise InvalidCommand(
                f"plan year {plan_year} cannot be renewed: coverage ends before it", "invalid_state"
            )
        self.trigger_event(
            self.EnrollmentRenewed,
            on=on,
            effective_on=date(plan_year, 1, 1),
            citation=rules.PLAN_YEAR_RENEWAL,
            policy_version=policy.version,
            plan_year=plan_year,
            monthly_premium=monthly_premium,
            plan_id=plan_id or self.plan_id,
            program=program,
            plan_type=plan_type,
            financially_assisted=rules.is_financially_assisted(
                self.coverage, program, self.aptc_applied
            ),
        )

    class ReplacedByEnrollment(EnrollmentEvent):
        replacement_enrollment_id: str
        end_on: date

        def apply(self, e: Enrollment) -> None:
            e.end_on = self.end_on
            e.end_reason = "plan_change"
            e.end_citation = self.citation
            e.void_months_after(self.end_on)

    def replace_with(
        self, on: date, replacement_id: str, starts_on: date, policy: PolicyVersion
    ) -> None:
        """12.10(1): a transfer to another plan in an enrollment period ends this enrollment the
        day before the new one begins, so coverage continues without a gap."""
        end_on = plus_days(starts_on, -1)
        self.trigger_event(
            self.ReplacedByEnrollment,
            on=on,
            effective_on=end_on,
            citation="956 CMR 12.10(1)",
            policy_version=policy.version,
            replacement_enrollment_id=replacement_id,
            end_on=end_on,
        )

    def covers_after(self, day: date) -> bool:
        """Whether this enrollment's coverage (begun or paid for) reaches `day` or later."""
        if self.status in (CANCELLED, PENDING_BINDER) or self.ended or self.start_on is None:
            return False
        if self.status == TERMINATED:
            return False
        return self.end_on is None or self.end_on >= day

    # ---- hardship waivers (12.12(7)) ---------------------------------------------------------

    class HardshipWaiverRequested(EnrollmentEvent):
        """Version 2: `grounds` is a list of codes, `grounds_clauses` their clauses (version 1
        held one code and its `grounds_clause`)."""

        class_version = 2
        request_id: str
        grounds: list[str]
        grounds_clauses: list[str]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["grounds"] = [state["grounds"]]
            state["grounds_clauses"] = [state.pop("grounds_clause")]

        def apply(self, e: Enrollment) -> None:
            e.waiver_requests[self.request_id] = {"grounds": self.grounds, "decision": None}

    def request_hardship_waiver(self, on: date, grounds: list[str], policy: PolicyVersion) -> str:
        """12.12(7)(a): the request as received (one ground or several), with the clause each
        ground falls under. The premium stays due while it is pending (12.12(7)(c))."""
        clauses = waiver_rules.grounds_clauses(grounds)
        self.advance(on, policy)
        request_id = f"{self.enrollment_id}#waiver-{len(self.waiver_requests) + 1}"
        self.trigger_event(
            self.HardshipWaiverRequested,
            on=on,
            effective_on=on,
            citation=waiver_rules.grounds_citation(clauses),
            policy_version=policy.version,
            request_id=request_id,
            grounds=list(grounds),
            grounds_clauses=clauses,
        )
        return request_id

    class HardshipWaiverDecided(EnrollmentEvent):
        request_id: str
        decision: str
        first_month: str | None
        months: int
        last_month: str | None
        waived_by_month: list[dict[str, str]]
        to_credit: Decimal

        def apply(self, e: Enrollment) -> None:
            e.waiver_requests[self.request_id]["decision"] = self.decision
            for entry in self.waived_by_month:
                month = date.fromisoformat(entry["month"] + "-01")
                portion = Decimal(entry["amount"])
                e.waived_months[month] = portion
                invoice = e.invoices.get(month)
                if invoice is not None:
                    invoice.waived = min(portion, invoice.amount)
                    excess = invoice.paid + invoice.waived - invoice.amount
                    if excess > 0:
                        # what was paid on the waived portion goes back to credit (`to_credit`
                        # is their sum when decided; a fold by business date moves what it holds)
                        invoice.paid -= excess
                        e.credit += excess
            if self.decision == "granted" and self.last_month is not None:
                e.waiver_ends_on = add_months(date.fromisoformat(self.last_month + "-01"), 1)

    def decide_hardship_waiver(
        self,
        on: date,
        request_id: str | None,
        decision: str,
        first_month: date,
        months: int,
        policy: PolicyVersion,
    ) -> None:
        """12.12(7)(b)-(f), 12.16(3)(c): a grant waives, for up to 12 months (possibly
        retroactive), only the portion of premium equal to the plan type's minimum premium."""
        refusal = waiver_rules.waiver_refusal(self.program, self.coverage)
        if refusal is not None:
            raise InvalidCommand(
                f"this enrollment's premiums are not eligible for a hardship waiver ({refusal})",
                "waiver_not_available",
            )
        pending = [r for r, v in self.waiver_requests.items() if v["decision"] is None]
        if request_id is None:
            if not pending:
                raise InvalidCommand("no pending hardship waiver request", "no_pending_request")
            request_id = pending[-1]
        elif request_id not in pending:
            raise InvalidCommand(
                f"no pending hardship waiver request {request_id!r}", "no_pending_request"
            )
        self.advance(on, policy)
        waived: list[dict[str, str]] = []
        to_credit = ZERO
        last: date | None = None
        if decision == "granted":
            waiver_rules.check_waiver_months(months, policy, on)
            for month in waiver_rules.waiver_months(first_of_month(first_month), months):
                portion = waiver_rules.waivable_portion(
                    self.premium_for(month),
                    self.plan_type or "",
                    month.year,
                    policy,
                    members=len(self.member_ids),
                )
                waived.append({"month": month_key(month), "amount": str(portion)})
                invoice = self.invoices.get(month)
                if invoice is not None:
                    to_credit += max(
                        invoice.paid + min(portion, invoice.amount) - invoice.amount, ZERO
                    )
                last = month
        self.trigger_event(
            self.HardshipWaiverDecided,
            on=on,
            effective_on=first_of_month(first_month),
            citation=waiver_rules.MINIMUM_PREMIUM_PORTION
            if decision == "granted"
            else waiver_rules.EXTREME_FINANCIAL_HARDSHIP,
            policy_version=policy.version,
            request_id=request_id,
            decision=decision,
            first_month=month_key(first_month) if decision == "granted" else None,
            months=months if decision == "granted" else 0,
            last_month=month_key(last) if last else None,
            waived_by_month=waived,
            to_credit=to_credit,
        )
        if decision == "granted":
            self._apply_credit(on, policy)
            self._after_money_in(on, policy)
            self._refund_credit(on, policy, "waived_after_end")

    class HardshipWaiverEnded(EnrollmentEvent):
        ended_on: date

        def apply(self, e: Enrollment) -> None:
            e.waiver_ends_on = None

    def _end_waiver(self, at: date, policy: PolicyVersion) -> None:
        """12.12(7)(d)-(e), 12.10(1)(f): the waiver period has ended."""
        assert self.waiver_ends_on is not None
        self.trigger_event(
            self.HardshipWaiverEnded,
            on=at,
            effective_on=self.waiver_ends_on,
            citation=waiver_rules.WAIVER_LENGTH,
            policy_version=policy.version,
            ended_on=self.waiver_ends_on,
        )

    # ---- the schedule ------------------------------------------------------------------------

    def advance(
        self, through: date, policy_for: PolicyVersion | Callable[[date], PolicyVersion]
    ) -> None:
        """Record every time-driven decision due up to and including `through`."""

        def resolve(day: date) -> PolicyVersion:
            return policy_for(day) if callable(policy_for) else policy_for

        while True:
            milestone = self._next_milestone(resolve(self.horizon))
            if milestone is None or milestone.on > through:
                break
            at = max(milestone.on, self.horizon)
            milestone.action(at, resolve(at))
        if through > self.horizon:
            self.horizon = through

    def take_late_decisions(
        self, schedule_through: date, policy_for: Callable[[date], PolicyVersion]
    ) -> None:
        """Issue 15, the two clocks: `schedule_through` is the date the schedule has been run
        through store-wide, so every decision due by then has been taken. A decision still due
        by then was made due by a fact entered after that run (a late binder or payment
        rescinding a cancellation or a termination, a late selection, a waiver decided late):
        it is taken now, as of `schedule_through`, never back-dated (an invoice issued that day,
        a notice dated that day and its payment date counted from it). Later decisions keep
        their own dates. Deterministic: `schedule_through` is a function of the commands."""
        if schedule_through > self.horizon:
            self.horizon = schedule_through
        self.advance(schedule_through, policy_for)

    def next_due_on(self, policy: PolicyVersion) -> date | None:
        """The next date on which a time-driven decision falls due (the schedule index)."""
        milestone = self._next_milestone(policy)
        return None if milestone is None else max(milestone.on, self.horizon)

    def _next_milestone(self, policy: PolicyVersion) -> Milestone | None:
        candidates: list[Milestone] = []
        if self.status == CANCELLED or self.ended:
            return None
        if self.status == PENDING_BINDER:
            candidates.append(Milestone(plus_days(self.binder_due_on, 1), 0, self._cancel_unpaid))
        if (
            self.end_on is not None
            and self.end_reason in ("voluntary", "plan_year_ended", "plan_change")
            and self.status in (ACTIVE, DELINQUENT)
        ):
            candidates.append(Milestone(plus_days(self.end_on, 1), 9, self._end_coverage))
        if self.status in (ACTIVE, DELINQUENT):
            for invoice in sorted(self.invoices.values(), key=lambda i: i.month):
                if not invoice.checked and not invoice.voided and invoice.kind == "monthly":
                    candidates.append(Milestone(plus_days(invoice.due_on, 1), 2, self._check_due))
                    break
            if self.pending_notice_on is not None:
                candidates.append(Milestone(self.pending_notice_on, 3, self._issue_notice))
            if self.payment_due_on is not None:
                candidates.append(Milestone(plus_days(self.payment_due_on, 1), 4, self._terminate))
            upcoming = self._next_invoice_month()
            if upcoming is not None:
                issue_on, _due = rules.invoice_dates(upcoming, policy)
                if upcoming.year not in self.renewed_years:
                    if upcoming.year - 1 not in self.plan_year_end_decided:
                        candidates.append(Milestone(issue_on, 1, self._end_plan_year))
                else:
                    candidates.append(Milestone(issue_on, 1, self._issue_next_invoice))
        if self.waiver_ends_on is not None and self.status in (ACTIVE, DELINQUENT):
            candidates.append(Milestone(self.waiver_ends_on, 6, self._end_waiver))
        if self.status == TERMINATED and self.reinstatable and self.reinstatement_deadline:
            candidates.append(
                Milestone(plus_days(self.reinstatement_deadline, 1), 5, self._expire_window)
            )
        if not candidates:
            return None
        return min(candidates, key=lambda m: (m.on, m.rank))

    def _next_invoice_month(self) -> date | None:
        if self.start_on is None:
            return None
        month = add_months(max(self.invoices), 1) if self.invoices else self.start_on
        if self.end_on is not None and month > self.end_on:
            return None
        return month

    def _cancel_unpaid(self, at: date, policy: PolicyVersion) -> None:
        """12.10(3): "shall not be enrolled in coverage" — an unpaid binder cancels the selection."""
        self.trigger_event(
            self.EnrollmentCancelled,
            on=at,
            effective_on=self.binder_due_on,
            citation=rules.ENROLLMENT_EFFECTIVE,
            policy_version=policy.version,
            reason="binder_unpaid",
        )
        self._refund_credit(at, policy, "cancelled")

    def _issue_next_invoice(self, at: date, policy: PolicyVersion) -> None:
        month = self._next_invoice_month()
        assert month is not None
        _issue, due = rules.invoice_dates(month, policy)
        self._issue_invoice(month, at, max(due, at), "monthly", policy)

    def _end_plan_year(self, at: date, policy: PolicyVersion) -> None:
        """Contract: an enrollment not renewed by the day January's invoice is issued ends on
        31 December of its plan year (12.07(1): eligibility and enrollment are renewed yearly)."""
        month = self._next_invoice_month()
        assert month is not None
        self.trigger_event(
            self.PlanYearEnded,
            on=at,
            effective_on=last_day_of_month(add_months(month, -1)),
            citation=rules.PLAN_YEAR_RENEWAL,
            policy_version=policy.version,
            plan_year=add_months(month, -1).year,
            end_on=last_day_of_month(add_months(month, -1)),
        )

    def _check_due(self, at: date, policy: PolicyVersion) -> None:
        """12.12(2), (4): a monthly premium not paid in full by its due date makes the account
        delinquent."""
        invoice = next(
            i
            for i in sorted(self.invoices.values(), key=lambda i: i.month)
            if not i.checked and not i.voided and i.kind == "monthly"
        )
        if invoice.outstanding == 0:
            invoice.checked = True  # paid in time: nothing to record
            return
        first_unpaid = self.first_unpaid_month or self._oldest_unpaid_month()
        consecutive = self.missed_count + 1 if self.status == DELINQUENT else 1
        # Once a notice has given a payment date for all outstanding premium (12.12(2), (4)),
        # further missed months fall under it: no new notice (the FAQ's two notices).
        notice_on = (
            None
            if self.payment_due_on is not None
            else rules.delinquency_notice_on(invoice.due_on, policy)
        )
        self.trigger_event(
            self.PaymentMissed,
            on=at,
            effective_on=invoice.due_on,
            citation=self._delinquency_citation(),
            policy_version=policy.version,
            month=month_key(invoice.month),
            due_on=invoice.due_on,
            outstanding=invoice.outstanding,
            first_unpaid_month=month_key(first_unpaid),
            consecutive_months=consecutive,
            notice_on=notice_on,
        )

    def _issue_notice(self, at: date, policy: PolicyVersion) -> None:
        """12.12(2) without FA: the first notice gives the payment date; 12.12(4) with FA: the
        notice after two consecutive delinquent months gives it."""
        threshold = (
            policy.fa_delinquent_months_before_termination.at(at)
            if self.financially_assisted
            else 1
        )
        warns = self.missed_count >= threshold and self.payment_due_on is None
        payment_due = rules.delinquency_payment_due_on(at, policy) if warns else None
        self.trigger_event(
            self.DelinquencyNoticeIssued,
            on=at,
            effective_on=at,
            citation=self._delinquency_citation(),
            policy_version=policy.version,
            notice_number=len(self.notices) + 1,
            payment_due_on=payment_due,
            outstanding=self.past_due(at),
            first_unpaid_month=month_key(self.first_unpaid_month or at),
            warns_of_termination=warns,
        )

    def _terminate(self, at: date, policy: PolicyVersion) -> None:
        """12.12(3) / 12.12(5): all outstanding premium not paid by the notice's payment date."""
        assert self.first_unpaid_month is not None
        first_unpaid = self.first_unpaid_month
        if not self.financially_assisted:
            # 12.12(3): judged at the payment date, after the payments received by then
            first_unpaid = (
                rules.first_month_not_paid_in_full(
                    [(m, i.outstanding) for m, i in sorted(self.invoices.items()) if not i.voided]
                )
                or first_unpaid
            )
        end_on = rules.termination_end_on(first_unpaid, self.financially_assisted)
        if self.end_on is not None and self.end_on < end_on:
            end_on = self.end_on  # an earlier end (voluntary, plan year) stands
        deadline = rules.reinstatement_deadline(at, policy)
        months = rules.reinstatement_months(first_unpaid, at)
        self.trigger_event(
            self.CoverageTerminated,
            on=at,
            effective_on=end_on,
            citation=rules.FA_TERMINATION
            if self.financially_assisted
            else rules.NON_FA_TERMINATION,
            policy_version=policy.version,
            end_on=end_on,
            reason="non_payment",
            first_unpaid_month=month_key(first_unpaid),
            reinstatement_deadline=deadline,
            reinstatement_months=[month_key(m) for m in months],
        )

    def _expire_window(self, at: date, policy: PolicyVersion) -> None:
        self.trigger_event(
            self.ReinstatementWindowExpired,
            on=at,
            effective_on=at,
            citation=rules.REINSTATEMENT,
            policy_version=policy.version,
            deadline=self.reinstatement_deadline,
        )
        self._refund_credit(at, policy, "reinstatement_window_expired")

    def _end_coverage(self, at: date, policy: PolicyVersion) -> None:
        assert self.end_on is not None
        self.trigger_event(
            self.CoverageEnded,
            on=at,
            effective_on=self.end_on,
            citation=self.end_citation,
            policy_version=policy.version,
            end_on=self.end_on,
            reason=self.end_reason or "ended",
        )
        self._refund_credit(at, policy, "coverage_ended")

    def fold_in(self, event: Any) -> None:
        """Apply a recorded event to this state as a fold does (no contiguous-version check)."""
        event.apply(self)
        if event.on > self.horizon:
            self.horizon = event.on
        self.version = event.originator_version

    def restore_coverage(self) -> None:
        """Undo a termination for non-payment (a reinstatement, or a rescission): coverage
        continues with no gap and the months after the old end are owed again."""
        self.status = ACTIVE
        self.end_on = None
        self.end_reason = None
        self.end_citation = None
        self.reinstatable = False
        self.reinstatement_deadline = None
        self.terminated_on = None
        self.first_unpaid_month = None
        self.missed_count = 0
        self.notices = []
        self.payment_due_on = None
        self.pending_notice_on = None
        for invoice in self.invoices.values():
            invoice.voided = False  # owed again, paid from credit by a `CreditApplied`
        self.unrefund()

    def void_months_after(self, end_on: date | None) -> None:
        """The invoices of months after `end_on` (every invoice when None) are no longer owed:
        what was paid on them goes back to the member's credit."""
        for month, invoice in self.invoices.items():
            if (end_on is None or month > end_on) and not invoice.voided:
                invoice.voided = True
                self.credit += invoice.paid
                invoice.paid = ZERO

    def unrefund(self) -> None:
        """An end undone (a rescission, a reinstatement): what was due back is credit again."""
        self.credit += self.refund_due
        self.refund_due = ZERO

    # ---- reading state -----------------------------------------------------------------------

    def money_account(self) -> MoneyAccount:
        """Where the money received is; `.conserved` is the ledger's invariant (contract:
        payments = paid on months still owed + credit + refund due)."""
        return MoneyAccount(
            received=sum((amount for _on, amount in self.payments), ZERO),
            paid_on_months_owed=sum((i.paid for i in self.invoices.values() if not i.voided), ZERO),
            credit=self.credit,
            refund_due=self.refund_due,
        )

    @property
    def closed(self) -> bool:
        """Ended for good: coverage ended, cancelled, or terminated and no longer reinstatable.
        Nothing more can be billed, so money held for the member is due back to them."""
        return (
            self.ended
            or self.status == CANCELLED
            or (self.status == TERMINATED and not self.reinstatable)
        )

    def premium_for(self, month: date) -> Decimal:
        return self.premiums.get(month.year, self.premiums[max(self.premiums)])

    def past_due(self, on: date) -> Decimal:
        """Everything billed and due before `on` that is not yet paid."""
        return sum((i.outstanding for i in self.invoices.values() if i.due_on < on), ZERO)

    def _oldest_unpaid_month(self) -> date:
        return min(m for m, i in self.invoices.items() if i.outstanding > 0)

    def reinstatement_total(self) -> Decimal:
        """12.12(6): the premiums of every month of the reinstatement (less any waived)."""
        total = ZERO
        for month in self.reinstatement_months:
            invoice = self.invoices.get(month)
            total += self.premium_for(month) if invoice is None else invoice.amount - invoice.waived
        return total

    def reinstatement_outstanding(self) -> Decimal:
        """What is still to pay to reinstate: the total less what was paid on those months and
        the credit held (payments during the window count)."""
        paid = sum(
            (self.invoices[m].paid for m in self.reinstatement_months if m in self.invoices), ZERO
        )
        return max(self.reinstatement_total() - paid - self.credit, ZERO)

    def _delinquency_citation(self) -> str:
        if self.financially_assisted:
            return rules.FA_DELINQUENT
        return rules.DENTAL_NO_APTC if self.coverage == "dental" else rules.NON_FA_DELINQUENT


def replay(events: list[Any]) -> Enrollment | None:
    """Fold a subset of an enrollment's events (e.g. those known at an instant, or dated by a
    day) into its state, without the library's contiguous-version check."""
    if not events:
        return None
    enrollment: Enrollment = events[0].mutate(None)
    for event in events[1:]:
        enrollment.fold_in(event)
    return enrollment
