"""956 CMR 12.12(7), 12.12(9), 12.16(3)(c): waiver or reduction of premium for extreme financial
hardship.

- 12.12(7)(a): the grounds of extreme financial hardship.
- 12.12(7)(b): only the portion of premium equal to the minimum premium of the member's
  ConnectorCare plan type is waived or reduced; the minimum premium schedule (12.12(9)) is a dated
  policy parameter.
- 12.12(7)(d): up to 12 months, possibly retroactive.
- 12.12(7)(f): no waiver for APTC-only or unassisted Non-Group Health Plans; 12.16(3)(c): nor for
  Dental Plans.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

from ..calendar import add_months
from ..errors import InvalidCommand, NoPolicyParameters
from .eligibility import Program
from .plan_selection import Coverage

if TYPE_CHECKING:
    from ..parameters import PolicyVersion

EXTREME_FINANCIAL_HARDSHIP = "956 CMR 12.12(7)(a)"
HOUSING = "956 CMR 12.12(7)(a)1"
UTILITIES = "956 CMR 12.12(7)(a)2"
DOMESTIC_VIOLENCE = "956 CMR 12.12(7)(a)3.a"
DEATH = "956 CMR 12.12(7)(a)3.b"
CAREGIVING = "956 CMR 12.12(7)(a)3.c"
DISASTER = "956 CMR 12.12(7)(a)3.d"
BANKRUPTCY = "956 CMR 12.12(7)(a)4"
MINIMUM_PREMIUM_PORTION = "956 CMR 12.12(7)(b)"
WAIVER_LENGTH = "956 CMR 12.12(7)(d)"
NOT_FOR_APTC_ONLY_OR_UNASSISTED = "956 CMR 12.12(7)(f)"
MINIMUM_PREMIUM_SCHEDULE = "956 CMR 12.12(9)"
NOT_FOR_DENTAL = "956 CMR 12.16(3)(c)"


class WaiverDecision(StrEnum):
    """The decision on a request for a waiver or reduction of premium (12.12(7))."""

    GRANTED = "granted"
    DENIED = "denied"


@dataclass(frozen=True)
class HardshipGround:
    """One ground of extreme financial hardship (12.12(7)(a)) with its clause."""

    clause: str
    description: str


class GroundsCode(StrEnum):
    """The stable codes of the grounds of extreme financial hardship (12.12(7)(a)), as recorded."""

    HOMELESS = "homeless"
    HOUSING_ARREARS = "housing_arrears"
    EVICTION_OR_FORECLOSURE_NOTICE = "eviction_or_foreclosure_notice"
    UTILITY_SHUTOFF = "utility_shutoff"
    DOMESTIC_VIOLENCE = "domestic_violence"
    DEATH_OF_FAMILY_MEMBER = "death_of_family_member"
    SUDDEN_CAREGIVING = "sudden_caregiving"
    DISASTER = "disaster"
    BANKRUPTCY = "bankruptcy"


HARDSHIP_GROUNDS: Mapping[str, HardshipGround] = MappingProxyType(
    {
        GroundsCode.HOMELESS: HardshipGround(HOUSING, "is homeless"),
        GroundsCode.HOUSING_ARREARS: HardshipGround(
            HOUSING, "is more than 30 days in arrears in rent or mortgage payments"
        ),
        GroundsCode.EVICTION_OR_FORECLOSURE_NOTICE: HardshipGround(
            HOUSING, "has received an eviction or foreclosure notice within the last 60 days"
        ),
        GroundsCode.UTILITY_SHUTOFF: HardshipGround(
            UTILITIES,
            "has a shut-off notice, has been shut off, or has a refusal to deliver essential "
            "utilities (gas, electric, oil, water, or sole telephone) within the 60 days before "
            "applying",
        ),
        GroundsCode.DOMESTIC_VIOLENCE: HardshipGround(
            DOMESTIC_VIOLENCE,
            "a significant, unexpected increase in essential expenses within the last six months "
            "resulting directly from domestic violence",
        ),
        GroundsCode.DEATH_OF_FAMILY_MEMBER: HardshipGround(
            DEATH,
            "a significant, unexpected increase in essential expenses within the last six months "
            "resulting directly from the death of a spouse, family member, or partner with "
            "primary responsibility for child care",
        ),
        GroundsCode.SUDDEN_CAREGIVING: HardshipGround(
            CAREGIVING,
            "a significant, unexpected increase in essential expenses within the last six months "
            "resulting directly from the sudden need to provide full-time care for self, an aging "
            "parent or another family member",
        ),
        GroundsCode.DISASTER: HardshipGround(
            DISASTER,
            "a significant, unexpected increase in essential expenses within the last six months "
            "resulting directly from a fire, flood, natural disaster, or other unexpected event "
            "causing substantial household or personal damage",
        ),
        GroundsCode.BANKRUPTCY: HardshipGround(
            BANKRUPTCY,
            "has filed for bankruptcy within the last 12 months and the debts have not yet been "
            "discharged",
        ),
    }
)
"""Stable grounds codes (the `grounds` of `request_hardship_waiver`) -> clause and description."""


def grounds_clause(code: str) -> str:
    """The 12.12(7)(a) clause of a grounds code; unknown grounds are refused (invalid_field)."""
    try:
        return HARDSHIP_GROUNDS[code].clause
    except KeyError:
        valid = ", ".join(sorted(HARDSHIP_GROUNDS))
        raise InvalidCommand(
            f"unknown hardship grounds {code!r} ({EXTREME_FINANCIAL_HARDSHIP}); valid grounds: "
            f"{valid}",
            "invalid_field",
        ) from None


def grounds_clauses(codes: Sequence[str]) -> list[str]:
    """12.12(7)(a): the clause of each grounds code of a request (a member may state several
    grounds); at least one, each once, none unknown (invalid_field)."""
    if not codes:
        raise InvalidCommand(
            f"a hardship waiver request needs at least one grounds code ({EXTREME_FINANCIAL_HARDSHIP})",
            "invalid_field",
        )
    if len(set(codes)) != len(codes):
        raise InvalidCommand("each grounds code may be given once", "invalid_field")
    return [grounds_clause(code) for code in codes]


def grounds_citation(clauses: Sequence[str]) -> str:
    """The citation of a request: its grounds' clauses, each once, in the order given."""
    return "; ".join(dict.fromkeys(clauses))


def waiver_refusal(program: str, coverage: str) -> str | None:
    """The clause that refuses a hardship waiver for this enrollment, or None when one may be
    granted (a ConnectorCare health plan).

    `program` is the member's program (`connectorcare`, `aptc_only`, `non_group`); `coverage` is
    `health` or `dental`. Dental: 12.16(3)(c), whatever the program. APTC only or without financial
    assistance: 12.12(7)(f).
    """
    if coverage not in tuple(Coverage):
        raise InvalidCommand(
            f"unknown coverage {coverage!r}; expected {Coverage.HEALTH.value!r} or "
            f"{Coverage.DENTAL.value!r}",
            "invalid_field",
        )
    if coverage == Coverage.DENTAL:
        return NOT_FOR_DENTAL
    if program == Program.CONNECTORCARE:
        return None
    if program in (Program.APTC_ONLY, Program.NON_GROUP):
        return NOT_FOR_APTC_ONLY_OR_UNASSISTED
    raise InvalidCommand(
        f"unknown program {program!r}; expected one of {Program.CONNECTORCARE.value!r}, "
        f"{Program.APTC_ONLY.value!r}, {Program.NON_GROUP.value!r}",
        "invalid_field",
    )


def denial_citation(program: str, coverage: str) -> str:
    """The clause a denial names: the one that refuses any waiver of this enrollment's premiums
    (`waiver_refusal`: 12.12(7)(f), 12.16(3)(c)), else the hardship standard the request was
    weighed against (12.12(7)(a))."""
    return waiver_refusal(program, coverage) or EXTREME_FINANCIAL_HARDSHIP


def check_waiver_months(months: int, policy: PolicyVersion, on: date) -> None:
    """12.12(7)(d): a waiver or reduction is authorized for at least one and at most 12 months."""
    most = policy.waiver_max_months.at(on)
    if not 1 <= months <= most:
        raise InvalidCommand(
            f"months must be between 1 and {most} ({WAIVER_LENGTH}); got {months}",
            "invalid_field",
        )


def waivable_portion(
    monthly_premium: Decimal,
    plan_type: str,
    plan_year: int,
    policy: PolicyVersion,
    *,
    members: int = 1,
) -> Decimal:
    """12.12(7)(b): the part of a monthly premium a waiver may remove: at most the minimum premium
    of the plan type (12.12(9) schedule for the plan year), per member covered.

    Raises NoPolicyParameters when the schedule has no figure for the plan year or plan type.
    """
    if monthly_premium < 0:
        raise InvalidCommand(f"monthly_premium must not be negative; got {monthly_premium}")
    if members < 1:
        raise InvalidCommand(f"members must be at least 1; got {members}")
    schedule = policy.minimum_premiums(plan_year)
    try:
        minimum = schedule.value[plan_type]
    except KeyError:
        known = ", ".join(sorted(schedule.value))
        raise NoPolicyParameters(
            f"no ConnectorCare minimum premium for plan type {plan_type!r} in plan year "
            f"{plan_year} ({MINIMUM_PREMIUM_SCHEDULE}; {schedule.source}; policy version "
            f"{policy.version}; published plan types: {known}): a hardship waiver cannot be "
            f"sized ({MINIMUM_PREMIUM_PORTION}) until one is added"
        ) from None
    return min(monthly_premium, minimum * members)


def waiver_months(first_month: date, months: int) -> list[date]:
    """The first days of the `months` months a waiver covers, from the month of `first_month`."""
    return [add_months(first_month, offset) for offset in range(months)]
