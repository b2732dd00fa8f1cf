"""Use cases of the small group added after its first edition: the Connector's terminations for
fraud and for the employer's ineligibility (12.11(5)-(6)), a new dependent by birth, adoption or
placement (12.11(2)), and the renewal for the next coverage year (12.04(4)(b))."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate

from ..group_commands import (
    AddDependent,
    RenewGroupPlan,
    TerminateGroupForFraud,
    TerminateGroupIneligible,
)
from ..group_enrollment import changes, terminations
from ..rules import small_group_terminations as rules

if TYPE_CHECKING:
    from .ports import LedgerPort


def terminate_group_for_fraud(
    ledger: LedgerPort, command: TerminateGroupForFraud
) -> list[Aggregate]:
    """12.11(5)(a), (6): the group, or one of its employees, ended for fraud."""
    group = ledger.group_enrollment(command.group_enrollment_id)
    policy = ledger.policy.in_force(command.on)
    group.advance(command.on, ledger.policy.in_force)
    if command.employee_id is None:
        terminations.terminate_group_for_fraud(
            group, command.on, command.effective_on, command.finding, policy
        )
    else:
        terminations.terminate_employee_for_fraud(
            group, command.on, command.employee_id, command.effective_on, command.finding, policy
        )
    return [group]


def terminate_group_ineligible(
    ledger: LedgerPort, command: TerminateGroupIneligible
) -> list[Aggregate]:
    """12.11(5)(c), (6): the group of an employer no longer eligible ends at the end of the
    month, on the employer's latest determination."""
    group = ledger.group_enrollment(command.group_enrollment_id)
    employer = ledger.employer(group.employer_id)
    reason = rules.no_longer_eligible(employer.determinations, employer.employer_id)
    group.advance(command.on, ledger.policy.in_force)
    terminations.terminate_for_employer_ineligibility(
        group, command.on, reason, ledger.policy.in_force(command.on)
    )
    return [group]


def add_dependent(ledger: LedgerPort, command: AddDependent) -> list[Aggregate]:
    """12.11(2), (4): a new dependent of an enrolled employee."""
    group = ledger.group_enrollment(command.group_enrollment_id)
    group.advance(command.on, ledger.policy.in_force)
    group._require_open()
    changes.add_dependent(
        group,
        command.on,
        command.employee_id,
        command.member_id,
        command.event,
        command.event_on,
        command.coverage_from,
        command.monthly_premium,
        ledger.policy.in_force(command.on),
    )
    return [group]


def renew_group_plan(ledger: LedgerPort, command: RenewGroupPlan) -> list[Aggregate]:
    """12.04(4)(b), 45 CFR 155.725(b): the group's next coverage year."""
    group = ledger.group_enrollment(command.group_enrollment_id)
    employer = ledger.employer(group.employer_id)
    group.advance(command.on, ledger.policy.in_force)
    group._require_open()
    changes.renew(
        group,
        command.on,
        employer.determinations,
        command.plan_id,
        ledger.policy.in_force(command.on),
    )
    return [group]
