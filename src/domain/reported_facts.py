"""The facts a command carries, as plain typed values: a member as an application describes
them (12.06), what changed of a household or a member (12.09(2), or found at a hearing), and an
employer's roster (12.04(4)(a)3); each as the event that records it holds it (`record()`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .errors import InvalidCommand
from .rules.eligibility import Incarceration, incarceration_status


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
