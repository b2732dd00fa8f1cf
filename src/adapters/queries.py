"""The read side as users ask it: coverage, balance and timeline, with `as_of` and `known_at`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from ..domain import representatives
from ..domain.appeal import Appeal
from ..domain.enrollment import Enrollment, replay
from ..domain.errors import LedgerError, UnknownEmployer, UnknownHousehold
from ..domain.group_enrollment import GroupEnrollment
from ..domain.hearing import facts_before, recompute, recompute_period_denial
from ..domain.household import Household
from ..domain.ledger import Ledger
from ..domain.rules.appeals import REHEARING
from ..projections.balance import current_balance
from ..projections.coverage import current_coverage
from ..projections.group_views import any_enrollment_at, balance_answer, coverage_answer
from ..projections.timelines import timeline_events
from .attribution import actor_of, actors_by_event, actors_of
from .hearing_premiums import premiums_by_month
from .wire import plain, render_event


def coverage(
    ledger: Ledger, enrollment_id: str, as_of: date | None = None, known_at: datetime | None = None
) -> dict[str, Any]:
    """From the coverage projection when it is current and no point in time is asked for. A
    small group's enrollment id answers with its employees' spans."""
    return _answer(ledger, current_coverage, coverage_answer, enrollment_id, as_of, known_at)


def balance(
    ledger: Ledger, enrollment_id: str, as_of: date | None = None, known_at: datetime | None = None
) -> dict[str, Any]:
    """From the balance projection when it is current and no point in time is asked for. A
    small group's enrollment id answers with the employees each month bills."""
    return _answer(ledger, current_balance, balance_answer, enrollment_id, as_of, known_at)


def _answer(
    ledger: Ledger,
    projected: Callable[[Ledger, str], dict[str, Any] | None],
    view: Callable[[Enrollment | GroupEnrollment], dict[str, Any]],
    enrollment_id: str,
    as_of: date | None,
    known_at: datetime | None,
) -> dict[str, Any]:
    """The read model's stored answer when it is current and no point in time is asked for;
    otherwise the enrollment (an individual's or a small group's) folded from its events (as of
    / as known then) and its view."""
    if as_of is None and known_at is None and (found := projected(ledger, enrollment_id)):
        return found
    return view(any_enrollment_at(ledger, enrollment_id, as_of, known_at))


def timeline(ledger: Ledger, household_id: str, known_at: datetime | None = None) -> dict[str, Any]:
    """Every event of a household, its enrollments and appeals, in store order, each with who
    recorded it; or, for an employer's id (when no household has it), of the employer, its group
    enrollments and its appeals."""
    try:
        household = ledger.household(household_id)
    except UnknownHousehold:
        return employer_timeline(ledger, household_id, known_at)
    events = timeline_events(ledger.household_events(household), known_at)
    actors = actors_of(ledger, events)
    return {
        "household_id": household_id,
        "events": [render_event(e, by) for e, by in zip(events, actors, strict=True)],
    }


def employer_timeline(
    ledger: Ledger, employer_id: str, known_at: datetime | None = None
) -> dict[str, Any]:
    try:
        employer = ledger.employer(employer_id)
    except UnknownEmployer:
        raise UnknownHousehold(f"unknown household or employer {employer_id!r}") from None
    events = timeline_events(ledger.employer_events(employer), known_at)
    actors = actors_of(ledger, events)
    return {
        "employer_id": employer_id,
        "events": [render_event(e, by) for e, by in zip(events, actors, strict=True)],
    }


def hearing(ledger: Ledger, appeal_id: str) -> dict[str, Any]:
    """The hearing packet: the appealed determination, the facts held when it was made, the rule
    and policy version applied, the decision recomputed with that version and with the current
    one, who filed the appeal for whom, the household's representatives in force, the re-hearing
    and the stay of the initial decision (12.15(5)), and the household's whole timeline."""
    appeal = ledger.appeal(appeal_id)
    if appeal.household_id is None:
        return employer_hearing(ledger, appeal_id)
    household = ledger.household(appeal.household_id)
    appealed = ledger.load_event(appeal.appealed_aggregate_id, appeal.appealed_version)
    stream = list(ledger.aggregate_events(appeal.appealed_aggregate_id))
    prior = facts_before(stream, appeal.appealed_version)
    recomputed: dict[str, Any] | None = None
    current: dict[str, Any] | None = None
    note = None
    if type(appealed).__name__ == "EligibilityDetermined":
        recomputed = _recomputation(ledger, prior, appealed, appealed.policy_version)
        current = _recomputation(ledger, prior, appealed, ledger.policy.current.version)
    elif isinstance(appealed, Household.SpecialEnrollmentPeriodDenied):
        then = _enrollments_before(ledger, prior, appealed)
        applied = appealed.policy_version or ledger.policy.current.version
        recomputed = _period_recomputation(ledger, prior, appealed, then, applied)
        current = _period_recomputation(
            ledger, prior, appealed, then, ledger.policy.current.version
        )
    else:
        note = (
            "the ledger recomputes eligibility determinations and refused special enrollment "
            "periods; this action is shown as recorded"
        )
    history = timeline_events(ledger.household_events(household))
    actors = actors_by_event(
        ledger, [appeal.id, appeal.appealed_aggregate_id, *(e.originator_id for e in history)]
    )

    def shown(event: Any) -> dict[str, Any]:
        return render_event(event, actor_of(actors, event))

    appeal_events = list(ledger.aggregate_events(appeal.id))
    return {
        "appeal_id": appeal.appeal_id,
        "household_id": appeal.household_id,
        "appeal": {
            "filed_on": appeal.filed_on.isoformat(),
            "status": appeal.status,
            "outcome": appeal.outcome,
            "deadline": appeal.deadline.isoformat(),
            "timely": appeal.timely,
            "appealable_clause": appeal.appealable_clause,
            "appellant_member_id": appeal.appellant_member_id,
            "filed_by": _filed_by(household, appeal),
            "rehearing": _rehearing(appeal),
            "history": appeal.history,
            "events": [shown(e) for e in appeal_events],
        },
        "stay": _stay(appeal),
        "representatives": [_representative(r) for r in representatives.in_force(household)],
        "appealed_event": shown(appealed),
        "facts_known": [shown(e) for e in prior],
        "rule": {"citation": appealed.citation, "policy_version": appealed.policy_version},
        "recomputed": recomputed,
        "current_policy": current,
        "note": note,
        "timeline": [shown(e) for e in history],
        "premiums_by_month": premiums_by_month(ledger, household),
    }


def _enrollments_before(ledger: Ledger, prior: list[Any], appealed: Any) -> list[Enrollment]:
    """The household's enrollments (those it had linked by then) as they stood when `appealed`
    was recorded: each folded from its events recorded before it."""
    linked = [e.enrollment_id for e in prior if isinstance(e, Household.EnrollmentLinked)]
    enrollments = []
    for enrollment_id in linked:
        events = [
            e
            for e in ledger.aggregate_events(Enrollment.id_for(enrollment_id))
            if e.timestamp < appealed.timestamp
        ]
        folded = replay(events)
        if folded is not None:
            enrollments.append(folded)
    return enrollments


def _period_recomputation(
    ledger: Ledger, prior: list[Any], appealed: Any, then: list[Enrollment], version: str
) -> dict[str, Any]:
    try:
        result = recompute_period_denial(prior, appealed, then, version, ledger.policy)
    except LedgerError as e:
        return {"policy_version": version, "error": {"code": e.code, "message": e.message}}
    return {
        "policy_version": result.policy_version,
        "decision": result.decision,
        "reason": result.reason,
        "end_on": result.end_on.isoformat() if result.end_on else None,
        "citation": result.citation,
        "matches": result.matches,
        "differences": result.differences,
        "coverage_lost": result.coverage_lost,
    }


def _representative(record: dict[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = plain(record)
    return shown


def _filed_by(household: Household, appeal: Appeal) -> dict[str, Any] | None:
    """The representative who filed the appeal, as designated (with `revoked_on` if revoked
    since), or None when the appellant filed it."""
    if appeal.filed_by is None:
        return None
    return _representative(household.representatives[appeal.filed_by])


def _rehearing(appeal: Appeal) -> dict[str, Any] | None:
    if appeal.rehearing is None:
        return None
    shown: dict[str, Any] = plain(appeal.rehearing)
    shown["pending"] = appeal.rehearing["decided_on"] is None
    return shown


def _stay(appeal: Appeal) -> str | None:
    """12.15(5): the initial decision is stayed while its re-hearing is pending."""
    rehearing = appeal.rehearing
    if rehearing is None or rehearing["decided_on"] is not None:
        return None
    decide_by = rehearing["decide_by"]
    due = f"; a decision is due by {decide_by.isoformat()}" if decide_by is not None else ""
    return (
        f"the initial decision of {rehearing['initial_decision_on'].isoformat()} "
        f"({rehearing['initial_outcome']}) is stayed pending the re-hearing ordered on "
        f"{rehearing['ordered_on'].isoformat()} ({REHEARING}){due}"
    )


def _recomputation(ledger: Ledger, prior: list[Any], appealed: Any, version: str) -> dict[str, Any]:
    try:
        result = recompute(prior, appealed, version, ledger.policy)
    except LedgerError as e:
        return {"policy_version": version, "error": {"code": e.code, "message": e.message}}
    return {
        "policy_version": result.policy_version,
        "members": result.members,
        "matches": result.matches,
        "differences": result.differences,
    }


def employer_hearing(ledger: Ledger, appeal_id: str) -> dict[str, Any]:
    """An employer's (or its employee's, `employee_id`) hearing packet: the appealed action as
    recorded, the facts held when it
    was taken, the rule and policy version applied, and the employer's whole timeline (the
    ledger does not recompute an employer's determination here yet)."""
    appeal = ledger.appeal(appeal_id)
    assert appeal.employer_id is not None
    employer = ledger.employer(appeal.employer_id)
    appealed = ledger.load_event(appeal.appealed_aggregate_id, appeal.appealed_version)
    prior = facts_before(
        list(ledger.aggregate_events(appeal.appealed_aggregate_id)), appeal.appealed_version
    )
    history = timeline_events(ledger.employer_events(employer))
    return {
        "appeal_id": appeal.appeal_id,
        "employer_id": appeal.employer_id,
        # the appellant: the employer (null) or its employee (12.14(2)(b))
        "employee_id": appeal.employee_id,
        "appeal": {
            "filed_on": appeal.filed_on.isoformat(),
            "status": appeal.status,
            "outcome": appeal.outcome,
            "deadline": appeal.deadline.isoformat(),
            "timely": appeal.timely,
            "appealable_clause": appeal.appealable_clause,
            "appellant_member_id": None,
            "filed_by": None,
            "rehearing": _rehearing(appeal),
            "history": appeal.history,
            "events": [render_event(e) for e in ledger.aggregate_events(appeal.id)],
        },
        "stay": _stay(appeal),
        "representatives": [],  # 12.17: representatives are a household's
        "appealed_event": render_event(appealed),
        "facts_known": [render_event(e) for e in prior],
        "rule": {"citation": appealed.citation, "policy_version": appealed.policy_version},
        "recomputed": None,
        "current_policy": None,
        "note": "an employer's action is shown as recorded",
        "timeline": [
            render_event(e, by) for e, by in zip(history, actors_of(ledger, history), strict=True)
        ],
    }
