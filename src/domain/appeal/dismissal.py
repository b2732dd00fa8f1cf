"""The dismissal of an appeal (956 CMR 12.15(2)): against an action 12.13 does not list or
received after its deadline ((a)-(b)), and the appellant's death while it is pending ((d)), with
the estate's representative's request to continue it. A withdrawal ((c)) is recorded as a
hearing outcome (`Appeal.decide`)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ..errors import InvalidCommand
from ..events import LedgerEvent
from ..parameters import PolicyVersion
from ..rules import appeals as rules
from .status import AppealStatus

if TYPE_CHECKING:
    from . import Appeal


class AppealDismissed(LedgerEvent):
    reason: str

    def apply(self, appeal: Appeal) -> None:
        appeal.before_dismissal = {
            "status": appeal.status,
            "outcome": appeal.outcome,
            "decided_on": appeal.decided_on,
        }
        appeal.dismissal_citation = self.citation
        appeal.status = AppealStatus.DISMISSED
        appeal.outcome = rules.AppealOutcome.DISMISSED.value
        appeal.decided_on = self.on
        appeal.history.append({"on": self.on.isoformat(), "dismissed": self.reason})


def dismiss(appeal: Appeal, on: date, clause: str, reason: str, policy: PolicyVersion) -> None:
    appeal.trigger_event(
        appeal.AppealDismissed,
        on=on,
        effective_on=on,
        citation=clause,
        policy_version=policy.version,
        reason=reason,
    )


def dismiss_if_not_receivable(
    appeal: Appeal, on: date, policy: PolicyVersion, not_the_appellants: str | None = None
) -> None:
    """12.15(2)(a)-(b): an appeal against an action 12.13 does not list, against an action that
    is not the appellant's to appeal (`not_the_appellants`, the reason), or received after its
    deadline, is dismissed."""
    if appeal.appealable_clause is None:
        dismiss(appeal, on, rules.DISMISSED_NOT_APPEALABLE, "not an Appealable Action", policy)
    elif not_the_appellants is not None:
        dismiss(appeal, on, rules.DISMISSED_NOT_APPEALABLE, not_the_appellants, policy)
    elif not appeal.timely:
        dismiss(
            appeal,
            on,
            rules.DISMISSED_UNTIMELY,
            f"received on {on.isoformat()}, after the deadline {appeal.deadline.isoformat()}",
            policy,
        )


# ---- 12.15(2)(d): the appellant dies -----------------------------------------------------------


def dismiss_for_death(
    appeal: Appeal, on: date, member_id: str, died_on: date, policy: PolicyVersion
) -> None:
    """12.15(2)(d): the appellant died while the appeal was pending."""
    dismiss(
        appeal,
        on,
        rules.DISMISSED_APPELLANT_DIED,
        f"the appellant (member {member_id}) died on {died_on.isoformat()} while the appeal "
        "was pending; the estate's representative may ask to continue it",
        policy,
    )


class AppealContinued(LedgerEvent):
    """12.15(2)(d): the estate's representative asked to continue an appeal dismissed
    because the appellant died: it stands where it stood before the dismissal."""

    representative_name: str

    def apply(self, appeal: Appeal) -> None:
        before = appeal.before_dismissal
        appeal.status = before.get("status", AppealStatus.PENDING)
        appeal.outcome = before.get("outcome")
        appeal.decided_on = before.get("decided_on")
        appeal.dismissal_citation = None
        appeal.history.append({"on": self.on.isoformat(), "continued_by": self.representative_name})


def continue_for_estate(
    appeal: Appeal, on: date, representative_name: str, policy: PolicyVersion
) -> None:
    """12.15(2)(d): "except if the executor, administrator, or other duly authorized
    representative of the estate requests to continue the appeal"."""
    if (
        appeal.status != AppealStatus.DISMISSED
        or appeal.dismissal_citation != rules.DISMISSED_APPELLANT_DIED
    ):
        raise InvalidCommand(
            f"appeal {appeal.appeal_id!r} was not dismissed for the appellant's death "
            f"({rules.DISMISSED_APPELLANT_DIED}); there is nothing to continue",
            "invalid_state",
        )
    appeal.trigger_event(
        appeal.AppealContinued,
        on=on,
        effective_on=on,
        citation=rules.DISMISSED_APPELLANT_DIED,
        policy_version=policy.version,
        representative_name=representative_name,
    )
