"""Coverage and balance of a small group's enrollment, folded from its events (optionally only
those dated by a business day, `as_of`, and recorded by an instant, `known_at`): the group's span
and balance as an individual enrollment's (`enrollment_views`), with its employees' spans and the
employees each month billed.

`any_enrollment_at` folds whichever kind of enrollment an id names (one id space), and
`coverage_answer` / `balance_answer` give its view.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from ..domain.enrollment import Enrollment, replay
from ..domain.enrollment.shared import Status
from ..domain.errors import UnknownEnrollment
from ..domain.group_enrollment import EmployeeSpan, GroupEnrollment
from ..domain.group_enrollment import replay as replay_group
from ..domain.money import money_str
from ..domain.rules.small_group import GROUP_EFFECTIVE_DATE
from .enrollment_views import (
    EventSource,
    balance_view,
    coverage_view,
    paid_through,
    select_events,
)


def any_enrollment_at(
    source: EventSource,
    enrollment_id: str,
    as_of: date | None = None,
    known_at: datetime | None = None,
) -> Enrollment | GroupEnrollment:
    """The enrollment (an individual's or a small group's) folded from its events in `source`."""
    events = select_events(
        source.aggregate_events(Enrollment.id_for(enrollment_id)), as_of, known_at
    )
    state: Enrollment | GroupEnrollment | None
    if events and isinstance(events[0], GroupEnrollment.GroupPlanSelected):
        state = replay_group(events)
    else:
        state = replay(events)
    if state is None:
        raise UnknownEnrollment(f"unknown enrollment {enrollment_id!r} (at that point in time)")
    return state


def coverage_answer(state: Enrollment | GroupEnrollment) -> dict[str, Any]:
    return (
        group_coverage_view(state) if isinstance(state, GroupEnrollment) else coverage_view(state)
    )


def balance_answer(state: Enrollment | GroupEnrollment) -> dict[str, Any]:
    return group_balance_view(state) if isinstance(state, GroupEnrollment) else balance_view(state)


def group_coverage_view(group: GroupEnrollment) -> dict[str, Any]:
    """The group's coverage as an enrollment's (`status`, `spans`, `paid_through`), and each
    employee's: the spans of its coverage within the group's."""
    spans: list[dict[str, Any]] = []
    if group.start_on is not None and group.status != Status.CANCELLED:
        spans.append(
            {
                "start_on": group.start_on.isoformat(),
                "end_on": group.end_on.isoformat() if group.end_on else None,
                "end_reason": group.end_reason,
                "citation": group.end_citation or GROUP_EFFECTIVE_DATE,
            }
        )
    employee_ids = list(dict.fromkeys(s.employee_id for s in group.employees))
    return {
        "enrollment_id": group.group_enrollment_id,
        "group_enrollment_id": group.group_enrollment_id,
        "employer_id": group.employer_id,
        "coverage": group.coverage,
        "plan_id": group.plan_id,
        "status": group.status,
        "coverage_start_on": group.coverage_start_on.isoformat(),
        "enrollment_deadline": group.enrollment_deadline.isoformat(),
        "spans": spans,
        "paid_through": paid_through(group),
        "employees": [_employee(group, employee_id) for employee_id in employee_ids],
        "waived": [
            {"employee_id": employee_id, "on": on.isoformat()}
            for employee_id, on in sorted(group.waivers.items())
        ],
    }


def _employee(group: GroupEnrollment, employee_id: str) -> dict[str, Any]:
    own = [s for s in group.employees if s.employee_id == employee_id]
    latest = own[-1]
    spans = _joined([span for s in own if (span := _employee_span(group, s)) is not None])
    if group.status == Status.CANCELLED:
        status = "cancelled"
    elif group.status == Status.PENDING_BINDER:
        status = "pending"
    elif latest.end_on is None and group.status != Status.TERMINATED and not group.ended:
        status = "enrolled"
    else:
        status = "ended"
    return {
        "employee_id": employee_id,
        "member_ids": list(latest.member_ids),
        "monthly_premium": money_str(latest.monthly_premium),
        "basis": latest.basis,
        "status": status,
        "spans": spans,
        # 12.11(2): a dependent added by birth, adoption or placement, from its own start
        "dependents_from": {
            member_id: group.dependents_from[member_id].isoformat()
            for member_id in latest.member_ids
            if member_id in group.dependents_from
        },
    }


def _joined(spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive spans of one employee (a premium changed by a new dependent, 12.11(2)) as one
    span: one ending the day before the next begins, with no reason of its own."""
    joined: list[dict[str, Any]] = []
    for span in spans:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and previous["end_on"] is not None
            and previous["end_reason"] is None
            and date.fromisoformat(previous["end_on"]) + timedelta(days=1)
            == date.fromisoformat(span["start_on"])
        ):
            joined[-1] = {**span, "start_on": previous["start_on"]}
        else:
            joined.append(span)
    return joined


def _employee_span(group: GroupEnrollment, span: EmployeeSpan) -> dict[str, Any] | None:
    """The employee's coverage within the group's: from its own start, to its own end or the
    group's, whichever is first (None when it never began: the group never started, or ended
    before it)."""
    if group.start_on is None or group.status == Status.CANCELLED:
        return None
    # a span ended only by a premium change (a new dependent, 12.11(2)) has no clause of its own
    reason: str | None = span.end_reason or (
        "employee_request" if span.end_citation is not None else None
    )
    end_on, citation = span.end_on, span.end_citation
    if group.end_on is not None and (end_on is None or group.end_on < end_on):
        end_on, reason, citation = group.end_on, group.end_reason, group.end_citation
    if end_on is not None and end_on < span.start_on:
        return None
    return {
        "start_on": span.start_on.isoformat(),
        "end_on": end_on.isoformat() if end_on else None,
        "end_reason": reason if end_on else None,
        "citation": citation if end_on else GROUP_EFFECTIVE_DATE,
    }


def group_balance_view(group: GroupEnrollment) -> dict[str, Any]:
    """The employer's balance as an enrollment's, each month with the employees it bills."""
    view = balance_view(group)
    for month in view["months"]:
        first = date.fromisoformat(month["month"] + "-01")
        month["employees"] = [
            {"employee_id": s.employee_id, "amount": money_str(s.monthly_premium)}
            for s in group.employees
            if s.billed_for(first)
        ]
    return {
        **view,
        "group_enrollment_id": group.group_enrollment_id,
        "employer_id": group.employer_id,
    }
