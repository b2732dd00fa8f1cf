"""956 CMR 12.10(1): open enrollment and special enrollment periods for Non-Group Health Plans."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from ..calendar import plus_days
from ..policy import PolicyVersion

OPEN_ENROLLMENT = "956 CMR 12.10(1)"
TRIGGERING_EVENT = "956 CMR 12.10(1)(a)"
NEWLY_CONNECTORCARE = "956 CMR 12.10(1)(b)"
PLAN_TYPE_CHANGE = "956 CMR 12.10(1)(c)"
CONNECTORCARE_TO_APTC = "956 CMR 12.10(1)(d)"
WAIVER_GRANTED = "956 CMR 12.10(1)(e)"
WAIVER_ENDED = "956 CMR 12.10(1)(f)"
DENTAL_ANY_TIME = "956 CMR 12.16(3)(a)"

AUTOMATIC_SEP_CLAUSES = {
    NEWLY_CONNECTORCARE: "newly_connectorcare_eligible",
    PLAN_TYPE_CHANGE: "plan_type_change",
    CONNECTORCARE_TO_APTC: "connectorcare_to_aptc_only",
}


def open_enrollment_window(plan_year: int, policy: PolicyVersion) -> tuple[date, date]:
    """Open enrollment for plan year Y: from (month, day) of Y-1 to (month, day) of Y."""
    reference = date(plan_year, 1, 1)
    start_month, start_day = policy.open_enrollment_start.at(reference)
    end_month, end_day = policy.open_enrollment_end.at(reference)
    return date(plan_year - 1, start_month, start_day), date(plan_year, end_month, end_day)


def in_open_enrollment(on: date, plan_year: int, policy: PolicyVersion) -> bool:
    start, end = open_enrollment_window(plan_year, policy)
    return start <= on <= end


def special_enrollment_end(event_on: date, policy: PolicyVersion) -> date:
    """12.10(1): "sixty (60) days to enroll ... from the date of one of the events"."""
    return plus_days(event_on, policy.special_enrollment_days.at(event_on))


def automatic_sep_clauses(
    previous: Mapping[str, Mapping[str, Any]], members: Sequence[Mapping[str, Any]]
) -> dict[str, list[str]]:
    """12.10(1)(b)-(d): which members a determination gives a special enrollment period, by clause.

    (b) newly eligible for ConnectorCare (including a first determination);
    (c) a change of ConnectorCare plan type;
    (d) a move from ConnectorCare to APTC only.
    """
    out: dict[str, list[str]] = {}
    for member in members:
        before = previous.get(member["member_id"])
        program = member["program"]
        clause: str | None = None
        if program == "connectorcare":
            if before is None or before["program"] != "connectorcare":
                clause = NEWLY_CONNECTORCARE
            elif before["plan_type"] != member["plan_type"]:
                clause = PLAN_TYPE_CHANGE
        elif program == "aptc_only" and before is not None and before["program"] == "connectorcare":
            clause = CONNECTORCARE_TO_APTC
        if clause is not None:
            out.setdefault(clause, []).append(member["member_id"])
    return out


QUALIFYING_EVENT_KINDS = {
    "marriage": TRIGGERING_EVENT,
    "new_dependent": TRIGGERING_EVENT,
    "loss_of_coverage": TRIGGERING_EVENT,
    "permanent_move": TRIGGERING_EVENT,
    "release_from_incarceration": TRIGGERING_EVENT,
    "newly_lawfully_present": TRIGGERING_EVENT,
    "exchange_error": TRIGGERING_EVENT,
    "exceptional_circumstances": TRIGGERING_EVENT,
    "ai_an_monthly": TRIGGERING_EVENT,
    "opp_waiver": TRIGGERING_EVENT,
}
"""12.10(1)(a): triggering events "as set forth in 45 CFR 155.420 and applicable state law,
including ... enrollment waivers available under 958 CMR 4.00" (the Office of Patient Protection)."""

AI_AN_MONTHLY = "ai_an_monthly"


def health_plan_period(
    on: date, plan_year: int, policy: PolicyVersion, sep_kind: str | None
) -> str | None:
    """The basis on which a health plan may be chosen on `on`, or None outside every period:
    open enrollment for the plan year, or a special enrollment period covering `on`."""
    if in_open_enrollment(on, plan_year, policy):
        return "open_enrollment"
    if sep_kind is not None:
        return f"special_enrollment:{sep_kind}"
    return None
