"""The Appeal aggregate: an appeal against a recorded action, its filing deadline and
timeliness, dismissal, the hearing decision and re-hearings (956 CMR 12.13-12.15)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from .errors import InvalidCommand
from .events import CopiedForCommands, LedgerCreated, LedgerEvent, aggregate_uuid, event_data
from .policy import PolicyVersion
from .rules import appeals as rules


class AppealStatus(StrEnum):
    """Where an appeal stands."""

    PENDING = "pending"
    DISMISSED = "dismissed"
    DECIDED = "decided"
    REHEARING = "rehearing"


CLOSED_WITHOUT_DECISION = frozenset({rules.AppealOutcome.DISMISSED, rules.AppealOutcome.WITHDRAWN})


class Appeal(CopiedForCommands, Aggregate):
    """A request for a hearing on an Appealable Action (12.13)."""

    @staticmethod
    def id_for(appeal_id: str) -> UUID:
        return aggregate_uuid("appeal", appeal_id)

    class AppealFiled(LedgerCreated):
        appeal_id: str
        household_id: str
        appealed_event_id: str
        appealed_event_type: str
        appealed_aggregate_id: str
        appealed_version: int
        appealable_clause: str | None
        grounds: str
        notice_sent: bool
        notice_received_on: date | None
        deadline: date
        deadline_citation: str
        timely: bool

    class EmployerAppealFiled(LedgerCreated):
        """An employer's appeal of a small-group action (12.13, 12.14(2)(b))."""

        appeal_id: str
        employer_id: str
        appealed_event_id: str
        appealed_event_type: str
        appealed_aggregate_id: str
        appealed_version: int
        appealable_clause: str | None
        grounds: str
        notice_sent: bool
        notice_received_on: date | None
        deadline: date
        deadline_citation: str
        timely: bool

    def __init__(
        self,
        appeal_id: str,
        appealed_event_id: str,
        appealed_event_type: str,
        appealed_aggregate_id: str,
        appealed_version: int,
        appealable_clause: str | None,
        deadline: date,
        timely: bool,
        on: date,
        household_id: str | None = None,
        employer_id: str | None = None,
    ) -> None:
        self.appeal_id = appeal_id
        # the appellant: a household (an `AppealFiled`) or an employer (`EmployerAppealFiled`)
        self.household_id = household_id
        self.employer_id = employer_id
        self.appealed_event_id = appealed_event_id
        self.appealed_event_type = appealed_event_type
        self.appealed_aggregate_id = UUID(appealed_aggregate_id)
        self.appealed_version = appealed_version
        self.appealable_clause = appealable_clause
        self.deadline = deadline
        self.timely = timely
        self.filed_on = on
        self.status = AppealStatus.PENDING
        self.outcome: str | None = None
        self.decided_on: date | None = None
        self.history: list[dict[str, Any]] = []

    @classmethod
    def file(
        cls,
        *,
        on: date,
        appeal_id: str,
        household_id: str,
        appealed: Any,
        appealed_event_id: str,
        grounds: str,
        notice_sent: bool,
        notice_received_on: date | None,
        policy: PolicyVersion,
    ) -> Appeal:
        """12.14(2)-(3): the deadline and whether the request was received by it; then 12.15(2)
        dismissal of an untimely appeal or one against an action 12.13 does not list."""
        event_type = type(appealed).__name__
        clause = rules.appealable_clause(event_type, event_data(appealed))
        deadline, deadline_citation = rules.appeal_deadline(
            appealed.on,
            notice_sent=notice_sent,
            notice_received_on=notice_received_on,
            policy=policy,
        )
        timely = rules.is_timely(on, deadline)
        appeal = cls._create(
            cls.AppealFiled,
            id=cls.id_for(appeal_id),
            on=on,
            effective_on=on,
            citation=clause or rules.RIGHT_TO_APPEAL,
            policy_version=policy.version,
            appeal_id=appeal_id,
            household_id=household_id,
            appealed_event_id=appealed_event_id,
            appealed_event_type=event_type,
            appealed_aggregate_id=str(appealed.originator_id),
            appealed_version=appealed.originator_version,
            appealable_clause=clause,
            grounds=grounds,
            notice_sent=notice_sent,
            notice_received_on=notice_received_on,
            deadline=deadline,
            deadline_citation=deadline_citation,
            timely=timely,
        )
        appeal._dismiss_if_not_receivable(on, policy)
        return appeal

    @classmethod
    def file_for_employer(
        cls,
        *,
        on: date,
        appeal_id: str,
        employer_id: str,
        appealed: Any,
        appealed_event_id: str,
        grounds: str,
        notice_sent: bool,
        notice_received_on: date | None,
        policy: PolicyVersion,
    ) -> Appeal:
        """12.13, 12.14(2)(b)-(3): an employer's appeal of a small-group action, 90 days after
        the notice's receipt (or the action); dismissed as an individual's would be (12.15(2))."""
        event_type = type(appealed).__name__
        clause = rules.appealable_clause(event_type, event_data(appealed))
        deadline, deadline_citation = rules.appeal_deadline(
            appealed.on,
            notice_sent=notice_sent,
            notice_received_on=notice_received_on,
            policy=policy,
            small_group=True,
        )
        timely = rules.is_timely(on, deadline)
        appeal = cls._create(
            cls.EmployerAppealFiled,
            id=cls.id_for(appeal_id),
            on=on,
            effective_on=on,
            citation=clause or rules.RIGHT_TO_APPEAL,
            policy_version=policy.version,
            appeal_id=appeal_id,
            employer_id=employer_id,
            appealed_event_id=appealed_event_id,
            appealed_event_type=event_type,
            appealed_aggregate_id=str(appealed.originator_id),
            appealed_version=appealed.originator_version,
            appealable_clause=clause,
            grounds=grounds,
            notice_sent=notice_sent,
            notice_received_on=notice_received_on,
            deadline=deadline,
            deadline_citation=deadline_citation,
            timely=timely,
        )
        appeal._dismiss_if_not_receivable(on, policy)
        return appeal

    def _dismiss_if_not_receivable(self, on: date, policy: PolicyVersion) -> None:
        """12.15(2)(a)-(b): an appeal against an action 12.13 does not list, or received after
        its deadline, is dismissed."""
        if self.appealable_clause is None:
            self._dismiss(on, rules.DISMISSED_NOT_APPEALABLE, "not an Appealable Action", policy)
        elif not self.timely:
            self._dismiss(
                on,
                rules.DISMISSED_UNTIMELY,
                f"received on {on.isoformat()}, after the deadline {self.deadline.isoformat()}",
                policy,
            )

    class AppealDismissed(LedgerEvent):
        reason: str

        def apply(self, appeal: Appeal) -> None:
            appeal.status = AppealStatus.DISMISSED
            appeal.outcome = rules.AppealOutcome.DISMISSED.value
            appeal.decided_on = self.on
            appeal.history.append({"on": self.on.isoformat(), "dismissed": self.reason})

    def _dismiss(self, on: date, clause: str, reason: str, policy: PolicyVersion) -> None:
        self.trigger_event(
            self.AppealDismissed,
            on=on,
            effective_on=on,
            citation=clause,
            policy_version=policy.version,
            reason=reason,
        )

    class AppealDecided(LedgerEvent):
        outcome: str
        hearing_number: int

        def apply(self, appeal: Appeal) -> None:
            appeal.status = (
                AppealStatus.DISMISSED
                if self.outcome in CLOSED_WITHOUT_DECISION
                else AppealStatus.DECIDED
            )
            appeal.outcome = self.outcome
            appeal.decided_on = self.on
            appeal.history.append({"on": self.on.isoformat(), "outcome": self.outcome})

    def decide(self, on: date, outcome: str, policy: PolicyVersion) -> None:
        """12.15(4): the hearing officer's decision (or 12.15(2)(c) a withdrawal, 12.15(2)
        a dismissal)."""
        if outcome not in rules.APPEAL_OUTCOMES:
            raise InvalidCommand(f"outcome must be one of {', '.join(rules.APPEAL_OUTCOMES)}")
        if self.status not in (AppealStatus.PENDING, AppealStatus.REHEARING):
            raise InvalidCommand(
                f"appeal {self.appeal_id!r} is {self.status}; only a pending appeal or a "
                "re-hearing can be decided",
                "invalid_state",
            )
        if on < self.filed_on:
            raise InvalidCommand("an appeal cannot be decided before it was filed")
        self.trigger_event(
            self.AppealDecided,
            on=on,
            effective_on=on,
            citation=rules.outcome_citation(outcome),
            policy_version=policy.version,
            outcome=outcome,
            hearing_number=sum(1 for h in self.history if "outcome" in h) + 1,
        )

    class RehearingOrdered(LedgerEvent):
        decision_on: date

        def apply(self, appeal: Appeal) -> None:
            appeal.status = AppealStatus.REHEARING
            appeal.history.append({"on": self.on.isoformat(), "rehearing_ordered": True})

    def order_rehearing(self, on: date, policy: PolicyVersion) -> None:
        """12.15(5): within 14 days of the hearing officer's decision."""
        if self.status != AppealStatus.DECIDED or self.decided_on is None:
            raise InvalidCommand(
                f"appeal {self.appeal_id!r} has no hearing decision to re-hear", "invalid_state"
            )
        if not rules.rehearing_allowed(self.decided_on, on, policy):
            raise InvalidCommand(
                f"a re-hearing may be ordered only within {policy.rehearing_days.at(on)} days of "
                f"the decision of {self.decided_on.isoformat()} ({rules.REHEARING})",
                "rehearing_window_closed",
            )
        self.trigger_event(
            self.RehearingOrdered,
            on=on,
            effective_on=on,
            citation=rules.REHEARING,
            policy_version=policy.version,
            decision_on=self.decided_on,
        )
