"""956 CMR 12.15(5): re-hearings. A re-hearing may be ordered within 14 days of the hearing
officer's decision; the re-hearing officer issues a superseding decision, or decides not to,
within 30 days after the order; a request for re-hearing stays the initial decision until then.
The citations are `rules/appeals.py`'s (`REHEARING`, `CORRECTION_AFTER_REHEARING`).

Every number comes from the `PolicyVersion` in force; nothing here reads the clock.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from ..calendar import plus_days
from .appeals import AppealOutcome, short_type

if TYPE_CHECKING:
    from ..parameters import PolicyVersion


# ---- 12.15(5): re-hearing ----------------------------------------------------------------------


def rehearing_allowed(decided_on: date, requested_on: date, policy: PolicyVersion) -> bool:
    """12.15(5): a re-hearing may be ordered within 14 days of the issuance of the decision (the
    14th day included). 12.14(3)'s roll-over covers only the 12.14(2) periods, not this one."""
    last_day = plus_days(decided_on, policy.rehearing_days.at(decided_on))
    return decided_on <= requested_on <= last_day


# ---- 12.15(5): the re-hearing's decision and the stay of the initial decision --------------------


class RehearingOutcome(StrEnum):
    """What the re-hearing officer decides (12.15(5)): "either issue a superseding decision or
    decide not to issue a superseding decision"."""

    SUPERSEDE = "supersede"
    NOT_SUPERSEDED = "not_superseded"


SUPERSEDING_OUTCOMES: tuple[str, ...] = (
    AppealOutcome.UPHELD.value,
    AppealOutcome.REVERSED.value,
    AppealOutcome.DISMISSED.value,
)
"""A superseding decision is a hearing officer's decision (12.15(4)) or a dismissal (12.15(2));
a withdrawal is the appellant's act, not a decision the re-hearing issues."""


class RehearingTiming(StrEnum):
    """Where a re-hearing's decision falls against the 30 days after the order (12.15(5))."""

    IN_TIME = "in_time"
    """On or before the 30th day after the order: either decision may be recorded."""
    LATE_INITIAL_DECISION_STANDS = "late_initial_decision_stands"
    """After the 30th day, a decision not to supersede: recorded, flagged late; the initial
    decision stands."""
    CLOSED = "closed"
    """After the 30th day, a superseding decision: refused (`rehearing_window_closed`)."""


def rehearing_decide_by(ordered_on: date, policy: PolicyVersion) -> date:
    """12.15(5): "Within 30 days after the order requiring re-hearing": the last day on which the
    re-hearing officer may issue a superseding decision (the 30th day after the order, included;
    12.14(3)'s roll-over covers only the 12.14(2) periods, not this one)."""
    return plus_days(ordered_on, policy.rehearing_decision_days.at(ordered_on))


def rehearing_decision_timing(
    ordered_on: date, decided_on: date, outcome: RehearingOutcome, policy: PolicyVersion
) -> RehearingTiming:
    """12.15(5): the re-hearing decides within 30 days after the order. Read here: the power to
    issue a superseding decision lasts those 30 days; after them only the decision not to
    supersede may be recorded (the initial decision stands), because the stay lasts "until the
    Director ... issues a superseding decision or decides not to supersede" and must end by a
    record. `decided_on` before `ordered_on` is the caller's to refuse."""
    if decided_on <= rehearing_decide_by(ordered_on, policy):
        return RehearingTiming.IN_TIME
    if outcome == RehearingOutcome.NOT_SUPERSEDED:
        return RehearingTiming.LATE_INITIAL_DECISION_STANDS
    return RehearingTiming.CLOSED


def stays_a_correction(initial_outcome: str, appealed_event_type: str) -> bool:
    """12.15(5), 12.15(4): a re-hearing's stay suspends a corrected determination only where the
    initial decision reversed an eligibility determination (the only decision the ledger
    implements by recording a corrected `EligibilityDetermined`)."""
    return (
        initial_outcome == AppealOutcome.REVERSED
        and short_type(appealed_event_type) == "EligibilityDetermined"
    )


class HeldDetermination(StrEnum):
    """Which result the household's record holds now for an appealed eligibility determination
    under re-hearing: its latest determination is ..."""

    CORRECTION = "correction"
    """... the initial decision's corrected determination (in force, not stayed)."""
    STAY_RESTORATION = "stay_restoration"
    """... the appealed determination, restored by this re-hearing's stay."""
    OTHER = "other"
    """... the appealed determination itself, or a later determination on other facts."""


class RehearingEffect(StrEnum):
    """What the household's record needs once the re-hearing decides."""

    NONE = "none"
    NEW_CORRECTION = "new_correction"
    """A superseding reversal: a corrected determination from the re-hearing's findings."""
    REAPPLY_INITIAL_CORRECTION = "reapply_initial_correction"
    """The initial reversal stands: the correction the stay suspended is recorded again."""
    RESTORE_APPEALED = "restore_appealed"
    """The standing decision is not a reversal, but the initial correction is still in force (a
    re-hearing ordered before stays were recorded): the appealed determination is restored."""


def rehearing_effect(
    initial_outcome: str, superseding_outcome: str | None, held: HeldDetermination
) -> RehearingEffect:
    """12.15(5): the decision that stands after the re-hearing (the superseding one, or the initial
    one when `superseding_outcome` is None) is implemented; the stay ends. A determination recorded
    later on other facts (`held` OTHER) is never overwritten by a re-recorded or restored one."""
    if superseding_outcome == AppealOutcome.REVERSED:
        return RehearingEffect.NEW_CORRECTION
    standing = superseding_outcome or initial_outcome
    if standing == AppealOutcome.REVERSED:
        if held == HeldDetermination.STAY_RESTORATION:
            return RehearingEffect.REAPPLY_INITIAL_CORRECTION
        return RehearingEffect.NONE
    if held == HeldDetermination.CORRECTION:
        return RehearingEffect.RESTORE_APPEALED
    return RehearingEffect.NONE
