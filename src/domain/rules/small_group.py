"""956 CMR 12.04(4), 12.14(2)(b), 12.16(1)(b), (3)(d): the Connector's small-group program, the
employer's eligibility, as small pure functions; and the citations of the whole program.

- 12.04(4)(a)1-5: an Eligible Small Employer is a Small Employer (1 to 50 employees, counted as
  IRC 4980H(c)(2) counts them: the application gives the count, 12.03), actively engaged in
  business, offering coverage to every full-time employee (30 or more hours of service a week on
  average), with its principal business address in Massachusetts and offering that coverage
  through the Connector, and meeting the minimum participation and contribution of Connector
  policy (dated parameters), which are waived for applications from 15 November to 15 December
  (12.11(3)). Each condition failed is recorded with its clause.
- 12.04(4)(b): an employer that has enrolled its employees stays eligible for the coverage year
  when it grows past 50 employees.
- 12.16(1)(b), (3)(d): an employer eligible under 12.04(4)(a) may offer a Dental Plan, to which
  the participation and contribution requirements do not apply.
- 12.11: the group's selection, binder, employees' periods and voluntary termination are
  `rules/small_group_enrollment.py`; 12.12(11)-(13), delinquency, termination for non-payment and
  reinstatement, `rules/small_group_delinquency.py`. Their citations are listed here.
- 12.14(2)(b): the 90-day appeal period for small-group actions.

Every number comes from the `PolicyVersion` in force; nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..calendar import add_months, plus_days
from ..errors import NoPolicyParameters

if TYPE_CHECKING:
    from ..parameters import Parameter, PolicyVersion

# ---- citations -------------------------------------------------------------------------------

SMALL_EMPLOYER_DEFINITION = "956 CMR 12.03: Small Employer"
EMPLOYER_ELIGIBILITY = "956 CMR 12.04(4)(a)"
SMALL_EMPLOYER = "956 CMR 12.04(4)(a)1"
ACTIVELY_ENGAGED = "956 CMR 12.04(4)(a)2"
OFFERS_ALL_FULL_TIME = "956 CMR 12.04(4)(a)3"
MASSACHUSETTS_AND_CONNECTOR = "956 CMR 12.04(4)(a)4"
PARTICIPATION_AND_CONTRIBUTION = "956 CMR 12.04(4)(a)5"
STAYS_ELIGIBLE_PAST_50 = "956 CMR 12.04(4)(b)"
GROUP_ENROLLMENT = "956 CMR 12.11(1)"
GROUP_EFFECTIVE_DATE = "956 CMR 12.11(2)"
SMALL_GROUP_OPEN_ENROLLMENT = "956 CMR 12.11(3)"
EMPLOYEE_PERIODS = "956 CMR 12.11(4)"
TERMINATION_NOTICE = "956 CMR 12.11(6)"
EMPLOYER_VOLUNTARY_TERMINATION = "956 CMR 12.11(7)"
EMPLOYEE_TERMINATION = "956 CMR 12.11(4), (7)"
GROUP_PREMIUMS_DUE = "956 CMR 12.12(1)"
GROUP_DELINQUENT = "956 CMR 12.12(11)"
GROUP_TERMINATION = "956 CMR 12.12(12)"
GROUP_TERMINATION_NOTICE = "956 CMR 12.11(6), 12.12(12)"
GROUP_REINSTATEMENT = "956 CMR 12.12(13)"
GROUP_APPEAL_DEADLINE = "956 CMR 12.14(2)(b)"
DENTAL_EMPLOYER = "956 CMR 12.16(1)(b)"
DENTAL_NO_MINIMUMS = "956 CMR 12.16(3)(d)"

SHOP_SPECIAL_ENROLLMENT = "45 CFR 155.725(j)"
"""12.11(4) refers to "45 CFR 155.726(j)": 155.726 is the SHOP's enrollment periods for plan
years beginning on or after 1 January 2018, 155.725 for earlier ones (45 CFR Part 155 Subpart H's
table of sections). The ledger cites 155.725, the text it read; 155.726's own paragraphs were not
read (12.11(4) names its (j) for the special enrollment periods)."""
SHOP_NEWLY_QUALIFIED = "45 CFR 155.725(g)"

CONTRACT_SMALL_GROUP = (
    "the ledger's contract, Small group policy defaults (until the Connector's written policy is "
    "entered as dated parameters)"
)
"""The source of the minimum participation and contribution until the Connector publishes its
own (12.04(4)(a)5 leaves them to Connector policy)."""


# ---- 12.04(4)(a): the employer's eligibility ---------------------------------------------------


class Condition(StrEnum):
    """The conditions of 12.04(4)(a), as a determination records the ones failed."""

    SMALL_EMPLOYER = "small_employer"
    ACTIVELY_ENGAGED = "actively_engaged"
    OFFERS_ALL_FULL_TIME = "offers_all_full_time"
    MASSACHUSETTS_AND_CONNECTOR = "principal_address_in_ma_and_offers_through_connector"
    MINIMUM_PARTICIPATION = "minimum_participation"
    MINIMUM_CONTRIBUTION = "minimum_contribution"


CONDITION_CLAUSES: Mapping[Condition, str] = MappingProxyType(
    {
        Condition.SMALL_EMPLOYER: SMALL_EMPLOYER,
        Condition.ACTIVELY_ENGAGED: ACTIVELY_ENGAGED,
        Condition.OFFERS_ALL_FULL_TIME: OFFERS_ALL_FULL_TIME,
        Condition.MASSACHUSETTS_AND_CONNECTOR: MASSACHUSETTS_AND_CONNECTOR,
        Condition.MINIMUM_PARTICIPATION: PARTICIPATION_AND_CONTRIBUTION,
        Condition.MINIMUM_CONTRIBUTION: PARTICIPATION_AND_CONTRIBUTION,
    }
)


class MinimumStatus(StrEnum):
    """How a policy minimum (12.04(4)(a)5) stood in a determination."""

    MET = "met"
    NOT_MET = "not_met"
    WAIVED = "waived"  # an application from 15 November to 15 December (12.11(3))


@dataclass(frozen=True)
class RosterEntry:
    """One employee on the application's optional roster: average weekly hours of service and
    whether the employer offers them coverage."""

    employee_id: str
    average_weekly_hours: Decimal
    offered: bool


@dataclass(frozen=True)
class EmployerFacts:
    """What an employer's application says (12.04(4)(a))."""

    employee_count: int
    full_time_employees: int
    actively_engaged: bool
    principal_address_in_ma: bool
    offers_all_full_time: bool
    offers_through_connector: bool
    participation_rate: Decimal
    contribution_rate: Decimal
    roster: tuple[RosterEntry, ...] = ()

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> EmployerFacts:
        """The facts as an `EmployerApplicationSubmitted` event records them."""
        return cls(
            employee_count=int(record["employee_count"]),
            full_time_employees=int(record["full_time_employees"]),
            actively_engaged=bool(record["actively_engaged"]),
            principal_address_in_ma=bool(record["principal_address_in_ma"]),
            offers_all_full_time=bool(record["offers_all_full_time"]),
            offers_through_connector=bool(record["offers_through_connector"]),
            participation_rate=Decimal(str(record["participation_rate"])),
            contribution_rate=Decimal(str(record["contribution_rate"])),
            roster=tuple(
                RosterEntry(
                    str(e["employee_id"]), Decimal(str(e["average_weekly_hours"])), e["offered"]
                )
                for e in record.get("roster") or ()
            ),
        )


def is_small_employer(employee_count: int, policy: PolicyVersion, on: date) -> bool:
    """12.03, 12.04(4)(a)1: at least 1 and not more than 50 employees (the IRC 4980H(c)(2) count
    the application gives)."""
    return 1 <= employee_count <= policy.small_employer_max_employees.at(on)


def is_full_time(average_weekly_hours: Decimal, policy: PolicyVersion, on: date) -> bool:
    """12.04(4)(a)3: a full-time employee is employed on average at least 30 hours of service a
    week."""
    return average_weekly_hours >= policy.full_time_weekly_hours.at(on)


def full_time_not_offered(
    roster: Sequence[RosterEntry], policy: PolicyVersion, on: date
) -> list[str]:
    """12.04(4)(a)3: the full-time employees of the roster the employer does not offer coverage
    (by id, in roster order)."""
    return [
        e.employee_id
        for e in roster
        if is_full_time(e.average_weekly_hours, policy, on) and not e.offered
    ]


def minimums_waived(application_on: date, policy: PolicyVersion) -> bool:
    """12.11(3): from 15 November to 15 December (both days included) an employer that would be
    eligible but for the minimum contribution and participation is eligible without them. The
    application's date decides."""
    (start_month, start_day), (end_month, end_day) = policy.small_group_open_enrollment.at(
        application_on
    )
    start = date(application_on.year, start_month, start_day)
    end = date(application_on.year, end_month, end_day)
    return start <= application_on <= end


def meets_minimum(rate: Decimal, minimum: Decimal) -> bool:
    """12.04(4)(a)5: a rate meets its minimum when it is at least the minimum."""
    return rate >= minimum


def in_coverage_year(on: date, coverage_year: tuple[date, date] | None) -> bool:
    """12.04(4)(b): whether `on` falls in the coverage year (first and last day) of coverage the
    employer enrolled its employees in."""
    return coverage_year is not None and coverage_year[0] <= on <= coverage_year[1]


@dataclass(frozen=True)
class FailedCondition:
    condition: Condition
    clause: str
    reason: str

    def record(self) -> dict[str, str]:
        return {"condition": self.condition.value, "clause": self.clause, "reason": self.reason}


@dataclass(frozen=True)
class EmployerDetermination:
    """An employer's eligibility (12.04(4)(a)): for Small Group Health Plans (all five
    conditions) and for a Dental Plan (12.16(1)(b), (3)(d): the first four), the conditions
    failed with their clauses, and how each policy minimum stood."""

    eligible: bool
    dental_eligible: bool
    failed_conditions: tuple[FailedCondition, ...]
    minimums: dict[str, dict[str, Any]]
    minimums_waived: bool
    retained_past_50: bool
    citation: str

    def decision(self) -> dict[str, Any]:
        """What was decided, as `EmployerEligibilityDetermined` records it (its minimums
        aside)."""
        return {
            "eligible": self.eligible,
            "dental_eligible": self.dental_eligible,
            "failed_conditions": [failed.record() for failed in self.failed_conditions],
            "minimums_waived": self.minimums_waived,
            "retained_past_50": self.retained_past_50,
        }


def _minimum(
    declared: Decimal, waived: bool, parameter: Parameter[Decimal], on: date
) -> tuple[dict[str, Any], bool]:
    """One minimum (12.04(4)(a)5): its required value (None when waived and none is published),
    the declared rate and its status; and whether it counts against the employer."""
    required: Decimal | None
    source: str | None
    try:
        dated = parameter.dated_at(on)
        required, source = dated.value, dated.source
    except NoPolicyParameters:
        if not waived:
            raise
        required, source = None, None
    if waived:
        status = MinimumStatus.WAIVED
    elif required is not None and meets_minimum(declared, required):
        status = MinimumStatus.MET
    else:
        status = MinimumStatus.NOT_MET
    return (
        {
            "minimum": None if required is None else str(required),
            "declared": str(declared),
            "status": status.value,
            "source": source,
            "citation": SMALL_GROUP_OPEN_ENROLLMENT if waived else PARTICIPATION_AND_CONTRIBUTION,
        },
        status == MinimumStatus.NOT_MET,
    )


def determine_employer(
    facts: EmployerFacts,
    *,
    application_on: date,
    on: date,
    policy: PolicyVersion,
    coverage_year: tuple[date, date] | None,
) -> EmployerDetermination:
    """12.04(4)(a)1-5 and (b), 12.11(3), 12.16(1)(b), (3)(d): the determination on `on` of the
    application dated `application_on`. `coverage_year`: the first and last day of the coverage
    year of a group coverage the employer has in force (for 12.04(4)(b)), or None.

    Refused `no_policy_parameters` when a minimum must be applied and the policy in force
    publishes none."""
    failed: list[FailedCondition] = []

    def fail(condition: Condition, reason: str) -> None:
        failed.append(FailedCondition(condition, CONDITION_CLAUSES[condition], reason))

    retained = False
    if not is_small_employer(facts.employee_count, policy, on):
        limit = policy.small_employer_max_employees.at(on)
        if facts.employee_count > limit and in_coverage_year(on, coverage_year):
            retained = True  # 12.04(4)(b): grown past 50 during its coverage year
        else:
            fail(
                Condition.SMALL_EMPLOYER,
                f"{facts.employee_count} employees (IRC 4980H(c)(2) count); a Small Employer "
                f"has at least 1 and not more than {limit}",
            )
    if not facts.actively_engaged:
        fail(Condition.ACTIVELY_ENGAGED, "not actively engaged in business")
    not_offered = full_time_not_offered(facts.roster, policy, on)
    if not facts.offers_all_full_time or not_offered:
        hours = policy.full_time_weekly_hours.at(on)
        reason = f"does not offer coverage to all full-time employees ({hours}+ hours a week)"
        if not_offered:
            reason += f": not offered to {', '.join(not_offered)}"
        fail(Condition.OFFERS_ALL_FULL_TIME, reason)
    if not facts.principal_address_in_ma or not facts.offers_through_connector:
        missing = []
        if not facts.principal_address_in_ma:
            missing.append("principal business address not in Massachusetts")
        if not facts.offers_through_connector:
            missing.append("does not offer its full-time employees coverage through the Connector")
        fail(Condition.MASSACHUSETTS_AND_CONNECTOR, "; ".join(missing))
    dental_eligible = not failed
    waived = minimums_waived(application_on, policy)
    participation, participation_fails = _minimum(
        facts.participation_rate, waived, policy.small_group_minimum_participation, on
    )
    contribution, contribution_fails = _minimum(
        facts.contribution_rate, waived, policy.small_group_minimum_contribution, on
    )
    if participation_fails:
        fail(
            Condition.MINIMUM_PARTICIPATION,
            f"participation {facts.participation_rate} is below the minimum "
            f"{participation['minimum']} of eligible employees",
        )
    if contribution_fails:
        fail(
            Condition.MINIMUM_CONTRIBUTION,
            f"employer contribution {facts.contribution_rate} is below the minimum "
            f"{contribution['minimum']} of the employee-only premium",
        )
    citation = EMPLOYER_ELIGIBILITY
    if retained:
        citation = f"{citation}; {STAYS_ELIGIBLE_PAST_50}"
    if waived:
        citation = f"{citation}; {SMALL_GROUP_OPEN_ENROLLMENT}"
    return EmployerDetermination(
        eligible=not failed,
        dental_eligible=dental_eligible,
        failed_conditions=tuple(failed),
        minimums={"participation": participation, "contribution": contribution},
        minimums_waived=waived,
        retained_past_50=retained,
        citation=citation,
    )


def coverage_year_of(coverage_start_on: date) -> tuple[date, date]:
    """12.04(4)(b) with 45 CFR 155.725(b): the employer's coverage year is the twelve months
    beginning with its coverage's effective date."""
    return coverage_start_on, plus_days(add_months(coverage_start_on, 12), -1)
