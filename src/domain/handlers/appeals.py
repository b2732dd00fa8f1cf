"""Use cases of appeals (12.13-12.15): filing (by the appellant or a representative, 12.17,
12.03), the hearing decision, re-hearings, the stay of the initial decision and the re-hearing's
decision (12.15(5))."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from .. import rehearing, representatives
from ..appeal import Appeal
from ..commands import DecideAppeal, DecideRehearing, FileAppeal, OrderRehearing
from ..determination import DeterminationBasis
from ..enrollment import Enrollment
from ..errors import Conflict, InvalidCommand
from ..events import event_data, event_id, event_uuid
from ..hearing import decide_again, facts_before
from ..household import Household
from ..parameters import PolicyVersion
from ..reported_facts import Changes
from ..rules import appeals as rules
from ..rules import rehearings as rehearing_rules
from ..rules.appeals import (
    CORRECTED_DETERMINATION,
    AppealOutcome,
    with_original_effective_dates,
)
from ..rules.enrollment_periods import reopened_kind, reversed_denial_period
from ..rules.representatives import filing_refusal
from .coverage_changes import end_coverage_of_members_no_longer_eligible, implement_reversal
from .group_appeals import implement_group_rehearing, implement_group_reversal

if TYPE_CHECKING:
    from .ports import LedgerPort


def file_appeal(ledger: LedgerPort, command: FileAppeal) -> list[Aggregate]:
    """12.13-12.15(2): recorded with its deadline; dismissed when untimely or not appealable.
    An employer's appeal (`employer_id`) is `file_employer_appeal`."""
    if command.household_id is not None and command.employer_id is not None:
        raise InvalidCommand(
            "file_appeal takes household_id (a household's appeal) or employer_id (an "
            "employer's), not both"
        )
    if command.employer_id is not None:
        return file_employer_appeal(ledger, command)
    if command.employee_id is not None:
        raise InvalidCommand(
            "employee_id names an employee of an employer: an employee's appeal takes employer_id "
            "too",
            "missing_field",
        )
    if command.household_id is None:
        raise InvalidCommand(
            "file_appeal needs household_id, or employer_id for an employer's appeal",
            "missing_field",
        )
    household_id = command.household_id
    household = ledger.household(household_id)
    appealed = _appealed_event(
        ledger, command, ledger.household_events(household), f"household {household_id!r}"
    )
    if (
        command.appellant_member_id is not None
        and command.appellant_member_id not in representatives.member_ids(household)
    ):
        raise InvalidCommand(
            f"appellant_member_id {command.appellant_member_id!r} is not a member of household "
            f"{command.household_id!r}"
        )
    filed_by = None
    if command.filed_by is not None:
        filed_by = representatives.representative(household, command.filed_by)
        refusal = filing_refusal(filed_by, command.on, command.appellant_member_id)
        if refusal is not None:
            raise InvalidCommand(refusal.message, refusal.code)
    appeal = Appeal.file(
        on=command.on,
        appeal_id=command.appeal_id,
        household_id=household_id,
        appealed=appealed,
        appealed_event_id=command.appealed_event_id,
        grounds=command.grounds,
        notice_sent=command.notice_sent,
        notice_received_on=command.notice_received_on,
        policy=ledger.policy.in_force(command.on),
        appellant_member_id=command.appellant_member_id,
        filed_by=filed_by,
    )
    household.link_appeal(command.on, command.appeal_id)
    return [household, appeal]


def file_employer_appeal(ledger: LedgerPort, command: FileAppeal) -> list[Aggregate]:
    """12.13-12.15(2) for an employer (12.14(2)(b)), or one of its employees (`employee_id`):
    recorded with its 90-day deadline; dismissed when untimely or not appealable, an employee's
    also when the action does not name them (12.15(2)(b))."""
    assert command.employer_id is not None
    if command.filed_by is not None or command.appellant_member_id is not None:
        raise InvalidCommand(
            "filed_by and appellant_member_id name a household's representative and member "
            "(12.17); an employer's appeal takes neither"
        )
    employer = ledger.employer(command.employer_id)
    appealed = _appealed_event(
        ledger,
        command,
        ledger.employer_events(employer),
        f"employer {employer.employer_id!r}",
    )
    employee_id = command.employee_id
    not_the_employees = None
    if employee_id is not None and not rules.concerns_employee(event_data(appealed), employee_id):
        not_the_employees = (
            f"the action does not name employee {employee_id}: an employee appeals the actions "
            f"taken about them ({rules.EMPLOYEES_APPEAL})"
        )
    appeal = Appeal.file_for_employer(
        on=command.on,
        appeal_id=command.appeal_id,
        employer_id=command.employer_id,
        appealed=appealed,
        appealed_event_id=command.appealed_event_id,
        grounds=command.grounds,
        notice_sent=command.notice_sent,
        notice_received_on=command.notice_received_on,
        policy=ledger.policy.in_force(command.on),
        employee_id=employee_id,
        not_the_employees=not_the_employees,
    )
    employer.link_appeal(command.on, command.appeal_id)
    return [employer, appeal]


def _appealed_event(
    ledger: LedgerPort, command: FileAppeal, record: list[tuple[int, Any]], whose: str
) -> Any:
    """The event appealed, found by its id in the appellant's `record` (`whose`, as a refusal
    names it): refused when the appeal id is taken, the event is not there, or the appeal was
    received before the action it appeals."""
    try:
        ledger.repository.get(Appeal.id_for(command.appeal_id))
    except AggregateNotFoundError:
        pass
    else:
        raise Conflict(f"appeal {command.appeal_id!r} already exists", "duplicate_appeal")
    event_id = command.appealed_event_id
    try:
        wanted = UUID(event_id)
    except ValueError:
        raise InvalidCommand(f"appealed_event_id {event_id!r} is not an event id") from None
    for _position, event in record:
        if event_uuid(event.originator_id, event.originator_version) == wanted:
            if command.on < event.on:
                raise InvalidCommand("an appeal cannot be received before the action it appeals")
            return event
    raise InvalidCommand(f"no event {event_id!r} in the record of {whose}", "unknown_event")


def decide_appeal(ledger: LedgerPort, command: DecideAppeal) -> list[Aggregate]:
    """12.15(4)-(6). A reversed eligibility or plan-type determination records the corrected
    determination, with the original effective dates (premiums stayed due meanwhile, 12.15(6))."""
    appeal = ledger.appeal(command.appeal_id)
    policy = ledger.policy.in_force(command.on)
    appeal.decide(command.on, command.outcome.value, policy)
    if command.outcome != AppealOutcome.REVERSED:
        return [appeal]
    if appeal.employer_id is not None:
        return [appeal, *implement_group_reversal(ledger, appeal, command.on, policy)]
    if appeal.household_id is None:
        return [appeal]
    if appeal.appealed_event_type == Household.SpecialEnrollmentPeriodDenied.__name__:
        household = ledger.household(appeal.household_id)
        return [appeal, _open_denied_period(household, ledger, appeal, command.on, policy)]
    if appeal.appealed_event_type == Enrollment.CoverageTerminatedForFraud.__name__:
        household = ledger.household(appeal.household_id)
        return [appeal, *implement_reversal(ledger, household, appeal, command.on)]
    if appeal.appealed_event_type != Household.EligibilityDetermined.__name__:
        return [appeal]
    household = ledger.household(appeal.household_id)
    _record_correction(
        ledger, appeal, household, command.on, command.findings, policy, CORRECTED_DETERMINATION
    )
    return [appeal, household, *implement_reversal(ledger, household, appeal, command.on)]


def _record_correction(
    ledger: LedgerPort,
    appeal: Appeal,
    household: Household,
    on: date,
    findings: Changes | None,
    policy: PolicyVersion,
    citation: str,
) -> None:
    """The appealed determination decided again from the facts held then, with the officer's
    `findings`, recorded on `on` with the original effective dates."""
    prior = facts_before(ledger.aggregate_events(household.id), appeal.appealed_version)
    original = ledger.load_event(appeal.appealed_aggregate_id, appeal.appealed_version)
    corrected = decide_again(
        prior,
        original.on,
        policy,
        DeterminationBasis.APPEAL_REVERSAL,
        findings.record() if findings is not None else None,
        original.plan_year,
    )
    original_dates = {
        m["member_id"]: date.fromisoformat(m["effective_on"]) for m in original.members
    }
    household.record_corrected_determination(
        dataclasses.replace(
            corrected,
            on=on,
            effective_on=original.effective_on,
            citation=citation,
            members=with_original_effective_dates(corrected.members, original_dates),
        ),
        policy,
    )


def order_rehearing(ledger: LedgerPort, command: OrderRehearing) -> list[Aggregate]:
    """12.15(5): the order, and the stay of the initial decision it brings. When the initial
    decision reversed an eligibility determination and its correction is still the household's
    latest determination, the stay restores the appealed determination's results (an event; the
    correction stays in the record)."""
    appeal = ledger.appeal(command.appeal_id)
    policy = ledger.policy.in_force(command.on)
    appeal.order_rehearing(command.on, policy)
    household = None
    correction = None
    if (
        appeal.outcome is not None
        and appeal.household_id is not None
        and rehearing_rules.stays_a_correction(appeal.outcome, appeal.appealed_event_type)
    ):
        household = ledger.household(appeal.household_id)
        own_events = list(ledger.aggregate_events(household.id))
        correction = initial_correction(ledger, appeal, own_events)
        held = rehearing.held_determination(own_events, appeal.appeal_id, correction)
        if held != rehearing_rules.HeldDetermination.CORRECTION:
            correction = None
    appeal.stay_initial_decision(
        command.on,
        policy,
        event_id(correction.originator_id, correction.originator_version) if correction else None,
    )
    if household is None or correction is None:
        return [appeal]
    rehearing.restore_appealed(
        household,
        on=command.on,
        appeal_id=appeal.appeal_id,
        appealed=ledger.load_event(appeal.appealed_aggregate_id, appeal.appealed_version),
        correction=correction,
        reason=rehearing.STAYED,
        policy_version=policy.version,
    )
    return [appeal, household]


def _open_denied_period(
    household: Household,
    ledger: LedgerPort,
    appeal: Appeal,
    decided_on: date,
    policy: PolicyVersion,
) -> Household:
    """12.13(3), 12.15(4): a refused special enrollment period reversed on appeal is opened for
    the members it was refused to (`reversed_denial_period`: sixty days from the original event,
    or from the decision when those have passed)."""
    denied = ledger.load_event(appeal.appealed_aggregate_id, appeal.appealed_version)
    terms = reversed_denial_period(denied.event_on, decided_on, policy)
    household.open_special_enrollment_period(
        kind=reopened_kind(denied.kind),
        event_on=denied.event_on,
        on=decided_on,
        member_ids=tuple(denied.member_ids),
        citation=terms.citation,
        policy=policy,
        end_on=terms.end_on,
    )
    return household


def initial_correction(
    ledger: LedgerPort, appeal: Appeal, household_events: list[Any]
) -> Any | None:
    """The corrected determination the appeal's initial decision recorded: the household's
    `EligibilityDetermined` recorded by the same command as that decision (the same record
    instant), or None."""
    decisions = [
        e for e in ledger.aggregate_events(appeal.id) if isinstance(e, Appeal.AppealDecided)
    ]
    if not decisions:
        return None
    decided = decisions[-1]
    for event in household_events:
        if (
            isinstance(event, Household.EligibilityDetermined)
            and event.basis == DeterminationBasis.APPEAL_REVERSAL
            and event.timestamp == decided.timestamp
        ):
            return event
    return None


def decide_rehearing(ledger: LedgerPort, command: DecideRehearing) -> list[Aggregate]:
    """12.15(5): the re-hearing's decision ends the stay, and the decision that stands is
    implemented (`rehearing_rules.rehearing_effect`): a superseding reversal records a corrected
    determination from its findings; an initial reversal that stands has its stayed correction
    recorded again; a standing decision that is no reversal restores the appealed determination
    where a correction is still in force."""
    appeal = ledger.appeal(command.appeal_id)
    policy = ledger.policy.in_force(command.on)
    superseding = command.superseding_outcome.value if command.superseding_outcome else None
    initial_outcome = appeal.outcome
    appeal.decide_rehearing(
        command.on,
        command.outcome,
        superseding,
        policy,
        findings_given=command.findings is not None,
    )
    if initial_outcome is not None and appeal.employer_id is not None:
        return [
            appeal,
            *implement_group_rehearing(
                ledger, appeal, initial_outcome, superseding, command.on, policy
            ),
        ]
    if (
        initial_outcome is None
        or appeal.household_id is None
        or appeal.appealed_event_type != Household.EligibilityDetermined.__name__
    ):
        return [appeal]
    household = ledger.household(appeal.household_id)
    own_events = list(ledger.aggregate_events(household.id))
    correction = initial_correction(ledger, appeal, own_events)
    held = rehearing.held_determination(own_events, appeal.appeal_id, correction)
    effect = rehearing_rules.rehearing_effect(initial_outcome, superseding, held)
    if effect == rehearing_rules.RehearingEffect.NEW_CORRECTION:
        _record_correction(
            ledger,
            appeal,
            household,
            command.on,
            command.findings,
            policy,
            rules.CORRECTION_AFTER_REHEARING,
        )
    elif (
        effect == rehearing_rules.RehearingEffect.REAPPLY_INITIAL_CORRECTION
        and correction is not None
    ):
        rehearing.record_correction_again(household, on=command.on, correction=correction)
    elif effect == rehearing_rules.RehearingEffect.RESTORE_APPEALED and correction is not None:
        rehearing.restore_appealed(
            household,
            on=command.on,
            appeal_id=appeal.appeal_id,
            appealed=ledger.load_event(appeal.appealed_aggregate_id, appeal.appealed_version),
            correction=correction,
            reason=rehearing.SUPERSEDED,
            policy_version=policy.version,
        )
        return [appeal, household, *_end_as_appealed(ledger, household, appeal, command.on)]
    elif (
        held == rehearing_rules.HeldDetermination.STAY_RESTORATION
        and superseding is not None
        and superseding != AppealOutcome.REVERSED
    ):
        return [appeal, *_end_as_appealed(ledger, household, appeal, command.on)]
    else:
        return [appeal]
    return [appeal, household, *implement_reversal(ledger, household, appeal, command.on)]


def _end_as_appealed(
    ledger: LedgerPort, household: Household, appeal: Appeal, on: date
) -> list[Aggregate]:
    """12.15(5): a superseding decision that is no reversal leaves the appealed determination
    standing, so coverage the initial reversal restored ends as that determination decided
    (12.10(5)(c)). The enrollments changed."""
    appealed = ledger.load_event(appeal.appealed_aggregate_id, appeal.appealed_version)
    return end_coverage_of_members_no_longer_eligible(ledger, household, on, determined=appealed)
