"""The Appeal aggregate: an appeal against a recorded action, its filing deadline and
timeliness, and the hearing decision (956 CMR 12.13-12.15(4)): who filed it (the appellant, or a
representative, 12.17 and 12.03). One aggregate, one module per part of the regulation:
here the `Appeal` class, its state, its filing (12.14) and its hearing decision (12.15(4));
`dismissal.py` (12.15(2): not receivable, the appellant's death, the estate's continuation),
`rehearing.py` (12.15(5): the order, the stay of the initial decision, the re-hearing's
decision), `status.py` (where an appeal stands). The sections' events are adopted by name in the
class body, so their stored topics stay `enrollment_ledger.domain.appeal:Appeal.<Name>`."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from ..errors import InvalidCommand
from ..events import CopiedForCommands, LedgerCreated, LedgerEvent, aggregate_uuid, event_data
from ..parameters import PolicyVersion
from ..rules import appeals as rules
from ..rules import rehearings as rehearing_rules
from ..rules import representatives as representative_rules
from . import dismissal, rehearing
from .status import CLOSED_WITHOUT_DECISION, AppealStatus

__all__ = ["Appeal", "AppealStatus"]


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

    class EmployeeAppealFiled(LedgerCreated):
        """An employee's appeal of a small-group action naming them (12.13, 12.14(2)(b))."""

        appeal_id: str
        employer_id: str
        employee_id: str
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
        employee_id: str | None = None,
    ) -> None:
        self.appeal_id = appeal_id
        # the appellant: a household (an `AppealFiled`), an employer (`EmployerAppealFiled`) or
        # one of its employees (`EmployeeAppealFiled`: `employer_id` and `employee_id`)
        self.household_id = household_id
        self.employer_id = employer_id
        self.employee_id = employee_id
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
        appeal = cls._filed(
            cls.AppealFiled,
            {"household_id": household_id},
            on=on,
            appeal_id=appeal_id,
            appealed=appealed,
            appealed_event_id=appealed_event_id,
            grounds=grounds,
            notice_sent=notice_sent,
            notice_received_on=notice_received_on,
            policy=policy,
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
        dismissal.dismiss_if_not_receivable(appeal, on, policy)
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
        employee_id: str | None = None,
        not_the_employees: str | None = None,
    ) -> Appeal:
        """12.13, 12.14(2)(b)-(3): an employer's appeal of a small-group action (or, with
        `employee_id`, its employee's), 90 days after the notice's receipt (or the action);
        dismissed as an individual's would be (12.15(2)), and an employee's of an action not
        taken about them (`not_the_employees`, the reason)."""
        appeal = cls._filed(
            cls.EmployerAppealFiled if employee_id is None else cls.EmployeeAppealFiled,
            {"employer_id": employer_id}
            if employee_id is None
            else {"employer_id": employer_id, "employee_id": employee_id},
            on=on,
            appeal_id=appeal_id,
            appealed=appealed,
            appealed_event_id=appealed_event_id,
            grounds=grounds,
            notice_sent=notice_sent,
            notice_received_on=notice_received_on,
            policy=policy,
            small_group=True,
        )
        dismissal.dismiss_if_not_receivable(appeal, on, policy, not_the_employees)
        return appeal

    @classmethod
    def _filed(
        cls,
        event_class: type[LedgerCreated],
        appellant: dict[str, str],
        *,
        on: date,
        appeal_id: str,
        appealed: Any,
        appealed_event_id: str,
        grounds: str,
        notice_sent: bool,
        notice_received_on: date | None,
        policy: PolicyVersion,
        small_group: bool = False,
    ) -> Appeal:
        """12.13, 12.14(2)-(3): the appeal as received, for its `appellant` (a household's or an
        employer's id): the clause that makes the action appealable, the deadline (a small
        group's is 12.14(2)(b)) and whether the request was received by it."""
        event_type = type(appealed).__name__
        clause = rules.appealable_clause(event_type, event_data(appealed))
        deadline, deadline_citation = rules.appeal_deadline(
            appealed.on,
            notice_sent=notice_sent,
            notice_received_on=notice_received_on,
            policy=policy,
            small_group=small_group,
        )
        return cls._create(
            event_class,
            id=cls.id_for(appeal_id),
            on=on,
            effective_on=on,
            citation=clause or rules.RIGHT_TO_APPEAL,
            policy_version=policy.version,
            appeal_id=appeal_id,
            **appellant,
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
            timely=rules.is_timely(on, deadline),
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

    AppealDismissed = dismissal.AppealDismissed

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
            hearing_number=self.hearing_count() + 1,
        )

    def hearing_count(self) -> int:
        """How many hearing decisions (first hearing and re-hearing) were recorded."""
        return sum(1 for h in self.history if "outcome" in h)

    # ---- 12.15(5): the re-hearing (`rehearing.py`) ---------------------------------------------

    RehearingOrdered = rehearing.RehearingOrdered
    InitialDecisionStayed = rehearing.InitialDecisionStayed
    RehearingDecided = rehearing.RehearingDecided

    def order_rehearing(self, on: date, policy: PolicyVersion) -> None:
        """12.15(5): within 14 days of the decision (`rehearing.order_rehearing`)."""
        rehearing.order_rehearing(self, on, policy)

    def stay_initial_decision(
        self, on: date, policy: PolicyVersion, stayed_correction_event_id: str | None
    ) -> None:
        """12.15(5): the stay of the initial decision (`rehearing.stay_initial_decision`)."""
        rehearing.stay_initial_decision(self, on, policy, stayed_correction_event_id)

    def decide_rehearing(
        self,
        on: date,
        outcome: rehearing_rules.RehearingOutcome,
        superseding_outcome: str | None,
        policy: PolicyVersion,
        *,
        findings_given: bool = False,
    ) -> None:
        """12.15(5): the re-hearing's decision (`rehearing.decide_rehearing`)."""
        rehearing.decide_rehearing(
            self, on, outcome, superseding_outcome, policy, findings_given=findings_given
        )

    # ---- 12.15(2)(d): the appellant dies (`dismissal.py`) --------------------------------------

    @property
    def pending(self) -> bool:
        """Awaiting a hearing decision (a first hearing or a re-hearing)."""
        return self.status in (AppealStatus.PENDING, AppealStatus.REHEARING)

    def dismiss_for_death(
        self, on: date, member_id: str, died_on: date, policy: PolicyVersion
    ) -> None:
        """12.15(2)(d): the appellant died while the appeal was pending."""
        dismissal.dismiss_for_death(self, on, member_id, died_on, policy)

    AppealContinued = dismissal.AppealContinued

    def continue_for_estate(
        self, on: date, representative_name: str, policy: PolicyVersion
    ) -> None:
        """12.15(2)(d): the estate's representative continues it (`dismissal.continue_for_estate`)."""
        dismissal.continue_for_estate(self, on, representative_name, policy)
