"""What every section of the enrollment shares: its named codes and the base of its events.

The codes are `StrEnum`s: a member is its string (`Status.ACTIVE == "active"`), so the events
recorded with them, and the read models that show them, hold the same plain strings as ever. State
folded from stored events may hold the plain string itself: compare, never test the type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, Any

from ..events import LedgerEvent
from ..rules import premiums as rules

if TYPE_CHECKING:
    from ..parameters import PolicyVersion


class Status(StrEnum):
    """Where an enrollment stands."""

    PENDING_BINDER = "pending_binder"  # selected, binder not paid yet (12.10(2))
    ACTIVE = "active"
    DELINQUENT = "delinquent"  # a monthly premium missed (12.12(2), (4))
    TERMINATED = "terminated"  # coverage began and has ended
    CANCELLED = "cancelled"  # ended before coverage began


class InvoiceKind(StrEnum):
    BINDER = "binder"  # the first month's premium, paid to complete enrollment (12.10(2))
    MONTHLY = "monthly"  # every later month's (12.12(1))


class EndReason(StrEnum):
    """Why coverage ends (or ended) on the enrollment's `end_on`."""

    NON_PAYMENT = "non_payment"
    VOLUNTARY = "voluntary"
    PLAN_YEAR_ENDED = "plan_year_ended"
    PLAN_CHANGE = "plan_change"
    FRAUD = "fraud"  # 12.10(5)(a)
    INELIGIBLE = "ineligible"  # no covered member left eligible (12.10(5)(c), 12.16(1)(a))
    DEATH = "death"  # the last covered member died (12.10(5)(c))
    COVERAGE_YEAR_ENDED = "coverage_year_ended"  # a small group not renewed (12.04(4)(b))


ENDS_ON_ITS_DATE = (
    EndReason.VOLUNTARY,
    EndReason.PLAN_YEAR_ENDED,
    EndReason.PLAN_CHANGE,
    EndReason.INELIGIBLE,
    EndReason.DEATH,
    EndReason.COVERAGE_YEAR_ENDED,
)
"""Ends known ahead, taken by the schedule the day after `end_on` (a termination for non-payment
is decided after the day it ends on, retroactively)."""


class CancelReason(StrEnum):
    BINDER_UNPAID = "binder_unpaid"
    VOLUNTARY_BEFORE_COVERAGE_BEGAN = "voluntary_before_coverage_began"
    INELIGIBLE = "ineligible"  # every member lost eligibility before coverage began
    DEATH = "death"  # every member died before coverage began


class RefundReason(StrEnum):
    COVERAGE_ENDED = "coverage_ended"
    CANCELLED = "cancelled"
    REINSTATEMENT_WINDOW_EXPIRED = "reinstatement_window_expired"
    RECEIVED_AFTER_END = "received_after_end"
    WAIVED_AFTER_END = "waived_after_end"
    TERMINATED_FOR_FRAUD = "terminated_for_fraud"


class WaiverDecision(StrEnum):
    GRANTED = "granted"
    DENIED = "denied"


class EnrollmentEvent(LedgerEvent):
    """An enrollment event: also moves the enrollment's horizon to its business date.

    Each section module defines its events and how each changes the state (`apply`); the
    `Enrollment` class adopts them, and the library redefines every event class named in an
    aggregate's body under the aggregate's module and qualname. So an event is recorded as the
    enrollment's own (`e.PaymentMissed`), whose stored topic is
    `enrollment_ledger.domain.enrollment:Enrollment.PaymentMissed` whichever module defines it.
    """

    def mutate(self, aggregate: Any) -> Any:
        enrollment = super().mutate(aggregate)
        if enrollment is not None and self.on > enrollment.horizon:
            enrollment.horizon = self.on
        return enrollment


@dataclass(frozen=True)
class PremiumTerms:
    """The rules an aggregate's premiums are kept by, as `billing` and `delinquency` apply them:
    the clause each decision rests on, how many consecutive delinquent months it takes before a
    notice of delinquency gives the payment date, and the last day to ask for reinstatement
    after a termination decided on a day. An individual enrollment's depend on its financial
    assistance and coverage (12.10(2), 12.12(1)-(6), 12.16(3)(b)); a small group's are
    12.11(1), 12.12(1), (11)-(13). One billing and one delinquency, two programs."""

    binder: str
    premiums_due: str
    delinquency: str
    termination: str
    reinstatement: str
    months_before_payment_date: Callable[[date, PolicyVersion], int]
    reinstatement_deadline: Callable[[date, PolicyVersion], date]


def individual_premium_terms(financially_assisted: bool, coverage: str) -> PremiumTerms:
    """12.10(2), 12.12(1)-(6), 12.16(3)(b): an individual's premium rules, which depend on
    financial assistance (and, for a dental plan, on APTC applied to it)."""
    return PremiumTerms(
        binder=rules.BINDER,
        premiums_due=rules.PREMIUMS_DUE,
        delinquency=rules.delinquency_citation(financially_assisted, coverage),
        termination=rules.termination_citation(financially_assisted),
        reinstatement=rules.REINSTATEMENT,
        months_before_payment_date=partial(
            rules.delinquent_months_before_payment_date, financially_assisted
        ),
        reinstatement_deadline=rules.reinstatement_deadline,
    )
