"""The Household aggregate: applications (12.06), eligibility determinations (12.04, 12.08),
reported changes (12.09(2)), renewals (12.07(1)) and special enrollment periods (12.10(1))."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from . import rehearing, representatives, special_enrollment
from .determination import Application, Determination, changed_applications, decide_eligibility
from .errors import InvalidCommand, UnknownHousehold
from .events import CopiedForCommands, LedgerCreated, LedgerEvent, aggregate_uuid
from .parameters import PolicyVersion
from .rules.applications import APPLICATION, REPORTED_CHANGE, reported_late
from .rules.effective_dates import YEARLY_REVIEW
from .rules.enrollment_periods import (
    AI_AN_MONTHLY,
    AUTOMATIC_SEP_CLAUSES,
    PeriodDenial,
    automatic_sep_clauses,
)
from .special_enrollment import SpecialEnrollmentPeriod


class Household(CopiedForCommands, Aggregate):
    """One tax household applying to the Connector."""

    @staticmethod
    def id_for(household_id: str) -> UUID:
        return aggregate_uuid("household", household_id)

    class HouseholdOpened(LedgerCreated):
        household_id: str

    def __init__(self, household_id: str) -> None:
        self.household_id = household_id
        self.applications: list[Application] = []
        # Determinations in record order: each a dict with plan_year, notice_on, members.
        self.determinations: list[dict[str, Any]] = []
        self.special_enrollment_periods: list[SpecialEnrollmentPeriod] = []
        self.enrollment_ids: list[str] = []
        self.appeal_ids: list[str] = []
        self.ai_an_changes: list[date] = []
        # the same changes with the enrollment chosen by each (day, enrollment id)
        self.ai_an_enrollments: list[tuple[date, str]] = []
        # 12.17, 12.03: representatives by representative_id (see representatives.py)
        self.representatives: dict[str, dict[str, Any]] = {}
        self.deaths: dict[str, date] = {}

    @classmethod
    def open(cls, household_id: str, on: date) -> Household:
        return cls._create(
            cls.HouseholdOpened,
            id=cls.id_for(household_id),
            household_id=household_id,
            on=on,
            effective_on=on,
            citation=None,
            policy_version=None,
        )

    # ---- facts -------------------------------------------------------------------------------

    class ApplicationSubmitted(LedgerEvent):
        plan_year: int
        household_size: int
        annual_magi: Decimal
        members: list[dict[str, Any]]
        renewal: bool

        def apply(self, household: Household) -> None:
            household.applications.append(
                Application(
                    self.plan_year, self.household_size, self.annual_magi, tuple(self.members)
                )
            )

    def submit_application(
        self,
        on: date,
        plan_year: int,
        household_size: int,
        annual_magi: Decimal,
        members: list[dict[str, Any]],
        *,
        renewal: bool = False,
    ) -> None:
        """12.06 (and 12.07(1) for a renewal): record the application as received."""
        self.trigger_event(
            self.ApplicationSubmitted,
            on=on,
            effective_on=on,
            citation=YEARLY_REVIEW if renewal else APPLICATION,
            policy_version=None,
            plan_year=plan_year,
            household_size=household_size,
            annual_magi=annual_magi,
            members=members,
            renewal=renewal,
        )

    class ChangeReported(LedgerEvent):
        """A reported change (12.09(2)); `changed_on` the day it happened (None: not said), `late`
        when reported more than 30 days after it (for the appeals unit; effective dates still
        follow 12.08)."""

        class_version = 2
        changes: dict[str, Any]
        changed_on: date | None
        late: bool

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 did not record the day of the change: not said, so not late."""
            state["changed_on"] = None
            state["late"] = False

        def apply(self, household: Household) -> None:
            household.applications += changed_applications(
                household.applications, self.changes, self.on
            )

    def report_change(
        self,
        on: date,
        changes: dict[str, Any],
        policy: PolicyVersion,
        changed_on: date | None = None,
    ) -> None:
        """12.09(2): an enrollee reports a change that may affect eligibility or premiums, within
        30 days of it; a later report is recorded `late`."""
        if changed_on is not None and changed_on > on:
            raise InvalidCommand("changed_on cannot be after the date the change is reported (on)")
        self.trigger_event(
            self.ChangeReported,
            on=on,
            effective_on=on,
            citation=REPORTED_CHANGE,
            policy_version=policy.version,
            changes=changes,
            changed_on=changed_on,
            late=reported_late(changed_on, on),
        )

    class DeathRecorded(LedgerEvent):
        member_id: str
        died_on: date

        def apply(self, household: Household) -> None:
            household.deaths[self.member_id] = self.died_on

    def record_death(self, on: date, member_id: str, died_on: date) -> None:
        """12.09(2): a member's death reported (a change of household composition)."""
        if member_id not in self.member_ids():
            raise InvalidCommand(
                f"{member_id!r} is not a member of household {self.household_id!r}"
            )
        if member_id in self.deaths:
            raise InvalidCommand(
                f"the death of member {member_id!r} is already recorded "
                f"({self.deaths[member_id].isoformat()})",
                "invalid_state",
            )
        self.trigger_event(
            self.DeathRecorded,
            on=on,
            effective_on=died_on,
            citation=REPORTED_CHANGE,
            policy_version=None,
            member_id=member_id,
            died_on=died_on,
        )

    def member_ids(self) -> list[str]:
        """The members of the household's latest application (with its reported changes)."""
        return [m["member_id"] for m in self.latest_application().members]

    # ---- decisions ---------------------------------------------------------------------------

    class EligibilityDetermined(LedgerEvent):
        plan_year: int
        household_size: int
        annual_magi: Decimal
        fpl_amount: Decimal
        fpl_source: str
        fpl_percent: str
        members: list[dict[str, Any]]
        basis: str

        def apply(self, household: Household) -> None:
            household.hold_determination(self.plan_year, self.on, self.members)

    def determine_eligibility(
        self, on: date, policy: PolicyVersion, basis: str, plan_year: int | None = None
    ) -> None:
        """12.04 per member from the latest application (for `plan_year`, when given); 12.08
        effective dates; and the automatic special enrollment periods of 12.10(1)(b)-(d)."""
        decided = decide_eligibility(self, on, policy, basis, plan_year)
        self._record_with_automatic_periods(decided.event_fields(), on, policy)

    def _record_with_automatic_periods(
        self, decided: dict[str, Any], on: date, policy: PolicyVersion
    ) -> None:
        """Record a determination, then the special enrollment periods of 12.10(1)(b)-(d) it
        opens by itself, sixty days from `on` (the day it is notified)."""
        previous = self.previous_member_results()
        self.trigger_event(self.EligibilityDetermined, **decided)
        for clause, member_ids in automatic_sep_clauses(previous, decided["members"]).items():
            self.open_special_enrollment_period(
                kind=AUTOMATIC_SEP_CLAUSES[clause],
                event_on=on,
                on=on,
                member_ids=tuple(member_ids),
                citation=clause,
                policy=policy,
            )

    # ---- 12.10(1): special enrollment periods (`special_enrollment.py`) -------------------------

    SpecialEnrollmentPeriodOpened = special_enrollment.SpecialEnrollmentPeriodOpened
    SpecialEnrollmentPeriodDenied = special_enrollment.SpecialEnrollmentPeriodDenied

    def open_special_enrollment_period(
        self,
        *,
        kind: str,
        event_on: date,
        on: date,
        member_ids: tuple[str, ...],
        citation: str,
        policy: PolicyVersion,
        end_on: date | None = None,
    ) -> None:
        """12.10(1): sixty days to enroll from the date of the event (or `end_on`)."""
        special_enrollment.open_period(
            self,
            kind=kind,
            event_on=event_on,
            on=on,
            member_ids=member_ids,
            citation=citation,
            policy=policy,
            end_on=end_on,
        )

    def deny_special_enrollment_period(
        self,
        *,
        kind: str,
        event_on: date,
        on: date,
        member_ids: tuple[str, ...],
        denial: PeriodDenial,
        policy: PolicyVersion,
    ) -> None:
        """12.10(1), 12.13(3): the refusal recorded as a decision, so that it can be appealed."""
        special_enrollment.deny_period(
            self,
            kind=kind,
            event_on=event_on,
            on=on,
            member_ids=member_ids,
            denial=denial,
            policy=policy,
        )

    def open_waiver_period(
        self, on: date, member_ids: Iterable[str], clause: str, policy: PolicyVersion
    ) -> None:
        """12.10(1)(e)-(f), 12.12(7)(e): sixty days from a hardship waiver's grant or end."""
        special_enrollment.open_waiver_period(self, on, member_ids, clause, policy)

    class EnrollmentLinked(LedgerEvent):
        enrollment_id: str
        basis: str

        def apply(self, household: Household) -> None:
            household.enrollment_ids.append(self.enrollment_id)
            if self.basis == f"special_enrollment:{AI_AN_MONTHLY}":
                household.ai_an_changes.append(self.on)
                household.ai_an_enrollments.append((self.on, self.enrollment_id))

    def link_enrollment(self, on: date, enrollment_id: str, basis: str) -> None:
        """The household's record of a plan selected on its behalf (for its timeline)."""
        self.trigger_event(
            self.EnrollmentLinked,
            on=on,
            effective_on=on,
            citation=None,
            policy_version=None,
            enrollment_id=enrollment_id,
            basis=basis,
        )

    class AppealLinked(LedgerEvent):
        appeal_id: str

        def apply(self, household: Household) -> None:
            household.appeal_ids.append(self.appeal_id)

    def link_appeal(self, on: date, appeal_id: str) -> None:
        """The household's record of an appeal it filed (for its timeline)."""
        self.trigger_event(
            self.AppealLinked,
            on=on,
            effective_on=on,
            citation=None,
            policy_version=None,
            appeal_id=appeal_id,
        )

    # ---- events defined by their sections, adopted here (their topics name this class) --------

    RepresentativeDesignated = representatives.RepresentativeDesignated
    RepresentativeRevoked = representatives.RepresentativeRevoked
    AppealedDeterminationRestored = rehearing.AppealedDeterminationRestored

    def record_determination(self, determination: Determination) -> None:
        """A determination computed elsewhere (a hearing's corrected determination)."""
        self.trigger_event(self.EligibilityDetermined, **determination.event_fields())

    def record_corrected_determination(
        self, determination: Determination, policy: PolicyVersion
    ) -> None:
        """A hearing's corrected determination (12.15(4)), with the special enrollment periods it
        opens by itself as any determination does (12.10(1)(b)-(d)), sixty days from the day it
        is notified (`determination.on`, the hearing decision)."""
        self._record_with_automatic_periods(determination.event_fields(), determination.on, policy)

    def hold_determination(
        self, plan_year: int, notice_on: date, members: list[dict[str, Any]]
    ) -> None:
        """The determination now in force (one recorded, or one a re-hearing's stay restored)."""
        self.determinations.append(
            {
                "plan_year": plan_year,
                "notice_on": notice_on,
                "members": {m["member_id"]: m for m in members},
            }
        )

    # ---- queries on state --------------------------------------------------------------------

    def latest_application(self) -> Application:
        if not self.applications:
            raise InvalidCommand(
                f"household {self.household_id} has no application", "no_application"
            )
        return self.applications[-1]

    def previous_member_results(self) -> dict[str, dict[str, Any]]:
        """Each member's latest determined result, before the determination being made."""
        results: dict[str, dict[str, Any]] = {}
        for determination in self.determinations:
            results.update(determination["members"])
        return results

    def member_result_on(self, member_id: str, on: date) -> dict[str, Any] | None:
        """The member's determination in force on `on`: the latest recorded one whose effective
        date has come (12.08)."""
        found: dict[str, Any] | None = None
        for determination in self.determinations:
            result = determination["members"].get(member_id)
            if result is not None and date.fromisoformat(result["effective_on"]) <= on:
                found = result
        return found

    def latest_member_result(self, member_id: str) -> dict[str, Any] | None:
        return self.previous_member_results().get(member_id)

    def sep_covering(
        self,
        on: date,
        member_ids: list[str] | None = None,
        usable: Callable[[SpecialEnrollmentPeriod], bool] | None = None,
    ) -> SpecialEnrollmentPeriod | None:
        """The latest special enrollment period covering `on` (`special_enrollment.covering`)."""
        return special_enrollment.covering(self, on, member_ids, usable)


def replay(events: Iterable[Any]) -> Household:
    """The household as it stood after `events` (its first events, in order)."""
    household: Household | None = None
    for event in events:
        household = event.mutate(household)
    if household is None:
        raise UnknownHousehold("no household events to replay")
    return household
