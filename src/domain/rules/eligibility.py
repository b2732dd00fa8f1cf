"""956 CMR 12.03 (Resident, FPL) and 12.04 (eligibility for Connector Programs)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ..errors import InvalidCommand

if TYPE_CHECKING:
    from ..parameters import PlanTypeBand, PolicyVersion

RESIDENT_HOUSEHOLD = "956 CMR 12.03 Resident(d)"
ELIGIBILITY = "956 CMR 12.04"
BASIC_ELIGIBILITY = "956 CMR 12.04(1)"
APTC_ONLY = "956 CMR 12.04(2)"
CONNECTORCARE = "956 CMR 12.04(3)"
CONNECTORCARE_LIMIT = "956 CMR 12.04(3)(a)1"
PLAN_TYPE = "956 CMR 12.04(3)(b)"
DENTAL_ELIGIBILITY = "956 CMR 12.16(1)(a)"
INCARCERATION = "956 CMR 12.04(1)(b)"
CATASTROPHIC_PLAN = "956 CMR 12.04(1), catastrophic plans (42 USC 18022(e))"
CATASTROPHIC_AGE_LIMIT = 30
"""12.04(1): a catastrophic plan is for an individual who has "not ... reached the age of 30 before
the beginning of the plan year" (the regulation fixes the age: a rule, not a policy parameter)."""
CATASTROPHIC_EXEMPTION = "45 CFR 155.305(h)(2)"


class Incarceration(StrEnum):
    """What an application says of a member's incarceration (12.04(1)(b)), as recorded."""

    NONE = "none"
    PENDING_DISPOSITION = "pending_disposition"
    """Incarcerated pending the disposition of charges: 12.04(1)(b) excepts it."""
    SERVING = "serving"
    """Incarcerated other than pending the disposition of charges: not eligible."""


def incarceration_status(
    incarcerated: bool | None, incarceration: str | None
) -> Incarceration | None:
    """12.04(1)(b), read from what a member record gives: `incarceration` (one of
    `Incarceration`), or the older boolean `incarcerated` (true means `serving`, false `none`), or
    both when they agree (`incarcerated` is false exactly when the status is not `serving`).
    None when neither is given. Both given and contradictory is refused (`invalid_field`)."""
    status = None if incarceration is None else Incarceration(incarceration)
    if incarcerated is None:
        return status
    if status is None:
        return Incarceration.SERVING if incarcerated else Incarceration.NONE
    if incarcerated != (status == Incarceration.SERVING):
        raise InvalidCommand(
            f"incarcerated {str(incarcerated).lower()} contradicts incarceration "
            f"{status.value!r} (incarcerated: true means serving, {INCARCERATION})",
            "invalid_field",
        )
    return status


class Program(StrEnum):
    """The Connector Program a member is determined eligible for (12.04), as recorded."""

    NON_GROUP = "non_group"
    """12.04(1): a Non-Group Health Plan without financial assistance."""
    APTC_ONLY = "aptc_only"
    """12.04(2): a Non-Group Health Plan with APTC only."""
    CONNECTORCARE = "connectorcare"
    """12.04(3): ConnectorCare, with a plan type."""
    INELIGIBLE = "ineligible"
    """Fails 12.04(1)(a)-(c): no Connector Program for Non-Group Health Plans."""


FINANCIALLY_ASSISTED = frozenset({Program.APTC_ONLY, Program.CONNECTORCARE})


@dataclass(frozen=True)
class MemberFacts:
    """What an application says of one member (12.06). `incarcerated` is the boolean an
    application gives (true: serving a sentence); `incarceration`, when given, says which kind
    (12.04(1)(b)) and wins."""

    member_id: str
    resident: bool
    lawfully_present: bool
    incarcerated: bool
    aptc_eligible: bool
    incarceration: Incarceration | None = None
    birth_date: date | None = None
    catastrophic_exemption: bool = False

    @property
    def serving_sentence(self) -> bool:
        """12.04(1)(b): incarcerated, other than pending the disposition of charges."""
        if self.incarceration is not None:
            return self.incarceration == Incarceration.SERVING
        return self.incarcerated


@dataclass(frozen=True)
class MemberEligibility:
    member_id: str
    program: Program
    plan_type: str | None
    reasons: tuple[str, ...]
    citation: str


@dataclass(frozen=True)
class MemberDetermination:
    """One member's determination (12.04) with its effective date (12.08, 12.07(1))."""

    member_id: str
    program: Program
    plan_type: str | None
    fpl_percent: str
    effective_on: date
    citation: str
    effective_citation: str
    reasons: tuple[str, ...]

    def record(self) -> dict[str, Any]:
        """As an `EligibilityDetermined` event records it (the date ISO, the reasons a list)."""
        return {
            "member_id": self.member_id,
            "program": self.program.value,
            "plan_type": self.plan_type,
            "fpl_percent": self.fpl_percent,
            "effective_on": self.effective_on.isoformat(),
            "citation": self.citation,
            "effective_citation": self.effective_citation,
            "reasons": list(self.reasons),
        }


def treated_as_resident(member: MemberFacts, household: Sequence[MemberFacts]) -> bool:
    """12.03 Resident(d): a member of a Household where at least one other member is a Resident
    is also treated as a Resident."""
    if member.resident:
        return True
    return any(other.resident for other in household if other.member_id != member.member_id)


def basic_eligibility_failures(
    member: MemberFacts, household: Sequence[MemberFacts]
) -> tuple[str, ...]:
    """12.04(1)(a)-(c): lawfully present, not incarcerated (other than pending disposition of
    charges), and a Resident. Returns the clauses the member fails (empty when eligible)."""
    failures: list[str] = []
    if not member.lawfully_present:
        failures.append("956 CMR 12.04(1)(a): not a citizen, national or lawfully present")
    if member.serving_sentence:
        failures.append(
            "956 CMR 12.04(1)(b): incarcerated, other than pending the disposition of charges"
        )
    if not treated_as_resident(member, household):
        failures.append("956 CMR 12.04(1)(c): not a Resident")
    return tuple(failures)


def fpl_percent(annual_magi: Decimal, fpl_amount: Decimal) -> Decimal:
    """Household MAGI as a percentage of the FPL, exact (rounding is for display only)."""
    return annual_magi * Decimal(100) / fpl_amount


def display_percent(percent: Decimal) -> str:
    return str(percent.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def within_percent(annual_magi: Decimal, fpl_amount: Decimal, limit_percent: Decimal) -> bool:
    """ "At or below" / "not in excess of" `limit_percent` of the FPL, compared exactly in cents."""
    return annual_magi * Decimal(100) <= limit_percent * fpl_amount


def plan_type(
    annual_magi: Decimal, fpl_amount: Decimal, bands: Sequence[PlanTypeBand]
) -> str | None:
    """12.04(3)(b): the plan type of the first band whose upper limit the MAGI does not exceed;
    None above the last band (no ConnectorCare)."""
    for band in bands:
        if within_percent(annual_magi, fpl_amount, band.up_to_percent):
            return band.plan_type
    return None


def member_eligibility(
    member: MemberFacts,
    household: Sequence[MemberFacts],
    annual_magi: Decimal,
    fpl_amount: Decimal,
    policy: PolicyVersion,
    plan_year_start: date,
) -> MemberEligibility:
    """12.04: the program (and ConnectorCare plan type) of one member.

    - fails 12.04(1)(a)-(c) -> `ineligible`;
    - APTC-eligible at or below 500% FPL -> `connectorcare` with a plan type (12.04(3));
    - APTC-eligible above 500% FPL -> `aptc_only` (12.04(2));
    - otherwise -> `non_group` (12.04(1)).
    """
    failures = basic_eligibility_failures(member, household)
    if failures:
        return MemberEligibility(
            member.member_id, Program.INELIGIBLE, None, failures, BASIC_ELIGIBILITY
        )
    if not member.aptc_eligible:
        return MemberEligibility(
            member.member_id, Program.NON_GROUP, None, ("not eligible for APTC",), BASIC_ELIGIBILITY
        )
    limit = policy.connectorcare_limit_percent.at(plan_year_start)
    if within_percent(annual_magi, fpl_amount, limit):
        bands = policy.plan_type_bands.at(plan_year_start)
        return MemberEligibility(
            member.member_id,
            Program.CONNECTORCARE,
            plan_type(annual_magi, fpl_amount, bands),
            (f"household MAGI at or below {limit}% FPL",),
            PLAN_TYPE,
        )
    return MemberEligibility(
        member.member_id,
        Program.APTC_ONLY,
        None,
        (f"household MAGI above {limit}% FPL",),
        APTC_ONLY,
    )


def meets_dental_eligibility(member: MemberFacts, household: Sequence[MemberFacts]) -> bool:
    """12.16(1)(a): meeting 12.04(1)(a)-(c) is enough for a Dental Plan."""
    return not basic_eligibility_failures(member, household)


def reached_age_before(birth_date: date, age: int, day: date) -> bool:
    """Whether someone born on `birth_date` reached `age` before `day` (on a day earlier than it):
    an age is reached on the birthday (29 February's on 1 March in a common year)."""
    last_day_before = date.fromordinal(day.toordinal() - 1)
    years = last_day_before.year - birth_date.year
    if (last_day_before.month, last_day_before.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years >= age


def catastrophic_refusals(members: Sequence[MemberFacts], plan_year: int) -> tuple[str, ...]:
    """12.04(1): a catastrophic plan needs every member on it to meet 12.04(1)(a)-(c) (checked by
    the plan selection) and also either not to have reached the age of 30 before the beginning of
    the plan year (1 January: someone whose 30th birthday is that day has not reached 30 before
    it), or to hold a hardship exemption (45 CFR 155.305(h)(2), `catastrophic_exemption`).
    The reasons of every member refused (empty when the plan may be chosen)."""
    first_day = date(plan_year, 1, 1)
    refused: list[str] = []
    for member in members:
        if member.catastrophic_exemption:
            continue
        if member.birth_date is None:
            refused.append(f"member {member.member_id!r} has no birth date")
        elif reached_age_before(member.birth_date, CATASTROPHIC_AGE_LIMIT, first_day):
            refused.append(
                f"member {member.member_id!r} (born {member.birth_date.isoformat()}) reached "
                f"{CATASTROPHIC_AGE_LIMIT} before {first_day.isoformat()} and holds no hardship "
                f"exemption ({CATASTROPHIC_EXEMPTION})"
            )
    return tuple(refused)
