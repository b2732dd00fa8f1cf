"""956 CMR 12.04(4), 12.11, 12.12(13), 12.14(2)(b), 12.16(3)(d): the small-group rules on both
sides of every boundary — 50/51 employees, 29/30 hours, the 15 November-15 December waiver of
the minimums on both edges, the minimums themselves, the 15th cut-off, the employees' time
frames, day 30/31 of reinstatement and day 90 of an appeal on a holiday.

Expected dates are worked out by hand in the comments; nothing here re-computes the rule.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from enrollment_ledger.domain.errors import (
    InvalidCommand,
    NoPolicyParameters,
    OutsideEnrollmentPeriod,
)
from enrollment_ledger.domain.parameters import Parameter
from enrollment_ledger.domain.policy import DEFAULT_POLICY
from enrollment_ledger.domain.rules import small_group as rules
from enrollment_ledger.domain.rules import small_group_delinquency as delinquency_rules
from enrollment_ledger.domain.rules import small_group_enrollment as enrollment_rules
from enrollment_ledger.domain.rules.appeals import appeal_deadline, is_timely
from enrollment_ledger.domain.rules.small_group import (
    Condition,
    EmployerFacts,
    RosterEntry,
)
from enrollment_ledger.domain.rules.small_group_enrollment import EmployeeEventKind

POLICY = DEFAULT_POLICY.current
ON = date(2026, 3, 2)


def facts(**changes: Any) -> EmployerFacts:
    """An employer meeting every condition: 12 employees, all offered coverage through the
    Connector from Massachusetts, 80% participating and 60% of the employee-only premium paid."""
    base = EmployerFacts(
        employee_count=12,
        full_time_employees=10,
        actively_engaged=True,
        principal_address_in_ma=True,
        offers_all_full_time=True,
        offers_through_connector=True,
        participation_rate=Decimal("0.80"),
        contribution_rate=Decimal("0.60"),
    )
    return dataclasses.replace(base, **changes)


def determine(
    employer: EmployerFacts,
    *,
    applied_on: date = ON,
    on: date | None = None,
    coverage_year: tuple[date, date] | None = None,
    policy: Any = POLICY,
) -> rules.EmployerDetermination:
    return rules.determine_employer(
        employer,
        application_on=applied_on,
        on=on or applied_on,
        policy=policy,
        coverage_year=coverage_year,
    )


def failed(determination: rules.EmployerDetermination) -> list[tuple[str, str]]:
    return [(f.condition.value, f.clause) for f in determination.failed_conditions]


# ---- 12.04(4)(a)1: 1 to 50 employees ---------------------------------------------------------


@pytest.mark.parametrize(
    ("employees", "small"),
    [(0, False), (1, True), (50, True), (51, False)],
)
def test_a_small_employer_has_at_least_1_and_at_most_50_employees(
    employees: int, small: bool
) -> None:
    assert rules.is_small_employer(employees, POLICY, ON) is small


@pytest.mark.parametrize(
    ("employees", "eligible", "failures"),
    [
        (50, True, []),
        (51, False, [("small_employer", "956 CMR 12.04(4)(a)1")]),
    ],
)
def test_50_employees_are_eligible_and_51_fail_12_04_4_a_1_with_its_clause(
    employees: int, eligible: bool, failures: list[tuple[str, str]]
) -> None:
    decided = determine(facts(employee_count=employees, full_time_employees=10))
    assert decided.eligible is eligible
    assert failed(decided) == failures


@pytest.mark.parametrize(
    ("on", "retained"),
    [
        (date(2026, 12, 31), True),  # last day of the coverage year that began 1 Jan 2026
        (date(2027, 1, 1), False),  # the next coverage year: 51 employees is no Small Employer
    ],
)
def test_an_employer_enrolled_that_grows_past_50_stays_eligible_for_the_coverage_year(
    on: date, retained: bool
) -> None:
    year = rules.coverage_year_of(date(2026, 1, 1))
    assert year == (date(2026, 1, 1), date(2026, 12, 31))
    decided = determine(facts(employee_count=51), applied_on=on, coverage_year=year)
    assert decided.eligible is retained
    assert decided.retained_past_50 is retained
    assert ("956 CMR 12.04(4)(b)" in decided.citation) is retained


# ---- 12.04(4)(a)2-4: each failed condition with its clause ---------------------------------------


@pytest.mark.parametrize(
    ("change", "condition", "clause"),
    [
        ({"actively_engaged": False}, "actively_engaged", "956 CMR 12.04(4)(a)2"),
        ({"offers_all_full_time": False}, "offers_all_full_time", "956 CMR 12.04(4)(a)3"),
        (
            {"principal_address_in_ma": False},
            "principal_address_in_ma_and_offers_through_connector",
            "956 CMR 12.04(4)(a)4",
        ),
        (
            {"offers_through_connector": False},
            "principal_address_in_ma_and_offers_through_connector",
            "956 CMR 12.04(4)(a)4",
        ),
    ],
)
def test_each_failed_condition_is_recorded_with_its_clause_and_bars_dental_too(
    change: dict[str, Any], condition: str, clause: str
) -> None:
    decided = determine(facts(**change))
    assert failed(decided) == [(condition, clause)]
    assert decided.eligible is False
    assert decided.dental_eligible is False  # 12.16(1)(b): only an employer eligible under (a)


def test_every_condition_failed_is_recorded_not_only_the_first() -> None:
    decided = determine(
        facts(employee_count=60, actively_engaged=False, participation_rate=Decimal("0.10"))
    )
    assert [condition for condition, _clause in failed(decided)] == [
        Condition.SMALL_EMPLOYER,
        Condition.ACTIVELY_ENGAGED,
        Condition.MINIMUM_PARTICIPATION,
    ]


# ---- 12.04(4)(a)3: full-time means 30 hours a week on average ------------------------------------


@pytest.mark.parametrize(
    ("hours", "full_time"),
    [("29", False), ("29.99", False), ("30", True), ("30.00", True), ("40", True)],
)
def test_a_full_time_employee_works_on_average_at_least_30_hours_a_week(
    hours: str, full_time: bool
) -> None:
    assert rules.is_full_time(Decimal(hours), POLICY, ON) is full_time


@pytest.mark.parametrize(
    ("hours", "eligible", "not_offered"),
    [
        ("29.99", True, []),  # part-time: the employer need not offer coverage
        ("30", False, ["E-9"]),  # full-time and not offered: 12.04(4)(a)3 fails, naming them
    ],
)
def test_a_roster_employee_of_29_hours_may_go_without_an_offer_but_not_one_of_30(
    hours: str, eligible: bool, not_offered: list[str]
) -> None:
    roster = (
        RosterEntry("E-1", Decimal("40"), True),
        RosterEntry("E-9", Decimal(hours), False),
    )
    assert rules.full_time_not_offered(roster, POLICY, ON) == not_offered
    decided = determine(facts(roster=roster))
    assert decided.eligible is eligible
    if not eligible:
        (failure,) = decided.failed_conditions
        assert failure.clause == "956 CMR 12.04(4)(a)3"
        assert "E-9" in failure.reason


# ---- 12.04(4)(a)5, 12.11(3): the minimums and their waiver ----------------------------------------


@pytest.mark.parametrize(
    ("participation", "contribution", "failures"),
    [
        ("0.75", "0.50", []),
        ("0.7499", "0.50", ["minimum_participation"]),
        ("0.75", "0.4999", ["minimum_contribution"]),
        ("0.74", "0.49", ["minimum_participation", "minimum_contribution"]),
        ("1", "1", []),
    ],
)
def test_participation_of_75_percent_and_a_contribution_of_half_meet_the_policy_minimums(
    participation: str, contribution: str, failures: list[str]
) -> None:
    decided = determine(
        facts(participation_rate=Decimal(participation), contribution_rate=Decimal(contribution))
    )
    assert [condition for condition, _ in failed(decided)] == failures
    assert {clause for _, clause in failed(decided)} <= {"956 CMR 12.04(4)(a)5"}
    assert decided.eligible is not failures
    assert decided.minimums["participation"]["minimum"] == "0.75"
    assert decided.minimums["contribution"]["minimum"] == "0.50"
    assert "Small group policy defaults" in decided.minimums["participation"]["source"]


@pytest.mark.parametrize(
    ("applied_on", "waived"),
    [
        (date(2026, 11, 14), False),
        (date(2026, 11, 15), True),  # first day of the small-group open enrollment
        (date(2026, 12, 15), True),  # its last day
        (date(2026, 12, 16), False),
    ],
)
def test_the_minimums_are_waived_for_applications_from_15_november_to_15_december(
    applied_on: date, waived: bool
) -> None:
    assert rules.minimums_waived(applied_on, POLICY) is waived
    below = facts(participation_rate=Decimal("0.40"), contribution_rate=Decimal("0.25"))
    decided = determine(below, applied_on=applied_on, on=date(2026, 12, 20))
    assert decided.eligible is waived
    assert decided.minimums_waived is waived
    expected = "waived" if waived else "not_met"
    assert decided.minimums["participation"]["status"] == expected
    assert decided.minimums["contribution"]["status"] == expected
    assert ("956 CMR 12.11(3)" in decided.citation) is waived


def test_a_dental_plan_needs_no_minimums_but_a_health_plan_does() -> None:
    decided = determine(facts(participation_rate=Decimal("0.10")))
    assert decided.eligible is False
    assert decided.dental_eligible is True  # 12.16(3)(d)


def _without_minimums() -> Any:
    unpublished: Parameter[Decimal] = Parameter("small_group_minimum_participation", ())
    return dataclasses.replace(POLICY, small_group_minimum_participation=unpublished)


def test_with_no_minimum_published_a_determination_is_refused_no_policy_parameters() -> None:
    with pytest.raises(NoPolicyParameters) as refused:
        determine(facts(), policy=_without_minimums())
    assert refused.value.code == "no_policy_parameters"


def test_with_no_minimum_published_an_application_in_the_waiver_window_needs_none() -> None:
    decided = determine(facts(), applied_on=date(2026, 11, 20), policy=_without_minimums())
    assert decided.eligible is True
    assert decided.minimums["participation"] == {
        "minimum": None,
        "declared": "0.80",
        "status": "waived",
        "source": None,
        "citation": "956 CMR 12.11(3)",
    }


# ---- 12.11(1)-(2): the group's selection ---------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "deadline", "refused"),
    [
        (date(2026, 4, 1), date(2026, 3, 22), None),  # binder due 23 March; deadline the 22nd
        (date(2026, 4, 1), date(2026, 3, 23), "binder's due date"),  # on the due date
        (date(2026, 4, 2), date(2026, 3, 13), "1st of a month"),
        (date(2026, 3, 1), date(2026, 3, 1), "after the selection"),  # not after 2 March
        (date(2026, 4, 1), date(2026, 3, 1), "before the selection"),
    ],
)
def test_coverage_starts_on_a_1st_and_employees_enroll_before_the_binder_is_due(
    start: date, deadline: date, refused: str | None
) -> None:
    if refused is None:
        assert enrollment_rules.check_group_selection(ON, start, deadline, POLICY) == date(
            2026, 3, 23
        )
        return
    with pytest.raises(InvalidCommand, match=refused):
        enrollment_rules.check_group_selection(ON, start, deadline, POLICY)


@pytest.mark.parametrize(
    ("enrolled_on", "first_not_billed", "start"),
    [
        (date(2026, 5, 4), date(2026, 6, 1), date(2026, 6, 1)),  # before June is billed (5 May)
        (date(2026, 5, 6), date(2026, 7, 1), date(2026, 7, 1)),  # June billed without them
        (date(2026, 5, 31), date(2026, 6, 1), date(2026, 6, 1)),
    ],
)
def test_an_employee_enrolled_later_is_covered_from_the_first_month_billed_after(
    enrolled_on: date, first_not_billed: date, start: date
) -> None:
    assert enrollment_rules.employee_start_on(enrolled_on, first_not_billed) == start


# ---- 12.11(4): the employees' time frames ------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "on", "allowed"),
    [
        (EmployeeEventKind.LOSS_OF_COVERAGE, date(2026, 5, 31), True),  # day 30 after 1 May
        (EmployeeEventKind.LOSS_OF_COVERAGE, date(2026, 6, 1), False),  # day 31
        (EmployeeEventKind.NEWLY_QUALIFIED, date(2026, 5, 31), True),
        (EmployeeEventKind.NEWLY_QUALIFIED, date(2026, 6, 1), False),
        (EmployeeEventKind.LOST_MEDICAID_CHIP, date(2026, 6, 30), True),  # day 60
        (EmployeeEventKind.LOST_MEDICAID_CHIP, date(2026, 7, 1), False),  # day 61
    ],
)
def test_an_employee_acts_within_the_time_frame_of_the_event(
    kind: EmployeeEventKind, on: date, allowed: bool
) -> None:
    event_on = date(2026, 5, 1)
    if allowed:
        period = enrollment_rules.employee_period(kind, event_on, on, POLICY)
        assert period.event_on == event_on
        assert period.citation.startswith("956 CMR 12.11(4); 45 CFR 155.725(")
        return
    with pytest.raises(OutsideEnrollmentPeriod) as refused:
        enrollment_rules.employee_period(kind, event_on, on, POLICY)
    assert refused.value.code == "outside_enrollment_period"


def test_an_event_after_the_day_it_is_reported_is_refused() -> None:
    with pytest.raises(InvalidCommand):
        enrollment_rules.employee_period(
            EmployeeEventKind.MARRIAGE, date(2026, 5, 2), date(2026, 5, 1), POLICY
        )


# ---- 12.11(7): the 15th cut-off ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("requested_on", "end_on"),
    [
        (date(2026, 6, 1), date(2026, 6, 30)),
        (date(2026, 6, 15), date(2026, 6, 30)),  # on the cut-off: the end of this month
        (date(2026, 6, 16), date(2026, 7, 31)),  # after it: the end of the next month
        (date(2026, 1, 16), date(2026, 2, 28)),
    ],
)
def test_an_employer_asking_by_the_15th_ends_coverage_that_month_and_after_it_the_next(
    requested_on: date, end_on: date
) -> None:
    assert enrollment_rules.voluntary_end_on(requested_on, POLICY) == end_on


# ---- 12.12(13): thirty days to reinstate -------------------------------------------------------


@pytest.mark.parametrize(
    ("terminated_on", "deadline"),
    [
        (date(2026, 7, 11), date(2026, 8, 10)),  # day 30 is 10 August; day 31, 11 August, is late
        (date(2026, 1, 31), date(2026, 3, 2)),
    ],
)
def test_reinstatement_is_asked_within_30_days_of_the_termination_decision(
    terminated_on: date, deadline: date
) -> None:
    assert delinquency_rules.reinstatement_deadline(terminated_on, POLICY) == deadline


def test_a_small_group_notice_of_delinquency_gives_the_payment_date_from_the_first() -> None:
    assert delinquency_rules.delinquent_months_before_payment_date(ON, POLICY) == 1


# ---- 12.14(2)(b), 12.14(3): 90 days, rolled past a holiday ---------------------------------------


@pytest.mark.parametrize(
    ("notice_on", "notice_sent", "deadline", "rolled"),
    [
        # notice Thu 4 June 2026, received (presumed) Tue 9 June; day 90 is Mon 7 September,
        # Labor Day: the last day rolls to Tue 8 September.
        (date(2026, 6, 4), True, date(2026, 9, 8), True),
        # notice Mon 1 June, received Sat 6 June; day 90 is Fri 4 September.
        (date(2026, 6, 1), True, date(2026, 9, 4), False),
        # no notice: 90 days from the action of Fri 12 June is Thu 10 September.
        (date(2026, 6, 12), False, date(2026, 9, 10), False),
        # no notice: from Wed 13 August, day 90 is Wed 11 November, Veterans Day: Thu 12th.
        (date(2026, 8, 13), False, date(2026, 11, 12), True),
    ],
)
def test_an_employer_has_90_days_after_receipt_rolled_past_weekends_and_holidays(
    notice_on: date, notice_sent: bool, deadline: date, rolled: bool
) -> None:
    found, citation = appeal_deadline(
        notice_on,
        notice_sent=notice_sent,
        notice_received_on=None,
        policy=POLICY,
        small_group=True,
    )
    assert found == deadline
    assert citation.startswith("956 CMR 12.14(2)(b)")
    assert citation.endswith("956 CMR 12.14(3)") is rolled


@pytest.mark.parametrize(
    ("received_on", "timely"),
    [
        # the employer's or the employee's: notice Thu 4 June 2026, day 90 Labor Day, rolled to
        # Tue 8 September (12.14(3)): received that day it is timely, the day after it is not.
        (date(2026, 9, 8), True),
        (date(2026, 9, 9), False),
        # received on day 90 itself, the holiday (a filing the Connector happens to log): timely
        (date(2026, 9, 7), True),
    ],
)
def test_an_appeal_received_on_the_rolled_day_90_is_timely_and_a_day_later_is_not(
    received_on: date, timely: bool
) -> None:
    deadline, _ = appeal_deadline(
        date(2026, 6, 4), notice_sent=True, notice_received_on=None, policy=POLICY, small_group=True
    )
    assert is_timely(received_on, deadline) is timely


def test_an_individuals_appeal_keeps_its_30_days() -> None:
    found, citation = appeal_deadline(
        date(2026, 6, 1), notice_sent=True, notice_received_on=None, policy=POLICY
    )
    assert (found, citation) == (date(2026, 7, 6), "956 CMR 12.14(2)(a)1")
