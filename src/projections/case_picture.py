"""The picture of a case, as data: per enrollment, each month's coverage state (active, in its
grace period, terminated, reinstated, voided) and its billed / paid / waived / outstanding
amounts, with the days worth marking (notices, payments, the termination, the reinstatement, the
appealed action, the appeal). A pure function of what the read side already answers (the
enrollment's `coverage` and `balance` answers and the household's timeline in wire form); the
hearing page draws it as SVG.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ..domain.calendar import (
    first_of_month,
    last_day_of_month,
    month_key,
    months_between,
    parse_month,
)


class MonthState(StrEnum):
    """A month's coverage, as the picture shades it (the strongest state wins, in this order:
    voided, reinstated, terminated, grace, active, none)."""

    VOIDED = "voided"
    REINSTATED = "reinstated"
    TERMINATED = "terminated"
    GRACE = "grace"
    ACTIVE = "active"
    NONE = "none"


class MarkKind(StrEnum):
    NOTICE = "notice"
    PAYMENT = "payment"
    TERMINATION = "termination"
    REINSTATEMENT = "reinstatement"
    APPEALED = "appealed"
    APPEAL = "appeal"


MARKED_TYPES: Mapping[str, MarkKind] = {
    "DelinquencyNoticeIssued": MarkKind.NOTICE,
    "PaymentRecorded": MarkKind.PAYMENT,
    "CoverageTerminated": MarkKind.TERMINATION,
    "ReinstatementDecided": MarkKind.REINSTATEMENT,
    "AppealFiled": MarkKind.APPEAL,
    "AppealDecided": MarkKind.APPEAL,
    "AppealDismissed": MarkKind.APPEAL,
}


@dataclass(frozen=True)
class MonthBar:
    month: date
    state: MonthState
    billed: Decimal
    paid: Decimal
    waived: Decimal
    outstanding: Decimal

    @property
    def label(self) -> str:
        return month_key(self.month)


@dataclass(frozen=True)
class Mark:
    day: date
    kind: MarkKind
    label: str
    event_id: str


@dataclass(frozen=True)
class EnrollmentPicture:
    enrollment_id: str
    months: tuple[MonthBar, ...]
    marks: tuple[Mark, ...]

    @property
    def first_day(self) -> date:
        return self.months[0].month

    @property
    def last_day(self) -> date:
        return last_day_of_month(self.months[-1].month)

    @property
    def largest_amount(self) -> Decimal:
        return max((m.billed for m in self.months), default=Decimal(0)) or Decimal(1)


def enrollment_picture(
    coverage: Mapping[str, Any],
    balance: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]],
    appealed_event_id: str | None = None,
) -> EnrollmentPicture:
    """The picture of one enrollment from its `coverage` and `balance` answers and `events` (the
    household's timeline in wire form: the enrollment's own events and the household's; another
    enrollment's are left out by the caller)."""
    billed = {parse_month(m["month"]): m for m in balance.get("months", [])}
    spans = [
        (
            date.fromisoformat(s["start_on"]),
            date.fromisoformat(s["end_on"]) if s.get("end_on") else None,
        )
        for s in coverage.get("spans", [])
    ]
    missed = {parse_month(e["data"]["month"]) for e in events if e["type"] == "PaymentMissed"}
    reinstated = _reinstated_months(events)
    terminated = _terminated_months(events)
    marks = tuple(_marks(events, appealed_event_id))
    months = _month_range(billed, spans, events, [m.day for m in marks])
    bars = tuple(
        MonthBar(
            month,
            _state(month, billed.get(month), spans, missed, reinstated, terminated),
            *(
                _money(billed.get(month), name)
                for name in ("billed", "paid", "waived", "outstanding")
            ),
        )
        for month in months
    )
    return EnrollmentPicture(str(coverage.get("enrollment_id", "")), bars, marks)


def _money(month: Mapping[str, Any] | None, name: str) -> Decimal:
    return Decimal("0.00") if month is None else Decimal(str(month[name]))


def _state(
    month: date,
    billed: Mapping[str, Any] | None,
    spans: Sequence[tuple[date, date | None]],
    missed: set[date],
    reinstated: set[date],
    terminated: set[date],
) -> MonthState:
    if billed is not None and billed.get("voided"):
        return MonthState.VOIDED
    if month in reinstated and (month in terminated or month not in missed):
        return MonthState.REINSTATED
    covered = any(start <= month and (end is None or end >= month) for start, end in spans)
    if month in terminated and not covered:
        return MonthState.TERMINATED
    if month in missed:
        return MonthState.GRACE
    return MonthState.ACTIVE if covered else MonthState.NONE


def _reinstated_months(events: Iterable[Mapping[str, Any]]) -> set[date]:
    months: set[date] = set()
    for e in events:
        if e["type"] == "ReinstatementDecided" and e["data"].get("granted"):
            months.update(parse_month(m) for m in e["data"].get("months", []))
    return months


def _terminated_months(events: Iterable[Mapping[str, Any]]) -> set[date]:
    """Months after a termination's end, up to the month it was decided in (later months are
    `none`, or billed and voided)."""
    months: set[date] = set()
    for e in events:
        if e["type"] == "CoverageTerminated":
            end = date.fromisoformat(e["data"]["end_on"])
            decided = first_of_month(date.fromisoformat(e["on"]))
            months.update(m for m in months_between(first_of_month(end), decided) if m > end)
    return months


def _month_range(
    billed: Mapping[date, Any],
    spans: Sequence[tuple[date, date | None]],
    events: Sequence[Mapping[str, Any]],
    marked: Sequence[date],
) -> list[date]:
    """From the first month billed, covered or marked to the last one."""
    marked_months = [first_of_month(day) for day in marked]
    firsts = [*billed, *(first_of_month(start) for start, _ in spans), *marked_months]
    lasts = [*billed, *(first_of_month(end) for _, end in spans if end is not None), *marked_months]
    if not firsts:
        days = [date.fromisoformat(e["on"]) for e in events]
        if not days:
            return []
        firsts, lasts = [first_of_month(min(days))], [first_of_month(max(days))]
    return months_between(min(firsts), max(lasts or firsts))


def _marks(events: Iterable[Mapping[str, Any]], appealed_event_id: str | None) -> list[Mark]:
    marks = []
    for e in events:
        day = date.fromisoformat(e["on"])
        if e["id"] == appealed_event_id:
            marks.append(Mark(day, MarkKind.APPEALED, "appealed action", e["id"]))
            continue
        kind = MARKED_TYPES.get(e["type"])
        if kind is None:
            continue
        marks.append(Mark(day, kind, _mark_label(e, kind), e["id"]))
        due = e["data"].get("payment_due_on") if kind is MarkKind.NOTICE else None
        if due:
            marks.append(
                Mark(date.fromisoformat(due), MarkKind.NOTICE, f"payment date {due}", e["id"])
            )
    return marks


def _mark_label(event: Mapping[str, Any], kind: MarkKind) -> str:
    data = event["data"]
    if kind is MarkKind.PAYMENT:
        return f"paid ${data['amount']}"
    if kind is MarkKind.NOTICE:
        return f"notice {data.get('notice_number', '')}".strip()
    if kind is MarkKind.TERMINATION:
        return f"terminated, ends {data['end_on']}"
    if kind is MarkKind.REINSTATEMENT:
        return "reinstated" if data.get("granted") else "reinstatement refused"
    return str(event["type"]).replace("Appeal", "appeal ").strip().lower()
