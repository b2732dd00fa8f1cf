"""The Appeal aggregate: an appeal against a recorded action, its filing deadline and
timeliness, dismissal, the hearing decision and re-hearings (956 CMR 12.13-12.15): who filed it
(the appellant, or a representative, 12.17 and 12.03), the stay of the initial decision while a
re-hearing is pending, and the re-hearing's decision (12.15(5))."""

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
from .rules import representatives as representative_rules


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
        # who filed (12.17, 12.03): set by `AppealFiledFor`
        self.appellant_member_id: str | None = None
        self.filed_by: str | None = None
        # 12.15(5): the re-hearing, once ordered (its order, stay and decision)
        self.rehearing: dict[str, Any] | None = None
        self.reheard = False
        # the last dismissal's clause, and where the appeal stood before it (12.15(2)(d))
        self.dismissal_citation: str | None = None
        self.before_dismissal: dict[str, Any] = {}

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
        appellant_member_id: str | None = None,
        filed_by: representative_rules.Representative | None = None,
    ) -> Appeal:
        """12.14(2)-(3): the deadline and whether the request was received by it; who filed it
        for whom (a representative the caller found in force, 12.17, 12.03); then 12.15(2)
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
        if appellant_member_id is not None or filed_by is not None:
            appeal.trigger_event(
                cls.AppealFiledFor,
                on=on,
                effective_on=on,
                citation=(
                    representative_rules.kind_citation(filed_by.kind)
                    if filed_by is not None
                    else representative_rules.APPELLANT
                ),
                policy_version=policy.version,
                appellant_member_id=appellant_member_id,
                filed_by=filed_by.representative_id if filed_by is not None else None,
                filed_by_kind=filed_by.kind if filed_by is not None else None,
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

    class AppealFiledFor(LedgerEvent):
        """For whom the appeal was filed (a member of the household; None: the household) and by
        whom (a representative_id; None: the appellant)."""

        appellant_member_id: str | None
        filed_by: str | None
        filed_by_kind: str | None

        def apply(self, appeal: Appeal) -> None:
            appeal.appellant_member_id = self.appellant_member_id
            appeal.filed_by = self.filed_by

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
            if self.hearing_number > 1:  # recorded before re-hearings had their own decision
                appeal.reheard = True

    def decide(self, on: date, outcome: str, policy: PolicyVersion) -> None:
        """12.15(4): the hearing officer's decision (or 12.15(2)(c) a withdrawal, 12.15(2)
        a dismissal)."""
        if outcome not in rules.APPEAL_OUTCOMES:
            raise InvalidCommand(f"outcome must be one of {', '.join(rules.APPEAL_OUTCOMES)}")
        if self.status == AppealStatus.REHEARING:
            raise InvalidCommand(
                f"appeal {self.appeal_id!r} is under re-hearing: its decision is recorded with "
                "decide_rehearing",
                "invalid_state",
            )
        if self.status != AppealStatus.PENDING:
            raise InvalidCommand(
                f"appeal {self.appeal_id!r} is {self.status}; only a pending appeal can be decided",
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

    def order_rehearing(self, on: date, policy: PolicyVersion) -> None:
        """12.15(5): within 14 days of the hearing officer's decision; one re-hearing (its
        decision, superseding or not, is the final one)."""
        if self.status != AppealStatus.DECIDED or self.decided_on is None:
            raise InvalidCommand(
                f"appeal {self.appeal_id!r} has no hearing decision to re-hear", "invalid_state"
            )
        if self.reheard:
            raise InvalidCommand(
                f"appeal {self.appeal_id!r} was already re-heard: the re-hearing's decision is "
                "final",
                "invalid_state",
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
        self, on: date, policy: PolicyVersion, stayed_correction_event_id: str | None
    ) -> None:
        """12.15(5): the stay that the order of a re-hearing brings, until its decision."""
        if self.rehearing is None or self.decided_on is None or self.outcome is None:
            raise InvalidCommand(f"appeal {self.appeal_id!r} has no re-hearing", "invalid_state")
        self.trigger_event(
            self.InitialDecisionStayed,
            on=on,
            effective_on=on,
            citation=rules.REHEARING,
            policy_version=policy.version,
            initial_outcome=self.outcome,
            initial_decision_on=self.decided_on,
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
        self,
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
        rehearing = self.rehearing
        if self.status != AppealStatus.REHEARING or rehearing is None:
            raise InvalidCommand(
                f"appeal {self.appeal_id!r} has no re-hearing pending", "invalid_state"
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
                f"{ordered_on.isoformat()} (by {decide_by.isoformat()}, {rules.REHEARING}); the "
                "initial decision stands: record outcome not_superseded",
                "rehearing_window_closed",
            )
        initial_outcome: str = rehearing["initial_outcome"]
        self.trigger_event(
            self.RehearingDecided,
            on=on,
            effective_on=on,
            citation=(
                rules.REHEARING
                if superseding_outcome is None
                else f"{rules.REHEARING}; {rules.outcome_citation(superseding_outcome)}"
            ),
            policy_version=policy.version,
            outcome=outcome.value,
            superseding_outcome=superseding_outcome,
            standing_outcome=superseding_outcome or initial_outcome,
            initial_outcome=initial_outcome,
            ordered_on=ordered_on,
            decide_by=decide_by,
            late=timing == rules.RehearingTiming.LATE_INITIAL_DECISION_STANDS,
            hearing_number=sum(1 for h in self.history if "outcome" in h) + 1,
        )

    # ---- 12.15(2)(d): the appellant dies ---------------------------------------------------

    @property
    def pending(self) -> bool:
        """Awaiting a hearing decision (a first hearing or a re-hearing)."""
        return self.status in (AppealStatus.PENDING, AppealStatus.REHEARING)

    def dismiss_for_death(
        self, on: date, member_id: str, died_on: date, policy: PolicyVersion
    ) -> None:
        """12.15(2)(d): the appellant died while the appeal was pending."""
        self._dismiss(
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
            appeal.history.append(
                {"on": self.on.isoformat(), "continued_by": self.representative_name}
            )

    def continue_for_estate(
        self, on: date, representative_name: str, policy: PolicyVersion
    ) -> None:
        """12.15(2)(d): "except if the executor, administrator, or other duly authorized
        representative of the estate requests to continue the appeal"."""
        if (
            self.status != AppealStatus.DISMISSED
            or self.dismissal_citation != rules.DISMISSED_APPELLANT_DIED
        ):
            raise InvalidCommand(
                f"appeal {self.appeal_id!r} was not dismissed for the appellant's death "
                f"({rules.DISMISSED_APPELLANT_DIED}); there is nothing to continue",
                "invalid_state",
            )
        self.trigger_event(
            self.AppealContinued,
            on=on,
            effective_on=on,
            citation=rules.DISMISSED_APPELLANT_DIED,
            policy_version=policy.version,
            representative_name=representative_name,
        )
