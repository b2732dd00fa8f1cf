"""The employees of a small group (956 CMR 12.11(1), (2), (4), (7)): who enrolled (with their
dependents and their monthly premium) or waived, when each one's coverage begins and ends.

During the employer's enrollment period (up to its deadline) an employee enrolls or waives; once
it is over, only at hiring or qualification or in a special enrollment period (12.11(4)), and an
enrolled employee ends coverage only in such a period. An employee's coverage is a span within the
group's: it begins with the group's coverage (or the first month billed after a later enrollment)
and ends with its own end or the group's, whichever comes first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from ..calendar import last_day_of_month
from ..enrollment.shared import EnrollmentEvent
from ..errors import InvalidCommand, OutsideEnrollmentPeriod
from ..parameters import PolicyVersion
from ..rules import small_group as rules
from ..rules import small_group_enrollment as enrollment_rules

if TYPE_CHECKING:
    from . import GroupEnrollment

INITIAL_ENROLLMENT = "employer_enrollment_period"
"""The basis of an enrollment by the employer's deadline (12.11(1))."""


@dataclass(frozen=True)
class EmployeeSpan:
    """One enrollment of an employee (and dependents) in the group: its monthly premium (the
    whole premium the employer pays for it, 12.11(1)), its first day, and its own end (None while
    it lasts as long as the group's coverage)."""

    employee_id: str
    member_ids: tuple[str, ...]
    monthly_premium: Decimal
    start_on: date
    basis: str
    end_on: date | None = None
    end_citation: str | None = None
    end_reason: str | None = None  # set by a termination for fraud (12.11(5)(a))

    def billed_for(self, month: date) -> bool:
        """Whether the employer's premium for `month` (its first day) includes this one."""
        return self.start_on <= month and (self.end_on is None or self.end_on >= month)


# ---- events ------------------------------------------------------------------------------------


class EmployeeEnrolled(EnrollmentEvent):
    employee_id: str
    member_ids: list[str]
    monthly_premium: Decimal
    start_on: date
    basis: str
    kind: str | None
    event_on: date | None
    period_ends_on: date | None

    def apply(self, g: GroupEnrollment) -> None:
        g.waivers.pop(self.employee_id, None)
        g.employees = [
            s for s in g.employees if not (s.employee_id == self.employee_id and s.end_on is None)
        ]
        g.employees.append(
            EmployeeSpan(
                self.employee_id,
                tuple(self.member_ids),
                self.monthly_premium,
                self.start_on,
                self.basis,
            )
        )


class EmployeeWaived(EnrollmentEvent):
    employee_id: str

    def apply(self, g: GroupEnrollment) -> None:
        # by the deadline, a waiver replaces the employee's enrollment in the initial period
        g.employees = [
            s for s in g.employees if not (s.employee_id == self.employee_id and s.end_on is None)
        ]
        g.waivers[self.employee_id] = self.on


class EmployeeTerminationRequested(EnrollmentEvent):
    employee_id: str
    kind: str
    event_on: date
    end_on: date

    def apply(self, g: GroupEnrollment) -> None:
        g.employees = [
            EmployeeSpan(
                s.employee_id,
                s.member_ids,
                s.monthly_premium,
                s.start_on,
                s.basis,
                self.end_on,
                self.citation,
            )
            if s.employee_id == self.employee_id and s.end_on is None
            else s
            for s in g.employees
        ]


# ---- decisions -----------------------------------------------------------------------------------


def enrollment_open(g: GroupEnrollment, on: date) -> bool:
    """12.11(1): the employer's enrollment period, up to its deadline (included), before the
    group's binder is billed."""
    return on <= g.enrollment_deadline and not g.enrollment_closed


def enroll(
    g: GroupEnrollment,
    on: date,
    employee_id: str,
    member_ids: list[str],
    monthly_premium: Decimal,
    kind: enrollment_rules.EmployeeEventKind | None,
    event_on: date | None,
    policy: PolicyVersion,
) -> None:
    """12.11(1), (2), (4): in the employer's period the employee is covered from the group's
    start; after it, only with an event that opens a period (`enrollment_rules.employee_period`), from the
    first month billed after the enrollment (`enrollment_rules.employee_start_on`)."""
    if g.current_span(employee_id) is not None:
        raise InvalidCommand(
            f"employee {employee_id!r} is already enrolled in group enrollment "
            f"{g.group_enrollment_id!r}",
            "already_enrolled",
        )
    period = None
    if kind is not None:
        period = enrollment_rules.employee_period(kind, event_on or on, on, policy)
    if enrollment_open(g, on):
        start_on, basis = g.coverage_start_on, INITIAL_ENROLLMENT
        citation = rules.GROUP_ENROLLMENT
    elif period is not None:
        start_on = enrollment_rules.employee_start_on(on, g.first_month_not_billed())
        basis = (
            period.kind.value
            if period.kind == enrollment_rules.EmployeeEventKind.NEWLY_QUALIFIED
            else f"special_enrollment:{period.kind.value}"
        )
        citation = period.citation
    else:
        raise OutsideEnrollmentPeriod(
            f"the employer's enrollment period ended on {g.enrollment_deadline.isoformat()}: "
            "an employee enrolls after it only at hiring or qualification, or in a special "
            f"enrollment period (give kind and event_on) ({rules.EMPLOYEE_PERIODS})"
        )
    g._decide(
        g.EmployeeEnrolled,
        on=on,
        effective_on=start_on,
        citation=citation,
        policy=policy,
        employee_id=employee_id,
        member_ids=member_ids,
        monthly_premium=monthly_premium,
        start_on=start_on,
        basis=basis,
        kind=None if period is None else period.kind.value,
        event_on=None if period is None else period.event_on,
        period_ends_on=None if period is None else period.end_on,
    )


def waive(g: GroupEnrollment, on: date, employee_id: str, policy: PolicyVersion) -> None:
    """12.11(1): "Employees must enroll in the plan or waive participation". By the deadline a
    waiver replaces the employee's enrollment; after it, an enrolled employee ends coverage only
    in a special enrollment period (12.11(4))."""
    if employee_id in g.waivers and g.current_span(employee_id) is None:
        raise InvalidCommand(f"employee {employee_id!r} has already waived", "already_waived")
    if g.current_span(employee_id) is not None and not enrollment_open(g, on):
        raise OutsideEnrollmentPeriod(
            f"employee {employee_id!r} is enrolled and the employer's enrollment period is over: "
            "an enrolled employee ends coverage only in a special enrollment period "
            f"(request_termination with kind) ({rules.EMPLOYEE_PERIODS})"
        )
    g._decide(
        g.EmployeeWaived,
        on=on,
        citation=rules.GROUP_ENROLLMENT,
        policy=policy,
        employee_id=employee_id,
    )


def terminate(
    g: GroupEnrollment,
    on: date,
    employee_id: str,
    kind: enrollment_rules.EmployeeEventKind,
    event_on: date | None,
    policy: PolicyVersion,
) -> None:
    """12.11(4), (7): an enrolled employee ends coverage only in a special enrollment period; at
    the end of the month (of the next month after the mid-month cut-off), but never before the
    end of a month the employer has already been billed for them."""
    span = g.current_span(employee_id)
    if span is None:
        raise InvalidCommand(
            f"employee {employee_id!r} is not enrolled in group enrollment "
            f"{g.group_enrollment_id!r}",
            "not_enrolled",
        )
    if enrollment_open(g, on):
        raise InvalidCommand(
            "the employer's enrollment period is open: the employee waives instead "
            f"(waive_coverage) ({rules.GROUP_ENROLLMENT})",
            "invalid_state",
        )
    period = enrollment_rules.employee_period(kind, event_on or on, on, policy)
    end_on = enrollment_rules.voluntary_end_on(on, policy)
    billed = g.last_month_billed()
    if billed is not None:
        end_on = max(end_on, last_day_of_month(billed))
    g._decide(
        g.EmployeeTerminationRequested,
        on=on,
        effective_on=end_on,
        citation=f"{rules.EMPLOYEE_TERMINATION}; {period.time_frame}",
        policy=policy,
        employee_id=employee_id,
        kind=period.kind.value,
        event_on=period.event_on,
        end_on=end_on,
    )
