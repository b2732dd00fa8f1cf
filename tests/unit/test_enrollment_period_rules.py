"""956 CMR 12.10(1): open enrollment and special enrollment periods for Non-Group Health Plans,
one table per rule.

Expected dates are literals read from the regulation ("sixty (60) days to enroll ... from the date
of one of the events"; a day is a calendar day, 12.03) and from the contract's "Policy defaults"
(open enrollment for plan year Y: 1 November of Y-1 to 23 January of Y), never computed by the
function under test.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from enrollment_ledger.domain.events import recording_at
from enrollment_ledger.domain.household import Household
from enrollment_ledger.domain.policy import DEFAULT_POLICY
from enrollment_ledger.domain.rules.enrollment_periods import (
    AI_AN_MONTHLY,
    CONNECTORCARE_TO_APTC,
    NEWLY_CONNECTORCARE,
    PLAN_TYPE_CHANGE,
    QUALIFYING_EVENT_KINDS,
    TRIGGERING_EVENT,
    automatic_sep_clauses,
    health_plan_period,
    in_open_enrollment,
    open_enrollment_window,
    special_enrollment_end,
)

POLICY = DEFAULT_POLICY.current
case = pytest.param


@pytest.fixture(autouse=True)
def _record_instant() -> Iterator[None]:
    """Aggregate events need a record instant; the domain never reads the clock itself."""
    with recording_at(datetime(2026, 1, 1, tzinfo=UTC)):
        yield


# ---- open enrollment: 1 November of Y-1 to 23 January of Y ------------------------------------


@pytest.mark.parametrize(
    ("plan_year", "first_day", "last_day"),
    [
        case(2026, date(2025, 11, 1), date(2026, 1, 23), id="plan year 2026: 1 November 2025 to 23 January 2026"),
        case(2027, date(2026, 11, 1), date(2027, 1, 23), id="plan year 2027: 1 November 2026 to 23 January 2027"),
    ],
)  # fmt: skip
def test_open_enrollment_runs_from_1_november_before_the_plan_year_to_23_january_of_it(
    plan_year: int, first_day: date, last_day: date
) -> None:
    assert open_enrollment_window(plan_year, POLICY) == (first_day, last_day)


@pytest.mark.parametrize(
    ("on", "plan_year", "open"),
    [
        case(date(2026, 10, 31), 2027, False, id="31 October: the day before, closed"),
        case(date(2026, 11, 1), 2027, True, id="1 November: the first day, open"),
        case(date(2026, 12, 31), 2027, True, id="31 December: open across the year end"),
        case(date(2027, 1, 1), 2027, True, id="1 January of the plan year: open"),
        case(date(2027, 1, 23), 2027, True, id="23 January: the last day, open"),
        case(date(2027, 1, 24), 2027, False, id="24 January: the day after, closed"),
        case(date(2027, 6, 1), 2027, False, id="mid plan year: closed"),
        case(date(2026, 11, 1), 2026, False, id="1 November is next year's open enrollment, not this year's"),
        case(date(2026, 1, 23), 2026, True, id="23 January 2026 for plan year 2026: open"),
    ],
)  # fmt: skip
def test_open_enrollment_includes_both_edges_and_not_a_day_outside(
    on: date, plan_year: int, open: bool
) -> None:
    assert in_open_enrollment(on, plan_year, POLICY) is open


# ---- special enrollment: sixty days from the event ---------------------------------------------


@pytest.mark.parametrize(
    ("event_on", "last_day"),
    [
        case(date(2026, 3, 1), date(2026, 4, 30), id="event on 1 March: enrol by 30 April"),
        case(date(2026, 1, 1), date(2026, 3, 2), id="event on 1 January 2026: enrol by 2 March (28-day February)"),
        case(date(2028, 1, 1), date(2028, 3, 1), id="event on 1 January 2028: enrol by 1 March (leap year)"),
        case(date(2026, 11, 20), date(2027, 1, 19), id="event on 20 November: enrol by 19 January of the next year"),
        case(date(2026, 12, 15), date(2027, 2, 13), id="event on 15 December: enrol by 13 February of the next year"),
    ],
)  # fmt: skip
def test_a_special_enrollment_period_lasts_sixty_days_from_the_event(
    event_on: date, last_day: date
) -> None:
    assert special_enrollment_end(event_on, POLICY) == last_day


@pytest.mark.parametrize(
    ("on", "basis"),
    [
        case(date(2026, 3, 31), "special_enrollment:marriage", id="the day of the event: a special enrollment period"),
        case(date(2026, 5, 30), "special_enrollment:marriage", id="day 60 after the event: still a special enrollment period"),
        case(date(2026, 5, 31), None, id="day 61 after the event: no period at all"),
        case(date(2026, 3, 30), None, id="the day before the event: no period"),
    ],
)  # fmt: skip
def test_a_plan_may_be_chosen_on_day_60_after_a_marriage_but_not_on_day_61(
    on: date, basis: str | None
) -> None:
    household = Household.open("h-60-days", date(2026, 3, 1))
    household.open_special_enrollment_period(
        kind="marriage",
        event_on=date(2026, 3, 31),
        on=date(2026, 4, 2),
        member_ids=(),
        citation=TRIGGERING_EVENT,
        policy=POLICY,
    )
    period = household.sep_covering(on)
    assert health_plan_period(on, 2026, POLICY, period.kind if period else None) == basis


@pytest.mark.parametrize(
    ("on", "sep_kind", "basis"),
    [
        case(date(2026, 1, 10), None, "open_enrollment", id="in open enrollment with no event: open enrollment"),
        case(date(2026, 1, 10), "marriage", "open_enrollment", id="in open enrollment with an event: open enrollment is the basis"),
        case(date(2026, 6, 10), None, None, id="outside open enrollment with no event: no basis, refused"),
        case(date(2026, 6, 10), "loss_of_coverage", "special_enrollment:loss_of_coverage", id="outside open enrollment with a loss of coverage: that special enrollment period"),
        case(date(2026, 6, 10), AI_AN_MONTHLY, "special_enrollment:ai_an_monthly", id="outside open enrollment, American Indian or Alaska Native: the monthly period"),
    ],
)  # fmt: skip
def test_the_basis_for_choosing_a_health_plan_is_open_enrollment_first_then_a_special_period(
    on: date, sep_kind: str | None, basis: str | None
) -> None:
    assert health_plan_period(on, 2026, POLICY, sep_kind) == basis


# ---- 12.10(1)(a): which reported events are triggering events -----------------------------------

CONTRACT_KINDS = {
    "marriage",
    "new_dependent",
    "loss_of_coverage",
    "permanent_move",
    "release_from_incarceration",
    "newly_lawfully_present",
    "exchange_error",
    "exceptional_circumstances",
    "ai_an_monthly",
    "opp_waiver",
}
"""The contract's `report_qualifying_event` kinds (the special enrollment periods page)."""


def test_exactly_the_contract_s_qualifying_kinds_open_a_period_under_12_10_1_a() -> None:
    assert set(QUALIFYING_EVENT_KINDS) == CONTRACT_KINDS
    assert {QUALIFYING_EVENT_KINDS[kind] for kind in CONTRACT_KINDS} == {"956 CMR 12.10(1)(a)"}


def test_the_american_indian_or_alaska_native_monthly_period_is_a_qualifying_kind() -> None:
    assert AI_AN_MONTHLY == "ai_an_monthly"
    assert QUALIFYING_EVENT_KINDS[AI_AN_MONTHLY] == "956 CMR 12.10(1)(a)"


@pytest.mark.parametrize(
    "kind",
    [
        case("divorce", id="a divorce by itself is not a kind (its loss of coverage is)"),
        case("birthday", id="a birthday is not a kind"),
        case("Marriage", id="kinds are spelt in lower case"),
        case("", id="an empty kind is not a kind"),
    ],
)
def test_other_events_do_not_open_a_special_enrollment_period(kind: str) -> None:
    assert kind not in QUALIFYING_EVENT_KINDS


# ---- 12.10(1)(b)-(d): determinations that open a period by themselves ---------------------------


def member(member_id: str, program: str, plan_type: str | None = None) -> dict[str, str | None]:
    return {"member_id": member_id, "program": program, "plan_type": plan_type}


@pytest.mark.parametrize(
    ("before", "after", "clauses"),
    [
        case(None, member("a", "connectorcare", "2A"), {NEWLY_CONNECTORCARE: ["a"]}, id="a first determination for ConnectorCare: newly eligible, (b)"),
        case(member("a", "aptc_only"), member("a", "connectorcare", "2B"), {NEWLY_CONNECTORCARE: ["a"]}, id="APTC only then ConnectorCare: newly eligible, (b)"),
        case(member("a", "non_group"), member("a", "connectorcare", "3A"), {NEWLY_CONNECTORCARE: ["a"]}, id="non-group then ConnectorCare: newly eligible, (b)"),
        case(member("a", "connectorcare", "2A"), member("a", "connectorcare", "2B"), {PLAN_TYPE_CHANGE: ["a"]}, id="ConnectorCare 2A then 2B: a plan type change, (c)"),
        case(member("a", "connectorcare", "2A"), member("a", "connectorcare", "2A"), {}, id="ConnectorCare 2A again: no period"),
        case(member("a", "connectorcare", "3D"), member("a", "aptc_only"), {CONNECTORCARE_TO_APTC: ["a"]}, id="ConnectorCare then APTC only: (d)"),
        case(member("a", "connectorcare", "3D"), member("a", "non_group"), {}, id="ConnectorCare then non-group without APTC: not listed in (b)-(d), no period"),
        case(None, member("a", "aptc_only"), {}, id="a first determination for APTC only: no period"),
        case(None, member("a", "non_group"), {}, id="a first determination for non-group: no period"),
        case(member("a", "aptc_only"), member("a", "aptc_only"), {}, id="APTC only again: no period"),
        case(member("a", "connectorcare", "1"), member("a", "ineligible"), {}, id="ConnectorCare then ineligible: no period"),
    ],
)  # fmt: skip
def test_a_determination_opens_a_period_for_newly_connectorcare_a_plan_type_change_or_a_move_to_aptc(
    before: dict[str, str | None] | None,
    after: dict[str, str | None],
    clauses: dict[str, list[str]],
) -> None:
    previous = {} if before is None else {str(before["member_id"]): before}
    assert automatic_sep_clauses(previous, [after]) == clauses


def test_one_determination_groups_its_members_by_the_clause_that_opens_their_period() -> None:
    previous = {
        "b": member("b", "connectorcare", "2A"),
        "c": member("c", "connectorcare", "3B"),
        "d": member("d", "connectorcare", "2A"),
    }
    members = [
        member("a", "connectorcare", "2A"),
        member("b", "connectorcare", "2B"),
        member("c", "aptc_only"),
        member("d", "connectorcare", "2A"),
        member("e", "connectorcare", "2A"),
    ]
    assert automatic_sep_clauses(previous, members) == {
        "956 CMR 12.10(1)(b)": ["a", "e"],
        "956 CMR 12.10(1)(c)": ["b"],
        "956 CMR 12.10(1)(d)": ["c"],
    }
