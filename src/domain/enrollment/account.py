"""What an individual enrollment and a small group's enrollment share, as a base of both
aggregates: how an event of theirs is recorded (`_decide`), how a recorded event is folded into
their state, when they are closed for good, and their schedule.

Time-driven decisions are taken by `advance(through)`, one milestone at a time in date order, so
advancing once to a date or day by day to it records the same decisions. A decision for day X
looks only at facts dated before X; a command dated d first advances through d, then records its
fact and the decisions the fact itself triggers (effectuation, cure, reinstatement). A decision
that a late fact makes due on or before the date the schedule has already been run through is
taken as of that date, never back-dated (`take_late_decisions`). Each aggregate names its own
schedule (`enrollment/schedule.py`, `group_enrollment/schedule.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from ..errors import InvalidCommand
from ..money import ZERO
from ..parameters import PolicyVersion
from . import billing, delinquency
from .billing import Invoice, MoneyAccount
from .shared import EndReason, EnrollmentEvent, RefundReason, Status

if TYPE_CHECKING:
    from eventsourcing.domain import Aggregate as _Base
else:
    _Base = object


class Schedule(Protocol):
    """A schedule module: its time-driven decisions for one kind of aggregate."""

    def advance(
        self, e: Any, through: date, policy_for: PolicyVersion | Callable[[date], PolicyVersion]
    ) -> None: ...

    def take_late_decisions(
        self, e: Any, schedule_through: date, policy_for: Callable[[date], PolicyVersion]
    ) -> None: ...

    def next_due_on(self, e: Any, policy: PolicyVersion) -> date | None: ...


class CoverageSection(Protocol):
    """A coverage module: when a binder paid completes enrollment, for one kind of aggregate."""

    def effectuate_if_binder_paid(self, e: Any, on: date, policy: PolicyVersion) -> None: ...

    def rescind_cancellation_paid_in_time(
        self, e: Any, on: date, policy: PolicyVersion
    ) -> None: ...


class Billed(delinquency.Delinquent, Protocol):
    """What the shared payment path reads of an aggregate: billed and kept delinquent by
    `billing` and `delinquency`, with its own coverage section and schedule."""

    coverage_section: ClassVar[CoverageSection]
    described: ClassVar[str]

    def advance(
        self, through: date, policy_for: PolicyVersion | Callable[[date], PolicyVersion]
    ) -> None: ...


class BilledEnrollment(_Base):
    """The base of `Enrollment` and `GroupEnrollment` (before the library's `Aggregate`)."""

    schedule: ClassVar[Schedule]
    coverage_section: ClassVar[CoverageSection]
    described: ClassVar[str]
    """How a refusal names the aggregate ("an enrollment", "a group enrollment")."""
    status: Status
    ended: bool
    reinstatable: bool
    horizon: date

    def _open_account(self, on: date) -> None:
        """The state billing and delinquency keep, as a selection opens it (`on` its date)."""
        self.status = Status.PENDING_BINDER
        self.start_on: date | None = None
        self.end_on: date | None = None
        # codes held as recorded: an `EndReason`, a `CancelReason` (or their plain strings)
        self.end_reason: str | None = None
        self.end_citation: str | None = None
        self.ended = False
        self.cancel_reason: str | None = None
        self.invoices: dict[date, Invoice] = {}
        self.credit = ZERO
        self.refund_due = ZERO
        # what may be recouped from the enrollee after a termination for fraud (12.10(7))
        self.recoupment_due = ZERO
        self.references: set[str] = set()
        self.payments: list[tuple[date, Decimal]] = []
        # the minimum-premium portions waived by hardship waivers (12.12(7)), by month
        self.waived_months: dict[date, Decimal] = {}
        self.horizon = on
        # delinquency episode (12.12(2)-(4), (11))
        self.first_unpaid_month: date | None = None
        self.missed_count = 0
        self.notices: list[dict[str, Any]] = []
        self.pending_notice_on: date | None = None
        self.payment_due_on: date | None = None
        # termination for non-payment and reinstatement (12.12(5)-(6), (12)-(13))
        self.terminated_on: date | None = None
        self.reinstatement_deadline: date | None = None
        self.reinstatement_months: list[date] = []
        self.reinstatable = False
        # the credit held toward reinstatement when its window closed (then due back)
        self.held_at_window_close = ZERO

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

    # ---- money in ------------------------------------------------------------------------------

    def record_payment(
        self: Billed, on: date, amount: Decimal, reference: str, policy: PolicyVersion
    ) -> bool:
        """12.12(1) (12.11(1) for a small group): a payment, applied to the oldest amount owed;
        the rest is held as credit. Returns False (recording nothing) for a reference already
        recorded. A payment entered after decisions it would have changed (its date is earlier)
        corrects them by new events: a termination or a cancellation it shows was paid in time
        is rescinded."""
        if reference in self.references:
            return False
        self.advance(on, policy)
        billing.record_payment(self, on, amount, reference, policy)
        after_money_in(self, on, policy)
        delinquency.rescind_termination_paid_in_time(self, on, policy)
        self.coverage_section.rescind_cancellation_paid_in_time(self, on, policy)
        billing.refund_credit(self, on, policy, RefundReason.RECEIVED_AFTER_END)
        return True

    def request_reinstatement(self: Billed, on: date, policy: PolicyVersion) -> None:
        """12.12(6) (12.12(13) for a small group): granted or refused, under the aggregate's
        premium terms (`delinquency.decide_reinstatement`)."""
        self.advance(on, policy)
        if self.status != Status.TERMINATED or self.end_reason != EndReason.NON_PAYMENT:
            raise InvalidCommand(
                f"only {self.described} terminated for non-payment can be reinstated "
                f"({self.premium_terms().reinstatement})",
                "invalid_state",
            )
        delinquency.decide_reinstatement(self, on, policy)

    def money_account(self: Billed) -> MoneyAccount:
        return billing.money_account(self)

    def reinstatement_outstanding(self: Billed) -> Decimal:
        return delinquency.reinstatement_outstanding(self)

    # ---- the schedule ------------------------------------------------------------------------

    def advance(
        self, through: date, policy_for: PolicyVersion | Callable[[date], PolicyVersion]
    ) -> None:
        """Record every time-driven decision due up to and including `through`."""
        self.schedule.advance(self, through, policy_for)

    def take_late_decisions(
        self, schedule_through: date, policy_for: Callable[[date], PolicyVersion]
    ) -> None:
        """Take the decisions a fact entered late made due by the date the schedule has been
        run through store-wide, as of that date."""
        self.schedule.take_late_decisions(self, schedule_through, policy_for)

    def next_due_on(self, policy: PolicyVersion) -> date | None:
        """The next date on which a time-driven decision falls due (the schedule index)."""
        return self.schedule.next_due_on(self, policy)

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


def after_money_in(e: Billed, on: date, policy: PolicyVersion) -> None:
    """Money in (a payment, a waiver): a binder paid in time effectuates (12.10(3), 12.11(2)); a
    delinquency paid off is cured (12.12(2), (4), (11))."""
    e.coverage_section.effectuate_if_binder_paid(e, on, policy)
    delinquency.cure_if_paid(e, on, policy)
