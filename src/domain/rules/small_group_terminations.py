"""956 CMR 12.11(5)(a), (c) and 12.11(6): the Connector's terminations of a small group (or of one
of its employees) for fraud, and of a small group whose employer is no longer eligible, each
with a written notice stating the reason, as small pure functions.

- 12.11(5): "The Connector may terminate a Small Employer or Employee from a Small Group Health
  Plan for the following reasons: (a) For Fraud, including rescissions consistent with 45 CFR
  147.128; [...] (c) When the Small Employer is no longer eligible for coverage." ((b), the
  employer's failure to pay, is 12.12(12): `small_group.py`.)
- 12.11(6): "If the Connector terminates a Small Employer or an Enrollee pursuant to 956 CMR
  12.11(5), it will provide the Small Employer or Enrollee with written notice stating the
  reason for the action": one notice to the employer and one to each employee it ends.
- A termination for fraud ends coverage on the day it is decided or, as a rescission (45 CFR
  147.128: a cancellation with retroactive effect), on an earlier day; before coverage began,
  from its start. An end after the day of the decision is refused (the fraud is found that day).
- 12.11(5)(c) says nothing of the end date. Read as for an individual no longer eligible
  (12.10(5)(c) with 12.08(3)): the determination that the employer is no longer eligible takes
  effect on the first of the month after its notice, so coverage ends on the last day of the
  month of the decision; the employer's premium stays owed through that month.
- The employer is "no longer eligible" when its latest determination (12.04(4)) finds it not
  eligible; an employer grown past 50 during its coverage year stays eligible (12.04(4)(b)), which
  the determination already records (`retained_past_50`).
- Both terminations are decisions of the Connector on the employer's (or employee's) eligibility
  for the coverage: Appealable Actions under 12.13(1), appealed within 90 days (12.14(2)(b)).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from ..calendar import last_day_of_month
from ..errors import InvalidCommand

GROUP_FRAUD = "956 CMR 12.11(5)(a)"
RESCISSION = "45 CFR 147.128"
GROUP_FRAUD_RESCISSION = f"{GROUP_FRAUD}; {RESCISSION}"
EMPLOYER_NO_LONGER_ELIGIBLE = "956 CMR 12.11(5)(c)"
WRITTEN_NOTICE = "956 CMR 12.11(6)"


class GroupEndCause(StrEnum):
    """Why the Connector ended a small group's (or an employee's) coverage under 12.11(5)."""

    FRAUD = "fraud"
    EMPLOYER_INELIGIBLE = "employer_ineligible"


@dataclass(frozen=True)
class CauseEnd:
    """How a termination under 12.11(5) ends coverage: its last day, whether it is a rescission
    (retroactive), whether it rescinds coverage from its start, and the clause."""

    end_on: date
    rescission: bool
    from_start: bool
    citation: str


def fraud_end(effective_on: date, decided_on: date, start_on: date | None) -> CauseEnd:
    """12.11(5)(a): coverage ends on `effective_on` (its last day): on the day of the decision a
    termination, before it a rescission (45 CFR 147.128), before the day coverage began (or when
    it never began, `start_on` None) a rescission from its start. After the decision: refused."""
    if effective_on > decided_on:
        raise InvalidCommand(
            f"effective_on {effective_on.isoformat()} is after the decision (on "
            f"{decided_on.isoformat()}): a termination for fraud ends coverage on or before the "
            f"day it is decided ({GROUP_FRAUD})",
            "invalid_field",
        )
    rescission = effective_on < decided_on
    return CauseEnd(
        end_on=effective_on,
        rescission=rescission,
        from_start=start_on is None or effective_on < start_on,
        citation=GROUP_FRAUD_RESCISSION if rescission else GROUP_FRAUD,
    )


def ineligibility_end(decided_on: date) -> CauseEnd:
    """12.11(5)(c), read with 12.08(3): coverage ends on the last day of the month in which the
    Connector decides the employer is no longer eligible."""
    return CauseEnd(
        end_on=last_day_of_month(decided_on),
        rescission=False,
        from_start=False,
        citation=EMPLOYER_NO_LONGER_ELIGIBLE,
    )


def no_longer_eligible(determinations: Sequence[Mapping[str, Any]], employer_id: str) -> str:
    """12.11(5)(c): the reason the employer is no longer eligible, from its latest determination
    (each failed condition with its clause); refused `invalid_state` when it has none or the
    latest finds it eligible (which includes an employer grown past 50 in its coverage year,
    12.04(4)(b))."""
    if not determinations:
        raise InvalidCommand(
            f"employer {employer_id!r} has no eligibility determination: determine it first "
            f"({EMPLOYER_NO_LONGER_ELIGIBLE})",
            "invalid_state",
        )
    latest = determinations[-1]
    if latest["eligible"]:
        raise InvalidCommand(
            f"employer {employer_id!r} was last determined eligible on "
            f"{latest['on'].isoformat()}: a group ends for ineligibility only after a "
            f"determination that the employer is no longer eligible ({EMPLOYER_NO_LONGER_ELIGIBLE})",
            "invalid_state",
        )
    failed = "; ".join(f"{f['condition']} ({f['clause']})" for f in latest["failed_conditions"])
    return f"determined not eligible on {latest['on'].isoformat()}: {failed}"
