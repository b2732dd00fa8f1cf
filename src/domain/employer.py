"""The Employer aggregate: a small employer's applications to the Connector's small-group program
and its eligibility determinations (956 CMR 12.04(4), 12.11(3), 12.16(1)(b)), with the record of
its group enrollments and appeals (for its timeline).

A determination records whether the employer is an Eligible Small Employer (12.04(4)(a)1-5), and
whether it may offer a Dental Plan (12.16(1)(b), (3)(d): conditions 1-4), every condition failed
with its clause, and how the policy minimums stood (applied, or waived from 15 November to
15 December, 12.11(3)). A determination that the employer is not eligible is a decision (an
Appealable Action, 12.13(1)), recorded like any other.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from .errors import InvalidCommand, NotEligible
from .events import CopiedForCommands, LedgerCreated, LedgerEvent, aggregate_uuid, event_data
from .parameters import PolicyVersion
from .rules import small_group as rules
from .rules import small_group_appeals as appeals_rules


class Employer(CopiedForCommands, Aggregate):
    """One employer applying to offer Small Group Health Plans through the Connector."""

    @staticmethod
    def id_for(employer_id: str) -> UUID:
        return aggregate_uuid("employer", employer_id)

    class EmployerOpened(LedgerCreated):
        employer_id: str

    def __init__(self, employer_id: str) -> None:
        self.employer_id = employer_id
        # Applications in record order: each its date and the facts as recorded.
        self.applications: list[tuple[date, dict[str, Any]]] = []
        # Determinations in record order: each the event's data, with its date `on`.
        self.determinations: list[dict[str, Any]] = []
        self.group_enrollment_ids: list[str] = []
        self.appeal_ids: list[str] = []

    @classmethod
    def open(cls, employer_id: str, on: date) -> Employer:
        return cls._create(
            cls.EmployerOpened,
            id=cls.id_for(employer_id),
            employer_id=employer_id,
            on=on,
            effective_on=on,
            citation=None,
            policy_version=None,
        )

    # ---- facts -------------------------------------------------------------------------------

    class EmployerApplicationSubmitted(LedgerEvent):
        employee_count: int
        full_time_employees: int
        actively_engaged: bool
        principal_address_in_ma: bool
        offers_all_full_time: bool
        offers_through_connector: bool
        participation_rate: str
        contribution_rate: str
        roster: list[dict[str, Any]]

        def apply(self, employer: Employer) -> None:
            employer.applications.append(
                (
                    self.on,
                    {
                        "employee_count": self.employee_count,
                        "full_time_employees": self.full_time_employees,
                        "actively_engaged": self.actively_engaged,
                        "principal_address_in_ma": self.principal_address_in_ma,
                        "offers_all_full_time": self.offers_all_full_time,
                        "offers_through_connector": self.offers_through_connector,
                        "participation_rate": self.participation_rate,
                        "contribution_rate": self.contribution_rate,
                        "roster": self.roster,
                    },
                )
            )

    def submit_application(self, on: date, facts: dict[str, Any]) -> None:
        """12.03 (an Applicant may be a Small Employer), 12.04(4): the application as received.
        Rates and hours are kept as the decimal text given (never rounded to cents)."""
        self.trigger_event(
            self.EmployerApplicationSubmitted,
            on=on,
            effective_on=on,
            citation=rules.EMPLOYER_ELIGIBILITY,
            policy_version=None,
            **facts,
        )

    # ---- decisions ---------------------------------------------------------------------------

    class EmployerEligibilityDetermined(LedgerEvent):
        application_on: date
        employee_count: int
        eligible: bool
        dental_eligible: bool
        failed_conditions: list[dict[str, str]]
        minimums: dict[str, Any]
        minimums_waived: bool
        retained_past_50: bool

        def apply(self, employer: Employer) -> None:
            employer.determinations.append(
                {
                    "on": self.on,
                    "eligible": self.eligible,
                    "dental_eligible": self.dental_eligible,
                    "failed_conditions": self.failed_conditions,
                    "retained_past_50": self.retained_past_50,
                }
            )

    def determine_eligibility(
        self, on: date, policy: PolicyVersion, coverage_year: tuple[date, date] | None
    ) -> None:
        """12.04(4)(a)1-5, (b), 12.11(3), 12.16(1)(b), (3)(d) on the latest application (see
        `rules.determine_employer`); `coverage_year`: that of a group coverage in force."""
        application_on, record = self.latest_application()
        decided = rules.determine_employer(
            rules.EmployerFacts.from_record(record),
            application_on=application_on,
            on=on,
            policy=policy,
            coverage_year=coverage_year,
        )
        self._record_determination(
            on,
            on,
            decided.citation,
            policy,
            {
                "application_on": application_on,
                "employee_count": record["employee_count"],
                "minimums": decided.minimums,
                **decided.decision(),
            },
        )

    def record_corrected_determination(
        self, on: date, appealed: Any, policy: PolicyVersion, citation: str
    ) -> bool:
        """12.15(4): the determination `appealed` reversed on appeal, corrected on `on` with its
        original effective date (`appeals_rules.corrected_employer_findings`), the rest as it
        recorded. False, recording nothing, when it had found the employer eligible."""
        corrected = appeals_rules.corrected_employer_findings(
            appealed.eligible, appealed.dental_eligible
        )
        if corrected is None:
            return False
        self._record_determination(
            on, appealed.effective_on, citation, policy, {**event_data(appealed), **corrected}
        )
        return True

    def record_determination_again(
        self, on: date, appealed: Any, policy: PolicyVersion, citation: str
    ) -> None:
        """12.15(5): the determination `appealed` stands after a re-hearing's superseding
        decision: recorded again on `on` as it was, with its original effective date."""
        self._record_determination(
            on, appealed.effective_on, citation, policy, event_data(appealed)
        )

    def _record_determination(
        self,
        on: date,
        effective_on: date,
        citation: str,
        policy: PolicyVersion,
        fields: dict[str, Any],
    ) -> None:
        self.trigger_event(
            self.EmployerEligibilityDetermined,
            on=on,
            effective_on=effective_on,
            citation=citation,
            policy_version=policy.version,
            **fields,
        )

    # ---- its record --------------------------------------------------------------------------

    class GroupEnrollmentLinked(LedgerEvent):
        group_enrollment_id: str

        def apply(self, employer: Employer) -> None:
            employer.group_enrollment_ids.append(self.group_enrollment_id)

    def link_group_enrollment(self, on: date, group_enrollment_id: str) -> None:
        """The employer's record of a group plan it selected (for its timeline)."""
        self.trigger_event(
            self.GroupEnrollmentLinked,
            on=on,
            effective_on=on,
            citation=None,
            policy_version=None,
            group_enrollment_id=group_enrollment_id,
        )

    class EmployerAppealLinked(LedgerEvent):
        appeal_id: str

        def apply(self, employer: Employer) -> None:
            employer.appeal_ids.append(self.appeal_id)

    def link_appeal(self, on: date, appeal_id: str) -> None:
        """The employer's record of an appeal it filed (for its timeline)."""
        self.trigger_event(
            self.EmployerAppealLinked,
            on=on,
            effective_on=on,
            citation=None,
            policy_version=None,
            appeal_id=appeal_id,
        )

    # ---- queries on state --------------------------------------------------------------------

    def latest_application(self) -> tuple[date, dict[str, Any]]:
        if not self.applications:
            raise InvalidCommand(
                f"employer {self.employer_id} has no application", "no_application"
            )
        return self.applications[-1]

    def require_eligible(self, coverage: str) -> None:
        """12.11(1): a plan is selected "following a determination of eligibility": the latest
        determination must find the employer eligible for Small Group Health Plans (12.04(4)(a)),
        or for a Dental Plan (12.16(1)(b)) when the plan is dental."""
        if not self.determinations:
            raise NotEligible(
                f"employer {self.employer_id!r} has no eligibility determination: "
                f"determine_employer_eligibility first ({rules.GROUP_ENROLLMENT})"
            )
        latest = self.determinations[-1]
        eligible = latest["dental_eligible"] if coverage == "dental" else latest["eligible"]
        if not eligible:
            failed = "; ".join(
                f"{f['condition']} ({f['clause']})" for f in latest["failed_conditions"]
            )
            clause = rules.DENTAL_EMPLOYER if coverage == "dental" else rules.EMPLOYER_ELIGIBILITY
            raise NotEligible(
                f"employer {self.employer_id!r} was determined not eligible on "
                f"{latest['on'].isoformat()} ({clause}): {failed}"
            )
