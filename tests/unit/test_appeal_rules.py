"""956 CMR 12.13-12.15: appealable actions, filing deadlines with the 12.14(3) roll-over across
weekends and Massachusetts legal holidays (M.G.L. c. 4, § 7), and re-hearings (12.15(5)).

Expected dates are worked out by hand in the comments; nothing here re-computes the rule.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import holidays
import pytest
from enrollment_ledger.domain.errors import InvalidCommand
from enrollment_ledger.domain.policy import DEFAULT_POLICY
from enrollment_ledger.domain.rules.appeals import (
    APPEAL_OUTCOMES,
    MA_LEGAL_HOLIDAY_NAMES,
    appeal_deadline,
    appealable_clause,
    concerns_employee,
    is_timely,
    massachusetts_legal_holiday,
    next_business_day_on_or_after,
)
from enrollment_ledger.domain.rules.rehearings import rehearing_allowed

POLICY = DEFAULT_POLICY.current


# ---- 12.13 / 12.15(2)(b): what may be appealed -------------------------------------------------

_ASSISTED = {"members": [{"member_id": "m1", "program": "connectorcare", "plan_type": "2B"}]}
_UNASSISTED = {"members": [{"member_id": "m1", "program": "non_group", "plan_type": None}]}


@pytest.mark.parametrize(
    ("event_type", "data", "expected"),
    [
        # 12.13(1) eligibility, and 12.13(2) the plan type / APTC it determines.
        ("EligibilityDetermined", _ASSISTED, "956 CMR 12.13(1), (2)"),
        ("Household.EligibilityDetermined", _ASSISTED, "956 CMR 12.13(1), (2)"),
        ("EligibilityDetermined", _UNASSISTED, "956 CMR 12.13(1)"),
        # 12.13(3) special enrollment period determinations, granted or refused.
        ("SpecialEnrollmentPeriodOpened", {}, "956 CMR 12.13(3)"),
        ("QualifyingEventRefused", {}, "956 CMR 12.13(3)"),
        ("SpecialEnrollmentPeriodDenied", {}, "956 CMR 12.13(3)"),
        # 12.13(4) a waiver denied, or the period a granted one applies to.
        ("HardshipWaiverDecided", {"decision": "denied"}, "956 CMR 12.13(4)"),
        ("HardshipWaiverDecided", {"decision": "granted", "months": 6}, "956 CMR 12.13(4)"),
        # 12.13(1) a small group's written notice (12.11(6)) of a finding on eligibility: fraud or
        # the employer no longer eligible (12.11(5)(a), (c)); not a notice of non-payment.
        ("TerminationNoticeIssued", {"reason": "fraud"}, "956 CMR 12.13(1)"),
        ("TerminationNoticeIssued", {"reason": "employer_ineligible"}, "956 CMR 12.13(1)"),
        ("GroupEnrollment.TerminationNoticeIssued", {"reason": "non_payment"}, None),
        # Not an Appealable Action: dismissed under 12.15(2)(b).
        ("PaymentRecorded", {}, None),
        ("InvoiceIssued", {}, None),
        ("CoverageTerminated", {}, None),
    ],
)
def test_12_13_appealable_actions_and_12_15_2_b_the_rest(
    event_type: str, data: dict[str, Any], expected: str | None
) -> None:
    assert appealable_clause(event_type, data) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # the notice sent to the employee, or their own termination for fraud: theirs to appeal
        ({"recipient": "employee", "employee_id": "EMP-1", "reason": "fraud"}, True),
        ({"employee_id": "EMP-1", "member_ids": ["EMP-1"], "rescission": False}, True),
        # another employee's notice, the employer's notice, an employer's determination: not
        ({"recipient": "employee", "employee_id": "EMP-2", "reason": "fraud"}, False),
        ({"recipient": "employer", "employee_id": None, "reason": "fraud"}, False),
        ({"eligible": False, "failed": []}, False),
    ],
)
def test_12_14_2_b_an_employee_appeals_only_an_action_naming_them(
    data: dict[str, Any], expected: bool
) -> None:
    assert concerns_employee(data, "EMP-1") is expected


def test_12_15_appeal_outcomes() -> None:
    assert set(APPEAL_OUTCOMES) == {"upheld", "reversed", "dismissed", "withdrawn"}


# ---- 12.14(3): Massachusetts legal holidays ----------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 4, 20), True),  # Patriots' Day: third Monday of April 2026
        (date(2027, 4, 19), True),  # Patriots' Day: third Monday of April 2027
        (date(2026, 6, 19), True),  # Juneteenth (a Friday)
        (date(2026, 9, 7), True),  # Labor Day
        (date(2026, 10, 12), True),  # Columbus Day
        (date(2026, 11, 11), True),  # Veterans Day
        (date(2026, 11, 26), True),  # Thanksgiving
        (date(2027, 7, 5), True),  # Monday: Independence Day 2027 falls on a Sunday
        (date(2022, 6, 20), True),  # Monday: Juneteenth 2022 fell on a Sunday
        (date(2022, 12, 26), True),  # Monday: Christmas 2022 fell on a Sunday
        (date(2026, 3, 17), False),  # Evacuation Day: Suffolk County only, not c. 4, § 7
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 7, 3), False),  # Friday before a Saturday 4 July: not kept in Massachusetts
        (date(2026, 11, 3), False),  # Election Day
        (date(2026, 11, 27), False),  # day after Thanksgiving
        (date(2026, 12, 24), False),  # Christmas Eve
        (date(2026, 4, 21), False),  # an ordinary Tuesday
    ],
)
def test_mgl_c4_s7_massachusetts_legal_holidays(day: date, expected: bool) -> None:
    assert massachusetts_legal_holiday(day) is expected


def test_mgl_c4_s7_twelve_legal_holidays_in_2026() -> None:
    """2026: none of the twelve falls on a Sunday, so exactly twelve days (4 July is a Saturday)."""
    days = [date(2026, 1, 1) + timedelta(days=offset) for offset in range(365)]
    assert sum(massachusetts_legal_holiday(day) for day in days) == 12


def test_mgl_c4_s7_every_accepted_name_is_in_the_maintained_calendar() -> None:
    """Guards against a renaming in a `holidays` upgrade silently dropping a legal holiday."""
    calendar = holidays.country_holidays("US", subdiv="MA", years=2026, language="en_US")
    assert set(calendar.values()) >= MA_LEGAL_HOLIDAY_NAMES


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 4, 9), date(2026, 4, 9)),  # a Thursday is itself
        (date(2026, 6, 6), date(2026, 6, 8)),  # Saturday -> Monday
        (date(2026, 6, 7), date(2026, 6, 8)),  # Sunday -> Monday
        (date(2026, 4, 18), date(2026, 4, 21)),  # Saturday, then Patriots' Day -> Tuesday
        (date(2026, 9, 5), date(2026, 9, 8)),  # Labor Day weekend -> Tuesday
        (date(2027, 7, 4), date(2027, 7, 6)),  # Sunday 4 July, kept Monday 5 -> Tuesday
    ],
)
def test_12_14_3_next_business_day(day: date, expected: date) -> None:
    assert next_business_day_on_or_after(day) == expected


# ---- 12.14(2)(a): filing deadlines -------------------------------------------------------------


@pytest.mark.parametrize(
    ("action_on", "notice_sent", "received_on", "expected", "citation"),
    [
        # 12.14(2)(a)1: notice Mon 2 Mar 2026, receipt presumed Sat 7 Mar (+5);
        # 30 days later: Mon 6 Apr 2026.
        (date(2026, 3, 2), True, None, date(2026, 4, 6), "956 CMR 12.14(2)(a)1"),
        # 12.14(2)(a)1 evidence of actual receipt: Tue 10 Mar + 30 = Thu 9 Apr 2026.
        (date(2026, 3, 2), True, date(2026, 3, 10), date(2026, 4, 9), "956 CMR 12.14(2)(a)1"),
        # 12.14(2)(a)2: no notice; Mon 5 Jan 2026 + 120 days = Tue 5 May 2026
        # (26 days to 31 Jan, +28 Feb = 54, +31 Mar = 85, +30 Apr = 115, +5 = 120).
        (date(2026, 1, 5), False, None, date(2026, 5, 5), "956 CMR 12.14(2)(a)2"),
        # 12.14(3) Saturday: received Thu 7 May + 30 = Sat 6 Jun 2026 -> Mon 8 Jun.
        (
            date(2026, 5, 1),
            True,
            date(2026, 5, 7),
            date(2026, 6, 8),
            "956 CMR 12.14(2)(a)1; 956 CMR 12.14(3)",
        ),
        # 12.14(3) Sunday: received Fri 8 May + 30 = Sun 7 Jun 2026 -> Mon 8 Jun.
        (
            date(2026, 5, 1),
            True,
            date(2026, 5, 8),
            date(2026, 6, 8),
            "956 CMR 12.14(2)(a)1; 956 CMR 12.14(3)",
        ),
        # 12.14(3) Patriots' Day: notice Mon 16 Mar, presumed receipt Sat 21 Mar, + 30 =
        # Mon 20 Apr 2026 (Patriots' Day) -> Tue 21 Apr.
        (
            date(2026, 3, 16),
            True,
            None,
            date(2026, 4, 21),
            "956 CMR 12.14(2)(a)1; 956 CMR 12.14(3)",
        ),
        # 12.14(3) Sunday then Patriots' Day: received Fri 20 Mar + 30 = Sun 19 Apr -> Tue 21 Apr.
        (
            date(2026, 3, 2),
            True,
            date(2026, 3, 20),
            date(2026, 4, 21),
            "956 CMR 12.14(2)(a)1; 956 CMR 12.14(3)",
        ),
        # 12.14(3) Labor Day weekend: no notice, Fri 8 May 2026 + 120 = Sat 5 Sep 2026
        # (23 to 31 May, +30 Jun = 53, +31 Jul = 84, +31 Aug = 115, +5 = 120);
        # Sun 6, Labor Day Mon 7 -> Tue 8 Sep.
        (
            date(2026, 5, 8),
            False,
            None,
            date(2026, 9, 8),
            "956 CMR 12.14(2)(a)2; 956 CMR 12.14(3)",
        ),
        # 12.14(3) holiday on a Sunday kept on the Monday: notice Sun 30 May 2027, presumed
        # receipt Fri 4 Jun, + 30 = Sun 4 Jul 2027; Mon 5 Jul is the holiday -> Tue 6 Jul.
        (
            date(2027, 5, 30),
            True,
            None,
            date(2027, 7, 6),
            "956 CMR 12.14(2)(a)1; 956 CMR 12.14(3)",
        ),
        # ... and a last day on that Monday itself: received Sat 5 Jun 2027 + 30 = Mon 5 Jul.
        (
            date(2027, 6, 1),
            True,
            date(2027, 6, 5),
            date(2027, 7, 6),
            "956 CMR 12.14(2)(a)1; 956 CMR 12.14(3)",
        ),
        # 12.14(3) Juneteenth: received Wed 20 May + 30 = Fri 19 Jun 2026 -> Mon 22 Jun.
        (
            date(2026, 5, 15),
            True,
            date(2026, 5, 20),
            date(2026, 6, 22),
            "956 CMR 12.14(2)(a)1; 956 CMR 12.14(3)",
        ),
        # M.G.L. c. 4, § 7: a Saturday 4 July (2026) is not kept on the Friday: received Wed
        # 3 Jun + 30 = Fri 3 Jul 2026, a business day, no roll-over.
        (date(2026, 6, 1), True, date(2026, 6, 3), date(2026, 7, 3), "956 CMR 12.14(2)(a)1"),
    ],
)
def test_12_14_2_a_appeal_deadline(
    action_on: date,
    notice_sent: bool,
    received_on: date | None,
    expected: date,
    citation: str,
) -> None:
    deadline, cited = appeal_deadline(
        action_on, notice_sent=notice_sent, notice_received_on=received_on, policy=POLICY
    )
    assert deadline == expected
    assert cited == citation


def test_12_14_2_a_1_receipt_cannot_precede_the_notice() -> None:
    with pytest.raises(InvalidCommand) as refused:
        appeal_deadline(
            date(2026, 3, 2), notice_sent=True, notice_received_on=date(2026, 3, 1), policy=POLICY
        )
    assert refused.value.code == "invalid_field"


def test_12_14_2_a_2_no_receipt_date_without_a_notice() -> None:
    with pytest.raises(InvalidCommand) as refused:
        appeal_deadline(
            date(2026, 3, 2), notice_sent=False, notice_received_on=date(2026, 3, 4), policy=POLICY
        )
    assert refused.value.code == "invalid_field"


@pytest.mark.parametrize(
    ("received_on", "expected"),
    [
        (date(2026, 4, 20), True),  # before the deadline
        (date(2026, 4, 21), True),  # on the (rolled-over) deadline
        (date(2026, 4, 22), False),  # a day late: dismissed under 12.15(2)(a)
    ],
)
def test_12_14_2_timely_when_received_by_the_deadline(received_on: date, expected: bool) -> None:
    assert is_timely(received_on, date(2026, 4, 21)) is expected


# ---- 12.15(5): re-hearing ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requested_on", "expected"),
    [
        (date(2026, 6, 1), True),  # the day of the decision
        (date(2026, 6, 15), True),  # day 14 after Mon 1 Jun 2026
        (date(2026, 6, 16), False),  # day 15
        (date(2026, 5, 31), False),  # before the decision
    ],
)
def test_12_15_5_rehearing_within_14_days(requested_on: date, expected: bool) -> None:
    assert rehearing_allowed(date(2026, 6, 1), requested_on, POLICY) is expected


def test_12_15_5_no_weekend_roll_over_for_rehearing() -> None:
    """Decision Sat 23 May 2026: day 14 is Sat 6 Jun; 12.14(3) covers 12.14(2) only, so Mon 8 Jun
    (day 16) is too late."""
    assert rehearing_allowed(date(2026, 5, 23), date(2026, 6, 6), POLICY)
    assert not rehearing_allowed(date(2026, 5, 23), date(2026, 6, 8), POLICY)
