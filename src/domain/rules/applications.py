"""956 CMR 12.06 (applications) and 12.09(2) (reported changes): what a household tells the
Connector about its members."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from ..calendar import plus_days

APPLICATION = "956 CMR 12.06"
REPORTED_CHANGE = "956 CMR 12.09(2)"

CHANGE_REPORT_DAYS = 30
"""12.09(2): changes "must [be reported] ... within 30 days". The regulation fixes the number (the
member page's "10 days" is advice to members, not the rule), so it is a constant of the rule, not
a policy parameter."""

MEMBER_FACTS = ("birth_date", "resident", "lawfully_present", "incarcerated", "aptc_eligible")
"""What an application says of each member (12.06), besides the member's id."""

FACT_ALSO_GIVEN_AS = {"incarcerated": "incarceration"}
"""A fact another field may give instead: `incarceration` (12.04(1)(b)) says all `incarcerated`
says."""


def missing_member_facts(
    change: Mapping[str, Any], known_member_ids: Collection[str]
) -> tuple[str, ...]:
    """12.09(2) with 12.06: a reported change may give only the facts that changed for a member
    already on the application, but a member it adds needs every fact an application gives.
    The facts (by name, sorted) a change lacks for the member it names; none for a known one."""
    if change["member_id"] in known_member_ids:
        return ()
    return tuple(
        sorted(
            fact
            for fact in MEMBER_FACTS
            if change.get(fact) is None and change.get(FACT_ALSO_GIVEN_AS.get(fact, fact)) is None
        )
    )


def reported_late(changed_on: date | None, reported_on: date) -> bool:
    """12.09(2): a change reported more than 30 days after it happened is late (day 30 is on
    time, day 31 late). A change whose day is not said (`changed_on` None) is not found late."""
    if changed_on is None:
        return False
    return reported_on > plus_days(changed_on, CHANGE_REPORT_DAYS)


def plan_year_refusal(on: date, plan_year: int, *, renewal: bool) -> str | None:
    """Why an application or a renewal received on `on` cannot be for `plan_year` (None when it
    can). A renewal is the yearly review for the coming plan year (12.07(1), 45 CFR 155.335),
    its determination effective 1 January of it: for a plan year already begun it would reach
    back over months already covered, so a change during the year is reported instead (12.09(2),
    a mid-year redetermination, 45 CFR 155.330). An application is for the plan year in
    progress or the coming one (12.06): a plan year already ended has no coverage left to give."""
    if renewal and plan_year <= on.year:
        return (
            f"a renewal is for the coming plan year (956 CMR 12.07(1)): plan year {plan_year} "
            f"began on {plan_year}-01-01; report a change during it with report_change "
            "(956 CMR 12.09(2))"
        )
    if plan_year < on.year:
        return (
            f"plan year {plan_year} ended on {plan_year}-12-31: an application is for the plan "
            f"year in progress or the coming one ({APPLICATION})"
        )
    return None


def household_size_refusal(
    household_size: int, member_ids: Collection[str], deceased: Collection[str]
) -> str | None:
    """12.06: an application counts every member it names in its household size; a reported
    change (12.09(2)) is held to the same, counting the living members (a death is reported
    apart, 12.09(2)). Why the size cannot stand, or None."""
    living = len([m for m in member_ids if m not in deceased])
    if household_size < living:
        return (
            f"household_size {household_size} cannot be smaller than the number of living "
            f"members ({living}) ({APPLICATION})"
        )
    return None
