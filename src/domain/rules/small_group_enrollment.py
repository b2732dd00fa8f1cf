"""956 CMR 12.11: a small group's enrollment, as small pure functions.

- 12.11(1)-(2): the group's selection, its binder, coverage from the first of a month after it.
- 12.11(4): the employees' enrollment periods (the employer's, at hiring or qualification, a
  special enrollment period of 45 CFR 155.725(j) within its time frame).
- 12.11(7): the employer's voluntary termination with the mid-month cut-off.

The citations are `rules/small_group.py`'s. Every number comes from the `PolicyVersion` in force;
nothing here reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from ..calendar import add_months, last_day_of_month, plus_days
from ..errors import InvalidCommand, OutsideEnrollmentPeriod
from .small_group import (
    EMPLOYEE_PERIODS,
    GROUP_EFFECTIVE_DATE,
    GROUP_ENROLLMENT,
    SHOP_NEWLY_QUALIFIED,
    SHOP_SPECIAL_ENROLLMENT,
)

if TYPE_CHECKING:
    from ..parameters import PolicyVersion


# ---- 12.11(1)-(2): the group's selection and binder -------------------------------------------


def check_group_selection(
    on: date, coverage_start_on: date, enrollment_deadline: date, policy: PolicyVersion
) -> date:
    """12.11(1)-(2): coverage starts on the first of a month after the selection; employees
    enroll by the employer's deadline, which falls before the binder's due date (the 23rd of the
    month before coverage starts, the contract's monthly invoice), so that the binder is billed
    for every participating employee before it is due. Returns the binder's due date."""
    if coverage_start_on.day != 1:
        raise InvalidCommand(
            f"coverage_start_on {coverage_start_on.isoformat()} must be the 1st of a month "
            f"({GROUP_EFFECTIVE_DATE})"
        )
    if coverage_start_on <= on:
        raise InvalidCommand(
            f"coverage_start_on {coverage_start_on.isoformat()} must be after the selection "
            f"({on.isoformat()}): coverage begins the month after enrollment completes "
            f"({GROUP_EFFECTIVE_DATE})"
        )
    due_on = binder_due_on(coverage_start_on, policy)
    if enrollment_deadline < on:
        raise InvalidCommand(
            f"enrollment_deadline {enrollment_deadline.isoformat()} is before the selection "
            f"({on.isoformat()})"
        )
    if enrollment_deadline >= due_on:
        raise InvalidCommand(
            f"enrollment_deadline {enrollment_deadline.isoformat()} must be before the binder's "
            f"due date {due_on.isoformat()} (the 23rd of the month before coverage starts), so "
            f"that the first month's premium for every participating employee is billed before "
            f"it is due ({GROUP_ENROLLMENT})"
        )
    return due_on


def binder_due_on(coverage_start_on: date, policy: PolicyVersion) -> date:
    """Contract policy ("group invoices, binder and delinquency dates as for individuals"): the
    first month's premium is due as any month's, on the 23rd of the month before it."""
    previous = add_months(coverage_start_on, -1)
    return previous.replace(day=policy.premium_due_day.at(previous))


def enrollment_closes_on(enrollment_deadline: date) -> date:
    """12.11(1): employees enroll or waive by the deadline (its day included); enrollment closes,
    and the binder is billed for the employees enrolled, the day after."""
    return plus_days(enrollment_deadline, 1)


# ---- 12.11(4): the employees' enrollment periods -------------------------------------------------


class EmployeeEventKind(StrEnum):
    """What lets an employee enroll (or end coverage) outside the employer's enrollment period
    (12.11(4)): hiring or qualification under the employer's rules (45 CFR 155.725(g)), or a
    triggering event of 45 CFR 155.725(j)(2)."""

    NEWLY_QUALIFIED = "newly_qualified"
    LOSS_OF_COVERAGE = "loss_of_coverage"
    MARRIAGE = "marriage"
    NEW_DEPENDENT = "new_dependent"
    EXCHANGE_ERROR = "exchange_error"
    PLAN_VIOLATION = "plan_violation"
    PERMANENT_MOVE = "permanent_move"
    LOST_MEDICAID_CHIP = "lost_medicaid_chip"
    MEDICAID_CHIP_PREMIUM_ASSISTANCE = "medicaid_chip_premium_assistance"


LONGER_TIME_FRAME_KINDS = frozenset(
    {EmployeeEventKind.LOST_MEDICAID_CHIP, EmployeeEventKind.MEDICAID_CHIP_PREMIUM_ASSISTANCE}
)
"""45 CFR 155.725(j): the Medicaid and CHIP events have a longer time frame than the others."""


@dataclass(frozen=True)
class EmployeePeriod:
    """The period an event opens for an employee: its last day, and the federal clause whose time
    frame it is (12.11(4) refers to it)."""

    kind: EmployeeEventKind
    event_on: date
    end_on: date
    time_frame: str

    @property
    def citation(self) -> str:
        return f"{EMPLOYEE_PERIODS}; {self.time_frame}"


def employee_period(
    kind: EmployeeEventKind, event_on: date, on: date, policy: PolicyVersion
) -> EmployeePeriod:
    """12.11(4): the period `kind` opens from `event_on`, refused (`outside_enrollment_period`)
    when `on` is after its last day: hiring or qualification, 30 days (45 CFR 155.725(g)); a
    triggering event, 30 days, or 60 for the Medicaid and CHIP events (45 CFR 155.725(j)). The
    time frames are dated parameters."""
    if event_on > on:
        raise InvalidCommand("event_on cannot be after the command's date (on)")
    if kind == EmployeeEventKind.NEWLY_QUALIFIED:
        days = policy.small_group_newly_qualified_days.at(event_on)
        time_frame = SHOP_NEWLY_QUALIFIED
    elif kind in LONGER_TIME_FRAME_KINDS:
        days = policy.small_group_medicaid_chip_special_enrollment_days.at(event_on)
        time_frame = SHOP_SPECIAL_ENROLLMENT
    else:
        days = policy.small_group_special_enrollment_days.at(event_on)
        time_frame = SHOP_SPECIAL_ENROLLMENT
    end_on = plus_days(event_on, days)
    if on > end_on:
        raise OutsideEnrollmentPeriod(
            f"the {days} days from the {kind.value} event on {event_on.isoformat()} ended on "
            f"{end_on.isoformat()} ({EMPLOYEE_PERIODS}; {time_frame})"
        )
    return EmployeePeriod(kind, event_on, end_on, time_frame)


def employee_start_on(on: date, first_month_not_billed: date) -> date:
    """12.11(2): coverage begins on the first of the month after enrollment completes, and
    enrollment completes with the employer's premium for the employee (12.11(1)): an employee
    enrolled once the group's coverage is under way is covered from the first month billed after
    the enrollment (the month after it, or a later one already billed without them)."""
    return max(add_months(on, 1), first_month_not_billed)


# ---- 12.11(7): voluntary terminations ------------------------------------------------------------


def voluntary_end_on(requested_on: date, policy: PolicyVersion) -> date:
    """12.11(7): a request on or before the Connector's date in the month (the 15th, the same
    cut-off as 12.10(8)) ends coverage at the end of that month; after it, at the end of the
    following month."""
    if requested_on.day <= policy.mid_month_cutoff_day.at(requested_on):
        return last_day_of_month(requested_on)
    return last_day_of_month(add_months(requested_on, 1))
