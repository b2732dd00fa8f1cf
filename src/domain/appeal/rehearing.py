"""The re-hearing of an appeal (956 CMR 12.15(5)): its order within 14 days of the hearing
officer's decision, the stay of the initial decision it brings, and its decision within 30 days
(superseding or not). The household's side of the stay is `domain/rehearing.py`; the rules are in
`rules/rehearings.py`."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ..errors import InvalidCommand
from ..events import LedgerEvent
from ..parameters import PolicyVersion
from ..rules import appeals as appeal_rules
from ..rules import rehearings as rules
from .status import CLOSED_WITHOUT_DECISION, AppealStatus

if TYPE_CHECKING:
    from . import Appeal


class RehearingOrdered(LedgerEvent):
    decision_on: date

    def apply(self, appeal: Appeal) -> None:
        appeal.status = AppealStatus.REHEARING
        appeal.history.append({"on": self.on.isoformat(), "rehearing_ordered": True})
        appeal.rehearing = {
            "ordered_on": self.on,
            "initial_outcome": appeal.outcome,
            "initial_decision_on": self.decision_on,
            "decide_by": None,
            "stayed": False,
            "stayed_correction_event_id": None,
            "decided_on": None,
            "outcome": None,
            "superseding_outcome": None,
            "late": False,
        }


def order_rehearing(appeal: Appeal, on: date, policy: PolicyVersion) -> None:
    """12.15(5): within 14 days of the hearing officer's decision; one re-hearing (its
    decision, superseding or not, is the final one)."""
    if appeal.status != AppealStatus.DECIDED or appeal.decided_on is None:
        raise InvalidCommand(
            f"appeal {appeal.appeal_id!r} has no hearing decision to re-hear", "invalid_state"
        )
    if appeal.reheard:
        raise InvalidCommand(
            f"appeal {appeal.appeal_id!r} was already re-heard: the re-hearing's decision is final",
            "invalid_state",
        )
    if not rules.rehearing_allowed(appeal.decided_on, on, policy):
        raise InvalidCommand(
            f"a re-hearing may be ordered only within {policy.rehearing_days.at(on)} days of "
            f"the decision of {appeal.decided_on.isoformat()} ({appeal_rules.REHEARING})",
            "rehearing_window_closed",
        )
    appeal.trigger_event(
        appeal.RehearingOrdered,
        on=on,
        effective_on=on,
        citation=appeal_rules.REHEARING,
        policy_version=policy.version,
        decision_on=appeal.decided_on,
    )


class InitialDecisionStayed(LedgerEvent):
    """12.15(5): "A request for re-hearing stays the initial decision". `decide_by` is the
    last day for the re-hearing's decision; `stayed_correction_event_id` the corrected
    determination the stay suspends (None when the initial decision recorded none in force)."""

    initial_outcome: str
    initial_decision_on: date
    decide_by: date
    stayed_correction_event_id: str | None

    def apply(self, appeal: Appeal) -> None:
        if appeal.rehearing is not None:
            appeal.rehearing["stayed"] = True
            appeal.rehearing["decide_by"] = self.decide_by
            appeal.rehearing["stayed_correction_event_id"] = self.stayed_correction_event_id
        appeal.history.append(
            {"on": self.on.isoformat(), "stayed": True, "decide_by": self.decide_by.isoformat()}
        )


def stay_initial_decision(
    appeal: Appeal, on: date, policy: PolicyVersion, stayed_correction_event_id: str | None
) -> None:
    """12.15(5): the stay that the order of a re-hearing brings, until its decision."""
    if appeal.rehearing is None or appeal.decided_on is None or appeal.outcome is None:
        raise InvalidCommand(f"appeal {appeal.appeal_id!r} has no re-hearing", "invalid_state")
    appeal.trigger_event(
        appeal.InitialDecisionStayed,
        on=on,
        effective_on=on,
        citation=appeal_rules.REHEARING,
        policy_version=policy.version,
        initial_outcome=appeal.outcome,
        initial_decision_on=appeal.decided_on,
        decide_by=rules.rehearing_decide_by(on, policy),
        stayed_correction_event_id=stayed_correction_event_id,
    )


class RehearingDecided(LedgerEvent):
    """12.15(5): the re-hearing's decision. `outcome` is `supersede` or `not_superseded`;
    `standing_outcome` the decision that stands (the superseding one, or the initial one);
    `late` a decision not to supersede recorded after the 30 days."""

    outcome: str
    superseding_outcome: str | None
    standing_outcome: str
    initial_outcome: str
    ordered_on: date
    decide_by: date
    late: bool
    hearing_number: int

    def apply(self, appeal: Appeal) -> None:
        appeal.status = (
            AppealStatus.DISMISSED
            if self.standing_outcome in CLOSED_WITHOUT_DECISION
            else AppealStatus.DECIDED
        )
        appeal.outcome = self.standing_outcome
        if self.superseding_outcome is not None:
            appeal.decided_on = self.on
        appeal.reheard = True
        if appeal.rehearing is not None:
            appeal.rehearing.update(
                decided_on=self.on,
                outcome=self.outcome,
                superseding_outcome=self.superseding_outcome,
                decide_by=self.decide_by,
                late=self.late,
            )
        appeal.history.append(
            {
                "on": self.on.isoformat(),
                "rehearing": self.outcome,
                "standing_outcome": self.standing_outcome,
            }
        )


def decide_rehearing(
    appeal: Appeal,
    on: date,
    outcome: rules.RehearingOutcome,
    superseding_outcome: str | None,
    policy: PolicyVersion,
    *,
    findings_given: bool = False,
) -> None:
    """12.15(5): within 30 days after the order, a superseding decision (upheld, reversed or
    dismissed) or a decision not to supersede; after them, only the latter (the initial
    decision stands, recorded `late`). Either ends the stay."""
    rehearing = appeal.rehearing
    if appeal.status != AppealStatus.REHEARING or rehearing is None:
        raise InvalidCommand(
            f"appeal {appeal.appeal_id!r} has no re-hearing pending", "invalid_state"
        )
    ordered_on: date = rehearing["ordered_on"]
    if on < ordered_on:
        raise InvalidCommand(
            f"a re-hearing cannot be decided before its order of {ordered_on.isoformat()}"
        )
    if outcome == rules.RehearingOutcome.SUPERSEDE:
        if superseding_outcome is None:
            raise InvalidCommand(
                "a superseding decision names its superseding_outcome "
                f"({', '.join(rules.SUPERSEDING_OUTCOMES)})",
                "missing_field",
            )
        if superseding_outcome not in rules.SUPERSEDING_OUTCOMES:
            raise InvalidCommand(
                f"superseding_outcome must be one of {', '.join(rules.SUPERSEDING_OUTCOMES)}"
            )
    elif superseding_outcome is not None or findings_given:
        raise InvalidCommand(
            "a decision not to supersede takes no superseding_outcome and no findings"
        )
    timing = rules.rehearing_decision_timing(ordered_on, on, outcome, policy)
    decide_by = rules.rehearing_decide_by(ordered_on, policy)
    if timing == rules.RehearingTiming.CLOSED:
        raise InvalidCommand(
            f"a superseding decision may be issued only within "
            f"{policy.rehearing_decision_days.at(ordered_on)} days after the order of "
            f"{ordered_on.isoformat()} (by {decide_by.isoformat()}, {appeal_rules.REHEARING}); "
            "the initial decision stands: record outcome not_superseded",
            "rehearing_window_closed",
        )
    initial_outcome: str = rehearing["initial_outcome"]
    appeal.trigger_event(
        appeal.RehearingDecided,
        on=on,
        effective_on=on,
        citation=(
            appeal_rules.REHEARING
            if superseding_outcome is None
            else f"{appeal_rules.REHEARING}; {appeal_rules.outcome_citation(superseding_outcome)}"
        ),
        policy_version=policy.version,
        outcome=outcome.value,
        superseding_outcome=superseding_outcome,
        standing_outcome=superseding_outcome or initial_outcome,
        initial_outcome=initial_outcome,
        ordered_on=ordered_on,
        decide_by=decide_by,
        late=timing == rules.RehearingTiming.LATE_INITIAL_DECISION_STANDS,
        hearing_number=appeal.hearing_count() + 1,
    )
