"""956 CMR 12.10(5)(c), 12.08(3), 12.16(1)(a) and 12.12(8)(a): what a determination (or a death)
changes in coverage already chosen.

- 12.10(5)(c): the Connector may terminate an Enrollee "when the Enrollee is no longer eligible for
  coverage". A determination that leaves a covered member eligible for no Connector Program for
  Non-Group Health Plans takes effect on the first day of the month after the notice (12.08(3)), so
  that member's coverage ends the day before. A Dental Plan is lost the same way: 12.16(1)(a), a
  member who no longer meets 12.04(1)(a)-(c), which is exactly what makes a member `ineligible`.
  A member moving between programs (ConnectorCare to APTC only or non-group) stays covered: only
  the premium changes.
- A member who dies: the ledger's contract (issue 17) ends their coverage at the end of the month of
  death (12.10(5)(c): no longer eligible).
- 12.12(8)(a): a premium changed by a change in eligibility follows the eligibility effective
  dates of 12.08: the determination's effective date for the members who stay covered.
- 12.15(4), with 45 CFR 155.545(c) (which 12.15(1) applies to non-group appeals): an appeal decided
  for the appellant is implemented "effective as of the date of the action", so coverage the
  appealed action ended is restored from the day after that end, with no gap; the months it
  voided are owed again, due no earlier than the next premium due date after the decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from ..calendar import add_months, day_in_month, first_of_month, last_day_of_month, plus_days
from .appeals import HEARING_DECISION
from .eligibility import DENTAL_ELIGIBILITY, Program

if TYPE_CHECKING:
    from ..parameters import PolicyVersion

NO_LONGER_ELIGIBLE = "956 CMR 12.10(5)(c)"
DENTAL_NO_LONGER_ELIGIBLE = DENTAL_ELIGIBILITY
PREMIUM_CHANGE = "956 CMR 12.12(8)(a)"
DECISION_EFFECTIVE_AS_OF_ACTION = "45 CFR 155.545(c)"
COVERAGE_RESTORED_ON_APPEAL = f"{HEARING_DECISION}; {DECISION_EFFECTIVE_AS_OF_ACTION}"


def loses_all_eligibility(program: str) -> bool:
    """12.08(3), 12.10(5)(c), 12.16(1)(a): a member determined eligible for no Connector Program
    (`ineligible`: failing 12.04(1)(a)-(c)) can keep neither a health nor a dental plan. Any
    other program (non-group, APTC only, ConnectorCare) keeps the member covered."""
    return program == Program.INELIGIBLE


def coverage_end_on_loss(effective_on: date) -> date:
    """12.08(3), 12.10(5)(c): coverage ends the day before the determination takes effect (the
    last day of the month of the notice, for a determination effective the 1st after it)."""
    return plus_days(effective_on, -1)


def loss_citation(coverage: str) -> str:
    """The clause a member's loss of coverage falls under: 12.16(1)(a) for a Dental Plan,
    12.10(5)(c) for a health plan."""
    return DENTAL_NO_LONGER_ELIGIBLE if coverage == "dental" else NO_LONGER_ELIGIBLE


def death_end_on(died_on: date) -> date:
    """Contract (issue 17), read with 12.10(5)(c): a member's coverage ends on the last day of the
    month in which they died."""
    return last_day_of_month(died_on)


def premium_change_from(effective_dates: Iterable[date]) -> date:
    """12.12(8)(a) with 12.08: a new premium applies from the month the determination takes effect
    for the enrollment's members who stay covered (the earliest, when they differ)."""
    return first_of_month(min(effective_dates))


def adjustment_due_on(on: date, policy: PolicyVersion) -> date:
    """Contract policy, as for a binder: an increase on a month whose due date has passed is due on
    the next premium due date (the 23rd of the month of the change, or of the next month when the
    change is made after it)."""
    due_day = policy.premium_due_day.at(on)
    month = first_of_month(on)
    if on.day > due_day:
        month = add_months(month, 1)
    return day_in_month(month, due_day)


def restored_from(ended_on: date | None, start_on: date) -> date:
    """12.15(4), 45 CFR 155.545(c): coverage ended by an action reversed on appeal is restored as
    of that action: from the day after the end it set (`ended_on`), or from the first day of
    coverage when the action took it back to its start (`ended_on` None)."""
    return start_on if ended_on is None else plus_days(ended_on, 1)


def rebilled_due_on(own_due_on: date, decided_on: date, policy: PolicyVersion) -> date:
    """Contract policy, as for a premium increase (`adjustment_due_on`): a month owed again after
    a reversal keeps its own due date unless that has passed by the decision; then it is due on
    the next premium due date, so the restoration makes nobody delinquent on the day it is
    recorded."""
    return max(own_due_on, adjustment_due_on(decided_on, policy))
