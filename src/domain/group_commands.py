"""The small group's commands added after its first edition (956 CMR 12.11(2), (5), 12.04(4)(b)):
plain typed values like those of `commands` (the adapters build them by name from either
module; their handlers are in `handlers.small_group_changes`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .commands import Command
from .rules.small_group_changes import DependentCoverageFrom, DependentEvent


@dataclass(frozen=True)
class TerminateGroupForFraud(Command):
    """12.11(5)(a): the group (or one `employee_id`) ended on `effective_on` (on or before `on`)."""

    group_enrollment_id: str
    effective_on: date
    finding: str
    employee_id: str | None = None


@dataclass(frozen=True)
class TerminateGroupIneligible(Command):
    """12.11(5)(c): the group of an employer last determined not eligible."""

    group_enrollment_id: str


@dataclass(frozen=True)
class AddDependent(Command):
    """12.11(2): a new dependent of an enrolled employee by birth, adoption or placement."""

    group_enrollment_id: str
    employee_id: str
    member_id: str
    event: DependentEvent
    event_on: date
    coverage_from: DependentCoverageFrom
    monthly_premium: Decimal


@dataclass(frozen=True)
class RenewGroupPlan(Command):
    """12.04(4)(b), 45 CFR 155.725(b): the group's next coverage year (optionally a new plan)."""

    group_enrollment_id: str
    plan_id: str | None = None
