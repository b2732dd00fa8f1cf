"""Commands at the edge: pydantic models of the contract's JSON commands.

They parse and validate the wire format (a JSON object without duplicate keys, dates
`YYYY-MM-DD`, money as decimal strings with at most two places, never a number) and hand the
application the domain's command (`domain.commands`, plain typed values; each wire model maps
onto the domain command of its name, field by field), with a fingerprint of the validated command
(`command_id` reuse) and the dates that cannot be later than the command's own `on`. Lists of
names (qualifying event kinds, coverages, decisions, outcomes) are the domain's enums.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import types
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import cache
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    Literal,
    NamedTuple,
    Union,
    get_args,
    get_origin,
)
from typing import get_type_hints as typing_hints

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    WithJsonSchema,
)
from pydantic.functional_validators import BeforeValidator

from ..domain import commands as domain
from ..domain import group_commands
from ..domain.calendar import first_of_month, parse_month
from ..domain.errors import InvalidCommand
from ..domain.reported_facts import Changes
from ..domain.rules.appeals import AppealOutcome
from ..domain.rules.eligibility import Incarceration, incarceration_status
from ..domain.rules.enrollment_periods import QualifyingKind
from ..domain.rules.plan_selection import Coverage, MetalLevel
from ..domain.rules.rehearings import SUPERSEDING_OUTCOMES, RehearingOutcome
from ..domain.rules.representatives import RepresentativeKind
from ..domain.rules.small_group_changes import DependentCoverageFrom, DependentEvent
from ..domain.rules.small_group_enrollment import EmployeeEventKind
from ..domain.rules.waivers import WaiverDecision

MAX_ID_LENGTH = 200
MONEY_PATTERN = r"^-?\d{1,12}(\.\d{1,2})?$"
_MONEY = re.compile(MONEY_PATTERN)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")


class RefusedJson(ValueError):
    """JSON text that parses, refused for a reason its sender is told (the message)."""


class DuplicateKey(RefusedJson):
    """A JSON object names the same key twice (which one counts is not for a parser to guess)."""


class NotUnicode(RefusedJson):
    """A JSON string holds a lone surrogate (an escape such as \\ud800 with no pair): not
    Unicode text, so it could be neither stored nor answered as UTF-8."""

    def __init__(self) -> None:
        super().__init__("a JSON string holds a lone surrogate escape (not Unicode text)")


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise DuplicateKey(f"the key {key[:80]!r} appears twice in one JSON object")
        obj[key] = value
    return obj


def _unicode(value: Any) -> bool:
    """Whether every string of a decoded value, object keys included, is Unicode text."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, list):
        return all(_unicode(v) for v in value)
    if isinstance(value, dict):
        return all(_unicode(k) and _unicode(v) for k, v in value.items())
    return True


def decode_json(text: str) -> Any:
    """The JSON text's value; a duplicate key in any object, at any depth, is refused
    (DuplicateKey), and so is a string that is not Unicode text (NotUnicode): both are
    RefusedJson, a ValueError, as is malformed JSON. A lone surrogate comes from a `\\u` escape,
    or from text that is not ASCII: only then are the value's strings looked into."""
    value = json.loads(text, object_pairs_hook=_refuse_duplicate_keys)
    if ("\\u" in text or not text.isascii()) and not _unicode(value):
        raise NotUnicode()
    return value


class InvalidDate(ValueError):
    pass


def _parse_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.match(value):
        raise InvalidDate("must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidDate("not a real calendar date") from None


def _parse_money(value: Any) -> Decimal:
    if isinstance(value, (bool, int, float)):
        raise ValueError('money must be a decimal string such as "123.45", never a number')
    if not isinstance(value, str) or not _MONEY.match(value):
        raise ValueError('money must be a decimal string with at most two places, e.g. "123.45"')
    try:
        return Decimal(value).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueError("not a decimal amount") from None


def _parse_month(value: Any) -> date:
    """`YYYY-MM` (or a full date, whose month is taken)."""
    if isinstance(value, str) and _MONTH.match(value):
        try:
            return parse_month(value)
        except ValueError:
            raise InvalidDate("not a real calendar date") from None
    return first_of_month(_parse_date(value))


BusinessDate = Annotated[date, BeforeValidator(_parse_date)]
BusinessMonth = Annotated[
    date,
    BeforeValidator(_parse_month),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{4}-\d{2}(-\d{2})?$",
            "description": "a month YYYY-MM (or a date YYYY-MM-DD, whose month is taken)",
        }
    ),
]
Money = Annotated[
    Decimal,
    BeforeValidator(_parse_money),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": MONEY_PATTERN,
            "description": 'a decimal string with at most two places, e.g. "123.45" (never a '
            "number)",
        }
    ),
]
NOT_BLANK = r"\S"
Identifier = Annotated[str, Field(min_length=1, max_length=MAX_ID_LENGTH, pattern=NOT_BLANK)]
"""An id or a payment reference: at least one character that is not white space (a blank one
would name nothing a person could tell apart or type again)."""


if TYPE_CHECKING:  # the names are plain strings on the wire, the domain's enums once mapped
    QualifyingKindName = str
    CoverageName = str
    WaiverDecisionName = str
    AppealOutcomeName = str
    EmployeeEventKindName = str
    RehearingOutcomeName = str
    SupersedingOutcomeName = str
    RepresentativeKindName = str
    IncarcerationName = str
    MetalLevelName = str
    DependentEventName = str
    DependentCoverageFromName = str
else:

    def _names(values: type[Enum]) -> Any:
        """`Literal[...]` of an enum's values, in order (a JSON schema `enum`)."""
        return Literal[tuple(member.value for member in values)]

    QualifyingKindName = _names(QualifyingKind)
    CoverageName = _names(Coverage)
    WaiverDecisionName = _names(WaiverDecision)
    AppealOutcomeName = _names(AppealOutcome)
    EmployeeEventKindName = _names(EmployeeEventKind)
    RehearingOutcomeName = _names(RehearingOutcome)
    SupersedingOutcomeName = Literal[SUPERSEDING_OUTCOMES]
    RepresentativeKindName = _names(RepresentativeKind)
    IncarcerationName = _names(Incarceration)
    MetalLevelName = _names(MetalLevel)
    DependentEventName = _names(DependentEvent)
    DependentCoverageFromName = _names(DependentCoverageFrom)


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    command_id: Identifier | None = None
    on: BusinessDate
    command: str
    """The command's name: each command narrows it to its own (a `Literal`)."""


class Member(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    member_id: Identifier
    birth_date: BusinessDate
    resident: StrictBool
    lawfully_present: StrictBool
    incarcerated: StrictBool | None = None
    """True means `incarceration: serving`; give this or `incarceration` (or both, agreeing)."""
    aptc_eligible: StrictBool
    incarceration: IncarcerationName | None = None
    catastrophic_exemption: StrictBool | None = None


class MemberChange(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    member_id: Identifier
    birth_date: BusinessDate | None = None
    resident: StrictBool | None = None
    lawfully_present: StrictBool | None = None
    incarcerated: StrictBool | None = None
    aptc_eligible: StrictBool | None = None
    incarceration: IncarcerationName | None = None
    catastrophic_exemption: StrictBool | None = None


PlanYear = Annotated[StrictInt, Field(ge=2014, le=2100)]
HouseholdSize = Annotated[StrictInt, Field(ge=1, le=50)]


class ApplicationForm(Command):
    """What an application and a renewal both give."""

    household_id: Identifier
    plan_year: PlanYear
    household_size: HouseholdSize
    annual_magi: Money
    members: Annotated[list[Member], Field(min_length=1, max_length=50)]


class SubmitApplication(ApplicationForm):
    command: Literal["submit_application"]


class SubmitRenewal(ApplicationForm):
    command: Literal["submit_renewal"]


class DetermineEligibility(Command):
    command: Literal["determine_eligibility"]
    household_id: Identifier


class ReportChange(Command):
    command: Literal["report_change"]
    household_id: Identifier
    annual_magi: Money | None = None
    household_size: HouseholdSize | None = None
    members: Annotated[list[MemberChange], Field(max_length=50)] | None = None
    changed_on: BusinessDate | None = None
    """The day the change happened (not after `on`); a report more than 30 days after it is
    recorded `late` (12.09(2))."""


class ReportQualifyingEvent(Command):
    command: Literal["report_qualifying_event"]
    household_id: Identifier
    kind: QualifyingKindName
    event_on: BusinessDate | None = None


class SelectPlan(Command):
    command: Literal["select_plan"]
    enrollment_id: Identifier
    household_id: Identifier
    member_ids: Annotated[list[Identifier], Field(min_length=1, max_length=50)]
    plan_id: Identifier
    coverage: CoverageName
    monthly_premium: Money
    aptc_applied: Money = Decimal("0.00")
    metal_level: MetalLevelName | None = None


class RecordPayment(Command):
    command: Literal["record_payment"]
    enrollment_id: Identifier
    amount: Money
    reference: Identifier


class RunSchedule(Command):
    command: Literal["run_schedule"]
    through: BusinessDate


class RequestReinstatement(Command):
    command: Literal["request_reinstatement"]
    enrollment_id: Identifier


class RequestTermination(Command):
    """An enrollee's or a small employer's termination (`enrollment_id`); or a small-group
    employee's in a special enrollment period (`group_enrollment_id`, `employee_id`, `kind`,
    optional `event_on`)."""

    command: Literal["request_termination"]
    enrollment_id: Identifier | None = None
    group_enrollment_id: Identifier | None = None
    employee_id: Identifier | None = None
    kind: EmployeeEventKindName | None = None
    event_on: BusinessDate | None = None


class TerminateForFraud(Command):
    command: Literal["terminate_for_fraud"]
    enrollment_id: Identifier
    effective_on: BusinessDate
    """The last day of coverage: on or before `on` (before it, a rescission)."""
    finding: Annotated[str, Field(min_length=1, max_length=4000)]


class RenewEnrollment(Command):
    command: Literal["renew_enrollment"]
    enrollment_id: Identifier
    plan_year: PlanYear
    monthly_premium: Money
    plan_id: Identifier | None = None


class ChangePremium(Command):
    command: Literal["change_premium"]
    enrollment_id: Identifier
    monthly_premium: Money
    determination_event_id: Identifier


class RecordDeath(Command):
    command: Literal["record_death"]
    household_id: Identifier
    member_id: Identifier
    died_on: BusinessDate


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


_ID_SCHEMA = {"type": "string", "minLength": 1, "maxLength": MAX_ID_LENGTH}
GroundsCodes = Annotated[
    list[Identifier],
    BeforeValidator(_one_or_many),
    Field(min_length=1, max_length=20),
    WithJsonSchema(
        {
            "oneOf": [
                _ID_SCHEMA,
                {"type": "array", "items": _ID_SCHEMA, "minItems": 1, "maxItems": 20},
            ],
            "description": "one grounds code, or a list of them (each at most once)",
        }
    ),
]


class RequestHardshipWaiver(Command):
    command: Literal["request_hardship_waiver"]
    household_id: Identifier
    enrollment_id: Identifier
    grounds: GroundsCodes
    """One grounds code, or several (a form lets a member tick more than one)."""


class DecideHardshipWaiver(Command):
    command: Literal["decide_hardship_waiver"]
    request_id: Identifier | None = None
    enrollment_id: Identifier | None = None
    decision: WaiverDecisionName
    first_month: BusinessMonth
    months: Annotated[StrictInt, Field(ge=0, le=1200)]


class FileAppeal(Command):
    """A household's appeal (`household_id`), or an employer's (`employer_id`): one of them;
    `employer_id` with `employee_id` is its employee's (12.14(2)(b))."""

    command: Literal["file_appeal"]
    appeal_id: Identifier
    household_id: Identifier | None = None
    appealed_event_id: Identifier
    grounds: Annotated[str, Field(min_length=1, max_length=4000)]
    notice_received_on: BusinessDate | None = None
    notice_sent: StrictBool = True
    employer_id: Identifier | None = None
    employee_id: Identifier | None = None
    """The employee appealing an action naming them (with `employer_id`, 12.14(2)(b))."""
    filed_by: Identifier | None = None
    """The `representative_id` of the representative who filed it (12.17, 12.03)."""
    appellant_member_id: Identifier | None = None
    """The member the appeal is for (absent: the household)."""


class Findings(BaseModel):
    """Facts a hearing officer found (same shape as report_change)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    annual_magi: Money | None = None
    household_size: HouseholdSize | None = None
    members: Annotated[list[MemberChange], Field(max_length=50)] | None = None


class DecideAppeal(Command):
    command: Literal["decide_appeal"]
    appeal_id: Identifier
    outcome: AppealOutcomeName
    findings: Findings | None = None


class OrderRehearing(Command):
    command: Literal["order_rehearing"]
    appeal_id: Identifier


class DecideRehearing(Command):
    command: Literal["decide_rehearing"]
    appeal_id: Identifier
    outcome: RehearingOutcomeName
    superseding_outcome: SupersedingOutcomeName | None = None
    """With `supersede`: the superseding decision (upheld, reversed or dismissed)."""
    findings: Findings | None = None
    """With a superseding reversal: the facts the re-hearing found (as decide_appeal takes)."""


class DesignateRepresentative(Command):
    command: Literal["designate_representative"]
    household_id: Identifier
    representative_id: Identifier
    name: Annotated[str, Field(min_length=1, max_length=MAX_ID_LENGTH)]
    kind: RepresentativeKindName
    member_id: Identifier | None = None
    """The member represented (absent: the household and every member)."""
    written_authorization_on: BusinessDate


class RevokeRepresentative(Command):
    command: Literal["revoke_representative"]
    household_id: Identifier
    representative_id: Identifier


class ContinueAppeal(Command):
    command: Literal["continue_appeal"]
    appeal_id: Identifier
    representative_name: Annotated[str, Field(min_length=1, max_length=MAX_ID_LENGTH)]
    """The executor, administrator or other representative of the appellant's estate."""


# ---- small group -----------------------------------------------------------------------------

RATE_PATTERN = r"^(0(\.\d{1,4})?|1(\.0{1,4})?)$"
_RATE = re.compile(RATE_PATTERN)
HOURS_PATTERN = r"^\d{1,3}(\.\d{1,2})?$"
_HOURS = re.compile(HOURS_PATTERN)


def _parse_decimal(pattern: re.Pattern[str], what: str, example: str) -> Any:
    """A parser of a decimal string matching `pattern` (never a JSON number)."""

    def parse(value: Any) -> Decimal:
        if isinstance(value, (bool, int, float)):
            raise ValueError(f"{what} must be a decimal string (never a number)")
        if not isinstance(value, str) or not pattern.match(value):
            raise ValueError(f"{what} must be a decimal string such as {example}")
        return Decimal(value)

    return parse


Rate = Annotated[
    Decimal,
    BeforeValidator(_parse_decimal(_RATE, "a rate", '"0.75" (0 to 1, at most four places)')),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": RATE_PATTERN,
            "description": 'a share from 0 to 1 as a decimal string, e.g. "0.75"',
        }
    ),
]
Hours = Annotated[
    Decimal,
    BeforeValidator(_parse_decimal(_HOURS, "hours", '"37.5"')),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": HOURS_PATTERN,
            "description": 'average hours of service a week, a decimal string, e.g. "37.5"',
        }
    ),
]
EmployeeCount = Annotated[StrictInt, Field(ge=0, le=1_000_000)]


class RosterEmployee(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    employee_id: Identifier
    average_weekly_hours: Hours
    offered: StrictBool


class SubmitEmployerApplication(Command):
    """12.04(4)(a): the employer's application. `employee_count` is the IRC 4980H(c)(2) count;
    `roster` (optional) lists employees with their average weekly hours and whether they are
    offered coverage (12.04(4)(a)3 is then judged from it too)."""

    command: Literal["submit_employer_application"]
    employer_id: Identifier
    employee_count: EmployeeCount
    full_time_employees: EmployeeCount
    actively_engaged: StrictBool
    principal_address_in_ma: StrictBool
    offers_all_full_time: StrictBool
    offers_through_connector: StrictBool
    participation_rate: Rate
    contribution_rate: Rate
    roster: Annotated[list[RosterEmployee], Field(max_length=1000)] | None = None


class DetermineEmployerEligibility(Command):
    command: Literal["determine_employer_eligibility"]
    employer_id: Identifier


class SelectGroupPlan(Command):
    command: Literal["select_group_plan"]
    employer_id: Identifier
    group_enrollment_id: Identifier
    plan_id: Identifier
    coverage: CoverageName
    coverage_start_on: BusinessDate
    enrollment_deadline: BusinessDate


class EnrollEmployee(Command):
    """12.11(1), (4): `kind` and `event_on` for an enrollment after the employer's deadline
    (hiring or qualification, or a special enrollment period)."""

    command: Literal["enroll_employee"]
    group_enrollment_id: Identifier
    employee_id: Identifier
    member_ids: Annotated[list[Identifier], Field(min_length=1, max_length=50)]
    monthly_premium: Money
    kind: EmployeeEventKindName | None = None
    event_on: BusinessDate | None = None


class WaiveCoverage(Command):
    """12.11(1): `other_coverage` false for an employee who declines without coverage elsewhere
    (counted against the minimum participation when enrollment closes)."""

    command: Literal["waive_coverage"]
    group_enrollment_id: Identifier
    employee_id: Identifier
    other_coverage: bool = True


class TerminateGroupForFraud(Command):
    """12.11(5)(a): the group, or one `employee_id` of it, ended for fraud on `effective_on` (on
    or before `on`; before it, a rescission)."""

    command: Literal["terminate_group_for_fraud"]
    group_enrollment_id: Identifier
    effective_on: BusinessDate
    finding: Annotated[str, Field(min_length=1, max_length=4000)]
    employee_id: Identifier | None = None


class TerminateGroupIneligible(Command):
    """12.11(5)(c): the group of an employer last determined not eligible ends at the end of the
    month."""

    command: Literal["terminate_group_ineligible"]
    group_enrollment_id: Identifier


class AddDependent(Command):
    """12.11(2): a new dependent by birth, adoption or placement, covered from the event date or
    the first of the next month (`coverage_from`, the employee's election); `monthly_premium` is
    the employee's new premium with the dependent."""

    command: Literal["add_dependent"]
    group_enrollment_id: Identifier
    employee_id: Identifier
    member_id: Identifier
    event: DependentEventName
    event_on: BusinessDate
    coverage_from: DependentCoverageFromName
    monthly_premium: Money


class RenewGroupPlan(Command):
    """12.04(4)(b), 45 CFR 155.725(b): the group's next coverage year, optionally a new plan."""

    command: Literal["renew_group_plan"]
    group_enrollment_id: Identifier
    plan_id: Identifier | None = None


COMMANDS: dict[str, type[Command]] = {
    "submit_application": SubmitApplication,
    "determine_eligibility": DetermineEligibility,
    "submit_renewal": SubmitRenewal,
    "report_change": ReportChange,
    "report_qualifying_event": ReportQualifyingEvent,
    "select_plan": SelectPlan,
    "record_payment": RecordPayment,
    "run_schedule": RunSchedule,
    "request_reinstatement": RequestReinstatement,
    "request_termination": RequestTermination,
    "renew_enrollment": RenewEnrollment,
    "terminate_for_fraud": TerminateForFraud,
    "request_hardship_waiver": RequestHardshipWaiver,
    "decide_hardship_waiver": DecideHardshipWaiver,
    "file_appeal": FileAppeal,
    "decide_appeal": DecideAppeal,
    "order_rehearing": OrderRehearing,
    "submit_employer_application": SubmitEmployerApplication,
    "determine_employer_eligibility": DetermineEmployerEligibility,
    "select_group_plan": SelectGroupPlan,
    "enroll_employee": EnrollEmployee,
    "waive_coverage": WaiveCoverage,
    "decide_rehearing": DecideRehearing,
    "designate_representative": DesignateRepresentative,
    "revoke_representative": RevokeRepresentative,
    "change_premium": ChangePremium,
    "record_death": RecordDeath,
    "continue_appeal": ContinueAppeal,
    "terminate_group_for_fraud": TerminateGroupForFraud,
    "terminate_group_ineligible": TerminateGroupIneligible,
    "add_dependent": AddDependent,
    "renew_group_plan": RenewGroupPlan,
}


def _check_members(command: Command) -> None:
    if isinstance(command, ApplicationForm):
        ids = [m.member_id for m in command.members]
        if len(set(ids)) != len(ids):
            raise InvalidCommand("member_id values must be unique within an application")
        if command.household_size < len(ids):
            raise InvalidCommand("household_size cannot be smaller than the number of members")
    for money_field in _money_fields(type(command)):
        value = getattr(command, money_field)
        if value is not None and value < 0:
            raise InvalidCommand(f"{money_field} cannot be negative")
    if isinstance(command, RecordPayment) and command.amount <= 0:
        raise InvalidCommand("a payment amount must be positive")
    if isinstance(command, SelectPlan | EnrollEmployee) and len(set(command.member_ids)) != len(
        command.member_ids
    ):
        raise InvalidCommand("member_ids must be unique")
    if isinstance(command, RequestHardshipWaiver) and len(set(command.grounds)) != len(
        command.grounds
    ):
        raise InvalidCommand("each grounds code may be given once")
    _check_incarceration(command)


@cache
def _money_fields(model: type[Command]) -> tuple[str, ...]:
    """Which of the amounts that cannot be negative the command has (asked once per command:
    asking a pydantic model for a field it does not have goes through its slow `__getattr__`)."""
    return tuple(
        name
        for name in ("annual_magi", "monthly_premium", "aptc_applied")
        if name in model.model_fields
    )


def _check_incarceration(command: Command) -> None:
    """12.04(1)(b): an application's member says `incarcerated` or `incarceration` (or both,
    agreeing); a change or a finding may say either, never contradictory ones."""
    for index, member in enumerate(_members_of(command)):
        incarceration_status(member.incarcerated, member.incarceration)
        neither = member.incarcerated is None and member.incarceration is None
        if isinstance(member, Member) and neither:
            raise InvalidCommand(
                f"missing field 'members.{index}.incarcerated' (or 'incarceration')",
                "missing_field",
            )


def _members_of(command: Command) -> list[Member | MemberChange]:
    if isinstance(command, ApplicationForm):
        return list(command.members)
    if isinstance(command, ReportChange):
        return list(command.members or [])
    if isinstance(command, DecideAppeal) and command.findings is not None:
        return list(command.findings.members or [])
    if isinstance(command, DecideRehearing) and command.findings is not None:
        return list(command.findings.members or [])
    return []


def _check_dates_against_on(command: Command) -> None:
    """Dates that lie in the past of the command by their nature may not be later than its `on`:
    a member is born before the application that names them, an event happens before it is
    reported, a notice is received before the appeal of it, and a run of the schedule decides
    nothing after the day it is run. (`plan_year` and a waiver's `first_month` may lie ahead.)"""
    on = command.on
    for member in _members_of(command):
        if member.birth_date is not None and member.birth_date > on:
            raise InvalidCommand(
                f"member {member.member_id!r}: birth_date {member.birth_date.isoformat()} is "
                f"after the command's date (on {on.isoformat()})"
            )
    later: list[tuple[str, date | None]] = []
    if isinstance(command, ReportQualifyingEvent | EnrollEmployee | RequestTermination):
        later.append(("event_on", command.event_on))
    if isinstance(command, ReportChange):
        later.append(("changed_on", command.changed_on))
    if isinstance(command, TerminateForFraud | TerminateGroupForFraud):
        later.append(("effective_on", command.effective_on))
    if isinstance(command, AddDependent):
        later.append(("event_on", command.event_on))
    if isinstance(command, FileAppeal):
        later.append(("notice_received_on", command.notice_received_on))
    if isinstance(command, RunSchedule):
        later.append(("through", command.through))
    if isinstance(command, DesignateRepresentative):
        later.append(("written_authorization_on", command.written_authorization_on))
    if isinstance(command, RecordDeath):
        later.append(("died_on", command.died_on))
    for name, value in later:
        if value is not None and value > on:
            raise InvalidCommand(
                f"{name} {value.isoformat()} cannot be after the command's date (on "
                f"{on.isoformat()})"
            )


class ParsedCommand(NamedTuple):
    """A validated command: the domain's command, its id and its fingerprint."""

    command: domain.Command
    command_id: str | None
    fingerprint: str


def fingerprint(command: Command) -> str:
    """SHA-256 of the validated command as canonical JSON (sorted keys, money and dates in their
    normal form), without its `command_id` and without fields equal to their defaults: two
    commands with the same fingerprint ask for the same thing, and a field added later with a
    default does not change the fingerprint of a command recorded before it."""
    canonical = json.dumps(
        command.model_dump(mode="json", exclude={"command_id"}, exclude_defaults=True),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse_command(obj: Any) -> ParsedCommand:
    """Validate one decoded JSON command."""
    if not isinstance(obj, dict):
        raise InvalidCommand("a command must be a JSON object", "invalid_command")
    name = obj.get("command")
    if name is None:
        raise InvalidCommand("missing field 'command'", "missing_field")
    if not isinstance(name, str):
        raise InvalidCommand("invalid field 'command': must be a command's name", "invalid_field")
    model = COMMANDS.get(name)
    if model is None:
        raise InvalidCommand(f"unknown command {name[:80]!r}", "unknown_command")
    try:
        command = model.model_validate(obj)
    except ValidationError as e:
        raise _translate(e) from None
    _check_members(command)
    _check_dates_against_on(command)
    return ParsedCommand(to_domain(command), command.command_id, fingerprint(command))


def changes_of(findings: Findings) -> Changes:
    """A hearing's findings (or a what-if's facts) as the domain's `Changes`."""
    changes: Changes = _domain_object(Changes, findings)
    return changes


def to_domain(command: Command) -> domain.Command:
    """The domain's command of the same name as the wire model, built field by field from it
    (nested models by the domain's field types, lists as tuples, names as the domain's enums)."""
    name = type(command).__name__
    target = getattr(domain, name, None) or getattr(group_commands, name)
    built: domain.Command = _domain_object(target, command)
    return built


_FIELDS: dict[type[Any], tuple[tuple[str, Any], ...]] = {}


def _domain_fields(target: type[Any]) -> tuple[tuple[str, Any], ...]:
    """The fields of a domain dataclass with their types (read once per class)."""
    fields = _FIELDS.get(target)
    if fields is None:
        hints = typing_hints(target)
        fields = tuple((field.name, hints[field.name]) for field in dataclasses.fields(target))
        _FIELDS[target] = fields
    return fields


def _domain_object(target: type[Any], model: BaseModel) -> Any:
    return target(
        **{name: _domain_value(getattr(model, name), hint) for name, hint in _domain_fields(target)}
    )


def _domain_value(value: Any, hint: Any) -> Any:
    if value is None:
        return None
    kind = _not_none(hint)
    if isinstance(value, BaseModel):
        return _domain_object(kind, value)
    if isinstance(value, list):
        item = get_args(kind)[0]
        return tuple(_domain_value(v, item) for v in value)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(value)
    return value


def _not_none(hint: Any) -> Any:
    """`X` of `X | None`."""
    if get_origin(hint) in (Union, types.UnionType):
        (kind,) = [arg for arg in get_args(hint) if arg is not type(None)]
        return kind
    return hint


def _translate(error: ValidationError) -> InvalidCommand:
    first = error.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(p) for p in first["loc"]) or "command"
    kind = first["type"]
    if kind == "missing":
        return InvalidCommand(f"missing field {where!r}", "missing_field")
    if kind == "extra_forbidden":
        return InvalidCommand(f"unknown field {where!r}", "invalid_field")
    if kind == "string_pattern_mismatch" and first.get("ctx", {}).get("pattern") == NOT_BLANK:
        return InvalidCommand(f"invalid field {where!r}: must not be blank", "invalid_field")
    message = str(first["msg"])
    if "date" in message.lower() or "calendar" in message.lower():
        return InvalidCommand(f"invalid date in {where!r}: {message}", "invalid_date")
    return InvalidCommand(f"invalid field {where!r}: {message}", "invalid_field")


def command_schemas() -> dict[str, Any]:
    return {name: model.model_json_schema() for name, model in COMMANDS.items()}
