"""A determination without a store: 12.04 per member, 12.08 and 12.07(1) for its effective dates,
recorded with exactly the fields of the `EligibilityDetermined` event.

40,000 a year for one person in plan year 2026 is 255.59 % of the FPL (15,650, the HHS guideline
in force on 1 November 2025): ConnectorCare plan type 3B (above 250 %, at most 300 %).
"""

from __future__ import annotations

import typing
from datetime import date
from decimal import Decimal

import pytest
from enrollment_ledger.domain.determination import (
    Application,
    DeterminationBasis,
    changed_applications,
    determine_from,
)
from enrollment_ledger.domain.events import BASE_FIELDS
from enrollment_ledger.domain.household import Household
from enrollment_ledger.domain.policy import DEFAULT_POLICY
from enrollment_ledger.domain.rules.eligibility import Program

POLICY = DEFAULT_POLICY.current
case = pytest.param
ONE_MEMBER = Application(
    plan_year=2026,
    household_size=1,
    annual_magi=Decimal("40000.00"),
    members=(
        {
            "member_id": "M1",
            "birth_date": "1990-01-01",
            "resident": True,
            "lawfully_present": True,
            "incarcerated": False,
            "aptc_eligible": True,
        },
    ),
)


@pytest.mark.parametrize(
    ("notice_on", "basis", "previous", "effective_on", "clause"),
    [
        case(date(2026, 3, 16), DeterminationBasis.APPLICATION, {}, date(2026, 4, 1), "956 CMR 12.08(1)", id="a first determination on 16 March: 1 April, 12.08(1)"),
        case(date(2026, 3, 15), DeterminationBasis.CHANGE, {"M1": {}}, date(2026, 4, 1), "956 CMR 12.08(1)", id="a change on the 15th: 1 April, 12.08(1)"),
        case(date(2026, 3, 16), DeterminationBasis.CHANGE, {"M1": {}}, date(2026, 5, 1), "956 CMR 12.08(2)", id="a change on the 16th: 1 May, 12.08(2)"),
        case(date(2025, 11, 20), DeterminationBasis.APPLICATION, {}, date(2026, 1, 1), "956 CMR 12.07(1)", id="applied in open enrollment, November: not before 1 January"),
        case(date(2025, 12, 20), DeterminationBasis.RENEWAL, {"M1": {}}, date(2026, 1, 1), "956 CMR 12.07(1)", id="a renewal notified after the 15th of December: 1 January"),
    ],
)  # fmt: skip
def test_a_determination_takes_effect_by_12_08_and_never_before_its_plan_year(
    notice_on: date,
    basis: DeterminationBasis,
    previous: dict[str, dict[str, str]],
    effective_on: date,
    clause: str,
) -> None:
    decided = determine_from(ONE_MEMBER, previous, notice_on, POLICY, basis)

    (member,) = decided.members
    assert (member.effective_on, member.effective_citation) == (effective_on, clause)
    assert decided.effective_on == effective_on
    assert (member.program, member.plan_type, member.fpl_percent) == (
        Program.CONNECTORCARE,
        "3B",
        "255.59",
    )


def test_a_determination_is_recorded_with_exactly_the_fields_of_its_event() -> None:
    decided = determine_from(
        ONE_MEMBER, {"M1": {}}, date(2026, 3, 16), POLICY, DeterminationBasis.CHANGE
    )
    event = Household.EligibilityDetermined
    hints = typing.get_type_hints(event, localns=vars(event))
    recorded = {
        name
        for name, hint in hints.items()
        if name not in BASE_FIELDS and typing.get_origin(hint) is not typing.ClassVar
    }
    fields = decided.event_fields()

    assert set(fields) == recorded
    assert fields["basis"] == "change" and type(fields["basis"]) is str
    assert fields["citation"] == "956 CMR 12.04"
    assert fields["members"] == [
        {
            "member_id": "M1",
            "program": "connectorcare",
            "plan_type": "3B",
            "fpl_percent": "255.59",
            "effective_on": "2026-05-01",
            "citation": "956 CMR 12.04(3)(b)",
            "effective_citation": "956 CMR 12.08(2)",
            "reasons": ["household MAGI at or below 500% FPL"],
        }
    ]


RENEWED = Application(2027, 1, Decimal("40000.00"), ONE_MEMBER.members)
MORE_INCOME = {"annual_magi": "52000.00"}


@pytest.mark.parametrize(
    ("applications", "on", "plan_years"),
    [
        case([ONE_MEMBER], date(2026, 11, 10), [2026], id="no renewal: the plan year in progress"),
        case([ONE_MEMBER, RENEWED], date(2026, 11, 10), [2026, 2027], id="a renewal for the coming year: both, the coming one last"),
        case([ONE_MEMBER, RENEWED], date(2027, 1, 10), [2027], id="once the renewed year has begun: only it"),
        case([RENEWED], date(2026, 11, 10), [2027], id="a first application for the coming year: only it"),
    ],
)  # fmt: skip
def test_a_change_reported_after_a_renewal_changes_the_plan_year_in_progress_too(
    applications: list[Application], on: date, plan_years: list[int]
) -> None:
    """12.09(2), 12.07(1): the plan year in progress runs to 31 December after its renewal."""
    changed = changed_applications(applications, MORE_INCOME, on)
    assert [a.plan_year for a in changed] == plan_years
    assert {a.annual_magi for a in changed} == {Decimal("52000.00")}
