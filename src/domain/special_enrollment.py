"""A household's special enrollment periods (956 CMR 12.10(1)): a period opened (sixty days from
its event, or an end given), a period refused as an appealable decision (12.13(3)), the periods a
hardship waiver opens (12.10(1)(e)-(f), 12.12(7)(e)), and the period covering a day. The rules
(which events open a period, for how long) are in `rules/enrollment_periods.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from .events import LedgerEvent
from .parameters import PolicyVersion
from .rules.enrollment_periods import WAIVER_PERIOD_KINDS, PeriodDenial, special_enrollment_end


class PeriodHolder(Protocol):
    """What the special enrollment section reads and records of a household
    (`household.Household` is one)."""

    @property
    def SpecialEnrollmentPeriodOpened(self) -> type[LedgerEvent]: ...

    @property
    def SpecialEnrollmentPeriodDenied(self) -> type[LedgerEvent]: ...

    special_enrollment_periods: list[SpecialEnrollmentPeriod]

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None: ...


@dataclass(frozen=True)
class SpecialEnrollmentPeriod:
    kind: str
    start_on: date
    end_on: date
    member_ids: tuple[str, ...]
    citation: str

    def covers(self, on: date) -> bool:
        return self.start_on <= on <= self.end_on


class SpecialEnrollmentPeriodOpened(LedgerEvent):
    kind: str
    event_on: date
    end_on: date
    member_ids: list[str]

    def apply(self, household: PeriodHolder) -> None:
        household.special_enrollment_periods.append(
            SpecialEnrollmentPeriod(
                self.kind,
                self.event_on,
                self.end_on,
                tuple(self.member_ids),
                self.citation or "",
            )
        )


def open_period(
    household: PeriodHolder,
    *,
    kind: str,
    event_on: date,
    on: date,
    member_ids: tuple[str, ...],
    citation: str,
    policy: PolicyVersion,
    end_on: date | None = None,
) -> None:
    """12.10(1): sixty days to enroll from the date of the event (or `end_on`)."""
    household.trigger_event(
        household.SpecialEnrollmentPeriodOpened,
        on=on,
        effective_on=event_on,
        citation=citation,
        policy_version=policy.version,
        kind=kind,
        event_on=event_on,
        end_on=end_on or special_enrollment_end(event_on, policy),
        member_ids=list(member_ids),
    )


class SpecialEnrollmentPeriodDenied(LedgerEvent):
    """A special enrollment period refused (12.13(3): appealable): the kind asked for, the
    day of its event, the members, the reason code; `end_on` the day the sixty days ended
    (a report after them), `enrollment_ids` the enrollments the refusal rests on."""

    kind: str
    event_on: date
    member_ids: list[str]
    reason: str
    end_on: date | None
    enrollment_ids: list[str]


def deny_period(
    household: PeriodHolder,
    *,
    kind: str,
    event_on: date,
    on: date,
    member_ids: tuple[str, ...],
    denial: PeriodDenial,
    policy: PolicyVersion,
) -> None:
    """12.10(1), 12.13(3): the refusal recorded as a decision, so that it can be appealed."""
    household.trigger_event(
        household.SpecialEnrollmentPeriodDenied,
        on=on,
        effective_on=on,
        citation=denial.citation,
        policy_version=policy.version,
        kind=kind,
        event_on=event_on,
        member_ids=list(member_ids),
        reason=denial.reason.value,
        end_on=denial.end_on,
        enrollment_ids=list(denial.enrollment_ids),
    )


def open_waiver_period(
    household: PeriodHolder,
    on: date,
    member_ids: Iterable[str],
    clause: str,
    policy: PolicyVersion,
) -> None:
    """12.10(1)(e)-(f), 12.12(7)(e): sixty days to change plans from a hardship waiver's grant
    or its end (`clause` says which), for the members of the waived enrollment."""
    open_period(
        household,
        kind=WAIVER_PERIOD_KINDS[clause],
        event_on=on,
        on=on,
        member_ids=tuple(member_ids),
        citation=clause,
        policy=policy,
    )


def covering(
    household: PeriodHolder,
    on: date,
    member_ids: list[str] | None = None,
    usable: Callable[[SpecialEnrollmentPeriod], bool] | None = None,
) -> SpecialEnrollmentPeriod | None:
    """The latest special enrollment period covering `on` for any of `member_ids` (and, when
    `usable` is given, that it accepts)."""
    for period in reversed(household.special_enrollment_periods):
        if (
            period.covers(on)
            and (
                member_ids is None
                or not period.member_ids
                or any(m in period.member_ids for m in member_ids)
            )
            and (usable is None or usable(period))
        ):
            return period
    return None
