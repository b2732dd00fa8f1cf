"""956 CMR 12.04, 12.16(1)(a): the terms on which a plan is chosen, from what was determined.

- A health plan (12.04): every member chosen for it determined eligible for a Connector Program
  for Non-Group Health Plans; the enrollment is ConnectorCare (with that member's plan type) when
  any of them is, else APTC only when any of them is, else non-group; APTC applied for members
  eligible for none is refused (12.04(2)). The plan year is that of the latest determination.
- A dental plan (12.16(1)(a)): every member meets 12.04(1)(a)-(c) on the application, with no
  determination needed; APTC applied needs every member determined financially assisted, and makes
  the enrollment APTC only. The plan year is the application's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ..errors import InvalidCommand, NotEligible
from .eligibility import (
    APTC_ONLY,
    CATASTROPHIC_PLAN,
    DENTAL_ELIGIBILITY,
    ELIGIBILITY,
    FINANCIALLY_ASSISTED,
    MemberFacts,
    Program,
    catastrophic_refusals,
    meets_dental_eligibility,
)

BASIC_ELIGIBILITY_CLAUSES = "956 CMR 12.04(1)(a)-(c)"


class Coverage(StrEnum):
    """What a plan covers: a Non-Group Health Plan or a Dental Plan (12.16)."""

    HEALTH = "health"
    DENTAL = "dental"


class MetalLevel(StrEnum):
    """A Non-Group Health Plan's level of coverage (42 USC 18022(d)-(e)); `catastrophic` is the
    plan of 42 USC 18022(e), open only to some members (12.04(1))."""

    BRONZE = "bronze"
    SILVER = "silver"
    GOLD = "gold"
    PLATINUM = "platinum"
    CATASTROPHIC = "catastrophic"


def check_metal_level(
    metal_level: MetalLevel | None,
    coverage: Coverage,
    members: Sequence[MemberFacts],
    plan_year: int,
) -> None:
    """12.04(1): a catastrophic plan needs every member chosen for it under 30 before the plan
    year begins, or exempt (`eligibility.catastrophic_refusals`); refused `not_eligible`. A metal
    level is a health plan's: a dental plan with one is refused `invalid_field`."""
    if metal_level is None:
        return
    if coverage == Coverage.DENTAL:
        raise InvalidCommand("a dental plan has no metal level", "invalid_field")
    if metal_level != MetalLevel.CATASTROPHIC:
        return
    refused = catastrophic_refusals(members, plan_year)
    if refused:
        raise NotEligible(
            f"a catastrophic plan is not available: {'; '.join(refused)} ({CATASTROPHIC_PLAN})"
        )


@dataclass(frozen=True)
class PlanTerms:
    """The program, plan type and plan year an enrollment is made on."""

    program: Program
    plan_type: str | None
    plan_year: int


MemberRecord = Mapping[str, Any]
"""A member's latest determined result as recorded (`program`, `plan_type`, ...)."""


def health_terms(
    latest_plan_year: int | None,
    results: Mapping[str, MemberRecord | None],
    aptc_applied: Decimal,
) -> PlanTerms:
    """12.04: the terms of a health plan for the members of `results` (each member's latest
    determined result, None when never determined), with `latest_plan_year` the plan year of the
    household's latest determination (None when there is none)."""
    if latest_plan_year is None:
        raise NotEligible(f"the household has no eligibility determination ({ELIGIBILITY})")
    for member_id, result in results.items():
        if result is None or result["program"] == Program.INELIGIBLE:
            raise NotEligible(
                f"member {member_id!r} is not eligible for a Connector Program for Non-Group "
                f"Health Plans ({ELIGIBILITY})"
            )
    determined = [result for result in results.values() if result is not None]
    programs = {result["program"] for result in determined}
    if aptc_applied > 0 and not programs & FINANCIALLY_ASSISTED:
        raise NotEligible(f"APTC applied for members not eligible for APTC ({APTC_ONLY})")
    if Program.CONNECTORCARE in programs:
        plan_type = next(
            r["plan_type"] for r in determined if r["program"] == Program.CONNECTORCARE
        )
        return PlanTerms(Program.CONNECTORCARE, plan_type, latest_plan_year)
    if Program.APTC_ONLY in programs:
        return PlanTerms(Program.APTC_ONLY, None, latest_plan_year)
    return PlanTerms(Program.NON_GROUP, None, latest_plan_year)


def dental_terms(
    member_ids: Sequence[str],
    household: Mapping[str, MemberFacts],
    results: Mapping[str, MemberRecord | None],
    aptc_applied: Decimal,
    application_plan_year: int,
) -> PlanTerms:
    """12.16(1)(a): the terms of a dental plan for `member_ids`, from the facts of every member of
    the application (`household`) and, when APTC is applied, their latest determined results."""
    everyone = list(household.values())
    for member_id in member_ids:
        if not meets_dental_eligibility(household[member_id], everyone):
            raise NotEligible(
                f"member {member_id!r} does not meet {BASIC_ELIGIBILITY_CLAUSES}, required for a "
                f"Dental Plan ({DENTAL_ELIGIBILITY})"
            )
    if aptc_applied <= 0:
        return PlanTerms(Program.NON_GROUP, None, application_plan_year)
    chosen = [results.get(member_id) for member_id in member_ids]
    if not all(r is not None and r["program"] in FINANCIALLY_ASSISTED for r in chosen):
        raise NotEligible(f"APTC applied for members not eligible for APTC ({APTC_ONLY})")
    return PlanTerms(Program.APTC_ONLY, None, application_plan_year)
