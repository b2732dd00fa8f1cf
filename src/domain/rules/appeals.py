"""956 CMR 12.13-12.15: what may be appealed, the filing deadline, dismissals and decisions.

- 12.13: the Appealable Actions (eligibility, APTC or plan type, special enrollment periods,
  hardship waivers). An appeal against anything else is dismissed under 12.15(2)(b).
- 12.14(2)(a): for Non-Group Health Plans the request must be received 30 days after receipt of the
  notice (receipt presumed 5 days after the date on the notice, absent evidence to the contrary), or
  120 days from the action where no written notice was sent.
- 12.14(2)(b): for Small Group Health Plans, 90 days after receipt of the notice (receipt presumed
  5 days after its date), or from the action where no written notice was sent.
- 12.14(3): a last day on a Saturday, Sunday or legal holiday becomes the following business day.
  Legal holidays are the Massachusetts legal holidays of M.G.L. c. 4, § 7, taken from the maintained
  `holidays` calendar (Massachusetts subdivision), filtered to the names the contract lists.
- 12.15(5): re-hearings are `rules/rehearings.py`.

Every number comes from the `PolicyVersion` in force; nothing here reads the clock.
"""

from __future__ import annotations

import dataclasses
from calendar import SATURDAY, SUNDAY
from collections.abc import Collection, Mapping, Sequence
from datetime import date
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..calendar import plus_days
from ..errors import InvalidCommand
from .eligibility import ELIGIBILITY, FINANCIALLY_ASSISTED, MemberDetermination
from .small_group import GROUP_APPEAL_DEADLINE

if TYPE_CHECKING:
    from ..parameters import PolicyVersion

# ---- citations -------------------------------------------------------------------------------

RIGHT_TO_APPEAL = "956 CMR 12.13"
ELIGIBILITY_DETERMINATION = "956 CMR 12.13(1)"
APTC_OR_PLAN_TYPE_DETERMINATION = "956 CMR 12.13(2)"
ELIGIBILITY_AND_APTC_OR_PLAN_TYPE = "956 CMR 12.13(1), (2)"
SPECIAL_ENROLLMENT_DETERMINATION = "956 CMR 12.13(3)"
HARDSHIP_WAIVER_DETERMINATION = "956 CMR 12.13(4)"

DEADLINE_AFTER_NOTICE = "956 CMR 12.14(2)(a)1"
DEADLINE_WITHOUT_NOTICE = "956 CMR 12.14(2)(a)2"
LAST_DAY_ROLLS_OVER = "956 CMR 12.14(3)"
MASSACHUSETTS_LEGAL_HOLIDAYS = "M.G.L. c. 4, § 7"

DISMISSED_UNTIMELY = "956 CMR 12.15(2)(a)"
DISMISSED_NOT_APPEALABLE = "956 CMR 12.15(2)(b)"
DISMISSED_WITHDRAWN = "956 CMR 12.15(2)(c)"
DISMISSED_APPELLANT_DIED = "956 CMR 12.15(2)(d)"
DISMISSED = "956 CMR 12.15(2)"
HEARING_DECISION = "956 CMR 12.15(4)"
ORIGINAL_EFFECTIVE_DATE = f"{HEARING_DECISION}: the original effective date"
CORRECTED_DETERMINATION = f"{HEARING_DECISION}; {ELIGIBILITY}"
REHEARING = "956 CMR 12.15(5)"
CORRECTION_AFTER_REHEARING = f"{REHEARING}; {HEARING_DECISION}; {ELIGIBILITY}"
PREMIUMS_DUE_WHILE_PENDING = "956 CMR 12.15(6)"

# ---- 12.13: appealable actions -----------------------------------------------------------------

APPEALABLE_EVENT_TYPES: Mapping[str, str] = MappingProxyType(
    {
        # 12.13(1) any eligibility determination; 12.13(2) the APTC amount or plan type it fixes.
        "EligibilityDetermined": ELIGIBILITY_AND_APTC_OR_PLAN_TYPE,
        # 12.13(3) special enrollment period determinations (12.10(1)(a)-(f), see the contract's
        # reading note on the "12.10(4)(a)-(f)" reference): the period granted, or refused.
        "SpecialEnrollmentPeriodOpened": SPECIAL_ENROLLMENT_DETERMINATION,
        "QualifyingEventRefused": SPECIAL_ENROLLMENT_DETERMINATION,
        "SpecialEnrollmentPeriodDenied": SPECIAL_ENROLLMENT_DETERMINATION,
        # 12.13(4) a waiver denied, or the period of time a granted waiver applies to.
        "HardshipWaiverDecided": HARDSHIP_WAIVER_DETERMINATION,
        # 12.13(1) a termination for fraud (12.10(5)(a)) is a finding that the enrollee was not
        # entitled to the coverage: appealable as an eligibility action.
        "CoverageTerminatedForFraud": ELIGIBILITY_DETERMINATION,
        # 12.13(1) an employer's eligibility determination (12.04(4)): "Employers are entitled
        # to appeal".
        "EmployerEligibilityDetermined": ELIGIBILITY_DETERMINATION,
        # 12.13(1) the Connector's termination of a small group, or of an employee, for fraud or
        # because the employer is no longer eligible (12.11(5)(a), (c)): a finding on eligibility.
        "GroupCoverageTerminated": ELIGIBILITY_DETERMINATION,
        "EmployeeTerminatedForFraud": ELIGIBILITY_DETERMINATION,
    }
)
"""Event type (class name) -> the 12.13 clause that makes it appealable. Any other event (a payment,
an invoice, a termination for non-payment, ...) is not an Appealable Action: 12.15(2)(b)."""

NOTICE_OF_A_FINDING: frozenset[str] = frozenset({"fraud", "employer_ineligible"})
"""The reasons of a small group's written termination notice (12.11(6)) that are the Connector's
finding on eligibility (12.11(5)(a), (c)): such a notice, to the employer or to an employee, is
appealable as the action it notifies (12.13(1)); a notice of non-payment is not."""

EMPLOYEES_APPEAL = "956 CMR 12.13; 956 CMR 12.14(2)(b)"


def concerns_employee(data: Mapping[str, Any], employee_id: str) -> bool:
    """12.13, 12.14(2)(b): "Employers and employees may appeal": an employee appeals a small-group
    action taken about them, i.e. a recorded event naming them (the termination notice sent to
    them, their termination for fraud, their enrollment, waiver or new dependent)."""
    return data.get("employee_id") == employee_id


class AppealOutcome(StrEnum):
    """A hearing officer's decision (12.15(4)), a dismissal (12.15(2)) or a withdrawal
    (12.15(2)(c)), as recorded."""

    UPHELD = "upheld"
    REVERSED = "reversed"
    DISMISSED = "dismissed"
    WITHDRAWN = "withdrawn"


APPEAL_OUTCOMES: tuple[str, ...] = tuple(outcome.value for outcome in AppealOutcome)

OUTCOME_CITATIONS: Mapping[str, str] = MappingProxyType(
    {AppealOutcome.WITHDRAWN: DISMISSED_WITHDRAWN, AppealOutcome.DISMISSED: DISMISSED}
)


def outcome_citation(outcome: str) -> str:
    """The clause a decided appeal rests on: 12.15(2)(c) a withdrawal, 12.15(2) a dismissal, and
    12.15(4) a hearing officer's decision."""
    return OUTCOME_CITATIONS.get(outcome, HEARING_DECISION)


def short_type(event_type: str) -> str:
    """`Household.EligibilityDetermined` or a full topic `module:Household.X` -> `X`."""
    return event_type.rsplit(":", 1)[-1].rsplit(".", 1)[-1]


def appealable_clause(event_type: str, data: Mapping[str, Any]) -> str | None:
    """The 12.13 clause under which the recorded event may be appealed, or None (12.15(2)(b)).

    `event_type` is the event's class name (a dotted name or topic is accepted); `data` is the event
    as recorded. An eligibility determination is always appealable under 12.13(1); it is also an
    APTC or plan type determination (12.13(2)) when any member was found financially assisted or
    given a plan type.
    """
    if short_type(event_type) == "TerminationNoticeIssued":
        return ELIGIBILITY_DETERMINATION if data.get("reason") in NOTICE_OF_A_FINDING else None
    clause = APPEALABLE_EVENT_TYPES.get(short_type(event_type))
    if clause == ELIGIBILITY_AND_APTC_OR_PLAN_TYPE:
        members = data.get("members") or ()
        assisted = any(
            isinstance(member, Mapping)
            and (member.get("program") in FINANCIALLY_ASSISTED or member.get("plan_type"))
            for member in members
        )
        return ELIGIBILITY_AND_APTC_OR_PLAN_TYPE if assisted else ELIGIBILITY_DETERMINATION
    return clause


# ---- 12.14(3): Massachusetts legal holidays and business days ----------------------------------

MA_LEGAL_HOLIDAY_NAMES: frozenset[str] = frozenset(
    {
        "New Year's Day",
        "Martin Luther King Jr. Day",
        "Washington's Birthday",
        "Patriots' Day",
        "Memorial Day",
        "Juneteenth National Independence Day",
        "Independence Day",
        "Labor Day",
        "Columbus Day",
        "Veterans Day",
        "Thanksgiving Day",
        "Christmas Day",
    }
)
"""The legal holidays of M.G.L. c. 4, § 7 that the contract lists, spelled as the `holidays` package
names them (US, subdivision MA, language en_US, category `public`). The package also knows other
days (Evacuation Day, Suffolk County only, in some versions; Good Friday and others in non-public
categories); only these names, and their "(observed)" Monday when one falls on a Sunday, count.
The package applies the Massachusetts rule itself: Sunday -> Monday, and no Friday for a Saturday.
A unit test checks every name still occurs, so a renaming in a package upgrade is caught."""


@lru_cache(maxsize=64)
def _ma_legal_holidays(year: int) -> frozenset[date]:
    import holidays  # the calendar is loaded only when a deadline is computed

    ma_calendar = holidays.country_holidays(
        "US", subdiv="MA", years=year, language="en_US", categories=("public",)
    )
    observed_label = str(getattr(ma_calendar, "observed_label", "%s"))
    accepted = MA_LEGAL_HOLIDAY_NAMES | {observed_label % name for name in MA_LEGAL_HOLIDAY_NAMES}
    return frozenset(
        day
        for day in ma_calendar
        if day.year == year and any(name in accepted for name in ma_calendar.get_list(day))
    )


def massachusetts_legal_holiday(day: date) -> bool:
    """Whether `day` is a Massachusetts legal holiday (M.G.L. c. 4, § 7), or the Monday on which
    one falling on a Sunday is kept."""
    return day in _ma_legal_holidays(day.year)


def is_business_day(day: date) -> bool:
    """Not a Saturday, a Sunday or a Massachusetts legal holiday (12.14(3))."""
    return day.weekday() not in (SATURDAY, SUNDAY) and not massachusetts_legal_holiday(day)


def next_business_day_on_or_after(day: date) -> date:
    """12.14(3): `day` itself if a business day, else the following business day."""
    while not is_business_day(day):
        day = plus_days(day, 1)
    return day


# ---- 12.14(2)(a): the filing deadline ----------------------------------------------------------


def appeal_deadline(
    action_on: date,
    *,
    notice_sent: bool,
    notice_received_on: date | None,
    policy: PolicyVersion,
    small_group: bool = False,
) -> tuple[date, str]:
    """The last day on which an appeal of an Appealable Action taken on `action_on` may be received,
    and the citation it rests on.

    With a written notice dated `action_on` (12.14(2)(a)1): 30 days after its receipt, receipt
    presumed 5 days after the date on the notice unless `notice_received_on` is evidence to the
    contrary. Without a notice (12.14(2)(a)2): 120 days from the action. For a Small Group Health
    Plan action (`small_group`, 12.14(2)(b)): 90 days after the receipt, presumed the same way, or
    from the action without a notice. A last day on a Saturday, Sunday or legal holiday becomes
    the following business day (12.14(3)).
    """
    if notice_sent:
        if notice_received_on is None:
            received = plus_days(action_on, policy.appeal_notice_receipt_days.at(action_on))
        elif notice_received_on < action_on:
            raise InvalidCommand(
                f"notice_received_on {notice_received_on} is before the date on the notice "
                f"{action_on}",
                "invalid_field",
            )
        else:
            received = notice_received_on
        days = (
            policy.small_group_appeal_days.at(action_on)
            if small_group
            else policy.appeal_days_after_receipt.at(action_on)
        )
        last_day = plus_days(received, days)
        citation = GROUP_APPEAL_DEADLINE if small_group else DEADLINE_AFTER_NOTICE
    else:
        if notice_received_on is not None:
            raise InvalidCommand(
                "notice_received_on is given but notice_sent is false (12.14(2)(a)2 applies "
                "only where no written notice was sent)",
                "invalid_field",
            )
        days = (
            policy.small_group_appeal_days.at(action_on)
            if small_group
            else policy.appeal_days_without_notice.at(action_on)
        )
        last_day = plus_days(action_on, days)
        citation = GROUP_APPEAL_DEADLINE if small_group else DEADLINE_WITHOUT_NOTICE
    deadline = next_business_day_on_or_after(last_day)
    if deadline != last_day:
        citation = f"{citation}; {LAST_DAY_ROLLS_OVER}"
    return deadline, citation


def is_timely(received_on: date, deadline: date) -> bool:
    """12.14(2): the request must be received by the deadline (the deadline day included)."""
    return received_on <= deadline


# ---- 12.15(4), (6): a reversed determination -----------------------------------------------------


def with_original_effective_dates(
    corrected: Sequence[MemberDetermination], original: Mapping[str, date]
) -> tuple[MemberDetermination, ...]:
    """12.15(4), 12.15(6): a determination reversed on appeal is corrected as of the original
    effective dates (premiums stayed due meanwhile): each member the appealed determination named
    keeps its effective date (`original`, by member id); a member it did not name keeps the
    corrected one."""
    return tuple(
        dataclasses.replace(
            member,
            effective_on=original[member.member_id],
            effective_citation=ORIGINAL_EFFECTIVE_DATE,
        )
        if member.member_id in original
        else member
        for member in corrected
    )


# ---- 12.15(2)(d): the appellant dies ------------------------------------------------------------


def appellant_has_died(appellant_member_ids: Collection[str], deceased: Collection[str]) -> bool:
    """12.15(2)(d): the appeal may be dismissed when "the appellant dies while the appeal is
    pending". `appellant_member_ids`: the member the appeal names as its appellant, or, when it
    names none, every member of the household (a household's appeal has an appellant while any of
    them lives)."""
    return bool(appellant_member_ids) and all(m in deceased for m in appellant_member_ids)
