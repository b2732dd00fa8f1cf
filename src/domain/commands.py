"""The commands the ledger accepts, as plain typed values (the adapters parse and validate the
wire format and build these; no framework type reaches the domain).

Each command names its business date `on`. A command's handler is found by its class in
`handlers.COMMAND_HANDLERS`. The facts a command carries (members, changes, an employer's roster)
are `reported_facts.py`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .reported_facts import Changes, Member, MemberChange, RosterEmployee
from .rules.appeals import AppealOutcome
from .rules.enrollment_periods import QualifyingKind
from .rules.plan_selection import Coverage, MetalLevel
from .rules.rehearings import RehearingOutcome
from .rules.representatives import RepresentativeKind
from .rules.small_group_enrollment import EmployeeEventKind
from .rules.waivers import WaiverDecision


@dataclass(frozen=True)
class Command:
    on: date


# ---- households ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationForm(Command):
    """What an application and a renewal both give (12.06, 12.07(1))."""

    household_id: str
    plan_year: int
    household_size: int
    annual_magi: Decimal
    members: tuple[Member, ...]

    def member_records(self) -> list[dict[str, Any]]:
        return [member.record() for member in self.members]


@dataclass(frozen=True)
class SubmitApplication(ApplicationForm):
    pass


@dataclass(frozen=True)
class SubmitRenewal(ApplicationForm):
    pass


@dataclass(frozen=True)
class DetermineEligibility(Command):
    household_id: str


@dataclass(frozen=True)
class ReportChange(Command):
    household_id: str
    annual_magi: Decimal | None = None
    household_size: int | None = None
    members: tuple[MemberChange, ...] | None = None
    changed_on: date | None = None
    """The day the change happened (12.09(2): to be reported within 30 days); None: not said."""

    @property
    def changes(self) -> Changes:
        return Changes(self.annual_magi, self.household_size, self.members)


@dataclass(frozen=True)
class ReportQualifyingEvent(Command):
    household_id: str
    kind: QualifyingKind
    event_on: date | None = None


# ---- enrollments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SelectPlan(Command):
    enrollment_id: str
    household_id: str
    member_ids: tuple[str, ...]
    plan_id: str
    coverage: Coverage
    monthly_premium: Decimal
    aptc_applied: Decimal = Decimal("0.00")
    metal_level: MetalLevel | None = None


@dataclass(frozen=True)
class RecordPayment(Command):
    enrollment_id: str
    amount: Decimal
    reference: str


@dataclass(frozen=True)
class RunSchedule(Command):
    through: date


@dataclass(frozen=True)
class RequestReinstatement(Command):
    enrollment_id: str


@dataclass(frozen=True)
class RequestTermination(Command):
    """An enrollee's (12.10(8)) or a small employer's (12.11(7)) voluntary termination, by
    `enrollment_id`; or a small-group employee's, in a special enrollment period (12.11(4)), by
    `group_enrollment_id`, `employee_id` and `kind` (and `event_on`)."""

    enrollment_id: str | None = None
    group_enrollment_id: str | None = None
    employee_id: str | None = None
    kind: EmployeeEventKind | None = None
    event_on: date | None = None


@dataclass(frozen=True)
class TerminateForFraud(Command):
    """12.10(5)(a): `effective_on` is the last day of coverage (on or before `on`)."""

    enrollment_id: str
    effective_on: date
    finding: str


@dataclass(frozen=True)
class RenewEnrollment(Command):
    enrollment_id: str
    plan_year: int
    monthly_premium: Decimal
    plan_id: str | None = None


@dataclass(frozen=True)
class ChangePremium(Command):
    """12.12(8)(a): the premium a redetermination (`determination_event_id`) makes the enrollee
    owe, from that determination's effective date (12.08)."""

    enrollment_id: str
    monthly_premium: Decimal
    determination_event_id: str


@dataclass(frozen=True)
class RecordDeath(Command):
    """A member's death (12.09(2)): coverage ends at the end of that month; a pending appeal of
    theirs is dismissed (12.15(2)(d))."""

    household_id: str
    member_id: str
    died_on: date


# ---- hardship waivers ------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestHardshipWaiver(Command):
    household_id: str
    enrollment_id: str
    grounds: tuple[str, ...]


@dataclass(frozen=True)
class DecideHardshipWaiver(Command):
    decision: WaiverDecision
    first_month: date
    months: int
    request_id: str | None = None
    enrollment_id: str | None = None


# ---- appeals ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileAppeal(Command):
    """An appeal of a household's action (`household_id`), or of a small employer's
    (`employer_id`, 12.14(2)(b)): one of the two; `employer_id` with `employee_id` is the
    employee's appeal of an action of the employer's group naming them."""

    appeal_id: str
    appealed_event_id: str
    grounds: str
    household_id: str | None = None
    notice_received_on: date | None = None
    notice_sent: bool = True
    employer_id: str | None = None
    employee_id: str | None = None

    filed_by: str | None = None
    appellant_member_id: str | None = None


@dataclass(frozen=True)
class DecideAppeal(Command):
    appeal_id: str
    outcome: AppealOutcome
    findings: Changes | None = None


@dataclass(frozen=True)
class OrderRehearing(Command):
    appeal_id: str


# ---- small group (12.04(4), 12.11, 12.12(11)-(13)) -------------------------------------------


@dataclass(frozen=True)
class SubmitEmployerApplication(Command):
    employer_id: str
    employee_count: int
    full_time_employees: int
    actively_engaged: bool
    principal_address_in_ma: bool
    offers_all_full_time: bool
    offers_through_connector: bool
    participation_rate: Decimal
    contribution_rate: Decimal
    roster: tuple[RosterEmployee, ...] | None = None

    def facts(self) -> dict[str, Any]:
        """The application as an `EmployerApplicationSubmitted` event records it (rates as the
        decimal text given)."""
        return {
            "employee_count": self.employee_count,
            "full_time_employees": self.full_time_employees,
            "actively_engaged": self.actively_engaged,
            "principal_address_in_ma": self.principal_address_in_ma,
            "offers_all_full_time": self.offers_all_full_time,
            "offers_through_connector": self.offers_through_connector,
            "participation_rate": str(self.participation_rate),
            "contribution_rate": str(self.contribution_rate),
            "roster": [employee.record() for employee in self.roster or ()],
        }


@dataclass(frozen=True)
class DetermineEmployerEligibility(Command):
    employer_id: str


@dataclass(frozen=True)
class SelectGroupPlan(Command):
    employer_id: str
    group_enrollment_id: str
    plan_id: str
    coverage: Coverage
    coverage_start_on: date
    enrollment_deadline: date


@dataclass(frozen=True)
class EnrollEmployee(Command):
    group_enrollment_id: str
    employee_id: str
    member_ids: tuple[str, ...]
    monthly_premium: Decimal
    kind: EmployeeEventKind | None = None
    event_on: date | None = None


@dataclass(frozen=True)
class WaiveCoverage(Command):
    group_enrollment_id: str
    employee_id: str
    other_coverage: bool = True  # False: counted against the participation (12.11(1))


@dataclass(frozen=True)
class DecideRehearing(Command):
    appeal_id: str
    outcome: RehearingOutcome
    superseding_outcome: AppealOutcome | None = None
    findings: Changes | None = None


# ---- representatives (12.17, 12.03) ----------------------------------------------------------


@dataclass(frozen=True)
class DesignateRepresentative(Command):
    household_id: str
    representative_id: str
    name: str
    kind: RepresentativeKind
    written_authorization_on: date
    member_id: str | None = None


@dataclass(frozen=True)
class RevokeRepresentative(Command):
    household_id: str
    representative_id: str


@dataclass(frozen=True)
class ContinueAppeal(Command):
    """12.15(2)(d): the estate's representative asks to continue an appeal dismissed because the
    appellant died."""

    appeal_id: str
    representative_name: str
