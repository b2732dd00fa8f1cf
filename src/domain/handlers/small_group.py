"""Use cases of the small-group program (12.04(4), 12.11, 12.12(1), (11)-(13), 12.14(2)(b)):
employers' applications and determinations, the group's plan, its employees, the employer's
payments, reinstatement and terminations, and an employer's appeals.

`record_payment`, `request_reinstatement` and `request_termination` are the shared commands: their
handlers in `enrollments.py` hand a group enrollment's id to the functions here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from ..commands import (
    DetermineEmployerEligibility,
    EnrollEmployee,
    RecordPayment,
    RequestReinstatement,
    RequestTermination,
    SelectGroupPlan,
    SubmitEmployerApplication,
    WaiveCoverage,
)
from ..employer import Employer
from ..errors import Conflict, InvalidCommand, UnknownEmployer
from ..group_enrollment import GroupEnrollment, changes
from ..payment_references import duplicate_reference
from ..rules import small_group as rules
from .record_ids import refuse_a_households_id

if TYPE_CHECKING:
    from .ports import LedgerPort


def submit_employer_application(
    ledger: LedgerPort, command: SubmitEmployerApplication
) -> list[Aggregate]:
    """12.04(4): the employer's application as received (the employer opened by its first)."""
    if command.full_time_employees > command.employee_count:
        raise InvalidCommand(
            f"full_time_employees ({command.full_time_employees}) cannot exceed employee_count "
            f"({command.employee_count}): the IRC 4980H(c)(2) count includes every full-time "
            f"employee ({rules.SMALL_EMPLOYER_DEFINITION})"
        )
    ids = [employee.employee_id for employee in command.roster or ()]
    if len(set(ids)) != len(ids):
        raise InvalidCommand("employee_id values must be unique within a roster")
    try:
        employer = ledger.employer(command.employer_id)
    except UnknownEmployer:
        refuse_a_households_id(ledger, command.employer_id)
        employer = Employer.open(command.employer_id, command.on)
    employer.submit_application(command.on, command.facts())
    return [employer]


def determine_employer_eligibility(
    ledger: LedgerPort, command: DetermineEmployerEligibility
) -> list[Aggregate]:
    """12.04(4)(a)1-5 and (b), 12.11(3), 12.16(1)(b): the determination (an appealable
    decision, recorded whether or not the employer is found eligible). The employer's group
    enrollments are first brought up to the determination's date (their schedule's decisions
    recorded), so that 12.04(4)(b) sees the coverage in force that day."""
    employer = ledger.employer(command.employer_id)
    policy = ledger.policy.in_force(command.on)
    coverage_year = None
    groups: list[Aggregate] = []
    for group_id in employer.group_enrollment_ids:
        group = ledger.group_enrollment(group_id)
        group.advance(command.on, ledger.policy.in_force)
        groups.append(group)
        year = group.coverage_year()
        if rules.in_coverage_year(command.on, year):
            coverage_year = year
    employer.determine_eligibility(command.on, policy, coverage_year)
    return [employer, *groups]


def select_group_plan(ledger: LedgerPort, command: SelectGroupPlan) -> list[Aggregate]:
    """12.11(1)-(2), 12.16(1)(b): an eligible employer's plan for its employees."""
    employer = ledger.employer(command.employer_id)
    employer.require_eligible(command.coverage.value)
    try:
        ledger.repository.get(GroupEnrollment.id_for(command.group_enrollment_id))
    except AggregateNotFoundError:
        pass
    else:
        raise Conflict(
            f"enrollment {command.group_enrollment_id!r} already exists", "duplicate_enrollment"
        )
    group = GroupEnrollment.select(
        on=command.on,
        group_enrollment_id=command.group_enrollment_id,
        employer_id=command.employer_id,
        plan_id=command.plan_id,
        coverage=command.coverage.value,
        coverage_start_on=command.coverage_start_on,
        enrollment_deadline=command.enrollment_deadline,
        policy=ledger.policy.in_force(command.on),
    )
    if command.coverage.value == "health":  # 12.16(3)(d): no minimums for a Dental Plan
        application_on, _facts = employer.latest_application()
        changes.note_participation_terms(
            group, command.on, application_on, ledger.policy.in_force(command.on)
        )
    employer.link_group_enrollment(command.on, command.group_enrollment_id)
    return [employer, group]


def enroll_employee(ledger: LedgerPort, command: EnrollEmployee) -> list[Aggregate]:
    """12.11(1), (2), (4)."""
    if command.employee_id not in command.member_ids:
        raise InvalidCommand(
            f"member_ids must include the employee {command.employee_id!r} (the employee and "
            "the dependents enrolled)"
        )
    group = ledger.group_enrollment(command.group_enrollment_id)
    group.enroll_employee(
        command.on,
        command.employee_id,
        list(command.member_ids),
        command.monthly_premium,
        command.kind,
        command.event_on,
        ledger.policy.in_force(command.on),
    )
    return [group]


def waive_coverage(ledger: LedgerPort, command: WaiveCoverage) -> list[Aggregate]:
    """12.11(1)."""
    group = ledger.group_enrollment(command.group_enrollment_id)
    policy = ledger.policy.in_force(command.on)
    group.waive_coverage(command.on, command.employee_id, policy)
    if not command.other_coverage:
        changes.count_waiver(group, command.on, command.employee_id, policy)
    return [group]


def record_payment(ledger: LedgerPort, command: RecordPayment) -> list[Aggregate]:
    """12.11(1), 12.12(1): the employer's payment (the reference already checked by the
    shared handler)."""
    group = ledger.group_enrollment(command.enrollment_id)
    if not group.record_payment(
        command.on, command.amount, command.reference, ledger.policy.in_force(command.on)
    ):
        raise duplicate_reference(command.reference)
    return [group]


def request_reinstatement(ledger: LedgerPort, command: RequestReinstatement) -> list[Aggregate]:
    """12.12(13)."""
    group = ledger.group_enrollment(command.enrollment_id)
    group.request_reinstatement(command.on, ledger.policy.in_force(command.on))
    return [group]


def request_termination(ledger: LedgerPort, command: RequestTermination) -> list[Aggregate]:
    """12.11(7): the employer's, by `enrollment_id`; 12.11(4): an employee's, by
    `group_enrollment_id`, `employee_id` and `kind`, only in a special enrollment period."""
    policy = ledger.policy.in_force(command.on)
    if command.enrollment_id is not None:
        if command.group_enrollment_id or command.employee_id or command.kind:
            raise InvalidCommand(
                "give enrollment_id for the employer's termination, or group_enrollment_id, "
                "employee_id and kind for an employee's, not both"
            )
        group = ledger.group_enrollment(command.enrollment_id)
        group.request_termination(command.on, policy)
        return [group]
    missing = [
        name
        for name, value in (
            ("group_enrollment_id", command.group_enrollment_id),
            ("employee_id", command.employee_id),
            ("kind", command.kind),
        )
        if value is None
    ]
    if len(missing) == 3:
        raise InvalidCommand(
            "request_termination needs enrollment_id, or group_enrollment_id, employee_id and kind",
            "missing_field",
        )
    if missing:
        raise InvalidCommand(
            f"an employee's termination needs {', '.join(missing)} too: an employee ends "
            f"coverage only in a special enrollment period ({rules.EMPLOYEE_PERIODS})",
            "missing_field",
        )
    assert command.group_enrollment_id and command.employee_id and command.kind
    group = ledger.group_enrollment(command.group_enrollment_id)
    group.terminate_employee(
        command.on, command.employee_id, command.kind, command.event_on, policy
    )
    return [group]
