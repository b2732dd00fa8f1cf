"""956 CMR 12.07(1): a renewal's effective date; 12.15(4): a determination reversed on appeal
keeps the original effective dates and cites the decision; 12.15(2): the clause of each outcome.

Expected dates are literals, never computed by the function under test.
"""

from __future__ import annotations

from datetime import date

import pytest
from enrollment_ledger.domain.rules.appeals import (
    AppealOutcome,
    outcome_citation,
    with_original_effective_dates,
)
from enrollment_ledger.domain.rules.effective_dates import (
    effective_in_plan_year,
    renewal_effective_on,
)
from enrollment_ledger.domain.rules.eligibility import MemberDetermination, Program

case = pytest.param
MID_MONTH = "956 CMR 12.08(2)"
GENERAL = "956 CMR 12.08(1)"
YEARLY_REVIEW = "956 CMR 12.07(1)"


# ---- 12.07(1): the yearly review takes effect on 1 January --------------------------------------


@pytest.mark.parametrize(
    ("plan_year", "first_day"),
    [
        case(2026, date(2026, 1, 1), id="plan year 2026: 1 January 2026"),
        case(2027, date(2027, 1, 1), id="plan year 2027: 1 January 2027"),
    ],
)  # fmt: skip
def test_a_renewal_takes_effect_on_1_january_of_its_plan_year(
    plan_year: int, first_day: date
) -> None:
    assert renewal_effective_on(plan_year) == first_day


@pytest.mark.parametrize(
    ("effective_on", "citation", "renewal", "expected"),
    [
        case(date(2027, 2, 1), MID_MONTH, True, (date(2027, 1, 1), YEARLY_REVIEW), id="a renewal notified after the 15th of December: still 1 January"),
        case(date(2027, 1, 1), GENERAL, True, (date(2027, 1, 1), YEARLY_REVIEW), id="a renewal: 1 January, cited 12.07(1)"),
        case(date(2026, 12, 1), GENERAL, True, (date(2027, 1, 1), YEARLY_REVIEW), id="a renewal notified in November: 1 January, not 1 December"),
        case(date(2026, 12, 1), GENERAL, False, (date(2027, 1, 1), YEARLY_REVIEW), id="an application for next year notified in November: not before 1 January"),
        case(date(2026, 12, 31), GENERAL, False, (date(2027, 1, 1), YEARLY_REVIEW), id="31 December, the day before the plan year: 1 January"),
        case(date(2027, 1, 1), GENERAL, False, (date(2027, 1, 1), GENERAL), id="1 January itself: 12.08 stands"),
        case(date(2027, 3, 1), MID_MONTH, False, (date(2027, 3, 1), MID_MONTH), id="within the plan year: 12.08 stands"),
    ],
)  # fmt: skip
def test_a_determination_takes_effect_no_earlier_than_its_plan_year_and_a_renewal_on_its_first_day(
    effective_on: date, citation: str, renewal: bool, expected: tuple[date, str]
) -> None:
    assert effective_in_plan_year(effective_on, citation, 2027, renewal=renewal) == expected


# ---- 12.15(4): a reversed determination keeps the original effective dates -----------------------


def decided(member_id: str, effective_on: date, program: Program) -> MemberDetermination:
    return MemberDetermination(
        member_id=member_id,
        program=program,
        plan_type="2A" if program == Program.CONNECTORCARE else None,
        fpl_percent="180.00",
        effective_on=effective_on,
        citation="956 CMR 12.04(3)(b)",
        effective_citation=GENERAL,
        reasons=("household MAGI at or below 500% FPL",),
    )


def test_a_reversal_keeps_each_named_members_original_effective_date_and_cites_12_15_4() -> None:
    corrected = (
        decided("a", date(2026, 4, 1), Program.CONNECTORCARE),
        decided("b", date(2026, 4, 1), Program.APTC_ONLY),
    )
    original = {"a": date(2026, 2, 1), "b": date(2026, 3, 1)}

    kept = with_original_effective_dates(corrected, original)

    assert [(m.member_id, m.effective_on) for m in kept] == [
        ("a", date(2026, 2, 1)),
        ("b", date(2026, 3, 1)),
    ]
    assert {m.effective_citation for m in kept} == {"956 CMR 12.15(4): the original effective date"}
    assert [m.program for m in kept] == [Program.CONNECTORCARE, Program.APTC_ONLY]


def test_a_member_the_appealed_determination_did_not_name_keeps_the_corrected_date() -> None:
    corrected = (decided("new", date(2026, 4, 1), Program.NON_GROUP),)

    kept = with_original_effective_dates(corrected, {"a": date(2026, 2, 1)})

    assert kept == corrected


@pytest.mark.parametrize(
    ("outcome", "citation"),
    [
        case(AppealOutcome.UPHELD, "956 CMR 12.15(4)", id="upheld: the hearing decision, 12.15(4)"),
        case(AppealOutcome.REVERSED, "956 CMR 12.15(4)", id="reversed: the hearing decision, 12.15(4)"),
        case(AppealOutcome.DISMISSED, "956 CMR 12.15(2)", id="dismissed: 12.15(2)"),
        case(AppealOutcome.WITHDRAWN, "956 CMR 12.15(2)(c)", id="withdrawn: 12.15(2)(c)"),
    ],
)  # fmt: skip
def test_each_appeal_outcome_cites_its_clause(outcome: AppealOutcome, citation: str) -> None:
    assert outcome_citation(outcome) == citation


def test_a_member_determination_is_recorded_as_the_event_has_always_held_it() -> None:
    member = decided("a", date(2026, 2, 1), Program.CONNECTORCARE)
    record = member.record()
    assert record == {
        "member_id": "a",
        "program": "connectorcare",
        "plan_type": "2A",
        "fpl_percent": "180.00",
        "effective_on": "2026-02-01",
        "citation": "956 CMR 12.04(3)(b)",
        "effective_citation": "956 CMR 12.08(1)",
        "reasons": ["household MAGI at or below 500% FPL"],
    }
    assert type(record["program"]) is str
