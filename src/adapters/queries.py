"""The read side as users ask it: coverage, balance and timeline, with `as_of` and `known_at`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from ..domain.enrollment import Enrollment, replay
from ..domain.errors import LedgerError
from ..domain.hearing import facts_before, recompute, recompute_period_denial
from ..domain.household import Household
from ..domain.ledger import Ledger
from ..projections.balance import current_balance
from ..projections.coverage import current_coverage
from ..projections.enrollment_views import balance_view, coverage_view, enrollment_at
from ..projections.timelines import timeline_events
from .wire import render_event


def coverage(
    ledger: Ledger, enrollment_id: str, as_of: date | None = None, known_at: datetime | None = None
) -> dict[str, Any]:
    """From the coverage projection when it is current and no point in time is asked for."""
    return _answer(ledger, current_coverage, coverage_view, enrollment_id, as_of, known_at)


def balance(
    ledger: Ledger, enrollment_id: str, as_of: date | None = None, known_at: datetime | None = None
) -> dict[str, Any]:
    """From the balance projection when it is current and no point in time is asked for."""
    return _answer(ledger, current_balance, balance_view, enrollment_id, as_of, known_at)


def _answer(
    ledger: Ledger,
    projected: Callable[[Ledger, str], dict[str, Any] | None],
    view: Callable[[Enrollment], dict[str, Any]],
    enrollment_id: str,
    as_of: date | None,
    known_at: datetime | None,
) -> dict[str, Any]:
    """The read model's stored answer when it is current and no point in time is asked for;
    otherwise the enrollment folded from its events (as of / as known then) and its view."""
    if as_of is None and known_at is None and (found := projected(ledger, enrollment_id)):
        return found
    return view(enrollment_at(ledger, enrollment_id, as_of, known_at))


def timeline(ledger: Ledger, household_id: str, known_at: datetime | None = None) -> dict[str, Any]:
    household = ledger.household(household_id)
    events = timeline_events(ledger.household_events(household), known_at)
    return {"household_id": household_id, "events": [render_event(e) for e in events]}


def hearing(ledger: Ledger, appeal_id: str) -> dict[str, Any]:
    """The hearing packet: the appealed determination, the facts held when it was made, the rule
    and policy version applied, the decision recomputed with that version and with the current
    one, and the household's whole timeline."""
    appeal = ledger.appeal(appeal_id)
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
            "history": appeal.history,
            "events": [render_event(e) for e in ledger.aggregate_events(appeal.id)],
        },
        "appealed_event": render_event(appealed),
        "facts_known": [render_event(e) for e in prior],
        "rule": {"citation": appealed.citation, "policy_version": appealed.policy_version},
        "recomputed": recomputed,
        "current_policy": current,
        "note": note,
        "timeline": [render_event(e) for e in history],
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
