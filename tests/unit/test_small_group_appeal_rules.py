"""956 CMR 12.15(4) for the small group (`rules.small_group_appeals`): what a reversed employer's
or employee's appeal restores, on each side of the reading — the group's termination on the
employer's appeal and not on an employee's, an employee's termination for fraud on either, the
employer determination corrected only when it found the employer not eligible for something."""

from __future__ import annotations

import pytest
from enrollment_ledger.domain.rules.small_group_appeals import (
    CORRECTED_EMPLOYER_DETERMINATION,
    GroupReversal,
    RehearingEffect,
    corrected_employer_findings,
    rehearing_effect,
    reversal_effect,
)


class TestWhatAReversalRestores:
    @pytest.mark.parametrize(
        ("action", "appellant", "effect"),
        [
            ("GroupCoverageTerminated", None, GroupReversal.GROUP),  # the employer's appeal
            ("GroupCoverageTerminated", "EMP-1", GroupReversal.NOTHING),  # an employee's notice
            ("EmployeeTerminatedForFraud", "EMP-2", GroupReversal.EMPLOYEE),  # their own end
            ("EmployeeTerminatedForFraud", None, GroupReversal.EMPLOYEE),  # the employer's appeal
            ("EmployerEligibilityDetermined", None, GroupReversal.EMPLOYER_DETERMINATION),
            ("EmployeeEnrolled", None, GroupReversal.NOTHING),  # no end to withdraw
            ("TerminationNoticeIssued", None, GroupReversal.NOTHING),  # a notice of non-payment
        ],
    )
    def test_follows_whose_appeal_and_which_action(
        self, action: str, appellant: str | None, effect: GroupReversal
    ) -> None:
        assert reversal_effect(action, appellant) == effect


class TestTheCorrectedEmployerDetermination:
    def test_finds_an_employer_found_not_eligible_eligible_for_both_programs(self) -> None:
        assert corrected_employer_findings(False, False) == {
            "eligible": True,
            "dental_eligible": True,
            "failed_conditions": [],
        }

    def test_corrects_a_dental_plan_refused_to_an_eligible_employer(self) -> None:
        corrected = corrected_employer_findings(True, False)
        assert corrected is not None and corrected["dental_eligible"] is True

    def test_leaves_a_determination_that_found_it_eligible_for_both_as_it_is(self) -> None:
        assert corrected_employer_findings(True, True) is None

    def test_cites_the_hearing_decision_and_the_eligibility_it_corrects(self) -> None:
        assert CORRECTED_EMPLOYER_DETERMINATION == "956 CMR 12.15(4); 956 CMR 12.04(4)(a)"


class TestWhatARehearingDoes:
    @pytest.mark.parametrize(
        ("initial", "superseding", "effect"),
        [
            ("reversed", "upheld", RehearingEffect.END_AGAIN),
            ("reversed", "dismissed", RehearingEffect.END_AGAIN),
            ("reversed", "reversed", RehearingEffect.NOTHING),  # the same decision
            ("reversed", None, RehearingEffect.NOTHING),  # not superseded
            ("upheld", "reversed", RehearingEffect.IMPLEMENT_REVERSAL),
            ("dismissed", "reversed", RehearingEffect.IMPLEMENT_REVERSAL),
            ("upheld", "dismissed", RehearingEffect.NOTHING),
            ("upheld", None, RehearingEffect.NOTHING),
        ],
    )
    def test_implements_the_decision_that_stands(
        self, initial: str, superseding: str | None, effect: RehearingEffect
    ) -> None:
        assert rehearing_effect(initial, superseding) == effect
