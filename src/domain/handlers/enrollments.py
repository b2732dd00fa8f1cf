"""Use cases of an enrollment: choosing a plan (12.10(1)-(3), 12.16), payments (12.12(1)),
reinstatement (12.12(6)), voluntary termination (12.10(8)), renewal (12.07(1)) and the schedule's
time-driven decisions."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from ..commands import (
    RecordPayment,
    RenewEnrollment,
    RequestReinstatement,
    RequestTermination,
    RunSchedule,
    SelectPlan,
    TerminateForFraud,
)
from ..enrollment import Enrollment
from ..errors import Conflict, InvalidCommand, NotEligible, OutsideEnrollmentPeriod
from ..group_enrollment import GroupEnrollment
from ..household import Household
from ..payment_references import duplicate_reference
from ..rules import enrollment_periods as periods
from ..rules.effective_dates import YEARLY_REVIEW
from ..rules.plan_selection import (
    Coverage,
    PlanTerms,
    check_metal_level,
    dental_terms,
    health_terms,
)
from . import small_group
from .waivers import open_periods_for_ended_waivers

if TYPE_CHECKING:
    from .ports import LedgerPort


def select_plan(ledger: LedgerPort, command: SelectPlan) -> list[Aggregate]:
    """12.10(1)-(3) for health plans; 12.16(1)(a), (3)(a) for dental plans."""
    on, member_ids = command.on, list(command.member_ids)
    household = ledger.household(command.household_id)
    policy = ledger.policy.in_force(on)
    try:
        ledger.repository.get(Enrollment.id_for(command.enrollment_id))
    except AggregateNotFoundError:
        pass
    else:
        raise Conflict(
            f"enrollment {command.enrollment_id!r} already exists", "duplicate_enrollment"
        )
    application = household.latest_application()
    facts = {f.member_id: f for f in application.facts()}
    unknown = [m for m in member_ids if m not in facts]
    if unknown:
        raise InvalidCommand(
            f"not members of household {command.household_id!r}: {', '.join(unknown)}"
        )
    results = {m: household.latest_member_result(m) for m in member_ids}
    sep = None
    if command.coverage == Coverage.DENTAL:
        terms = dental_terms(
            member_ids, facts, results, command.aptc_applied, application.plan_year
        )
        basis = periods.DENTAL_ANY_TIME_BASIS
    else:
        terms = health_terms(_latest_plan_year(household), results, command.aptc_applied)
        ai_an_denial = periods.ai_an_change_denial(on, household.ai_an_enrollments)
        sep = household.sep_covering(
            on,
            member_ids,
            usable=lambda period: period.kind != periods.AI_AN_MONTHLY or ai_an_denial is None,
        )
        chosen = periods.health_plan_period(on, terms.plan_year, policy, sep.kind if sep else None)
        refused_ai_an = (
            household.sep_covering(
                on, member_ids, usable=lambda period: period.kind == periods.AI_AN_MONTHLY
            )
            if chosen is None and ai_an_denial is not None
            else None
        )
        if refused_ai_an is not None and ai_an_denial is not None:
            # 12.13(3): a second change in the month under the American Indian or Alaska Native
            # period, the only period covering it, is a special enrollment period refused:
            # recorded, to be appealable.
            household.deny_special_enrollment_period(
                kind=refused_ai_an.kind,
                event_on=on,
                on=on,
                member_ids=tuple(member_ids),
                denial=ai_an_denial,
                policy=policy,
            )
            return [household]
        if chosen is None:
            start, end = periods.open_enrollment_window(terms.plan_year, policy)
            raise OutsideEnrollmentPeriod(
                f"{on.isoformat()} is outside open enrollment for plan year {terms.plan_year} "
                f"({start.isoformat()} to {end.isoformat()}) and no special enrollment period "
                f"covers it ({periods.OPEN_ENROLLMENT})"
            )
        basis = chosen
    check_metal_level(
        command.metal_level, command.coverage, [facts[m] for m in member_ids], terms.plan_year
    )
    dependent_start = None
    if (
        sep is not None
        and sep.kind == periods.QualifyingKind.NEW_DEPENDENT
        and basis.endswith(periods.QualifyingKind.NEW_DEPENDENT)
    ):
        dependent_start = sep.start_on
    enrollment = Enrollment.select(
        on=on,
        enrollment_id=command.enrollment_id,
        household_id=command.household_id,
        member_ids=member_ids,
        plan_id=command.plan_id,
        coverage=command.coverage.value,
        monthly_premium=command.monthly_premium,
        aptc_applied=command.aptc_applied,
        program=terms.program.value,
        plan_type=terms.plan_type,
        plan_year=terms.plan_year,
        enrollment_basis=basis,
        policy=policy,
        dependent_start_on=dependent_start if command.coverage == Coverage.HEALTH else None,
        metal_level=command.metal_level.value if command.metal_level else None,
    )
    household.link_enrollment(on, command.enrollment_id, basis)
    return [household, enrollment, *end_replaced(ledger, household, enrollment, on)]


def _latest_plan_year(household: Household) -> int | None:
    if not household.determinations:
        return None
    return int(household.determinations[-1]["plan_year"])


def end_replaced(
    ledger: LedgerPort, household: Household | None, enrollment: Enrollment, on: date
) -> list[Aggregate]:
    """After `enrollment` is effectuated, end the household's other health enrollment it
    replaces (12.10(1): a transfer between plans): one still covering any of its members (a
    member whose own coverage there ended, 12.10(5)(c), is no longer in it)."""
    if enrollment.coverage != Coverage.HEALTH or enrollment.start_on is None:
        return []
    if not any(isinstance(e, Enrollment.CoverageEffectuated) for e in enrollment.pending_events):
        return []
    if household is None:
        household = ledger.household(enrollment.household_id)
    replaced: list[Aggregate] = []
    for other_id in household.enrollment_ids:
        if other_id == enrollment.enrollment_id:
            continue
        other = ledger.enrollment(other_id)
        if (
            other.coverage == Coverage.HEALTH
            and periods.is_plan_transfer(
                new_member_ids=enrollment.member_ids,
                new_start_on=enrollment.start_on,
                other_member_ids=other.covered_members(),
                other_start_on=other.start_on,
            )
            and other.covers_after(enrollment.start_on)
        ):
            other.replace_with(
                on, enrollment.enrollment_id, enrollment.start_on, ledger.policy.in_force(on)
            )
            replaced.append(other)
    return replaced


def record_payment(ledger: LedgerPort, command: RecordPayment) -> list[Aggregate]:
    """12.12(1). A payment's `reference` is unique in the whole store: the same payment again
    (same enrollment, amount and date) answers its first recording; any other payment with that
    reference is refused `duplicate_reference`."""
    if command.amount <= 0:
        raise InvalidCommand("a payment amount must be positive", "invalid_field")
    ledger.references.refuse_reused(
        command.on, command.enrollment_id, command.amount, command.reference
    )
    enrollment = ledger.any_enrollment(command.enrollment_id)  # loaded once (issue 22)
    if isinstance(enrollment, GroupEnrollment):
        return small_group.record_payment(ledger, command)
    policy = ledger.policy.in_force(command.on)
    if not enrollment.record_payment(command.on, command.amount, command.reference, policy):
        raise duplicate_reference(command.reference)
    return [enrollment, *end_replaced(ledger, None, enrollment, command.on)]


def request_reinstatement(ledger: LedgerPort, command: RequestReinstatement) -> list[Aggregate]:
    if isinstance(ledger.any_enrollment(command.enrollment_id), GroupEnrollment):
        return small_group.request_reinstatement(ledger, command)
    enrollment = ledger.enrollment(command.enrollment_id)
    enrollment.request_reinstatement(command.on, ledger.policy.in_force(command.on))
    return [enrollment]


def request_termination(ledger: LedgerPort, command: RequestTermination) -> list[Aggregate]:
    if command.enrollment_id is None or isinstance(
        ledger.any_enrollment(command.enrollment_id), GroupEnrollment
    ):
        return small_group.request_termination(ledger, command)
    if command.group_enrollment_id or command.employee_id or command.kind or command.event_on:
        raise InvalidCommand(
            "group_enrollment_id, employee_id, kind and event_on are for a small-group "
            "employee's termination; an individual enrollment's takes only enrollment_id"
        )
    enrollment = ledger.enrollment(command.enrollment_id)
    enrollment.request_termination(command.on, ledger.policy.in_force(command.on))
    return [enrollment]


def terminate_for_fraud(ledger: LedgerPort, command: TerminateForFraud) -> list[Aggregate]:
    """12.10(5)(a), 12.10(7): the enrollment ended for fraud, possibly retroactively."""
    enrollment = ledger.enrollment(command.enrollment_id)
    enrollment.terminate_for_fraud(
        command.on, command.effective_on, command.finding, ledger.policy.in_force(command.on)
    )
    return [enrollment]


def renew_enrollment(ledger: LedgerPort, command: RenewEnrollment) -> list[Aggregate]:
    """12.07(1), 12.12(8)(b): coverage continues into the plan year at its premium, on the
    program and plan type of that year's determination."""
    enrollment = ledger.enrollment(command.enrollment_id)
    household = ledger.household(enrollment.household_id)
    if not any(d["plan_year"] == command.plan_year for d in household.determinations):
        raise NotEligible(
            f"household {household.household_id!r} has no determination for plan year "
            f"{command.plan_year}: submit_renewal first ({YEARLY_REVIEW})"
        )
    if enrollment.coverage == Coverage.DENTAL:
        program, plan_type = enrollment.program, None
    else:
        terms: PlanTerms = health_terms(
            _latest_plan_year(household),
            {m: household.latest_member_result(m) for m in enrollment.member_ids},
            enrollment.aptc_applied,
        )
        program, plan_type = terms.program.value, terms.plan_type
    enrollment.renew(
        command.on,
        command.plan_year,
        command.monthly_premium,
        command.plan_id,
        program,
        plan_type,
        ledger.policy.in_force(command.on),
    )
    return [enrollment]


def run_schedule(ledger: LedgerPort, command: RunSchedule) -> list[Aggregate]:
    """Every time-driven decision due up to `through`, for every enrollment with one due (read
    from the schedule index, so the cost follows what is due). Each decision carries its own
    business date; `on` (the day the run happens) may be after `through`.

    `through` becomes the schedule's date when it is later than the one kept: a fact entered
    afterwards that makes a decision due on or before it has that decision taken as of it
    (`Ledger.take_late_decisions`)."""
    through = command.through
    previous = ledger.storage.schedule_through()
    ledger.storage.raise_schedule_through(through)
    touched: list[Aggregate] = []
    households: dict[str, Household] = {}
    # read at once: paged by id, each page's read sorted every row due again (PostgreSQL
    # reads the rows due by the date's index), so the run's reads grew with the square of it
    due = ledger.storage.due_through(through)
    for start in range(0, len(due), RUN_BATCH):
        for enrollment in ledger.load_enrollments(due[start : start + RUN_BATCH]):
            if previous is not None:
                # Still due by the last run's date: left by a late fact committed while that
                # run was in progress, or recorded before this rule. As of that date.
                enrollment.take_late_decisions(min(previous, through), ledger.policy.in_force)
            enrollment.advance(through, ledger.policy.in_force)
            touched.append(enrollment)
            if isinstance(enrollment, Enrollment):
                open_periods_for_ended_waivers(
                    ledger, enrollment, enrollment.pending_events, households
                )
    return [*households.values(), *touched]


RUN_BATCH = 500
"""Enrollments a monthly run reads from the store at a time (one read of their events)."""
