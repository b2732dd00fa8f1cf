"""956 CMR 12.11(1)-(3), (5)-(6) and 12.04(4)(b): the rules added to the small group, each on both
sides of its boundary — a fraud end on, before and after the decision and before coverage
began; the end of the month of an ineligibility; participation at exactly the minimum and just
below it, waived; a new dependent on the 1st and mid-month under each election, its premium never
for a month already billed; a renewal on the last day of the coverage year and the day after,
and an employer kept eligible past 50 only for its year.

Expected dates are worked out by hand in the comments; nothing here re-computes the rule.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from enrollment_ledger.domain.errors import InvalidCommand, NotEligible
from enrollment_ledger.domain.policy import DEFAULT_POLICY
from enrollment_ledger.domain.rules import small_group_changes as changes
from enrollment_ledger.domain.rules import small_group_terminations as ends
from enrollment_ledger.domain.rules.appeals import appealable_clause
from enrollment_ledger.domain.rules.small_group_changes import DependentCoverageFrom

DECIDED = date(2026, 6, 10)
STARTED = date(2026, 4, 1)


class TestAFraudEnd:
    @pytest.mark.parametrize(
        ("effective_on", "rescission", "from_start", "citation"),
        [
            (date(2026, 6, 10), False, False, "956 CMR 12.11(5)(a)"),  # the day of the decision
            (date(2026, 6, 9), True, False, "956 CMR 12.11(5)(a); 45 CFR 147.128"),  # a day before
            (date(2026, 4, 1), True, False, "956 CMR 12.11(5)(a); 45 CFR 147.128"),  # first day
            (date(2026, 3, 31), True, True, "956 CMR 12.11(5)(a); 45 CFR 147.128"),  # before it
        ],
    )
    def test_ends_on_its_day_and_is_a_rescission_before_the_decision(
        self, effective_on: date, rescission: bool, from_start: bool, citation: str
    ) -> None:
        end = ends.fraud_end(effective_on, DECIDED, STARTED)
        assert (end.end_on, end.rescission, end.from_start, end.citation) == (
            effective_on,
            rescission,
            from_start,
            citation,
        )

    def test_an_end_the_day_after_the_decision_is_refused(self) -> None:
        with pytest.raises(InvalidCommand) as refused:
            ends.fraud_end(date(2026, 6, 11), DECIDED, STARTED)
        assert refused.value.code == "invalid_field"

    def test_coverage_that_never_began_is_rescinded_from_its_start(self) -> None:
        assert ends.fraud_end(DECIDED, DECIDED, None).from_start is True


class TestTheEmployerNoLongerEligible:
    @pytest.mark.parametrize(
        ("decided_on", "end_on"),
        [
            (date(2026, 6, 1), date(2026, 6, 30)),
            (date(2026, 6, 30), date(2026, 6, 30)),  # the last day: ends that day
            (date(2026, 7, 1), date(2026, 7, 31)),  # a day later: the next month's end
            (date(2028, 2, 3), date(2028, 2, 29)),  # a leap year's February
        ],
    )
    def test_coverage_ends_on_the_last_day_of_the_month_of_the_decision(
        self, decided_on: date, end_on: date
    ) -> None:
        end = ends.ineligibility_end(decided_on)
        assert (end.end_on, end.citation) == (end_on, "956 CMR 12.11(5)(c)")

    def test_the_reason_names_each_condition_failed_with_its_clause(self) -> None:
        failed = [{"condition": "actively_engaged", "clause": "956 CMR 12.04(4)(a)2"}]
        latest = {"on": date(2026, 6, 2), "eligible": False, "failed_conditions": failed}
        reason = ends.no_longer_eligible([latest], "ACME")
        assert (
            reason
            == "determined not eligible on 2026-06-02: actively_engaged (956 CMR 12.04(4)(a)2)"
        )

    @pytest.mark.parametrize(
        "determinations",
        [[], [{"on": date(2026, 6, 2), "eligible": True, "failed_conditions": []}]],
    )
    def test_an_employer_never_determined_or_last_found_eligible_is_not_ended(
        self, determinations: list[dict[str, Any]]
    ) -> None:
        with pytest.raises(InvalidCommand) as refused:
            ends.no_longer_eligible(determinations, "ACME")
        assert refused.value.code == "invalid_state"

    @pytest.mark.parametrize(
        "event_type", ["GroupCoverageTerminated", "EmployeeTerminatedForFraud"]
    )
    def test_each_termination_is_an_appealable_action(self, event_type: str) -> None:
        assert appealable_clause(event_type, {}) == "956 CMR 12.13(1)"


class TestParticipationAtTheClose:
    MINIMUM = Decimal("0.75")

    @pytest.mark.parametrize(
        ("enrolled", "counted_waivers", "rate", "met"),
        [
            (3, 1, Decimal("0.7500"), True),  # exactly the minimum
            (2, 1, Decimal("0.6667"), False),  # just below
            (74, 26, Decimal("0.7400"), False),
            (2, 0, Decimal("1.0000"), True),  # every waiver for other coverage
        ],
    )
    def test_met_at_the_minimum_and_not_just_below(
        self, enrolled: int, counted_waivers: int, rate: Decimal, met: bool
    ) -> None:
        checked = changes.participation_at_close(enrolled, counted_waivers, self.MINIMUM, False)
        assert (checked.rate, checked.met, checked.minimum) == (rate, met, self.MINIMUM)
        assert checked.citation == "956 CMR 12.11(1); 956 CMR 12.04(4)(a)5"

    def test_waived_for_an_application_from_15_november_to_15_december(self) -> None:
        checked = changes.participation_at_close(1, 9, self.MINIMUM, True)
        assert (checked.met, checked.waived, checked.minimum) == (True, True, None)
        assert checked.citation == "956 CMR 12.11(3)"

    def test_the_minimum_is_a_dated_policy_parameter_with_its_source(self) -> None:
        dated = DEFAULT_POLICY.current.small_group_minimum_participation.dated_at(date(2026, 3, 14))
        assert dated.value == Decimal("0.75") and "contract" in dated.source


class TestANewDependent:
    @pytest.mark.parametrize(
        ("event_on", "election", "start_on"),
        [
            (date(2026, 6, 17), DependentCoverageFrom.EVENT_DATE, date(2026, 6, 17)),
            (date(2026, 6, 17), DependentCoverageFrom.FIRST_OF_NEXT_MONTH, date(2026, 7, 1)),
            (date(2026, 6, 1), DependentCoverageFrom.EVENT_DATE, date(2026, 6, 1)),
            (date(2026, 6, 1), DependentCoverageFrom.FIRST_OF_NEXT_MONTH, date(2026, 7, 1)),
            (date(2026, 12, 31), DependentCoverageFrom.FIRST_OF_NEXT_MONTH, date(2027, 1, 1)),
        ],
    )
    def test_is_covered_from_the_event_or_the_first_of_the_next_month_at_the_election(
        self, event_on: date, election: DependentCoverageFrom, start_on: date
    ) -> None:
        assert changes.new_dependent_start(event_on, election) == start_on

    @pytest.mark.parametrize(
        ("start_on", "not_billed", "premium_from"),
        [
            (date(2026, 6, 1), date(2026, 6, 1), date(2026, 6, 1)),  # a whole month not billed
            (date(2026, 6, 17), date(2026, 6, 1), date(2026, 7, 1)),  # part of June: July
            (date(2026, 6, 1), date(2026, 8, 1), date(2026, 8, 1)),  # June, July billed already
        ],
    )
    def test_the_new_premium_is_billed_from_the_first_whole_month_not_billed(
        self, start_on: date, not_billed: date, premium_from: date
    ) -> None:
        assert changes.new_premium_from(start_on, not_billed) == premium_from

    def test_the_time_frame_is_the_30_days_of_45_cfr_155_725_j_with_its_source(self) -> None:
        dated = DEFAULT_POLICY.current.small_group_special_enrollment_days.dated_at(DECIDED)
        assert dated.value == 30 and dated.source.startswith("45 CFR 155.725(j)")
        chip = DEFAULT_POLICY.current.small_group_medicaid_chip_special_enrollment_days
        assert chip.at(DECIDED) == 60


class TestRenewal:
    YEAR_ENDS = date(2027, 3, 31)
    ELIGIBLE = {"on": date(2027, 3, 1), "eligible": True, "retained_past_50": False}

    def test_the_next_coverage_year_is_the_next_twelve_months(self) -> None:
        assert changes.next_coverage_year(self.YEAR_ENDS) == (date(2027, 4, 1), date(2028, 3, 31))

    def test_asked_on_the_last_day_of_the_year_it_is_accepted_and_the_day_after_refused(
        self,
    ) -> None:
        changes.check_renewal(self.YEAR_ENDS, self.YEAR_ENDS, [self.ELIGIBLE], "ACME")
        with pytest.raises(InvalidCommand) as refused:
            changes.check_renewal(date(2027, 4, 1), self.YEAR_ENDS, [self.ELIGIBLE], "ACME")
        assert refused.value.code == "invalid_state"

    @pytest.mark.parametrize(
        "latest",
        [
            {"on": date(2027, 3, 1), "eligible": True, "retained_past_50": True},  # 12.04(4)(b)
            {"on": date(2027, 3, 1), "eligible": False, "retained_past_50": False},
        ],
    )
    def test_an_employer_eligible_only_for_the_year_past_50_or_not_eligible_is_refused(
        self, latest: dict[str, Any]
    ) -> None:
        with pytest.raises(NotEligible):
            changes.check_renewal(date(2027, 3, 2), self.YEAR_ENDS, [latest], "ACME")
