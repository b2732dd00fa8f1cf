"""956 CMR 12.08: eligibility effective dates for Non-Group Health Plans; 12.07(1): the yearly
review's."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ..calendar import add_months, first_of_next_month

if TYPE_CHECKING:
    from ..parameters import PolicyVersion

GENERAL = "956 CMR 12.08(1)"
AFTER_CUTOFF = "956 CMR 12.08(2)"
LOSS_OF_ELIGIBILITY = "956 CMR 12.08(3)"
YEARLY_REVIEW = "956 CMR 12.07(1)"


def eligibility_effective_on(
    notice_on: date,
    *,
    is_change: bool,
    remains_eligible: bool,
    policy: PolicyVersion,
) -> tuple[date, str]:
    """The effective date of a determination notified on `notice_on`, with its clause.

    - 12.08(3): a determination that leaves the individual eligible for no Connector Program takes
      effect on the first day of the month after the notice;
    - 12.08(2): a change in eligibility notified after the mid-month cut-off (Connector policy)
      that keeps the individual eligible takes effect a month later than 12.08(1);
    - 12.08(1): otherwise the first day of the month following the notice.
    """
    if not remains_eligible:
        return first_of_next_month(notice_on), LOSS_OF_ELIGIBILITY
    cutoff = policy.mid_month_cutoff_day.at(notice_on)
    if is_change and notice_on.day > cutoff:
        return add_months(notice_on, 2), AFTER_CUTOFF
    return first_of_next_month(notice_on), GENERAL


def renewal_effective_on(plan_year: int) -> date:
    """12.07(1): the yearly review decides eligibility for the coming plan year, from 1 January of
    it (a renewal, of a determination or of an enrollment, takes effect then)."""
    return date(plan_year, 1, 1)


def effective_in_plan_year(
    effective_on: date, citation: str, plan_year: int, *, renewal: bool
) -> tuple[date, str]:
    """A determination's effective date and clause within its plan year (12.07(1)): a renewal's
    takes effect on 1 January of the plan year, and no determination for a plan year takes effect
    before that day; otherwise `effective_on` (12.08) stands."""
    first_day = renewal_effective_on(plan_year)
    if renewal or effective_on < first_day:
        return first_day, YEARLY_REVIEW
    return effective_on, citation
