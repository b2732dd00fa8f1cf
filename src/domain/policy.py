"""Dated policy parameters: every number the regulation leaves to "Connector policy", and the
numbers the regulation itself fixes, in one place, each keyed by the date it takes effect and
with its source (the clause, a rule module's citation). Their shapes are `parameters.py`'s, which
the rules take: the rules never import this module. History is appended, never overwritten: a correction is a new `PolicyVersion`.

A decision names the `policy_version` in force on its business date; a hearing can recompute
that decision with the same version, or with the current one.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypeVar

from .parameters import Dated, FplGuideline, Parameter, PlanTypeBand, PolicyBook, PolicyVersion
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


def _since_2014(name: str, value: T, source: str = CONTRACT) -> Parameter[T]:
    return Parameter(name, (Dated(date(2014, 1, 1), value, source),))


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
