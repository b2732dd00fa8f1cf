"""956 CMR 12.12(7), 12.12(9), 12.16(3)(c): hardship waivers — grounds, who may have one, how long,
and how much of the premium it removes (the 2026 minimum premium schedule, ConnectorCare Overview
2026, Table 3)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from enrollment_ledger.domain.errors import InvalidCommand, NoPolicyParameters
from enrollment_ledger.domain.policy import DEFAULT_POLICY
from enrollment_ledger.domain.rules.waivers import (
    HARDSHIP_GROUNDS,
    check_waiver_months,
    grounds_clause,
    waivable_portion,
    waiver_months,
    waiver_refusal,
)

POLICY = DEFAULT_POLICY.current
ON = date(2026, 3, 10)


# ---- 12.12(7)(a): grounds ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "clause"),
    [
        ("homeless", "956 CMR 12.12(7)(a)1"),
        ("housing_arrears", "956 CMR 12.12(7)(a)1"),
        ("eviction_or_foreclosure_notice", "956 CMR 12.12(7)(a)1"),
        ("utility_shutoff", "956 CMR 12.12(7)(a)2"),
        ("domestic_violence", "956 CMR 12.12(7)(a)3.a"),
        ("death_of_family_member", "956 CMR 12.12(7)(a)3.b"),
        ("sudden_caregiving", "956 CMR 12.12(7)(a)3.c"),
        ("disaster", "956 CMR 12.12(7)(a)3.d"),
        ("bankruptcy", "956 CMR 12.12(7)(a)4"),
    ],
)
def test_12_12_7_a_grounds_and_their_clauses(code: str, clause: str) -> None:
    assert grounds_clause(code) == clause
    assert HARDSHIP_GROUNDS[code].description


def test_12_12_7_a_every_ground_is_tested() -> None:
    assert len(HARDSHIP_GROUNDS) == 9


@pytest.mark.parametrize("code", ["unemployment", "", "Homeless"])
def test_12_12_7_a_unknown_grounds_refused(code: str) -> None:
    with pytest.raises(InvalidCommand) as refused:
        grounds_clause(code)
    assert refused.value.code == "invalid_field"
    assert "homeless" in refused.value.message
    assert "bankruptcy" in refused.value.message


# ---- 12.12(7)(f), 12.16(3)(c): who may have a waiver -------------------------------------------


@pytest.mark.parametrize(
    ("program", "coverage", "refusal"),
    [
        ("connectorcare", "health", None),
        ("aptc_only", "health", "956 CMR 12.12(7)(f)"),
        ("non_group", "health", "956 CMR 12.12(7)(f)"),
        ("connectorcare", "dental", "956 CMR 12.16(3)(c)"),
        ("aptc_only", "dental", "956 CMR 12.16(3)(c)"),
        ("non_group", "dental", "956 CMR 12.16(3)(c)"),
    ],
)
def test_12_12_7_f_and_12_16_3_c_waiver_refusals(
    program: str, coverage: str, refusal: str | None
) -> None:
    assert waiver_refusal(program, coverage) == refusal


@pytest.mark.parametrize(("program", "coverage"), [("medicaid", "health"), ("connectorcare", "x")])
def test_12_12_7_f_unknown_program_or_coverage_is_an_error(program: str, coverage: str) -> None:
    with pytest.raises(InvalidCommand):
        waiver_refusal(program, coverage)


# ---- 12.12(7)(d): length -----------------------------------------------------------------------


@pytest.mark.parametrize(("months", "allowed"), [(0, False), (1, True), (12, True), (13, False)])
def test_12_12_7_d_up_to_12_months(months: int, allowed: bool) -> None:
    if allowed:
        check_waiver_months(months, POLICY, ON)
    else:
        with pytest.raises(InvalidCommand) as refused:
            check_waiver_months(months, POLICY, ON)
        assert refused.value.code == "invalid_field"
        assert "12.12(7)(d)" in refused.value.message


def test_12_12_7_d_waiver_months_retroactive_and_across_the_year() -> None:
    assert waiver_months(date(2026, 11, 15), 3) == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
    ]
    twelve = waiver_months(date(2026, 1, 1), 12)
    assert len(twelve) == 12
    assert twelve[0] == date(2026, 1, 1)
    assert twelve[-1] == date(2026, 12, 1)


# ---- 12.12(7)(b), 12.12(9): the portion waived -------------------------------------------------


@pytest.mark.parametrize(
    ("premium", "plan_type", "members", "expected"),
    [
        (Decimal("120.00"), "2B", 1, Decimal("53.00")),  # 2B minimum $53
        (Decimal("310.00"), "3C", 1, Decimal("235.00")),  # 3C minimum $235
        (Decimal("180.00"), "3C", 1, Decimal("180.00")),  # premium below the minimum
        (Decimal("40.00"), "1", 1, Decimal("0.00")),  # plan type 1 minimum $0
        (Decimal("200.00"), "2B", 2, Decimal("106.00")),  # two members at 2B
    ],
)
def test_12_12_7_b_waivable_portion_is_the_minimum_premium(
    premium: Decimal, plan_type: str, members: int, expected: Decimal
) -> None:
    assert waivable_portion(premium, plan_type, 2026, POLICY, members=members) == expected


@pytest.mark.parametrize(
    ("plan_type", "plan_year", "mentioned"),
    [
        ("3D", 2026, "3D"),  # no 2026 figure for 3D
        ("2B", 2027, "2027"),  # no schedule for 2027
    ],
)
def test_12_12_9_no_minimum_premium_refused(plan_type: str, plan_year: int, mentioned: str) -> None:
    with pytest.raises(NoPolicyParameters) as refused:
        waivable_portion(Decimal("100.00"), plan_type, plan_year, POLICY)
    assert refused.value.code == "no_policy_parameters"
    assert mentioned in refused.value.message
    assert "12.12(9)" in refused.value.message
