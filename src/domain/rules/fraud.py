"""956 CMR 12.10(5)(a), 12.10(6)-(7): termination for fraud, rescission and recoupment.

- 12.10(5)(a): the Connector may terminate an Enrollee "For Fraud, including rescissions consistent
  with 45 CFR 147.128". A rescission is a cancellation or discontinuance of coverage that has
  retroactive effect (45 CFR 147.128): here, an end date before the day the termination is decided.
  An end date before the day coverage began rescinds it from its start (as if it never began).
- 12.10(7): "The Connector may recoup any monies paid on behalf of an Enrollee to a Health Carrier
  for a Health Plan from the Enrollee directly if the enrollee is terminated for Fraud." What the
  ledger knows of money paid to a carrier on the enrollee's behalf is the APTC applied to each month
  billed; the months the termination takes away (billed, not already voided) that had begun by the
  decision are those whose APTC was paid for coverage the enrollee is found not to have been
  entitled to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..calendar import month_key
from ..errors import InvalidCommand
from ..money import ZERO

FRAUD = "956 CMR 12.10(5)(a)"
RESCISSION = "45 CFR 147.128"
FRAUD_RESCISSION = f"{FRAUD}; {RESCISSION}"
RECOUPMENT = "956 CMR 12.10(7)"


@dataclass(frozen=True)
class FraudEnd:
    """How a termination for fraud ends coverage: its last day, whether it is a rescission
    (retroactive) and whether it rescinds coverage from its start, and the clause."""

    end_on: date
    rescission: bool
    from_start: bool
    citation: str


def fraud_end(effective_on: date, decided_on: date, start_on: date | None) -> FraudEnd:
    """12.10(5)(a): coverage ends on `effective_on` (its last day). On the day of the decision it
    is a termination; before it, a rescission (45 CFR 147.128: retroactive effect); before the day
    coverage began (or when it never began, `start_on` None), coverage is rescinded from its start.
    A termination for fraud is a decision taken when fraud is found: an end after the day it is
    decided is refused (the Connector records the decision on the day coverage is to end)."""
    if effective_on > decided_on:
        raise InvalidCommand(
            f"effective_on {effective_on.isoformat()} is after the decision (on "
            f"{decided_on.isoformat()}): a termination for fraud ends coverage on or before the day "
            f"it is decided ({FRAUD})",
            "invalid_field",
        )
    rescission = effective_on < decided_on
    return FraudEnd(
        end_on=effective_on,
        rescission=rescission,
        from_start=start_on is None or effective_on < start_on,
        citation=FRAUD_RESCISSION if rescission else FRAUD,
    )


@dataclass(frozen=True)
class Recoupment:
    """What may be recouped from the enrollee (12.10(7)): the total, the months it is for, and the
    clause (None when there is nothing to recoup)."""

    amount: Decimal
    months: tuple[str, ...]
    citation: str | None


def recoupment(
    aptc_applied: Decimal, months_taken_away: Sequence[date], decided_on: date
) -> Recoupment:
    """12.10(7): the APTC paid to the carrier on the enrollee's behalf for each month the
    termination for fraud takes away (`months_taken_away`, billed months after the end, each a
    first of the month) that had begun by the decision (`decided_on`): a month not yet begun was
    not paid for on the enrollee's behalf."""
    months = tuple(month_key(m) for m in sorted(months_taken_away) if m <= decided_on)
    if aptc_applied <= ZERO or not months:
        return Recoupment(ZERO, (), None)
    return Recoupment(aptc_applied * len(months), months, RECOUPMENT)
