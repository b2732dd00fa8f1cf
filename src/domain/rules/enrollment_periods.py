"""956 CMR 12.10(1): open enrollment and special enrollment periods for Non-Group Health Plans,
the events that open one, and transfers between plans."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..calendar import first_of_month, plus_days
from ..errors import InvalidCommand
from .appeals import HEARING_DECISION
from .eligibility import Program

if TYPE_CHECKING:
    from ..parameters import PolicyVersion

OPEN_ENROLLMENT = "956 CMR 12.10(1)"
TRIGGERING_EVENT = "956 CMR 12.10(1)(a)"
NEWLY_CONNECTORCARE = "956 CMR 12.10(1)(b)"
PLAN_TYPE_CHANGE = "956 CMR 12.10(1)(c)"
CONNECTORCARE_TO_APTC = "956 CMR 12.10(1)(d)"
WAIVER_GRANTED = "956 CMR 12.10(1)(e)"
WAIVER_ENDED = "956 CMR 12.10(1)(f)"
DENTAL_ANY_TIME = "956 CMR 12.16(3)(a)"
PLAN_TRANSFER = "956 CMR 12.10(1)"
SPECIAL_ENROLLMENT_LENGTH = "956 CMR 12.10(1)"
EXCLUDED_LOSSES = "45 CFR 155.420(e)"
NOT_A_QUALIFYING_LOSS = (
    f"{TRIGGERING_EVENT}; {EXCLUDED_LOSSES}; the special enrollment periods page"
)
AI_AN_ONCE_A_MONTH = f"{TRIGGERING_EVENT}; the special enrollment periods page"
APPEAL_DECISION_IMPLEMENTED = "45 CFR 155.545(c)"
EXCHANGE_ERROR = "45 CFR 155.420(d)(4)"
REVERSED_DENIAL = f"{HEARING_DECISION}; {APPEAL_DECISION_IMPLEMENTED}"
REVERSED_DENIAL_FROM_DECISION = f"{REVERSED_DENIAL}; {TRIGGERING_EVENT}; {EXCHANGE_ERROR}"

AUTOMATIC_SEP_CLAUSES = {
    NEWLY_CONNECTORCARE: "newly_connectorcare_eligible",
    PLAN_TYPE_CHANGE: "plan_type_change",
    CONNECTORCARE_TO_APTC: "connectorcare_to_aptc_only",
}


def open_enrollment_window(plan_year: int, policy: PolicyVersion) -> tuple[date, date]:
    """Open enrollment for plan year Y: from (month, day) of Y-1 to (month, day) of Y."""
    reference = date(plan_year, 1, 1)
    start_month, start_day = policy.open_enrollment_start.at(reference)
    end_month, end_day = policy.open_enrollment_end.at(reference)
    return date(plan_year - 1, start_month, start_day), date(plan_year, end_month, end_day)


def in_open_enrollment(on: date, plan_year: int, policy: PolicyVersion) -> bool:
    start, end = open_enrollment_window(plan_year, policy)
    return start <= on <= end


def special_enrollment_end(event_on: date, policy: PolicyVersion) -> date:
    """12.10(1): "sixty (60) days to enroll ... from the date of one of the events"."""
    return plus_days(event_on, policy.special_enrollment_days.at(event_on))


def automatic_sep_clauses(
    previous: Mapping[str, Mapping[str, Any]], members: Sequence[Mapping[str, Any]]
) -> dict[str, list[str]]:
    """12.10(1)(b)-(d): which members a determination gives a special enrollment period, by clause.

    (b) newly eligible for ConnectorCare (including a first determination);
    (c) a change of ConnectorCare plan type;
    (d) a move from ConnectorCare to APTC only.
    """
    out: dict[str, list[str]] = {}
    for member in members:
        before = previous.get(member["member_id"])
        program = member["program"]
        clause: str | None = None
        if program == Program.CONNECTORCARE:
            if before is None or before["program"] != Program.CONNECTORCARE:
                clause = NEWLY_CONNECTORCARE
            elif before["plan_type"] != member["plan_type"]:
                clause = PLAN_TYPE_CHANGE
        elif (
            program == Program.APTC_ONLY
            and before is not None
            and before["program"] == Program.CONNECTORCARE
        ):
            clause = CONNECTORCARE_TO_APTC
        if clause is not None:
            out.setdefault(clause, []).append(member["member_id"])
    return out


class QualifyingKind(StrEnum):
    """The triggering events a household may report (12.10(1)(a)), as recorded."""

    MARRIAGE = "marriage"
    NEW_DEPENDENT = "new_dependent"
    LOSS_OF_COVERAGE = "loss_of_coverage"
    PERMANENT_MOVE = "permanent_move"
    RELEASE_FROM_INCARCERATION = "release_from_incarceration"
    NEWLY_LAWFULLY_PRESENT = "newly_lawfully_present"
    EXCHANGE_ERROR = "exchange_error"
    EXCEPTIONAL_CIRCUMSTANCES = "exceptional_circumstances"
    AI_AN_MONTHLY = "ai_an_monthly"
    OPP_WAIVER = "opp_waiver"


QUALIFYING_EVENT_KINDS: Mapping[str, str] = MappingProxyType(
    {kind: TRIGGERING_EVENT for kind in QualifyingKind}
)
"""12.10(1)(a): triggering events "as set forth in 45 CFR 155.420 and applicable state law,
including ... enrollment waivers available under 958 CMR 4.00" (the Office of Patient Protection)."""

AI_AN_MONTHLY = QualifyingKind.AI_AN_MONTHLY

WAIVER_PERIOD_KINDS: Mapping[str, str] = MappingProxyType(
    {WAIVER_GRANTED: "hardship_waiver_granted", WAIVER_ENDED: "hardship_waiver_ended"}
)
"""12.10(1)(e)-(f): the kind of the period a hardship waiver's grant or end opens."""


@dataclass(frozen=True)
class PeriodTerms:
    """A special enrollment period a reported event opens: its last day and its clause."""

    end_on: date
    citation: str


class DenialReason(StrEnum):
    """Why a special enrollment period was refused (a determination 12.13(3) makes appealable)."""

    REPORTED_AFTER_SIXTY_DAYS = "reported_after_sixty_days"
    COVERAGE_LOST_FOR_NON_PAYMENT = "coverage_lost_for_non_payment"
    COVERAGE_LOST_FOR_FRAUD = "coverage_lost_for_fraud"
    AI_AN_CHANGE_ALREADY_MADE_THIS_MONTH = "ai_an_change_already_made_this_month"


class ExcludedLoss(StrEnum):
    """The ways of losing coverage that are no qualifying loss of coverage (the special enrollment
    periods page: "for a reason other than not paying premiums or because of fraud"), spelled as
    the enrollment's end reason records them."""

    NON_PAYMENT = "non_payment"
    FRAUD = "fraud"


EXCLUDED_LOSS_DENIALS: Mapping[str, DenialReason] = MappingProxyType(
    {
        ExcludedLoss.FRAUD: DenialReason.COVERAGE_LOST_FOR_FRAUD,
        ExcludedLoss.NON_PAYMENT: DenialReason.COVERAGE_LOST_FOR_NON_PAYMENT,
    }
)
"""Which refusal each excluded loss gives, fraud first (the graver finding is named when a household
has both)."""


@dataclass(frozen=True)
class LostCoverage:
    """An enrollment of the household whose coverage this ledger ended in a way that is no
    qualifying loss (`reason`, an `ExcludedLoss`): its last day covered, and the day that was
    decided (a termination for non-payment or fraud reaches back: decided after that day)."""

    reason: str
    last_covered: date
    decided_on: date


def is_that_loss(lost: LostCoverage, event_on: date, policy: PolicyVersion) -> bool:
    """Whether a loss of coverage dated `event_on` is the ledger's own ending of `lost` (the
    contract: refused "for a loss_of_coverage that was a termination for non-payment or fraud in
    this ledger"): dated from its last day covered, and no later than the sixty days a report of
    it could come in after it was decided (12.10(1)(a)); a loss dated before that coverage ended,
    or after those days, is of other coverage."""
    return lost.last_covered <= event_on <= special_enrollment_end(lost.decided_on, policy)


@dataclass(frozen=True)
class PeriodDenial:
    """A special enrollment period refused: why, under which clause; for a report after the sixty
    days, the day they ended (`end_on`); for a loss of coverage that does not qualify, the
    enrollments whose end decided it (`enrollment_ids`)."""

    reason: DenialReason
    citation: str
    end_on: date | None = None
    enrollment_ids: tuple[str, ...] = ()


PeriodDecision = PeriodTerms | PeriodDenial


def qualifying_event_decision(
    kind: QualifyingKind,
    event_on: date,
    reported_on: date,
    policy: PolicyVersion,
    *,
    coverage_lost: Mapping[str, LostCoverage],
) -> PeriodDecision:
    """12.10(1)(a): the period a triggering event reported on `reported_on` opens, "sixty (60)
    days to enroll ... from the date of" the event; or its refusal, a determination regarding a
    special enrollment period (12.13(3)) recorded so that it can be appealed:

    - a loss of coverage "for a reason other than not paying premiums or because of fraud" (the
      special enrollment periods page; 45 CFR 155.420(e)) is refused when it is the ledger's own
      ending of one of the household's enrollments for one of those (`coverage_lost`: enrollment
      id -> how its coverage was lost; `is_that_loss`: the loss's date falls from its last day
      covered to sixty days after it was decided);
    - a report after the sixty days is refused, with the day they ended.

    An American Indian or Alaska Native "may enroll ... or change from one plan to another once a
    month even if the open enrollment period is over" (the same page): a period without end,
    limited to one change a month by `ai_an_change_denial`. An event after the day it is reported
    is not a decision to record but an impossible command (InvalidCommand).
    """
    if event_on > reported_on:
        raise InvalidCommand("event_on cannot be after the date the event is reported (on)")
    if kind == QualifyingKind.LOSS_OF_COVERAGE:
        for loss, reason in EXCLUDED_LOSS_DENIALS.items():
            lost = tuple(
                sorted(
                    e
                    for e, how in coverage_lost.items()
                    if how.reason == loss and is_that_loss(how, event_on, policy)
                )
            )
            if lost:
                return PeriodDenial(reason, NOT_A_QUALIFYING_LOSS, enrollment_ids=lost)
    citation = QUALIFYING_EVENT_KINDS[kind]
    if kind == QualifyingKind.AI_AN_MONTHLY:
        return PeriodTerms(date.max, citation)
    end_on = special_enrollment_end(event_on, policy)
    if end_on < reported_on:
        return PeriodDenial(
            DenialReason.REPORTED_AFTER_SIXTY_DAYS, SPECIAL_ENROLLMENT_LENGTH, end_on=end_on
        )
    return PeriodTerms(end_on, citation)


def ai_an_change_allowed(on: date, changes_made: Iterable[date]) -> bool:
    """12.10(1)(a) with the special enrollment periods page: an American Indian or Alaska Native
    may change plans "once a month": not again in a calendar month with a change already made."""
    month = first_of_month(on)
    return all(first_of_month(made) != month for made in changes_made)


def ai_an_change_denial(on: date, changes_made: Sequence[tuple[date, str]]) -> PeriodDenial | None:
    """12.10(1)(a) with the special enrollment periods page: a second plan change asked for in a
    calendar month under the American Indian or Alaska Native period is refused, naming the
    enrollments chosen under it that month (`changes_made`: each change's day and enrollment id);
    None when the change is allowed."""
    if ai_an_change_allowed(on, [made for made, _enrollment in changes_made]):
        return None
    month = first_of_month(on)
    return PeriodDenial(
        DenialReason.AI_AN_CHANGE_ALREADY_MADE_THIS_MONTH,
        AI_AN_ONCE_A_MONTH,
        enrollment_ids=tuple(e for made, e in changes_made if first_of_month(made) == month),
    )


REOPENED_KINDS: Mapping[str, str] = MappingProxyType(
    {QualifyingKind.AI_AN_MONTHLY: "ai_an_change_on_appeal"}
)
"""The kind of the period a reversed denial opens, where it is not the kind denied: a reversed
refusal of a second American Indian or Alaska Native change in a month opens a period for that
change, which the once-a-month limit of the year-round period must not refuse again."""


def reopened_kind(denied_kind: str) -> str:
    return REOPENED_KINDS.get(denied_kind, denied_kind)


def reversed_denial_period(event_on: date, decided_on: date, policy: PolicyVersion) -> PeriodTerms:
    """12.13(3), 12.15(4): a refused special enrollment period reversed on appeal is opened as the
    corrected determination would have opened it, sixty days from the original event (the appeal
    decision implemented as of the action appealed, 45 CFR 155.545(c), applied through 12.15(1)).
    When those days have passed by the hearing decision, the member could not use them because of
    the Connector's own refusal: sixty days from the decision (the page's "error ... on the part of
    the Health Connector", 12.10(1)(a), 45 CFR 155.420(d)(4))."""
    original = special_enrollment_end(event_on, policy)
    if original >= decided_on:
        return PeriodTerms(original, REVERSED_DENIAL)
    return PeriodTerms(special_enrollment_end(decided_on, policy), REVERSED_DENIAL_FROM_DECISION)


DENTAL_ANY_TIME_BASIS = "dental_any_time"
"""12.16(3)(a): a Dental Plan may be chosen at any time, with no enrollment period."""


def health_plan_period(
    on: date, plan_year: int, policy: PolicyVersion, sep_kind: str | None
) -> str | None:
    """The basis on which a health plan may be chosen on `on`, or None outside every period:
    open enrollment for the plan year, or a special enrollment period covering `on`."""
    if in_open_enrollment(on, plan_year, policy):
        return "open_enrollment"
    if sep_kind is not None:
        return f"special_enrollment:{sep_kind}"
    return None


def is_plan_transfer(
    *,
    new_member_ids: Collection[str],
    new_start_on: date,
    other_member_ids: Collection[str],
    other_start_on: date | None,
) -> bool:
    """12.10(1): Enrollees "may transfer from one Non-Group Health Plan to a different" one. A
    health plan begun for any of the members of another health plan begun earlier replaces it
    (when the earlier plan's coverage reaches the new one's start)."""
    return (
        bool(set(other_member_ids) & set(new_member_ids))
        and other_start_on is not None
        and other_start_on < new_start_on
    )
