"""Use cases of a household: applications and renewals (12.06, 12.07(1)), determinations (12.04),
reported changes (12.09(2)) and qualifying events (12.10(1)(a))."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate

from ..commands import (
    ApplicationForm,
    DetermineEligibility,
    ReportChange,
    ReportQualifyingEvent,
    SubmitApplication,
    SubmitRenewal,
)
from ..determination import DeterminationBasis, renewed_year_in_progress
from ..enrollment.coverage import coverage_lost
from ..errors import InvalidCommand, UnknownHousehold
from ..household import Household
from ..parameters import PolicyVersion
from ..rules.applications import (
    household_size_refusal,
    missing_member_facts,
    plan_year_refusal,
)
from ..rules.enrollment_periods import PeriodDenial, qualifying_event_decision
from .coverage_changes import end_coverage_of_members_no_longer_eligible
from .record_ids import refuse_an_employers_id

if TYPE_CHECKING:
    from .ports import LedgerPort


def submit_application(ledger: LedgerPort, command: SubmitApplication) -> list[Aggregate]:
    """12.06: the application as received (the household opened by its first one)."""
    ledger.require_policy_parameters(command.on, command.plan_year)
    try:
        household = ledger.household(command.household_id)
    except UnknownHousehold:
        refuse_an_employers_id(ledger, command.household_id)
        household = Household.open(command.household_id, command.on)
    _submit(household, command, renewal=False)
    return [household]


def submit_renewal(ledger: LedgerPort, command: SubmitRenewal) -> list[Aggregate]:
    """12.07(1): the yearly renewal and a determination for the coming plan year, effective
    1 January of it."""
    ledger.require_policy_parameters(command.on, command.plan_year)
    household = ledger.household(command.household_id)
    _submit(household, command, renewal=True)
    household.determine_eligibility(
        command.on, ledger.policy.in_force(command.on), basis=DeterminationBasis.RENEWAL
    )
    return [household, *end_coverage_of_members_no_longer_eligible(ledger, household, command.on)]


def _submit(household: Household, form: ApplicationForm, *, renewal: bool) -> None:
    refusal = plan_year_refusal(form.on, form.plan_year, renewal=renewal)
    if refusal is not None:
        raise InvalidCommand(refusal)
    household.submit_application(
        form.on,
        form.plan_year,
        form.household_size,
        form.annual_magi,
        form.member_records(),
        renewal=renewal,
    )


def determine_eligibility(ledger: LedgerPort, command: DetermineEligibility) -> list[Aggregate]:
    household = ledger.household(command.household_id)
    household.determine_eligibility(
        command.on, ledger.policy.in_force(command.on), basis=DeterminationBasis.APPLICATION
    )
    return [household, *end_coverage_of_members_no_longer_eligible(ledger, household, command.on)]


def report_change(ledger: LedgerPort, command: ReportChange) -> list[Aggregate]:
    """12.09(2): the change as reported, then a determination on it."""
    household = ledger.household(command.household_id)
    known = {m["member_id"] for m in household.latest_application().members}
    for member in command.members or ():
        missing = missing_member_facts(member.record(), known)
        if missing:
            raise InvalidCommand(
                f"a new member needs every field of an application's member: "
                f"missing {', '.join(missing)}",
                "missing_field",
            )
    changes = command.changes.record()
    if not changes:
        raise InvalidCommand(
            "report_change needs at least one of annual_magi, household_size, members",
            "missing_field",
        )
    changed = household.latest_application().with_changes(changes)
    refusal = household_size_refusal(
        changed.household_size, [m["member_id"] for m in changed.members], household.deaths
    )
    if refusal is not None:
        raise InvalidCommand(refusal)
    policy = ledger.policy.in_force(command.on)
    household.report_change(command.on, changes, policy, command.changed_on)
    if renewed_year_in_progress(household.applications, command.on) is None:
        household.determine_eligibility(command.on, policy, basis=DeterminationBasis.CHANGE)
        return [
            household,
            *end_coverage_of_members_no_longer_eligible(ledger, household, command.on),
        ]
    return [household, *_determine_both_plan_years(ledger, household, command.on, policy)]


def _determine_both_plan_years(
    ledger: LedgerPort, household: Household, on: date, policy: PolicyVersion
) -> list[Aggregate]:
    """A change reported after the renewal for the coming plan year (12.07(1)) is determined for
    the plan year in progress too, which runs to 31 December (12.09(2), effective by 12.08: a
    loss from the 1st of the month after the notice), then for the coming one. The enrollments
    changed (each loaded once)."""
    enrollments = [ledger.enrollment(e) for e in household.enrollment_ids]
    changed: dict[int, Aggregate] = {}  # by identity: an aggregate compares by its whole state
    for plan_year in (on.year, None):
        household.determine_eligibility(on, policy, DeterminationBasis.CHANGE, plan_year)
        ended = end_coverage_of_members_no_longer_eligible(ledger, household, on, enrollments)
        changed.update((id(e), e) for e in ended)
    return list(changed.values())


def report_qualifying_event(ledger: LedgerPort, command: ReportQualifyingEvent) -> list[Aggregate]:
    """12.10(1)(a): a triggering event opens 60 days to enroll from the date of the event. A
    refusal (reported too late, a loss of coverage for non-payment or fraud) is a determination
    regarding a special enrollment period (12.13(3)): recorded, so that it can be appealed."""
    household = ledger.household(command.household_id)
    policy = ledger.policy.in_force(command.on)
    happened = command.event_on or command.on
    decision = qualifying_event_decision(
        command.kind,
        happened,
        command.on,
        policy,
        coverage_lost=coverage_lost(map(ledger.enrollment, household.enrollment_ids)),
    )
    if isinstance(decision, PeriodDenial):
        household.deny_special_enrollment_period(
            kind=command.kind.value,
            event_on=happened,
            on=command.on,
            member_ids=(),
            denial=decision,
            policy=policy,
        )
        return [household]
    household.open_special_enrollment_period(
        kind=command.kind.value,
        event_on=happened,
        on=command.on,
        member_ids=(),
        citation=decision.citation,
        policy=policy,
        end_on=decision.end_on,
    )
    return [household]
