"""The pure rules of issue 17's eligibility sections, each on both sides of its boundary:
incarceration pending disposition (12.04(1)(b)), catastrophic plans (12.04(1)), the end of a
member's coverage on a loss of eligibility or a death (12.10(5)(c), 12.08(3), 12.16(1)(a)), the
month a premium change applies from (12.12(8)(a)) and the appellant's death (12.15(2)(d))."""

from __future__ import annotations

from datetime import date

import pytest
from enrollment_ledger.domain.errors import InvalidCommand, NotEligible
from enrollment_ledger.domain.policy import DEFAULT_POLICY
from enrollment_ledger.domain.rules import coverage_changes as rules
from enrollment_ledger.domain.rules.appeals import appellant_has_died
from enrollment_ledger.domain.rules.applications import missing_member_facts
from enrollment_ledger.domain.rules.eligibility import (
    Incarceration,
    MemberFacts,
    Program,
    basic_eligibility_failures,
    catastrophic_refusals,
    incarceration_status,
    reached_age_before,
)
from enrollment_ledger.domain.rules.plan_selection import Coverage, MetalLevel, check_metal_level

POLICY = DEFAULT_POLICY.current
case = pytest.param

# ---- 12.04(1)(b): incarceration pending the disposition of charges -----------------------------


@pytest.mark.parametrize(
    ("incarcerated", "incarceration", "status"),
    [
        case(None, None, None, id="neither given: not said"),
        case(True, None, Incarceration.SERVING, id="the boolean true means serving"),
        case(False, None, Incarceration.NONE, id="the boolean false means none"),
        case(None, "pending_disposition", Incarceration.PENDING_DISPOSITION, id="the code alone"),
        case(False, "pending_disposition", Incarceration.PENDING_DISPOSITION, id="false agrees with pending"),
        case(False, "none", Incarceration.NONE, id="false agrees with none"),
        case(True, "serving", Incarceration.SERVING, id="true agrees with serving"),
    ],
)  # fmt: skip
def test_the_incarceration_status_is_read_from_the_code_or_the_boolean(
    incarcerated: bool | None, incarceration: str | None, status: Incarceration | None
) -> None:
    assert incarceration_status(incarcerated, incarceration) == status


@pytest.mark.parametrize(
    ("incarcerated", "incarceration"),
    [
        case(True, "none", id="true with none"),
        case(True, "pending_disposition", id="true with pending disposition"),
        case(False, "serving", id="false with serving"),
    ],
)
def test_a_boolean_contradicting_the_code_is_refused_invalid_field(
    incarcerated: bool, incarceration: str
) -> None:
    with pytest.raises(InvalidCommand) as refused:
        incarceration_status(incarcerated, incarceration)
    assert refused.value.code == "invalid_field"
    assert "12.04(1)(b)" in refused.value.message


@pytest.mark.parametrize(
    ("incarcerated", "incarceration", "eligible"),
    [
        case(False, Incarceration.NONE, True, id="not incarcerated: eligible"),
        case(False, Incarceration.PENDING_DISPOSITION, True, id="pending disposition: eligible"),
        case(True, Incarceration.SERVING, False, id="serving: not eligible"),
        case(True, None, False, id="an older record's true: serving, not eligible"),
        case(False, None, True, id="an older record's false: eligible"),
    ],
)
def test_only_serving_a_sentence_fails_12_04_1_b(
    incarcerated: bool, incarceration: Incarceration | None, eligible: bool
) -> None:
    member = MemberFacts("M1", True, True, incarcerated, True, incarceration=incarceration)
    failures = basic_eligibility_failures(member, [member])
    assert (failures == ()) is eligible
    if not eligible:
        assert failures[0].startswith("956 CMR 12.04(1)(b)")


def test_a_new_member_giving_incarceration_instead_of_incarcerated_misses_nothing() -> None:
    """12.09(2) with 12.06: `incarceration` says all `incarcerated` says."""
    new_member = {
        "member_id": "M2",
        "birth_date": "2000-01-01",
        "resident": True,
        "lawfully_present": True,
        "incarceration": "pending_disposition",
        "aptc_eligible": False,
    }
    assert missing_member_facts(new_member, {"M1"}) == ()
    assert missing_member_facts({**new_member, "incarceration": None}, {"M1"}) == ("incarcerated",)


# ---- 12.04(1): catastrophic plans ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth_date", "day", "reached"),
    [
        case(date(1996, 1, 1), date(2026, 1, 1), False, id="30th birthday on the day itself: not before it"),
        case(date(1995, 12, 31), date(2026, 1, 1), True, id="30th birthday the day before: reached before"),
        case(date(1996, 1, 2), date(2026, 1, 1), False, id="30th birthday the day after: not reached"),
        case(date(1996, 2, 29), date(2026, 3, 1), False, id="born 29 February: 30 on 1 March, not before it"),
        case(date(1996, 2, 29), date(2026, 3, 2), True, id="born 29 February: reached before 2 March"),
    ],
)  # fmt: skip
def test_an_age_is_reached_on_the_birthday(birth_date: date, day: date, reached: bool) -> None:
    assert reached_age_before(birth_date, 30, day) is reached


def facts(member_id: str, born: date | None, exemption: bool = False) -> MemberFacts:
    return MemberFacts(
        member_id, True, True, False, True, birth_date=born, catastrophic_exemption=exemption
    )


@pytest.mark.parametrize(
    ("members", "refused"),
    [
        case([facts("a", date(1996, 1, 1))], [], id="30 on 1 January of the plan year: allowed"),
        case([facts("a", date(1995, 12, 31))], ["a"], id="30 on 31 December before it: refused"),
        case([facts("a", date(1995, 12, 31), exemption=True)], [], id="30 but exempt: allowed"),
        case([facts("a", date(2000, 6, 1)), facts("b", date(1980, 6, 1))], ["b"], id="one member over 30 of two: refused for that one"),
        case([facts("a", None)], ["a"], id="no birth date: cannot be shown under 30"),
    ],
)  # fmt: skip
def test_a_catastrophic_plan_needs_every_member_under_30_before_the_plan_year_or_exempt(
    members: list[MemberFacts], refused: list[str]
) -> None:
    reasons = catastrophic_refusals(members, 2026)
    assert [r.split("'")[1] for r in reasons] == refused


def test_a_catastrophic_selection_refused_is_not_eligible_with_the_clause() -> None:
    with pytest.raises(NotEligible) as refused:
        check_metal_level(
            MetalLevel.CATASTROPHIC, Coverage.HEALTH, [facts("a", date(1990, 1, 1))], 2026
        )
    assert refused.value.code == "not_eligible"
    assert "956 CMR 12.04(1)" in refused.value.message


@pytest.mark.parametrize("level", [MetalLevel.BRONZE, MetalLevel.SILVER, None])
def test_other_metal_levels_have_no_age_condition(level: MetalLevel | None) -> None:
    check_metal_level(level, Coverage.HEALTH, [facts("a", date(1950, 1, 1))], 2026)


def test_a_dental_plan_with_a_metal_level_is_refused_invalid_field() -> None:
    with pytest.raises(InvalidCommand) as refused:
        check_metal_level(MetalLevel.SILVER, Coverage.DENTAL, [facts("a", date(2000, 1, 1))], 2026)
    assert refused.value.code == "invalid_field"


# ---- 12.10(5)(c), 12.08(3), 12.16(1)(a): a member's coverage ends --------------------------------


@pytest.mark.parametrize(
    ("program", "loses"),
    [
        case(Program.INELIGIBLE, True, id="eligible for nothing: loses coverage"),
        case(Program.NON_GROUP, False, id="non-group: stays covered"),
        case(Program.APTC_ONLY, False, id="APTC only: stays covered"),
        case(Program.CONNECTORCARE, False, id="ConnectorCare: stays covered"),
    ],
)
def test_only_a_member_eligible_for_nothing_loses_coverage(program: Program, loses: bool) -> None:
    assert rules.loses_all_eligibility(program) is loses


@pytest.mark.parametrize(
    ("effective_on", "end_on"),
    [
        case(date(2026, 4, 1), date(2026, 3, 31), id="effective 1 April: ends 31 March"),
        case(date(2026, 3, 1), date(2026, 2, 28), id="effective 1 March: ends 28 February"),
        case(date(2027, 1, 1), date(2026, 12, 31), id="effective 1 January: ends 31 December"),
    ],
)
def test_coverage_ends_the_day_before_the_loss_takes_effect(
    effective_on: date, end_on: date
) -> None:
    assert rules.coverage_end_on_loss(effective_on) == end_on


@pytest.mark.parametrize(
    ("coverage", "citation"),
    [("health", "956 CMR 12.10(5)(c)"), ("dental", "956 CMR 12.16(1)(a)")],
)
def test_a_health_plan_is_lost_under_12_10_5_c_and_a_dental_plan_under_12_16_1_a(
    coverage: str, citation: str
) -> None:
    assert rules.loss_citation(coverage) == citation


@pytest.mark.parametrize(
    ("died_on", "end_on"),
    [
        case(date(2026, 2, 1), date(2026, 2, 28), id="first day of February: ends 28 February"),
        case(date(2026, 2, 28), date(2026, 2, 28), id="last day of the month: ends that day"),
        case(date(2028, 2, 10), date(2028, 2, 29), id="a leap year's February: ends the 29th"),
        case(date(2026, 12, 31), date(2026, 12, 31), id="31 December: ends that day"),
    ],
)
def test_a_member_s_coverage_ends_at_the_end_of_the_month_of_death(
    died_on: date, end_on: date
) -> None:
    assert rules.death_end_on(died_on) == end_on


# ---- 12.12(8)(a): the month a premium change applies from ----------------------------------------


def test_a_premium_change_applies_from_the_earliest_effective_date_of_the_members_staying() -> None:
    assert rules.premium_change_from([date(2026, 5, 1), date(2026, 4, 1)]) == date(2026, 4, 1)
    assert rules.premium_change_from([date(2026, 5, 1)]) == date(2026, 5, 1)


@pytest.mark.parametrize(
    ("on", "due_on"),
    [
        case(date(2026, 6, 1), date(2026, 6, 23), id="early in the month: the 23rd"),
        case(date(2026, 6, 23), date(2026, 6, 23), id="on the 23rd: that day"),
        case(date(2026, 6, 24), date(2026, 7, 23), id="after the 23rd: next month's"),
        case(date(2026, 12, 30), date(2027, 1, 23), id="late December: January's"),
    ],
)
def test_a_raise_on_a_month_already_due_is_due_on_the_next_premium_due_date(
    on: date, due_on: date
) -> None:
    assert rules.adjustment_due_on(on, POLICY) == due_on


# ---- 12.15(2)(d): the appellant dies --------------------------------------------------------------


@pytest.mark.parametrize(
    ("appellants", "deceased", "died"),
    [
        case(["M1"], ["M1"], True, id="the appellant died"),
        case(["M1"], ["M2"], False, id="another member died"),
        case(["M1", "M2"], ["M1"], False, id="a household's appeal, one of two died: goes on"),
        case(["M1", "M2"], ["M1", "M2"], True, id="a household's appeal, every member died"),
        case([], ["M1"], False, id="no appellant known: never"),
    ],
)
def test_an_appeal_loses_its_appellant_only_when_every_appellant_has_died(
    appellants: list[str], deceased: list[str], died: bool
) -> None:
    assert appellant_has_died(appellants, deceased) is died


# ---- 12.15(4), 45 CFR 155.545(c): coverage restored on appeal ----------------------------------


@pytest.mark.parametrize(
    ("ended_on", "start_on", "restored_from"),
    [
        case(date(2026, 3, 31), date(2026, 2, 1), date(2026, 4, 1), id="the day after the end"),
        case(date(2026, 2, 28), date(2026, 2, 1), date(2026, 3, 1), id="a rescission's end"),
        case(None, date(2026, 2, 1), date(2026, 2, 1), id="taken back to its start: from it"),
    ],
)
def test_coverage_restored_on_appeal_continues_from_the_day_after_the_reversed_end(
    ended_on: date | None, start_on: date, restored_from: date
) -> None:
    assert rules.restored_from(ended_on, start_on) == restored_from


@pytest.mark.parametrize(
    ("own_due_on", "decided_on", "due_on"),
    [
        case(date(2026, 4, 23), date(2026, 4, 15), date(2026, 4, 23), id="own due date not passed"),
        case(date(2026, 3, 23), date(2026, 4, 15), date(2026, 4, 23), id="passed: next due date"),
        case(date(2026, 4, 23), date(2026, 4, 23), date(2026, 4, 23), id="decided on the due day"),
        case(date(2026, 4, 23), date(2026, 4, 24), date(2026, 5, 23), id="decided the day after"),
        case(date(2026, 6, 23), date(2026, 4, 24), date(2026, 6, 23), id="a later month's own"),
    ],
)
def test_a_month_owed_again_after_a_reversal_is_due_no_earlier_than_the_next_due_date(
    own_due_on: date, decided_on: date, due_on: date
) -> None:
    assert rules.rebilled_due_on(own_due_on, decided_on, POLICY) == due_on
