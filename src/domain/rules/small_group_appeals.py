"""956 CMR 12.15(4) for the small group (12.13, 12.14(2)(b)): what a hearing officer's reversal of
an employer's or an employee's appeal restores, as small pure functions.

- 12.15(4) with 45 CFR 155.545(c): a decision in the appellant's favour is implemented as of the
  date of the action appealed, so coverage the action ended continues with no gap (as for an
  individual, `coverage_changes.COVERAGE_RESTORED_ON_APPEAL`).
- The actions an employer or employee can appeal (`appeals.APPEALABLE_EVENT_TYPES`): the
  employer's eligibility determination (12.04(4)), the Connector's termination of the group for
  fraud or because the employer is no longer eligible, of one employee for fraud (12.11(5)(a),
  (c)), and the written notice of either (12.11(6)), which is appealed as the action it notifies.
- Reading (the regulation does not say whose appeal restores what): the group's coverage is the
  employer's (12.11(1): it selects the plan and pays the premium), so a termination of the whole
  group is restored on the employer's appeal; an employee's appeal of the notice the group's
  termination sent them restores nothing on its own (the group's end stands until the employer's
  appeal of it is reversed). An employee's own termination for fraud is restored on the
  employee's appeal or the employer's, for that employee only. An employer determination found
  not eligible, reversed, is corrected (eligible) and what it ended is restored.
- 12.15(5): the decision that stands after a re-hearing is implemented (`rehearing_effect`): a
  superseding decision that is no reversal after a reversal ends again what the reversal restored
  (the Connector's termination taken again, from the day of the re-hearing's decision, as of the
  end it had set; the employer's determination recorded again as appealed); a superseding reversal
  is implemented as an initial one. The stay while a re-hearing is pending leaves coverage as the
  initial decision implemented it (the ledger stays only a household's correction).
"""

from __future__ import annotations

from enum import StrEnum

from .appeals import HEARING_DECISION, REHEARING, AppealOutcome
from .small_group import EMPLOYER_ELIGIBILITY

CORRECTED_EMPLOYER_DETERMINATION = f"{HEARING_DECISION}; {EMPLOYER_ELIGIBILITY}"
APPEALED_DETERMINATION_STANDS = f"{REHEARING}; {EMPLOYER_ELIGIBILITY}"
REVERSED = AppealOutcome.REVERSED.value

GROUP_TERMINATION = "GroupCoverageTerminated"
EMPLOYEE_TERMINATION = "EmployeeTerminatedForFraud"
EMPLOYER_DETERMINATION = "EmployerEligibilityDetermined"


class GroupReversal(StrEnum):
    """What a reversed small-group appeal restores."""

    GROUP = "group"  # the group's coverage, and every employee its end ended
    EMPLOYEE = "employee"  # one employee's coverage
    EMPLOYER_DETERMINATION = "employer_determination"  # corrected, and the groups it ended
    NOTHING = "nothing"


def reversal_effect(action_type: str, appellant_employee_id: str | None) -> GroupReversal:
    """12.15(4): what reversing an appeal of the action `action_type` (the event appealed, or
    the one a termination notice appealed notifies) restores, for the employer's appeal
    (`appellant_employee_id` None) or an employee's (see the module's reading)."""
    if action_type == EMPLOYEE_TERMINATION:
        return GroupReversal.EMPLOYEE
    if appellant_employee_id is not None:
        return GroupReversal.NOTHING
    if action_type == GROUP_TERMINATION:
        return GroupReversal.GROUP
    if action_type == EMPLOYER_DETERMINATION:
        return GroupReversal.EMPLOYER_DETERMINATION
    return GroupReversal.NOTHING


def corrected_employer_findings(eligible: bool, dental_eligible: bool) -> dict[str, object] | None:
    """12.15(4): an employer determination reversed on appeal is corrected to the employer's
    favour: eligible for Small Group Health Plans, and so for a Dental Plan too (its conditions
    are 12.04(4)(a)1-4 without the minimums, 12.16(1)(b), (3)(d)), no condition failed. None when
    the determination appealed found it eligible for both (nothing to correct)."""
    if eligible and dental_eligible:
        return None
    return {"eligible": True, "dental_eligible": True, "failed_conditions": []}


class RehearingEffect(StrEnum):
    """What a re-hearing's decision (12.15(5)) does to a small group's coverage."""

    IMPLEMENT_REVERSAL = "implement_reversal"  # a superseding reversal of a decision that was not
    END_AGAIN = "end_again"  # a superseding decision that is no reversal of a reversal
    NOTHING = "nothing"  # the initial decision stands, as implemented


def rehearing_effect(initial_outcome: str, superseding_outcome: str | None) -> RehearingEffect:
    """12.15(5): the decision that stands after the re-hearing is implemented. A superseding
    reversal of an initial decision that was none is implemented as the initial one would have
    been; a superseding decision that is no reversal, after an initial reversal, leaves the action
    appealed standing, so what the reversal restored ends again; otherwise nothing changes."""
    reversed_now = superseding_outcome == REVERSED
    if superseding_outcome is None or reversed_now == (initial_outcome == REVERSED):
        return RehearingEffect.NOTHING
    return RehearingEffect.IMPLEMENT_REVERSAL if reversed_now else RehearingEffect.END_AGAIN
