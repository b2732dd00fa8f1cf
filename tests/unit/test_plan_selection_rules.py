"""956 CMR 12.04 and 12.16(1)(a): the terms on which a plan is chosen, one table per rule.

Each row names the members' latest determined programs and the APTC applied; the expected
program is read from the regulation (ConnectorCare when any member is ConnectorCare-eligible,
else APTC only when any member is, else non-group; APTC only for members eligible for it), never
computed by the function under test.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from enrollment_ledger.domain.errors import NotEligible
from enrollment_ledger.domain.rules.eligibility import MemberFacts, Program
from enrollment_ledger.domain.rules.plan_selection import (
    Coverage,
    PlanTerms,
    dental_terms,
    health_terms,
)

case = pytest.param
NONE = Decimal("0.00")
SOME = Decimal("25.00")


def determined(program: str, plan_type: str | None = None) -> dict[str, str | None]:
    return {"program": program, "plan_type": plan_type}


# ---- 12.04: a health plan ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("results", "aptc", "terms"),
    [
        case({"a": determined("non_group")}, NONE, PlanTerms(Program.NON_GROUP, None, 2026), id="one non-group member: non-group"),
        case({"a": determined("aptc_only")}, NONE, PlanTerms(Program.APTC_ONLY, None, 2026), id="one APTC-only member: APTC only"),
        case({"a": determined("connectorcare", "2B")}, NONE, PlanTerms(Program.CONNECTORCARE, "2B", 2026), id="one ConnectorCare member: ConnectorCare with that plan type"),
        case({"a": determined("non_group"), "b": determined("aptc_only")}, NONE, PlanTerms(Program.APTC_ONLY, None, 2026), id="non-group and APTC only: APTC only"),
        case({"a": determined("aptc_only"), "b": determined("connectorcare", "3A")}, NONE, PlanTerms(Program.CONNECTORCARE, "3A", 2026), id="APTC only and ConnectorCare: ConnectorCare"),
        case({"a": determined("connectorcare", "2A"), "b": determined("connectorcare", "3C")}, NONE, PlanTerms(Program.CONNECTORCARE, "2A", 2026), id="two ConnectorCare members: the first one's plan type"),
        case({"a": determined("aptc_only")}, SOME, PlanTerms(Program.APTC_ONLY, None, 2026), id="APTC applied for an APTC-only member: allowed"),
        case({"a": determined("non_group"), "b": determined("connectorcare", "1")}, SOME, PlanTerms(Program.CONNECTORCARE, "1", 2026), id="APTC applied with one assisted member among them: allowed"),
    ],
)  # fmt: skip
def test_a_health_plan_is_connectorcare_if_any_member_is_else_aptc_only_if_any_is_else_non_group(
    results: dict[str, dict[str, str | None]], aptc: Decimal, terms: PlanTerms
) -> None:
    assert health_terms(2026, results, aptc) == terms


@pytest.mark.parametrize(
    ("latest_plan_year", "results", "aptc", "refusal"),
    [
        case(None, {"a": None}, NONE, "the household has no eligibility determination (956 CMR 12.04)", id="no determination at all: refused"),
        case(2026, {"a": None}, NONE, "member 'a' is not eligible for a Connector Program for Non-Group Health Plans (956 CMR 12.04)", id="a member never determined: refused"),
        case(2026, {"a": determined("connectorcare", "2A"), "b": determined("ineligible")}, NONE, "member 'b' is not eligible", id="one member ineligible: refused"),
        case(2026, {"a": determined("non_group")}, SOME, "APTC applied for members not eligible for APTC (956 CMR 12.04(2))", id="APTC applied for a non-group member: refused, 12.04(2)"),
        case(2026, {"a": determined("non_group")}, Decimal("0.01"), "12.04(2)", id="one cent of APTC for a non-group member: refused"),
    ],
)  # fmt: skip
def test_a_health_plan_needs_every_member_determined_eligible_and_aptc_only_where_eligible(
    latest_plan_year: int | None,
    results: dict[str, dict[str, str | None] | None],
    aptc: Decimal,
    refusal: str,
) -> None:
    with pytest.raises(NotEligible) as refused:
        health_terms(latest_plan_year, results, aptc)
    assert refusal in refused.value.message
    assert refused.value.code == "not_eligible"


def test_a_health_plan_is_for_the_plan_year_of_the_latest_determination() -> None:
    assert health_terms(2027, {"a": determined("non_group")}, NONE).plan_year == 2027


# ---- 12.16(1)(a): a dental plan ------------------------------------------------------------------


def facts(
    member_id: str, *, resident: bool = True, present: bool = True, jailed: bool = False
) -> MemberFacts:
    return MemberFacts(member_id, resident, present, jailed, aptc_eligible=False)


@pytest.mark.parametrize(
    ("household", "chosen", "results", "aptc", "program"),
    [
        case([facts("a")], ["a"], {}, NONE, Program.NON_GROUP, id="meets 12.04(1)(a)-(c), no APTC: non-group, no determination needed"),
        case([facts("a", resident=False), facts("b")], ["a"], {}, NONE, Program.NON_GROUP, id="not a resident, but another member is: treated as one (12.03), allowed"),
        case([facts("a")], ["a"], {"a": determined("connectorcare", "2A")}, NONE, Program.NON_GROUP, id="an assisted member with no APTC applied: non-group"),
        case([facts("a")], ["a"], {"a": determined("aptc_only")}, SOME, Program.APTC_ONLY, id="APTC applied for an assisted member: APTC only"),
        case([facts("a"), facts("b")], ["a", "b"], {"a": determined("connectorcare", "1"), "b": determined("aptc_only")}, SOME, Program.APTC_ONLY, id="APTC applied, every member assisted: APTC only"),
    ],
)  # fmt: skip
def test_a_dental_plan_needs_only_12_04_1_a_c_and_is_aptc_only_when_aptc_is_applied(
    household: list[MemberFacts],
    chosen: list[str],
    results: dict[str, dict[str, str | None]],
    aptc: Decimal,
    program: Program,
) -> None:
    by_id = {f.member_id: f for f in household}
    assert dental_terms(chosen, by_id, results, aptc, 2026) == PlanTerms(program, None, 2026)


@pytest.mark.parametrize(
    ("household", "chosen", "results", "aptc", "refusal"),
    [
        case([facts("a", present=False)], ["a"], {}, NONE, "member 'a' does not meet 956 CMR 12.04(1)(a)-(c), required for a Dental Plan (956 CMR 12.16(1)(a))", id="not lawfully present: refused"),
        case([facts("a", jailed=True)], ["a"], {}, NONE, "12.16(1)(a)", id="incarcerated: refused"),
        case([facts("a", resident=False)], ["a"], {}, NONE, "12.16(1)(a)", id="no resident in the household: refused"),
        case([facts("a")], ["a"], {"a": determined("non_group")}, SOME, "APTC applied for members not eligible for APTC (956 CMR 12.04(2))", id="APTC applied for a non-group member: refused"),
        case([facts("a"), facts("b")], ["a", "b"], {"a": determined("connectorcare", "1")}, SOME, "12.04(2)", id="APTC applied, one member never determined: refused"),
    ],
)  # fmt: skip
def test_a_dental_plan_is_refused_below_12_04_1_a_c_or_with_aptc_for_an_unassisted_member(
    household: list[MemberFacts],
    chosen: list[str],
    results: dict[str, dict[str, str | None]],
    aptc: Decimal,
    refusal: str,
) -> None:
    by_id = {f.member_id: f for f in household}
    with pytest.raises(NotEligible) as refused:
        dental_terms(chosen, by_id, results, aptc, 2026)
    assert refusal in refused.value.message


def test_a_dental_plan_is_for_the_plan_year_of_the_application() -> None:
    assert dental_terms(["a"], {"a": facts("a")}, {}, NONE, 2027).plan_year == 2027


def test_programs_and_coverages_keep_the_names_the_ledger_has_always_recorded() -> None:
    assert [p.value for p in Program] == ["non_group", "aptc_only", "connectorcare", "ineligible"]
    assert [c.value for c in Coverage] == ["health", "dental"]
