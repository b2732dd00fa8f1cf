"""956 CMR 12.06 and 12.09(2): a reported change may give only what changed for a member already on
the application; a member it adds needs every fact an application gives; a change reported more
than 30 days after it happened is late."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from enrollment_ledger.domain.rules.applications import (
    household_size_refusal,
    missing_member_facts,
    plan_year_refusal,
    reported_late,
)

case = pytest.param
EVERY_FACT = {
    "member_id": "M2",
    "birth_date": "2000-01-01",
    "resident": True,
    "lawfully_present": True,
    "incarcerated": False,
    "aptc_eligible": True,
}


@pytest.mark.parametrize(
    ("change", "missing"),
    [
        case({"member_id": "M1", "incarcerated": True}, (), id="a known member, one fact changed: nothing missing"),
        case({"member_id": "M1"}, (), id="a known member with no fact: nothing missing"),
        case(EVERY_FACT, (), id="a new member with every fact: nothing missing"),
        case({**EVERY_FACT, "resident": False, "aptc_eligible": False}, (), id="a new member whose facts are false: false is a fact given"),
        case({"member_id": "M2", "resident": True}, ("aptc_eligible", "birth_date", "incarcerated", "lawfully_present"), id="a new member with one fact: the four others, sorted"),
        case({**EVERY_FACT, "birth_date": None}, ("birth_date",), id="a new member without a birth date: birth_date"),
    ],
)  # fmt: skip
def test_a_member_added_by_a_change_needs_every_fact_of_an_application(
    change: dict[str, Any], missing: tuple[str, ...]
) -> None:
    assert missing_member_facts(change, {"M1"}) == missing


@pytest.mark.parametrize(
    ("changed_on", "reported_on", "late"),
    [
        case(date(2026, 3, 1), date(2026, 3, 1), False, id="reported the day it happened: on time"),
        case(date(2026, 3, 1), date(2026, 3, 31), False, id="day 30 (31 March): on time"),
        case(date(2026, 3, 1), date(2026, 4, 1), True, id="day 31 (1 April): late"),
        case(date(2026, 2, 1), date(2026, 3, 3), False, id="across February: 1 February + 30 days = 3 March, on time"),
        case(date(2026, 2, 1), date(2026, 3, 4), True, id="4 March: late"),
        case(date(2026, 12, 15), date(2027, 1, 14), False, id="across the year end: 14 January is day 30"),
        case(date(2026, 12, 15), date(2027, 1, 15), True, id="15 January is day 31: late"),
        case(None, date(2026, 9, 1), False, id="the day of the change not said: not found late"),
    ],
)  # fmt: skip
def test_a_change_reported_more_than_thirty_days_after_it_happened_is_late(
    changed_on: date | None, reported_on: date, late: bool
) -> None:
    assert reported_late(changed_on, reported_on) is late


@pytest.mark.parametrize(
    ("on", "plan_year", "renewal", "refused"),
    [
        case(date(2026, 11, 10), 2027, True, False, id="a renewal in November for the coming plan year"),
        case(date(2026, 12, 31), 2027, True, False, id="a renewal on 31 December for the next day's plan year"),
        case(date(2027, 1, 1), 2027, True, True, id="a renewal on 1 January for the plan year just begun"),
        case(date(2026, 6, 10), 2026, True, True, id="a renewal in June for the plan year in progress"),
        case(date(2026, 6, 10), 2025, True, True, id="a renewal for a plan year already ended"),
        case(date(2026, 6, 10), 2026, False, False, id="an application for the plan year in progress"),
        case(date(2026, 11, 2), 2027, False, False, id="an application in open enrollment for the coming year"),
        case(date(2026, 12, 31), 2026, False, False, id="an application on 31 December for that plan year"),
        case(date(2027, 1, 1), 2026, False, True, id="an application on 1 January for the plan year just ended"),
        case(date(2026, 6, 10), 2025, False, True, id="an application in June for last year"),
    ],
)  # fmt: skip
def test_a_renewal_is_for_the_coming_plan_year_and_an_application_not_for_one_ended(
    on: date, plan_year: int, renewal: bool, refused: bool
) -> None:
    """12.07(1): the yearly review for the coming plan year; 12.06: an application for the plan
    year in progress or the coming one."""
    refusal = plan_year_refusal(on, plan_year, renewal=renewal)
    assert (refusal is not None) is refused
    if refused:
        assert ("12.07(1)" if renewal else "12.06") in (refusal or "")


@pytest.mark.parametrize(
    ("size", "members", "deceased", "refused"),
    [
        case(2, ["M1", "M2"], [], False, id="two members, size two"),
        case(3, ["M1", "M2"], [], False, id="a size larger than the members named"),
        case(1, ["M1", "M2"], [], True, id="size one for two members"),
        case(1, ["M1", "M2"], ["M2"], False, id="size one, one of the two members deceased"),
        case(0, ["M1", "M2"], ["M2"], True, id="size zero, one living member"),
    ],
)  # fmt: skip
def test_a_household_size_counts_every_living_member_named(
    size: int, members: list[str], deceased: list[str], refused: bool
) -> None:
    """12.06 (and 12.09(2) for a change): the size is at least the living members named."""
    assert (household_size_refusal(size, members, deceased) is not None) is refused
