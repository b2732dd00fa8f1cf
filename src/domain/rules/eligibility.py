"""956 CMR 12.03 (Resident, FPL) and 12.04 (eligibility for Connector Programs)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..policy import PlanTypeBand, PolicyVersion

RESIDENT_HOUSEHOLD = "956 CMR 12.03 Resident(d)"
ELIGIBILITY = "956 CMR 12.04"
BASIC_ELIGIBILITY = "956 CMR 12.04(1)"
APTC_ONLY = "956 CMR 12.04(2)"
CONNECTORCARE = "956 CMR 12.04(3)"
CONNECTORCARE_LIMIT = "956 CMR 12.04(3)(a)1"
PLAN_TYPE = "956 CMR 12.04(3)(b)"
DENTAL_ELIGIBILITY = "956 CMR 12.16(1)(a)"


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
    """What an application says of one member (12.06)."""

    member_id: str
    resident: bool
    lawfully_present: bool
    incarcerated: bool
    aptc_eligible: bool


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
    if member.incarcerated:
        failures.append("956 CMR 12.04(1)(b): incarcerated")
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
