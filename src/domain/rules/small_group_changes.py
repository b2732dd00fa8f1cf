"""956 CMR 12.11(1)-(2), 12.04(4)(b) and 12.11(3): what changes a small group after its plan is
selected, as small pure functions: the minimum participation checked when the employer's
enrollment period closes, a new dependent by birth, adoption or placement, and the group's
renewal for its next coverage year.

- 12.11(1): "Eligible Small Employers must satisfy all applicable Connector contribution and
  participation requirements [...] in order to complete the Enrollment process." The
  participation is checked when the employer's enrollment period closes: the employees enrolled
  over the employees enrolled and those who waived without coverage elsewhere (an employee who
  waives for other coverage is not counted: the waiver says which, and one that says nothing is
  for other coverage, as every waiver of the first edition was read), against the minimum
  participation of Connector policy in force that day (a dated parameter), waived for an employer
  whose application was made from 15 November to 15 December (12.11(3), 12.04(4)(a)5). Not met,
  the enrollment is not complete: the selection is cancelled and no binder is billed. A Dental
  Plan has no participation requirement (12.16(3)(d)).
- 12.11(2): "in the case of a new enrollment resulting from birth, adoption or placement for
  adoption or foster care of a child, the new dependent's effective date may be the date of the
  birth, adoption or placement for adoption or foster care or the first day of the month
  following the event, at the election of the employee". The employee asks within the special
  enrollment period of 45 CFR 155.725(j) (12.11(4); `small_group.employee_period`). The employee's
  new premium is billed from the first month the dependent is covered for the whole month (the
  ledger bills whole months; a part month from the event date is not billed separately), and
  never for a month already billed.
- 12.04(4)(b) with 45 CFR 155.725(b): the coverage year is the twelve months from the coverage's
  effective date; an employer grown past 50 stays eligible "during a coverage year" only. A
  renewal for the next coverage year therefore needs a determination finding the employer
  eligible without that retention, and is asked before the current coverage year ends.
- The end of a coverage year not renewed (12.04(4)(b) "during a coverage year", 45 CFR 155.725(b)
  "the employer's plan year must consist of the 12-month period beginning with the qualified
  employer's effective date of coverage", 155.725(c): the employer changes its participation "for
  the next plan year" in an election period "prior to the completion of the employer's plan
  year"): the group's coverage lasts for its coverage year; read as the individual's plan year is
  (the contract, with 12.07(1)), a group not renewed by the day the invoice for the first month
  of its next coverage year would be issued ends on the last day of its coverage year, so that
  month is never billed. The schedule takes that decision on that day before anything else a
  command dated that day asks, so a renewal is asked at the latest the day before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ..calendar import add_months, first_of_month, plus_days
from ..errors import InvalidCommand, NotEligible
from .premiums import invoice_dates
from .small_group import coverage_year_of

if TYPE_CHECKING:
    from ..parameters import PolicyVersion

PARTICIPATION_AT_CLOSE = "956 CMR 12.11(1); 956 CMR 12.04(4)(a)5"
PARTICIPATION_WAIVED = "956 CMR 12.11(3)"
NEW_DEPENDENT_EFFECTIVE_DATE = "956 CMR 12.11(2)"
GROUP_RENEWAL = "956 CMR 12.04(4)(b); 45 CFR 155.725(b)"
COVERAGE_YEAR_ENDED = "956 CMR 12.04(4)(b); 45 CFR 155.725(b), (c)"

SHOP_SPECIAL_ENROLLMENT_SOURCE = (
    "45 CFR 155.725(j) (45 CFR 155.726(j) for plan years beginning on or after 1 January 2018, "
    "the section 12.11(4) cites): 30 days from a triggering event to select a plan, 60 days for "
    "a loss of Medicaid or CHIP eligibility; read: CMS REGTAP FAQ 1561, 8 May 2014 "
    "(regtap.info/faq_viewe.php?i=1561: 'plan selection must occur within 30 days of the "
    "triggering event. The only exception is loss of Medicaid/CHIP [...] within 60 days'); "
    "law.cornell.edu/cfr/text/45/155.725 (paragraphs (a)-(e) read, not (j)); the 60 days for a "
    "new eligibility for Medicaid or CHIP premium assistance as for its loss (HIPAA special "
    "enrollment, 29 CFR 2590.701-6), not read in 155.725(j) itself"
)
"""The source of the dated time frames of 12.11(4)'s special enrollment periods."""

RATE_PLACES = Decimal("0.0001")


# ---- 12.11(1): participation at the close of the employer's enrollment period -----------------


@dataclass(frozen=True)
class Participation:
    """The participation when enrollment closes: the rate, the minimum applied (None when waived
    or none is published), whether it is met, whether it was waived, and the clause."""

    enrolled: int
    offered: int
    rate: Decimal
    minimum: Decimal | None
    waived: bool
    met: bool
    citation: str


def participation_rate(enrolled: int, waived: int) -> Decimal:
    """The employees enrolled over those enrolled and those who waived without other coverage
    (`waived`), to four places; 0 when there is nobody."""
    offered = enrolled + waived
    if offered == 0:
        return Decimal(0)
    return (Decimal(enrolled) / Decimal(offered)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def participation_at_close(
    enrolled: int, waived: int, minimum: Decimal | None, minimums_waived: bool
) -> Participation:
    """12.11(1), 12.04(4)(a)5: met when the rate is at least the minimum, or when the minimums
    are waived (12.11(3)), or when no minimum is published (nothing to apply)."""
    rate = participation_rate(enrolled, waived)
    if minimums_waived:
        return Participation(
            enrolled, enrolled + waived, rate, None, True, True, PARTICIPATION_WAIVED
        )
    met = minimum is None or rate >= minimum
    return Participation(
        enrolled, enrolled + waived, rate, minimum, False, met, PARTICIPATION_AT_CLOSE
    )


# ---- 12.11(2): a new dependent by birth, adoption or placement ------------------------------------


class DependentEvent(StrEnum):
    BIRTH = "birth"
    ADOPTION = "adoption"
    PLACEMENT = "placement"  # for adoption or foster care


class DependentCoverageFrom(StrEnum):
    """The employee's election (12.11(2))."""

    EVENT_DATE = "event_date"
    FIRST_OF_NEXT_MONTH = "first_of_next_month"


def new_dependent_start(event_on: date, election: DependentCoverageFrom) -> date:
    """12.11(2): the new dependent is covered from the date of the birth, adoption or placement,
    or from the first day of the month following it, at the employee's election."""
    if election == DependentCoverageFrom.EVENT_DATE:
        return event_on
    return add_months(first_of_month(event_on), 1)


def new_premium_from(coverage_start_on: date, first_month_not_billed: date) -> date:
    """The first month the employee's new premium is billed: the first month the dependent is
    covered for the whole of, and never a month already billed."""
    whole = (
        coverage_start_on
        if coverage_start_on.day == 1
        else add_months(first_of_month(coverage_start_on), 1)
    )
    return max(whole, first_month_not_billed)


# ---- 12.04(4)(b): renewal for the next coverage year ---------------------------------------------


def next_coverage_year(current_ends_on: date) -> tuple[date, date]:
    """45 CFR 155.725(b): the next twelve months, from the day after the current year ends."""
    return coverage_year_of(plus_days(current_ends_on, 1))


def check_renewal(
    on: date,
    current_ends_on: date,
    determinations: Sequence[Mapping[str, Any]],
    employer_id: str,
) -> None:
    """12.04(4)(b): a renewal is asked on or before the last day of the current coverage year,
    with the employer's latest determination finding it eligible on its own terms: an employer
    kept eligible only because it grew past 50 during the year (`retained_past_50`) is refused
    `not_eligible` for the next one."""
    if on > current_ends_on:
        raise InvalidCommand(
            f"the coverage year ended on {current_ends_on.isoformat()}: a group is renewed "
            f"before its coverage year ends ({GROUP_RENEWAL})",
            "invalid_state",
        )
    if not determinations:
        raise NotEligible(f"employer {employer_id!r} has no eligibility determination")
    latest = determinations[-1]
    if not latest["eligible"]:
        raise NotEligible(
            f"employer {employer_id!r} was last determined not eligible on "
            f"{latest['on'].isoformat()}: determine it again before renewing ({GROUP_RENEWAL})"
        )
    if latest.get("retained_past_50"):
        raise NotEligible(
            f"employer {employer_id!r} is eligible on {latest['on'].isoformat()} only because "
            "it grew past 50 during its coverage year, which holds for that year alone "
            f"({GROUP_RENEWAL})"
        )


# ---- 12.04(4)(b), 45 CFR 155.725(b): the end of a coverage year not renewed ---------------------


def coverage_year_ending(coverage_year_ends_on: date) -> tuple[date, date]:
    """45 CFR 155.725(b): the first and last day of the coverage year ending on
    `coverage_year_ends_on` (the twelve months before the day after it)."""
    return add_months(plus_days(coverage_year_ends_on, 1), -12), coverage_year_ends_on


def coverage_year_end_decided_on(coverage_year_ends_on: date, policy: PolicyVersion) -> date:
    """The day a coverage year not renewed is ended: the day the invoice for the first month of
    the next coverage year would be issued (the contract's invoice day, 12.12(1))."""
    issue_on, _due_on = invoice_dates(plus_days(coverage_year_ends_on, 1), policy)
    return issue_on


def check_renewable(coverage_ends_on: date | None, current_ends_on: date) -> None:
    """A group whose coverage already ends within its current coverage year (that year's end
    decided, or an earlier end) has no next year to renew: refused `invalid_state`."""
    if coverage_ends_on is not None and coverage_ends_on <= current_ends_on:
        raise InvalidCommand(
            f"coverage ends on {coverage_ends_on.isoformat()}, within the coverage year ending "
            f"{current_ends_on.isoformat()}: a group is renewed before the end of its coverage "
            f"year is decided, by the day before its next year's first invoice ({COVERAGE_YEAR_ENDED})",
            "invalid_state",
        )
