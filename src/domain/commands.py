"""The commands the ledger accepts, as plain typed values (the adapters parse and validate the
wire format and build these; no framework type reaches the domain).

Each command names its business date `on`. A command's handler is found by its class in
`handlers.COMMAND_HANDLERS`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .errors import InvalidCommand
from .rules.appeals import AppealOutcome, RehearingOutcome
from .rules.eligibility import Incarceration, incarceration_status
from .rules.enrollment_periods import QualifyingKind
from .rules.plan_selection import Coverage, MetalLevel
from .rules.representatives import RepresentativeKind
from .rules.small_group import EmployeeEventKind
from .rules.waivers import WaiverDecision


@dataclass(frozen=True)
class Command:
    on: date


def _record(facts: Any) -> dict[str, Any]:
    """The facts as an event records them: the given ones (not None) in field order, dates ISO."""
    out: dict[str, Any] = {}
    for field in dataclasses.fields(facts):
        value = getattr(facts, field.name)
        if value is not None:
            out[field.name] = value.isoformat() if isinstance(value, date) else value
    return out


def _with_incarceration(record: dict[str, Any]) -> dict[str, Any]:
    """12.04(1)(b): a member record holds both `incarcerated` (true when serving) and
    `incarceration` (which kind) when either was given, so every reader agrees; contradictory
    values are refused (`invalid_field`)."""
    status = incarceration_status(record.get("incarcerated"), record.get("incarceration"))
    if status is not None:
        record["incarcerated"] = status == Incarceration.SERVING
        record["incarceration"] = status.value
    return record


@dataclass(frozen=True)
class Member:
    """One member as an application describes them (12.06): `incarcerated` (the boolean: true
    means serving) or `incarceration` (one of `Incarceration`), or both when they agree."""

    member_id: str
    birth_date: date
    resident: bool
    lawfully_present: bool
    incarcerated: bool | None
    aptc_eligible: bool
    incarceration: Incarceration | None = None
    catastrophic_exemption: bool | None = None

    def record(self) -> dict[str, Any]:
        record = _with_incarceration(_record(self))
        if "incarceration" not in record:
            raise InvalidCommand(
                f"member {self.member_id!r}: missing field 'incarcerated' (or 'incarceration')",
                "missing_field",
            )
        return record


@dataclass(frozen=True)
class MemberChange:
    """What changed of one member (12.09(2)): a new member gives every fact."""

    member_id: str
    birth_date: date | None = None
    resident: bool | None = None
    lawfully_present: bool | None = None
    incarcerated: bool | None = None
    aptc_eligible: bool | None = None
    incarceration: Incarceration | None = None
    catastrophic_exemption: bool | None = None

    def record(self) -> dict[str, Any]:
        return _with_incarceration(_record(self))


@dataclass(frozen=True)
class Changes:
    """Facts reported (12.09(2)) or found at a hearing: any of the household's MAGI, its size and
    its members' facts."""

    annual_magi: Decimal | None = None
    household_size: int | None = None
    members: tuple[MemberChange, ...] | None = None

    def record(self) -> dict[str, Any]:
        """As a `ChangeReported` event records them: only what is given, members as records."""
        out: dict[str, Any] = {}
        if self.annual_magi is not None:
            out["annual_magi"] = self.annual_magi
        if self.household_size is not None:
            out["household_size"] = self.household_size
        if self.members:
            out["members"] = [member.record() for member in self.members]
        return out


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
    (`employer_id`, 12.14(2)(b)): one of the two."""

    appeal_id: str
    appealed_event_id: str
    grounds: str
    household_id: str | None = None
    notice_received_on: date | None = None
    notice_sent: bool = True
    employer_id: str | None = None

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
class RosterEmployee:
    """One employee on an employer's application: average weekly hours of service and whether
    the employer offers them coverage (12.04(4)(a)3)."""

    employee_id: str
    average_weekly_hours: Decimal
    offered: bool

    def record(self) -> dict[str, Any]:
        return {
            "employee_id": self.employee_id,
            "average_weekly_hours": str(self.average_weekly_hours),
            "offered": self.offered,
        }


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
