"""The household's side of a re-hearing (12.15(5)): "A request for re-hearing stays the initial
decision of the hearing officer". When the initial decision reversed an eligibility determination,
its corrected determination was recorded with the decision (the decision is final unless a
re-hearing is ordered within 14 days). Nothing recorded is rewritten: the stay is a new event of
the household that restores the appealed determination's results (`AppealedDeterminationRestored`),
and once the re-hearing decides, the decision that stands is implemented by another event (the
correction recorded again, a new correction, or nothing). The rules are in `rules/appeals.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Protocol

from .events import LedgerEvent, event_id
from .rules import appeals as rules
from .rules import rehearings as rehearing_rules


class Determinations(Protocol):
    """What the re-hearing section reads and records of a household (`household.Household` is
    one): its determination in force and its two determination events."""

    @property
    def AppealedDeterminationRestored(self) -> type[LedgerEvent]: ...

    @property
    def EligibilityDetermined(self) -> type[LedgerEvent]: ...

    def hold_determination(
        self, plan_year: int, notice_on: date, members: list[dict[str, Any]]
    ) -> None: ...

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None: ...


STAYED = "stayed pending re-hearing"
SUPERSEDED = "superseded on re-hearing"


class AppealedDeterminationRestored(LedgerEvent):
    """The appealed determination's results are again the household's (its members' results as
    that determination recorded them, with their effective dates); the corrected determination
    `set_aside_event_id` is not in force."""

    appeal_id: str
    restored_event_id: str
    set_aside_event_id: str
    plan_year: int
    members: list[dict[str, Any]]
    reason: str

    def apply(self, household: Determinations) -> None:
        household.hold_determination(self.plan_year, self.on, self.members)


def restore_appealed(
    household: Determinations,
    *,
    on: date,
    appeal_id: str,
    appealed: Any,
    correction: Any,
    reason: str,
    policy_version: str,
) -> None:
    """Record that `appealed`'s results are in force again instead of `correction`'s."""
    household.trigger_event(
        household.AppealedDeterminationRestored,
        on=on,
        effective_on=appealed.effective_on,
        citation=rules.REHEARING,
        policy_version=policy_version,
        appeal_id=appeal_id,
        restored_event_id=event_id(appealed.originator_id, appealed.originator_version),
        set_aside_event_id=event_id(correction.originator_id, correction.originator_version),
        plan_year=appealed.plan_year,
        members=[dict(m) for m in appealed.members],
        reason=reason,
    )


def record_correction_again(household: Determinations, *, on: date, correction: Any) -> None:
    """The initial decision stands after the re-hearing: its corrected determination, as it was
    recorded (the same results, the original effective dates), is recorded again on `on`."""
    household.trigger_event(
        household.EligibilityDetermined,
        on=on,
        effective_on=correction.effective_on,
        citation=rules.CORRECTION_AFTER_REHEARING,
        policy_version=correction.policy_version,
        plan_year=correction.plan_year,
        household_size=correction.household_size,
        annual_magi=correction.annual_magi,
        fpl_amount=correction.fpl_amount,
        fpl_source=correction.fpl_source,
        fpl_percent=correction.fpl_percent,
        members=[dict(m) for m in correction.members],
        basis=correction.basis,
    )


DETERMINATION_TYPES = ("EligibilityDetermined", "AppealedDeterminationRestored")


def held_determination(
    household_events: Iterable[Any], appeal_id: str, correction: Any | None
) -> rehearing_rules.HeldDetermination:
    """Which result the household's own events (in order) leave in force, for the re-hearing of
    `appeal_id` whose initial decision recorded `correction` (None if it recorded none)."""
    latest = None
    for event in household_events:
        if type(event).__name__ in DETERMINATION_TYPES:
            latest = event
    if latest is None:
        return rehearing_rules.HeldDetermination.OTHER
    if correction is not None and (latest.originator_id, latest.originator_version) == (
        correction.originator_id,
        correction.originator_version,
    ):
        return rehearing_rules.HeldDetermination.CORRECTION
    if (
        type(latest).__name__ == "AppealedDeterminationRestored"
        and latest.appeal_id == appeal_id
        and latest.reason == STAYED
    ):
        return rehearing_rules.HeldDetermination.STAY_RESTORATION
    return rehearing_rules.HeldDetermination.OTHER
