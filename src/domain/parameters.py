"""The shapes of Connector policy: a dated parameter (`Dated`, `Parameter`), the full set of
parameters of one version of policy (`PolicyVersion`) and every version adopted (`PolicyBook`).
The rules take a `PolicyVersion`; the values themselves, each with its source, are `policy.py`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Generic, TypeVar

from .errors import NoPolicyParameters

T = TypeVar("T")


@dataclass(frozen=True)
class Dated(Generic[T]):
    """A parameter value in force from `since` on, with where it comes from."""

    since: date
    value: T
    source: str


@dataclass(frozen=True)
class Parameter(Generic[T]):
    """A series of dated values; the value in force on a date is the latest that began by then."""

    name: str
    values: tuple[Dated[T], ...]

    def at(self, on: date) -> T:
        return self.dated_at(on).value

    def dated_at(self, on: date) -> Dated[T]:
        found: Dated[T] | None = None
        for dated in self.values:
            if dated.since <= on and (found is None or dated.since >= found.since):
                found = dated
        if found is None:
            raise NoPolicyParameters(f"no value of policy parameter {self.name!r} in force on {on}")
        return found


@dataclass(frozen=True)
class FplGuideline:
    """HHS poverty guideline (48 states): the amount for one person plus one per extra person."""

    first_person: Decimal
    per_extra_person: Decimal
    guidelines_year: int

    def for_household(self, size: int) -> Decimal:
        return self.first_person + self.per_extra_person * (size - 1)


@dataclass(frozen=True)
class PlanTypeBand:
    """A ConnectorCare plan type: household MAGI up to and including `up_to_percent` of FPL."""

    plan_type: str
    up_to_percent: Decimal


@dataclass(frozen=True)
class PolicyVersion:
    """The full set of parameters of one version of Connector policy."""

    version: str
    adopted_on: date
    # 12.03: FPL for plan year Y is the HHS guideline in force on the first day of open enrollment.
    fpl_by_plan_year: Mapping[int, Dated[FplGuideline]]
    # 12.04(3): ConnectorCare up to 500% FPL, in plan-type bands.
    connectorcare_limit_percent: Parameter[Decimal]
    plan_type_bands: Parameter[tuple[PlanTypeBand, ...]]
    # 12.08(2), 12.10(8): mid-month cut-off day (a change or request on or before it is on time).
    mid_month_cutoff_day: Parameter[int]
    # 12.10(1): open enrollment for plan year Y, as (month, day) of Y-1 to (month, day) of Y.
    open_enrollment_start: Parameter[tuple[int, int]]
    open_enrollment_end: Parameter[tuple[int, int]]
    # 12.10(1): special enrollment periods last 60 days from the event.
    special_enrollment_days: Parameter[int]
    # 12.10(2)-(3), 12.12(1): billing.
    invoice_issue_day: Parameter[int]
    premium_due_day: Parameter[int]
    # 12.12(2), (4): delinquency notices and the payment date they give.
    delinquency_notice_day: Parameter[int]
    delinquency_payment_days: Parameter[int]
    # 12.12(4)-(5): delinquent months before a financially assisted enrollee is terminated.
    fa_delinquent_months_before_termination: Parameter[int]
    # 12.12(2)-(3): the same without financial assistance (the first notice warns).
    non_fa_delinquent_months_before_termination: Parameter[int]
    # 12.12(6): reinstatement request window after the termination notice (non-group).
    reinstatement_window_days: Parameter[int]
    # 12.12(7)(d), (9): hardship waivers.
    waiver_max_months: Parameter[int]
    minimum_premium_by_plan_year: Mapping[int, Dated[Mapping[str, Decimal]]]
    # 12.14(2)(a), 12.15(5): appeals.
    appeal_notice_receipt_days: Parameter[int]
    appeal_days_after_receipt: Parameter[int]
    appeal_days_without_notice: Parameter[int]
    rehearing_days: Parameter[int]
    # The small-group program (12.04(4), 12.11, 12.12(11)-(13), 12.14(2)(b)).
    # 12.03, 12.04(4)(a)1, 3: a Small Employer's most employees; a full-time employee's hours.
    small_employer_max_employees: Parameter[int]
    full_time_weekly_hours: Parameter[Decimal]
    # 12.04(4)(a)5: Connector policy's minimum participation and employer contribution.
    small_group_minimum_participation: Parameter[Decimal]
    small_group_minimum_contribution: Parameter[Decimal]
    # 12.11(3): the small-group open enrollment, (month, day) to (month, day) of each year.
    small_group_open_enrollment: Parameter[tuple[tuple[int, int], tuple[int, int]]]
    # 12.11(4): the employees' enrollment periods (45 CFR 155.725(g), (j)).
    small_group_newly_qualified_days: Parameter[int]
    small_group_special_enrollment_days: Parameter[int]
    small_group_medicaid_chip_special_enrollment_days: Parameter[int]
    # 12.12(11): delinquent months before the notice gives the payment date.
    small_group_delinquent_months_before_termination: Parameter[int]
    # 12.12(13): the reinstatement window, from the day the termination was decided.
    small_group_reinstatement_window_days: Parameter[int]
    # 12.14(2)(b): the appeal period for small-group actions.
    small_group_appeal_days: Parameter[int]
    # 12.15(5): the re-hearing's decision, within 30 days after the order.
    rehearing_decision_days: Parameter[int]
    notes: tuple[str, ...] = field(default=())

    def fpl(self, plan_year: int) -> Dated[FplGuideline]:
        try:
            return self.fpl_by_plan_year[plan_year]
        except KeyError:
            raise NoPolicyParameters(
                f"no Federal Poverty Level parameters for plan year {plan_year} "
                f"(policy version {self.version})"
            ) from None

    def minimum_premiums(self, plan_year: int) -> Dated[Mapping[str, Decimal]]:
        try:
            return self.minimum_premium_by_plan_year[plan_year]
        except KeyError:
            raise NoPolicyParameters(
                f"no ConnectorCare minimum premium schedule (956 CMR 12.12(9)) for plan year "
                f"{plan_year} (policy version {self.version})"
            ) from None


@dataclass(frozen=True)
class PolicyBook:
    """Every version of policy ever adopted, oldest first."""

    versions: tuple[PolicyVersion, ...]

    def in_force(self, on: date) -> PolicyVersion:
        """The version adopted most recently on or before `on` (the earliest if none yet)."""
        chosen = self.versions[0]
        for version in self.versions:
            if version.adopted_on <= on:
                chosen = version
        return chosen

    def version(self, version_id: str) -> PolicyVersion:
        for version in self.versions:
            if version.version == version_id:
                return version
        raise NoPolicyParameters(f"unknown policy version {version_id!r}")

    @property
    def current(self) -> PolicyVersion:
        return self.versions[-1]
