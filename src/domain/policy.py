"""Dated policy parameters: every number the regulation leaves to "Connector policy", and the
numbers the regulation itself fixes, in one place, each keyed by the date it takes effect and
with its source. History is appended, never overwritten: a correction is a new `PolicyVersion`.

A decision names the `policy_version` in force on its business date; a hearing can recompute
that decision with the same version, or with the current one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Generic, TypeVar

from .errors import NoPolicyParameters
from .rules.appeals import DEADLINE_AFTER_NOTICE, DEADLINE_WITHOUT_NOTICE, REHEARING
from .rules.eligibility import CONNECTORCARE_LIMIT, PLAN_TYPE
from .rules.enrollment_periods import SPECIAL_ENROLLMENT_LENGTH
from .rules.premiums import FA_DELINQUENT, NON_FA_DELINQUENT
from .rules.small_group import (
    CONTRACT_SMALL_GROUP,
    GROUP_APPEAL_DEADLINE,
    GROUP_DELINQUENT,
    GROUP_REINSTATEMENT,
    OFFERS_ALL_FULL_TIME,
    SHOP_NEWLY_QUALIFIED,
    SMALL_EMPLOYER_DEFINITION,
    SMALL_GROUP_OPEN_ENROLLMENT,
)
from .rules.small_group_changes import SHOP_SPECIAL_ENROLLMENT_SOURCE
from .rules.waivers import WAIVER_LENGTH

T = TypeVar("T")

CONTRACT = (
    "the ledger's contract, Policy defaults (until the Connector's written policy says otherwise)"
)


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


def _since_2014(name: str, value: T, source: str = CONTRACT) -> Parameter[T]:
    return Parameter(name, (Dated(date(2014, 1, 1), value, source),))


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


_HHS_2024 = "HHS poverty guidelines 2024 (48 states), in force on 1 November 2024 (956 CMR 12.03)"
_HHS_2025 = "HHS poverty guidelines 2025 (48 states), in force on 1 November 2025 (956 CMR 12.03)"
_HHS_2026 = (
    "HHS poverty guidelines 2026 (48 states), Federal Register 15 January 2026, "
    "in force on 1 November 2026 (956 CMR 12.03)"
)
_CC_OVERVIEW_2026 = "Health Connector, ConnectorCare Overview 2026, Table 3 (956 CMR 12.12(9))"

POLICY_V1 = PolicyVersion(
    version="2026.1",
    adopted_on=date(2014, 1, 1),
    fpl_by_plan_year={
        2025: Dated(
            date(2024, 11, 1), FplGuideline(Decimal("15060"), Decimal("5380"), 2024), _HHS_2024
        ),
        2026: Dated(
            date(2025, 11, 1), FplGuideline(Decimal("15650"), Decimal("5500"), 2025), _HHS_2025
        ),
        2027: Dated(
            date(2026, 11, 1), FplGuideline(Decimal("15960"), Decimal("5680"), 2026), _HHS_2026
        ),
    },
    connectorcare_limit_percent=_since_2014(
        "connectorcare_limit_percent", Decimal("500"), CONNECTORCARE_LIMIT
    ),
    plan_type_bands=_since_2014(
        "plan_type_bands",
        (
            PlanTypeBand("1", Decimal("100")),
            PlanTypeBand("2A", Decimal("150")),
            PlanTypeBand("2B", Decimal("200")),
            PlanTypeBand("3A", Decimal("250")),
            PlanTypeBand("3B", Decimal("300")),
            PlanTypeBand("3C", Decimal("400")),
            PlanTypeBand("3D", Decimal("500")),
        ),
        PLAN_TYPE,
    ),
    mid_month_cutoff_day=_since_2014("mid_month_cutoff_day", 15),
    open_enrollment_start=_since_2014("open_enrollment_start", (11, 1)),
    open_enrollment_end=_since_2014("open_enrollment_end", (1, 23)),
    special_enrollment_days=_since_2014("special_enrollment_days", 60, SPECIAL_ENROLLMENT_LENGTH),
    invoice_issue_day=_since_2014("invoice_issue_day", 5),
    premium_due_day=_since_2014("premium_due_day", 23),
    delinquency_notice_day=_since_2014("delinquency_notice_day", 5),
    delinquency_payment_days=_since_2014("delinquency_payment_days", 35),
    fa_delinquent_months_before_termination=_since_2014(
        "fa_delinquent_months_before_termination", 2, FA_DELINQUENT
    ),
    non_fa_delinquent_months_before_termination=_since_2014(
        "non_fa_delinquent_months_before_termination", 1, NON_FA_DELINQUENT
    ),
    reinstatement_window_days=_since_2014("reinstatement_window_days", 35),
    waiver_max_months=_since_2014("waiver_max_months", 12, WAIVER_LENGTH),
    minimum_premium_by_plan_year={
        2026: Dated(
            date(2026, 1, 1),
            {
                "1": Decimal("0.00"),
                "2A": Decimal("0.00"),
                "2B": Decimal("53.00"),
                "3A": Decimal("103.00"),
                "3B": Decimal("152.00"),
                "3C": Decimal("235.00"),
            },
            _CC_OVERVIEW_2026,
        ),
    },
    appeal_notice_receipt_days=_since_2014("appeal_notice_receipt_days", 5, DEADLINE_AFTER_NOTICE),
    appeal_days_after_receipt=_since_2014("appeal_days_after_receipt", 30, DEADLINE_AFTER_NOTICE),
    appeal_days_without_notice=_since_2014(
        "appeal_days_without_notice", 120, DEADLINE_WITHOUT_NOTICE
    ),
    rehearing_days=_since_2014("rehearing_days", 14, REHEARING),
    small_employer_max_employees=_since_2014(
        "small_employer_max_employees", 50, SMALL_EMPLOYER_DEFINITION
    ),
    full_time_weekly_hours=_since_2014(
        "full_time_weekly_hours", Decimal("30"), OFFERS_ALL_FULL_TIME
    ),
    small_group_minimum_participation=_since_2014(
        "small_group_minimum_participation", Decimal("0.75"), CONTRACT_SMALL_GROUP
    ),
    small_group_minimum_contribution=_since_2014(
        "small_group_minimum_contribution", Decimal("0.50"), CONTRACT_SMALL_GROUP
    ),
    small_group_open_enrollment=_since_2014(
        "small_group_open_enrollment", ((11, 15), (12, 15)), SMALL_GROUP_OPEN_ENROLLMENT
    ),
    small_group_newly_qualified_days=_since_2014(
        "small_group_newly_qualified_days", 30, SHOP_NEWLY_QUALIFIED
    ),
    small_group_special_enrollment_days=_since_2014(
        "small_group_special_enrollment_days", 30, SHOP_SPECIAL_ENROLLMENT_SOURCE
    ),
    small_group_medicaid_chip_special_enrollment_days=_since_2014(
        "small_group_medicaid_chip_special_enrollment_days", 60, SHOP_SPECIAL_ENROLLMENT_SOURCE
    ),
    small_group_delinquent_months_before_termination=_since_2014(
        "small_group_delinquent_months_before_termination", 1, GROUP_DELINQUENT
    ),
    small_group_reinstatement_window_days=_since_2014(
        "small_group_reinstatement_window_days", 30, GROUP_REINSTATEMENT
    ),
    small_group_appeal_days=_since_2014("small_group_appeal_days", 90, GROUP_APPEAL_DEADLINE),
    rehearing_decision_days=_since_2014("rehearing_decision_days", 30, REHEARING),
    notes=(
        "No minimum premium is published here for plan type 3D or for plan year 2027: "
        "a hardship waiver needing one is refused until it is added.",
    ),
)

DEFAULT_POLICY = PolicyBook(versions=(POLICY_V1,))
