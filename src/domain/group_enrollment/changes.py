"""What changes a small group after its selection (`rules.small_group_changes`): the minimum
participation checked when the employer's enrollment period closes (12.11(1), waived under
12.11(3)), a new dependent by birth, adoption or placement (12.11(2)), and the renewal for the
next coverage year (12.04(4)(b), 45 CFR 155.725(b)), or the end of a coverage year not renewed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..calendar import plus_days
from ..enrollment import billing
from ..enrollment.coverage import ends_on
from ..enrollment.shared import EndReason, EnrollmentEvent, RefundReason
from ..errors import InvalidCommand, NoPolicyParameters
from ..parameters import PolicyVersion
from ..rules import small_group as group_rules
from ..rules import small_group_changes as rules
from ..rules import small_group_enrollment as enrollment_rules
from .employees import EmployeeSpan

if TYPE_CHECKING:
    from . import GroupEnrollment

PARTICIPATION_NOT_MET = "participation_not_met"
"""Why a selection is cancelled when the minimum participation is not met at the close."""


# ---- events ------------------------------------------------------------------------------------


class ParticipationTermsNoted(EnrollmentEvent):
    """At the selection: whether the employer's minimums are waived (its application made from
    15 November to 15 December, 12.11(3)) for the check when enrollment closes."""

    application_on: date
    minimums_waived: bool

    def apply(self, g: GroupEnrollment) -> None:
        g.participation_waived = self.minimums_waived


class WaiverCounted(EnrollmentEvent):
    """The employee waived without coverage elsewhere: counted among the employees offered when
    the participation is checked (12.11(1)); a waiver for other coverage is not."""

    employee_id: str

    def apply(self, g: GroupEnrollment) -> None:
        g.counted_waivers.add(self.employee_id)


class ParticipationChecked(EnrollmentEvent):
    """When enrollment closes: the employees enrolled over those offered who answered, the
    minimum applied (None when waived or none published) and whether it is met (12.11(1))."""

    enrolled: int
    offered: int
    rate: str  # decimal text, never rounded to cents
    minimum: str | None
    minimums_waived: bool
    met: bool

    def apply(self, g: GroupEnrollment) -> None:
        pass


class DependentAdded(EnrollmentEvent):
    """A new dependent of an enrolled employee by birth, adoption or placement (12.11(2)): covered
    from `coverage_start_on` (the employee's `election`), the employee's premium `monthly_premium`
    from `premium_from`."""

    employee_id: str
    member_id: str
    event: str
    event_on: date
    election: str
    coverage_start_on: date
    monthly_premium: Decimal
    premium_from: date

    def apply(self, g: GroupEnrollment) -> None:
        span = g.current_span(self.employee_id)
        if span is None:
            return
        members = (*span.member_ids, self.member_id)
        if self.premium_from <= span.start_on:
            # not yet billed at all: the same enrollment, with the dependent and its premium
            g.employees = [
                replace(s, member_ids=members, monthly_premium=self.monthly_premium)
                if s is span
                else s
                for s in g.employees
            ]
        else:
            ended = replace(span, end_on=plus_days(self.premium_from, -1), end_citation=None)
            g.employees = [ended if s is span else s for s in g.employees]
            g.employees.append(
                EmployeeSpan(
                    self.employee_id,
                    members,
                    self.monthly_premium,
                    self.premium_from,
                    span.basis,
                )
            )
        g.dependents_from[self.member_id] = self.coverage_start_on


class GroupRenewed(EnrollmentEvent):
    """The group continues into its next coverage year (its first and last day), with the plan
    `plan_id` (12.04(4)(b), 45 CFR 155.725(b))."""

    coverage_year_starts_on: date
    coverage_year_ends_on: date
    plan_id: str

    def apply(self, g: GroupEnrollment) -> None:
        g.coverage_year_ends_on = self.coverage_year_ends_on
        g.plan_id = self.plan_id


class GroupCoverageYearEnded(EnrollmentEvent):
    """The group's coverage year (its first and last day) ended without a renewal: the group's
    coverage, and every employee's (`employees`: each one covered, with the members it covered),
    ends on its last day; a month after it is not owed (12.04(4)(b), 45 CFR 155.725(b), (c))."""

    coverage_year_starts_on: date
    coverage_year_ends_on: date
    employees: list[dict[str, Any]]

    def apply(self, g: GroupEnrollment) -> None:
        if g.end_on is None or g.end_on > self.coverage_year_ends_on:
            ends_on(g, self.coverage_year_ends_on, EndReason.COVERAGE_YEAR_ENDED, self.citation)


# ---- decisions -----------------------------------------------------------------------------------


def note_participation_terms(
    g: GroupEnrollment, on: date, application_on: date, policy: PolicyVersion
) -> None:
    """12.11(3): at the selection, whether the employer's application falls in the period that
    waives the minimums."""
    g._decide(
        g.ParticipationTermsNoted,
        on=on,
        citation=rules.PARTICIPATION_WAIVED,
        policy=policy,
        application_on=application_on,
        minimums_waived=group_rules.minimums_waived(application_on, policy),
    )


def count_waiver(g: GroupEnrollment, on: date, employee_id: str, policy: PolicyVersion) -> None:
    """12.11(1): the waiver just recorded is one without other coverage."""
    g._decide(
        g.WaiverCounted,
        on=on,
        citation=rules.PARTICIPATION_AT_CLOSE,
        policy=policy,
        employee_id=employee_id,
    )


def participation_met(g: GroupEnrollment, at: date, enrolled: int, policy: PolicyVersion) -> bool:
    """12.11(1): checked when enrollment closes (a health plan whose terms were noted at its
    selection; a Dental Plan has none, 12.16(3)(d)). Not met: the selection is cancelled, the
    money received due back, and False."""
    if g.participation_waived is None or g.coverage == "dental":
        return True
    try:
        minimum: Decimal | None = policy.small_group_minimum_participation.at(at)
    except NoPolicyParameters:
        minimum = None
    counted = len([e for e in g.waivers if e in g.counted_waivers])
    checked = rules.participation_at_close(enrolled, counted, minimum, g.participation_waived)
    g._decide(
        g.ParticipationChecked,
        on=at,
        effective_on=g.enrollment_deadline,
        citation=checked.citation,
        policy=policy,
        enrolled=checked.enrolled,
        offered=checked.offered,
        rate=str(checked.rate),
        minimum=None if checked.minimum is None else str(checked.minimum),
        minimums_waived=checked.waived,
        met=checked.met,
    )
    if checked.met:
        return True
    g._decide(
        g.EnrollmentCancelled,
        on=at,
        effective_on=g.enrollment_deadline,
        citation=rules.PARTICIPATION_AT_CLOSE,
        policy=policy,
        reason=PARTICIPATION_NOT_MET,
    )
    billing.refund_credit(g, at, policy, RefundReason.CANCELLED)
    return False


def add_dependent(
    g: GroupEnrollment,
    on: date,
    employee_id: str,
    member_id: str,
    event: rules.DependentEvent,
    event_on: date,
    election: rules.DependentCoverageFrom,
    monthly_premium: Decimal,
    policy: PolicyVersion,
) -> None:
    """12.11(2), (4): within the special enrollment period of the event (45 CFR 155.725(j)), the
    dependent covered from the elected date, the employee's new premium from the first whole
    month not yet billed."""
    span = g.current_span(employee_id)
    if span is None:
        raise InvalidCommand(
            f"employee {employee_id!r} is not enrolled in group enrollment "
            f"{g.group_enrollment_id!r}: a new dependent joins an enrolled employee",
            "not_enrolled",
        )
    if member_id in span.member_ids or member_id in g.dependents_from:
        raise InvalidCommand(f"member {member_id!r} is already covered", "invalid_field")
    period = enrollment_rules.employee_period(
        enrollment_rules.EmployeeEventKind.NEW_DEPENDENT, event_on, on, policy
    )
    start_on = max(rules.new_dependent_start(event_on, election), span.start_on)
    premium_from = rules.new_premium_from(start_on, g.first_month_not_billed())
    g._decide(
        g.DependentAdded,
        on=on,
        effective_on=start_on,
        citation=f"{rules.NEW_DEPENDENT_EFFECTIVE_DATE}; {period.citation}",
        policy=policy,
        employee_id=employee_id,
        member_id=member_id,
        event=event,
        event_on=event_on,
        election=election,
        coverage_start_on=start_on,
        monthly_premium=monthly_premium,
        premium_from=premium_from,
    )


def renew(
    g: GroupEnrollment,
    on: date,
    determinations: list[dict[str, object]],
    plan_id: str | None,
    policy: PolicyVersion,
) -> None:
    """12.04(4)(b), 45 CFR 155.725(b): the next coverage year, on the employer's current
    eligibility (`rules.check_renewal`)."""
    rules.check_renewable(g.end_on, g.coverage_year_ends_on)
    rules.check_renewal(on, g.coverage_year_ends_on, determinations, g.employer_id)
    starts_on, ends_on = rules.next_coverage_year(g.coverage_year_ends_on)
    g._decide(
        g.GroupRenewed,
        on=on,
        effective_on=starts_on,
        citation=rules.GROUP_RENEWAL,
        policy=policy,
        coverage_year_starts_on=starts_on,
        coverage_year_ends_on=ends_on,
        plan_id=plan_id or g.plan_id,
    )


def end_coverage_year(g: GroupEnrollment, at: date, policy: PolicyVersion) -> None:
    """12.04(4)(b), 45 CFR 155.725(b), (c): not renewed by the day its next year's first month
    would be invoiced, the group ends on the last day of its coverage year, with every employee
    it covers; the schedule takes the end the day after (as an end known ahead)."""
    starts_on, last_day = rules.coverage_year_ending(g.coverage_year_ends_on)
    covered = [
        {"employee_id": s.employee_id, "member_ids": list(s.member_ids)}
        for s in g.employees
        if (s.end_on is None or s.end_on > last_day) and s.start_on <= last_day
    ]
    g._decide(
        g.GroupCoverageYearEnded,
        on=at,
        effective_on=last_day,
        citation=rules.COVERAGE_YEAR_ENDED,
        policy=policy,
        coverage_year_starts_on=starts_on,
        coverage_year_ends_on=last_day,
        employees=covered,
    )
