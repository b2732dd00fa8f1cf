"""A small group's schedule: which time-driven decision it has due next, and on what day (the
enrollment's `schedule.advance_through` runs the loop). Decisions due the same day are taken in
the order `GroupSameDayOrder` declares.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from enum import IntEnum, auto
from types import MappingProxyType
from typing import TYPE_CHECKING

from ..calendar import plus_days
from ..enrollment import billing, delinquency
from ..enrollment import coverage as enrollment_coverage
from ..enrollment.schedule import Milestone, account_milestones, advance_through
from ..enrollment.shared import Status
from ..parameters import PolicyVersion
from ..rules import premiums as premium_rules
from ..rules import small_group_changes as change_rules
from ..rules import small_group_enrollment as enrollment_rules
from . import changes, coverage

if TYPE_CHECKING:
    from . import GroupEnrollment


class GroupSameDayOrder(IntEnum):
    """A small group's decisions, in the order they are taken when due on the same day."""

    ENROLLMENT_CLOSES = auto()
    """The day after the employer's deadline: the binder is billed (12.11(1))."""
    BINDER_UNPAID = auto()
    """The day after the binder's due date, unpaid: the selection is cancelled (12.11(2))."""
    INVOICE_DAY = auto()
    """The next month is billed (12.12(1))."""
    PREMIUM_DUE_DATE_PASSED = auto()
    """The day after a monthly premium's due date: unpaid, the group is delinquent (12.12(11))."""
    NOTICE_DAY = auto()
    """The notice of delinquency with its payment date (12.12(11))."""
    PAYMENT_DATE_PASSED = auto()
    """The day after the notice's payment date, premium still owed: terminated, and notices to
    the employer and every enrolled employee (12.12(12), 12.11(6))."""
    REINSTATEMENT_WINDOW_CLOSED = auto()
    """The day after the reinstatement deadline (12.12(13))."""
    COVERAGE_END_PASSED = auto()
    """The day after an end known ahead (the employer's voluntary end, 12.11(7); the employer
    no longer eligible, 12.11(5)(c); the coverage year's end): coverage has ended."""
    COVERAGE_YEAR_ENDS = auto()
    """The day the first month of the next coverage year would be invoiced, not renewed: the
    group ends on the last day of its coverage year (12.04(4)(b), 45 CFR 155.725(b)); that
    month is never billed (its invoice day is not due then). Appended last, so every other
    decision keeps its value."""


Decision = Callable[["GroupEnrollment", date, PolicyVersion], None]

TAKE: Mapping[GroupSameDayOrder, Decision] = MappingProxyType(
    {
        GroupSameDayOrder.ENROLLMENT_CLOSES: coverage.close_enrollment,
        GroupSameDayOrder.BINDER_UNPAID: coverage.cancel_for_unpaid_binder,
        GroupSameDayOrder.INVOICE_DAY: billing.issue_next_invoice,
        GroupSameDayOrder.PREMIUM_DUE_DATE_PASSED: delinquency.check_premium_paid,
        GroupSameDayOrder.NOTICE_DAY: delinquency.issue_notice,
        GroupSameDayOrder.PAYMENT_DATE_PASSED: coverage.terminate_for_non_payment,
        GroupSameDayOrder.REINSTATEMENT_WINDOW_CLOSED: delinquency.close_reinstatement_window,
        GroupSameDayOrder.COVERAGE_END_PASSED: enrollment_coverage.end_coverage,
        GroupSameDayOrder.COVERAGE_YEAR_ENDS: changes.end_coverage_year,
    }
)


def next_milestone(
    g: GroupEnrollment, policy: PolicyVersion, index: bool = False
) -> Milestone | None:
    """The next decision due on the group `g` (None when nothing more can fall due); with
    `index`, the next that can record something (`account_milestones`)."""
    if g.status == Status.CANCELLED or g.ended:
        return None
    due: list[Milestone] = []
    if g.status == Status.PENDING_BINDER:
        if not g.enrollment_closed:
            closes_on = enrollment_rules.enrollment_closes_on(g.enrollment_deadline)
            due.append(Milestone(closes_on, GroupSameDayOrder.ENROLLMENT_CLOSES))
        else:
            due.append(Milestone(plus_days(g.binder_due_on, 1), GroupSameDayOrder.BINDER_UNPAID))
    due += account_milestones(g, GroupSameDayOrder, index)
    if g.status in (Status.ACTIVE, Status.DELINQUENT):
        upcoming = billing.next_invoice_month(g)
        if upcoming is not None and upcoming > g.coverage_year_ends_on:
            ends_on = change_rules.coverage_year_end_decided_on(g.coverage_year_ends_on, policy)
            due.append(Milestone(ends_on, GroupSameDayOrder.COVERAGE_YEAR_ENDS))
        elif upcoming is not None:
            issue_on, _due_on = premium_rules.invoice_dates(upcoming, policy)
            due.append(Milestone(issue_on, GroupSameDayOrder.INVOICE_DAY))
    return min(due, default=None)


def advance(
    g: GroupEnrollment, through: date, policy_for: PolicyVersion | Callable[[date], PolicyVersion]
) -> None:
    """Every time-driven decision due on `g` up to and including `through`, each under the
    policy in force on its day (as an enrollment's, `schedule.advance`)."""
    advance_through(g, through, policy_for, next_milestone, TAKE)


def take_late_decisions(
    g: GroupEnrollment, schedule_through: date, policy_for: Callable[[date], PolicyVersion]
) -> None:
    """The decisions a late fact made due by the date the schedule has been run through
    store-wide, taken as of that date, never back-dated (as an enrollment's)."""
    if schedule_through > g.horizon:
        g.horizon = schedule_through
    advance(g, schedule_through, policy_for)


def next_due_on(g: GroupEnrollment, policy: PolicyVersion) -> date | None:
    """The next date on which a time-driven decision that can record something falls due on
    `g` (the schedule index, as an enrollment's `schedule.next_due_on`)."""
    milestone = next_milestone(g, policy, index=True)
    return None if milestone is None else max(milestone.on, g.horizon)
