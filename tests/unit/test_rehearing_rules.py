"""956 CMR 12.15(5): the re-hearing decides within 30 days after the order (the 30th day included,
no roll-over); after them only a decision not to supersede is recorded (the initial decision
stands); the stay suspends a reversal's corrected determination, and the decision that stands is
implemented without overwriting a later determination.

Expected dates are literals, never computed by the function under test.
"""

from __future__ import annotations

from datetime import date

import pytest
from enrollment_ledger.domain.policy import POLICY_V1
from enrollment_ledger.domain.rules.rehearings import (
    HeldDetermination,
    RehearingEffect,
    RehearingOutcome,
    RehearingTiming,
    rehearing_decide_by,
    rehearing_decision_timing,
    rehearing_effect,
    stays_a_correction,
)

case = pytest.param
SUPERSEDE = RehearingOutcome.SUPERSEDE
NOT_SUPERSEDED = RehearingOutcome.NOT_SUPERSEDED
ORDERED = date(2026, 3, 2)  # Monday 2 March 2026: day 30 is Wednesday 1 April


def test_the_rehearing_decides_by_the_30th_day_after_the_order() -> None:
    assert rehearing_decide_by(ORDERED, POLICY_V1) == date(2026, 4, 1)


@pytest.mark.parametrize(
    ("decided_on", "outcome", "expected"),
    [
        case(date(2026, 3, 2), SUPERSEDE, RehearingTiming.IN_TIME, id="the day of the order: in time"),
        case(date(2026, 4, 1), SUPERSEDE, RehearingTiming.IN_TIME, id="day 30, superseding: in time"),
        case(date(2026, 4, 2), SUPERSEDE, RehearingTiming.CLOSED, id="day 31, superseding: refused"),
        case(date(2026, 4, 1), NOT_SUPERSEDED, RehearingTiming.IN_TIME, id="day 30, not superseded: in time"),
        case(date(2026, 4, 2), NOT_SUPERSEDED, RehearingTiming.LATE_INITIAL_DECISION_STANDS, id="day 31, not superseded: late, the initial decision stands"),
        case(date(2026, 9, 1), NOT_SUPERSEDED, RehearingTiming.LATE_INITIAL_DECISION_STANDS, id="months later, not superseded: still recordable, late"),
    ],
)  # fmt: skip
def test_12_15_5_a_superseding_decision_within_30_days_of_the_order_and_after_them_only_not_to_supersede(
    decided_on: date, outcome: RehearingOutcome, expected: RehearingTiming
) -> None:
    assert rehearing_decision_timing(ORDERED, decided_on, outcome, POLICY_V1) == expected


def test_12_15_5_no_weekend_roll_over_for_the_rehearings_decision() -> None:
    """Order Fri 6 Mar 2026: day 30 is Sun 5 Apr, and Mon 6 Apr (day 31) is too late for a
    superseding decision (12.14(3) covers 12.14(2) only)."""
    assert rehearing_decide_by(date(2026, 3, 6), POLICY_V1) == date(2026, 4, 5)
    assert (
        rehearing_decision_timing(date(2026, 3, 6), date(2026, 4, 6), SUPERSEDE, POLICY_V1)
        == RehearingTiming.CLOSED
    )


@pytest.mark.parametrize(
    ("initial_outcome", "appealed_type", "stays"),
    [
        case("reversed", "EligibilityDetermined", True, id="a reversed eligibility determination: its correction is stayed"),
        case("reversed", "enrollment_ledger.domain.household:Household.EligibilityDetermined", True, id="named by its topic: the same"),
        case("upheld", "EligibilityDetermined", False, id="upheld: no correction to stay"),
        case("dismissed", "EligibilityDetermined", False, id="dismissed: no correction to stay"),
        case("reversed", "HardshipWaiverDecided", False, id="a reversed waiver decision: no recorded correction"),
        case("reversed", "SpecialEnrollmentPeriodDenied", False, id="a reversed special enrollment refusal: no recorded correction"),
    ],
)  # fmt: skip
def test_the_stay_suspends_a_correction_only_of_a_reversed_eligibility_determination(
    initial_outcome: str, appealed_type: str, stays: bool
) -> None:
    assert stays_a_correction(initial_outcome, appealed_type) is stays


CORRECTION = HeldDetermination.CORRECTION
RESTORED = HeldDetermination.STAY_RESTORATION
OTHER = HeldDetermination.OTHER


@pytest.mark.parametrize(
    ("initial", "superseding", "held", "effect"),
    [
        case("reversed", None, RESTORED, RehearingEffect.REAPPLY_INITIAL_CORRECTION, id="reversal not superseded, stayed: its correction recorded again"),
        case("reversed", None, CORRECTION, RehearingEffect.NONE, id="reversal not superseded, never stayed: the correction is in force already"),
        case("reversed", None, OTHER, RehearingEffect.NONE, id="reversal not superseded, a later determination: not overwritten"),
        case("reversed", "upheld", RESTORED, RehearingEffect.NONE, id="reversal superseded by upheld, stayed: the restored determination stands"),
        case("reversed", "upheld", CORRECTION, RehearingEffect.RESTORE_APPEALED, id="reversal superseded by upheld, never stayed: the appealed determination restored"),
        case("reversed", "dismissed", CORRECTION, RehearingEffect.RESTORE_APPEALED, id="reversal superseded by a dismissal, never stayed: restored"),
        case("reversed", "upheld", OTHER, RehearingEffect.NONE, id="reversal superseded by upheld, a later determination: not overwritten"),
        case("reversed", "reversed", RESTORED, RehearingEffect.NEW_CORRECTION, id="reversal superseded by a reversal: a new correction from the findings"),
        case("upheld", "reversed", OTHER, RehearingEffect.NEW_CORRECTION, id="upheld superseded by a reversal: a correction"),
        case("upheld", None, OTHER, RehearingEffect.NONE, id="upheld not superseded: nothing to implement"),
        case("upheld", "dismissed", OTHER, RehearingEffect.NONE, id="upheld superseded by a dismissal: nothing to implement"),
    ],
)  # fmt: skip
def test_12_15_5_the_decision_that_stands_after_the_rehearing_is_implemented(
    initial: str, superseding: str | None, held: HeldDetermination, effect: RehearingEffect
) -> None:
    assert rehearing_effect(initial, superseding, held) == effect
