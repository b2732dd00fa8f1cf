"""The schedule: which time-driven decision an enrollment has due next, and on what day.

`next_milestone(state, policy)` is pure: it reads an enrollment's state and names the next
decision due (`SameDayOrder`) and its date. `advance` takes it (`TAKE`), then asks again, so
advancing once to a date or day by day to it records the same decisions. Decisions due the same
day are taken in the order `SameDayOrder` declares.

`advance_through` is the loop itself, for any aggregate with a horizon, its own `next_milestone`
and its own decisions (a small group's schedule runs it with its milestones).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from enum import IntEnum, auto
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar

from ..calendar import plus_days
from ..parameters import PolicyVersion
from ..rules import premiums as rules
from . import billing, coverage, delinquency, waivers
from .shared import ENDS_ON_ITS_DATE, Status

if TYPE_CHECKING:
    from . import Enrollment


class SameDayOrder(IntEnum):
    """The schedule's decisions, in the order they are taken when due on the same day."""

    BINDER_UNPAID = auto()
    """The day after the binder's due date, unpaid: the selection is cancelled (12.10(3))."""
    PLAN_YEAR_ENDS = auto()
    """Next January's invoice day, not renewed: coverage ends on 31 December (12.07(1))."""
    INVOICE_DAY = auto()
    """The next month is billed (12.12(1))."""
    PREMIUM_DUE_DATE_PASSED = auto()
    """The day after a monthly premium's due date: unpaid, the account is delinquent (12.12(2),
    (4))."""
    NOTICE_DAY = auto()
    """A notice of delinquency (12.12(2), (4))."""
    PAYMENT_DATE_PASSED = auto()
    """The day after the notice's payment date, premium still owed: terminated (12.12(3), (5))."""
    REINSTATEMENT_WINDOW_CLOSED = auto()
    """The day after the reinstatement deadline (12.12(6))."""
    WAIVER_PERIOD_ENDED = auto()
    """The month after the last month waived (12.12(7)(d))."""
    COVERAGE_END_PASSED = auto()
    """The day after an end known ahead (voluntary, plan year, plan change): coverage has ended."""


class Milestone(NamedTuple):
    """A decision due: ordered by its date, then by its same-day order (`SameDayOrder`, or
    another aggregate's). A named tuple, compared as one: the schedule makes and compares a few
    for every decision it asks about."""

    on: date
    decision: IntEnum


class AccountOrder(Protocol):
    """Where the decisions of `account_milestones` stand in an aggregate's same-day order (an
    `IntEnum` naming each of them, among its own)."""

    @property
    def COVERAGE_END_PASSED(self) -> IntEnum: ...

    @property
    def PREMIUM_DUE_DATE_PASSED(self) -> IntEnum: ...

    @property
    def NOTICE_DAY(self) -> IntEnum: ...

    @property
    def PAYMENT_DATE_PASSED(self) -> IntEnum: ...

    @property
    def REINSTATEMENT_WINDOW_CLOSED(self) -> IntEnum: ...


def account_milestones(
    e: delinquency.Delinquent, order: AccountOrder, index: bool = False
) -> list[Milestone]:
    """The decisions every billed aggregate has due (an individual's enrollment, a small
    group's), each under its own same-day `order`: an end known ahead passed (not before a
    pending notice's payment date has passed, `rules.end_taken_on`), a monthly premium's
    due date passed, a notice of delinquency, the notice's payment date passed (while coverage
    is active or delinquent), and the reinstatement deadline passed (once terminated). With
    `index` (the schedule index, `next_due_on`), a premium's due date passed counts only for a
    month not paid in full: the check of a month paid in full records nothing."""
    due: list[Milestone] = []
    if e.status in _LIVE:
        if e.end_on is not None and e.end_reason in ENDS_ON_ITS_DATE:
            end_on = rules.end_taken_on(e.end_on, e.payment_due_on)
            due.append(Milestone(end_on, order.COVERAGE_END_PASSED))
        unchecked = billing.first_unchecked_monthly(e, owing=index)
        if unchecked is not None:
            due.append(Milestone(plus_days(unchecked.due_on, 1), order.PREMIUM_DUE_DATE_PASSED))
        if e.pending_notice_on is not None:
            due.append(Milestone(e.pending_notice_on, order.NOTICE_DAY))
        if e.payment_due_on is not None:
            due.append(Milestone(plus_days(e.payment_due_on, 1), order.PAYMENT_DATE_PASSED))
    if e.status == _TERMINATED and e.reinstatable and e.reinstatement_deadline:
        due.append(
            Milestone(plus_days(e.reinstatement_deadline, 1), order.REINSTATEMENT_WINDOW_CLOSED)
        )
    return due


_LIVE = (Status.ACTIVE, Status.DELINQUENT)
_TERMINATED, _CANCELLED, _PENDING_BINDER = (
    Status.TERMINATED,
    Status.CANCELLED,
    Status.PENDING_BINDER,
)
"""Statuses looked up once: an enum member's lookup costs more than the comparison."""

Decision = Callable[["Enrollment", date, PolicyVersion], None]

TAKE: Mapping[SameDayOrder, Decision] = MappingProxyType(
    {
        SameDayOrder.BINDER_UNPAID: coverage.cancel_for_unpaid_binder,
        SameDayOrder.PLAN_YEAR_ENDS: coverage.end_plan_year,
        SameDayOrder.INVOICE_DAY: billing.issue_next_invoice,
        SameDayOrder.PREMIUM_DUE_DATE_PASSED: delinquency.check_premium_paid,
        SameDayOrder.NOTICE_DAY: delinquency.issue_notice,
        SameDayOrder.PAYMENT_DATE_PASSED: delinquency.terminate_for_non_payment,
        SameDayOrder.REINSTATEMENT_WINDOW_CLOSED: delinquency.close_reinstatement_window,
        SameDayOrder.WAIVER_PERIOD_ENDED: waivers.end_waiver_period,
        SameDayOrder.COVERAGE_END_PASSED: coverage.end_coverage,
    }
)
"""What each decision does (`TAKE[milestone.decision](enrollment, day, policy)`)."""


def next_milestone(e: Enrollment, policy: PolicyVersion, index: bool = False) -> Milestone | None:
    """The next decision due on the enrollment `e` (None when nothing more can fall due); with
    `index`, the next that can record something (`account_milestones`)."""
    if e.status == _CANCELLED or e.ended:
        return None
    due: list[Milestone] = []
    if e.status == _PENDING_BINDER:
        due.append(Milestone(plus_days(e.binder_due_on, 1), SameDayOrder.BINDER_UNPAID))
    due += account_milestones(e, SameDayOrder, index)
    if e.status in _LIVE:
        upcoming = billing.next_invoice_month(e)
        if upcoming is not None:
            issue_on, _due_on = rules.invoice_dates(upcoming, policy)
            if upcoming.year in e.renewed_years:
                due.append(Milestone(issue_on, SameDayOrder.INVOICE_DAY))
            elif upcoming.year - 1 not in e.plan_year_end_decided:
                due.append(Milestone(issue_on, SameDayOrder.PLAN_YEAR_ENDS))
        if e.waiver_ends_on is not None:
            due.append(Milestone(e.waiver_ends_on, SameDayOrder.WAIVER_PERIOD_ENDED))
    return min(due, default=None)


def advance(
    e: Enrollment, through: date, policy_for: PolicyVersion | Callable[[date], PolicyVersion]
) -> None:
    """Record every time-driven decision due on `e` up to and including `through`, each under
    the policy in force on its day. One due before the horizon (the latest date `e` has seen) is
    taken as of the horizon."""
    advance_through(e, through, policy_for, next_milestone, TAKE)


class Scheduled(Protocol):
    horizon: date


S = TypeVar("S", bound=Scheduled)


def advance_through(
    e: S,
    through: date,
    policy_for: PolicyVersion | Callable[[date], PolicyVersion],
    next_due: Callable[[S, PolicyVersion], Milestone | None],
    take: Mapping[Any, Callable[[S, date, PolicyVersion], None]],
) -> None:
    """The schedule's loop: take the next decision due (`next_due`) with its decision (`take`),
    as of its date or the horizon when later, then ask again, until the next one falls after
    `through`; the horizon then moves to `through`."""

    def resolve(day: date) -> PolicyVersion:
        return policy_for(day) if callable(policy_for) else policy_for

    while True:
        milestone = next_due(e, resolve(e.horizon))
        if milestone is None or milestone.on > through:
            break
        at = max(milestone.on, e.horizon)
        take[milestone.decision](e, at, resolve(at))
    if through > e.horizon:
        e.horizon = through


def take_late_decisions(
    e: Enrollment, schedule_through: date, policy_for: Callable[[date], PolicyVersion]
) -> None:
    """Issue 15, the two clocks: `schedule_through` is the date the schedule has been run
    through store-wide, so every decision due by then has been taken. A decision still due
    by then was made due by a fact entered after that run (a late binder or payment
    rescinding a cancellation or a termination, a late selection, a waiver decided late):
    it is taken now, as of `schedule_through`, never back-dated (an invoice issued that day,
    a notice dated that day and its payment date counted from it). Later decisions keep
    their own dates. Deterministic: `schedule_through` is a function of the commands."""
    if schedule_through > e.horizon:
        e.horizon = schedule_through
    advance(e, schedule_through, policy_for)


def next_due_on(e: Enrollment, policy: PolicyVersion) -> date | None:
    """The next date on which a time-driven decision that can record something falls due on `e`
    (the schedule index: a monthly run reads only the enrollments it names). The check of a
    month paid in full records nothing and is left out: it is made when the enrollment is next
    advanced, and any event that leaves that month owing again is saved with a new date here."""
    milestone = next_milestone(e, policy, index=True)
    return None if milestone is None else max(milestone.on, e.horizon)
