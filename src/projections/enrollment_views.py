"""Coverage and balance of one enrollment, folded from its events (optionally only those dated
by a business day, `as_of`, and recorded by an instant, `known_at`).

The fold is the domain's own (`enrollment.replay`): no rule is repeated here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from ..domain.calendar import last_day_of_month, month_key
from ..domain.enrollment import CANCELLED, TERMINATED, Enrollment, replay
from ..domain.enrollment.billing import PremiumBasis, premium_basis
from ..domain.errors import UnknownEnrollment
from ..domain.group_enrollment import GroupEnrollment
from ..domain.money import ZERO, money_str
from ..domain.rules.premiums import ENROLLMENT_EFFECTIVE
from ..domain.rules.small_group import GROUP_ENROLLMENT


def select_events(
    events: Iterable[Any], as_of: date | None = None, known_at: datetime | None = None
) -> list[Any]:
    """Events dated on or before `as_of` (business time) and recorded by `known_at` (record time);
    none when the record's first event (the one that opens it) is not among them: a store written
    before commands dated ahead of their record's opening were refused may hold such events, and
    the record did not exist then."""
    selected = [
        e
        for e in events
        if (as_of is None or e.on <= as_of) and (known_at is None or e.timestamp <= known_at)
    ]
    return selected if not selected or selected[0].originator_version == 1 else []


def fold(
    events: Iterable[Any], as_of: date | None = None, known_at: datetime | None = None
) -> Enrollment | None:
    return replay(select_events(events, as_of, known_at))


class EventSource(Protocol):
    def aggregate_events(self, aggregate_id: UUID) -> Iterable[Any]: ...


def enrollment_at(
    source: EventSource,
    enrollment_id: str,
    as_of: date | None = None,
    known_at: datetime | None = None,
) -> Enrollment:
    """The enrollment folded from its events in `source` (the ledger, or a read-only reader)."""
    enrollment = fold(source.aggregate_events(Enrollment.id_for(enrollment_id)), as_of, known_at)
    if enrollment is None:
        raise UnknownEnrollment(f"unknown enrollment {enrollment_id!r} (at that point in time)")
    return enrollment


def coverage_view(enrollment: Enrollment) -> dict[str, Any]:
    spans: list[dict[str, Any]] = []
    if enrollment.start_on is not None and enrollment.status != CANCELLED:
        spans.append(
            {
                "start_on": enrollment.start_on.isoformat(),
                "end_on": enrollment.end_on.isoformat() if enrollment.end_on else None,
                "end_reason": enrollment.end_reason,
                "citation": enrollment.end_citation or ENROLLMENT_EFFECTIVE,
            }
        )
    return {
        "enrollment_id": enrollment.enrollment_id,
        "household_id": enrollment.household_id,
        "coverage": enrollment.coverage,
        "plan_id": enrollment.plan_id,
        "program": enrollment.program,
        "plan_type": enrollment.plan_type,
        "financially_assisted": enrollment.financially_assisted,
        "status": enrollment.status,
        "spans": spans,
        "paid_through": paid_through(enrollment),
        "members": _members(enrollment),
    }


def _members(enrollment: Enrollment) -> list[dict[str, Any]]:
    """Each member chosen for the plan, with the end of their own coverage when it ended before
    the enrollment's (12.10(5)(c): a loss of eligibility or a death)."""
    members = []
    for member_id in enrollment.member_ids:
        ended = enrollment.ended_members.get(member_id)
        members.append(
            {
                "member_id": member_id,
                "end_on": ended["end_on"] if ended else None,
                "end_reason": ended["reason"] if ended else None,
                "citation": ended["citation"] if ended else None,
            }
        )
    return members


def paid_through(enrollment: Enrollment | GroupEnrollment) -> str | None:
    """The last day of the last month paid in full in a row from coverage's start."""
    start_on = enrollment.start_on
    if start_on is None:
        return None
    invoices = enrollment.invoices
    through: date | None = None
    for month in sorted(invoices):
        if month < start_on:
            continue
        invoice = invoices[month]
        if invoice.voided or invoice.outstanding > 0:
            break
        through = month
    return last_day_of_month(through).isoformat() if through else None


def _premium_basis(enrollment: Enrollment | GroupEnrollment, month: date) -> PremiumBasis:
    """The premium in force for `month` and its rule: an individual's (`premium_basis`), or a
    small group's, the total of its participating employees (12.11(1))."""
    if isinstance(enrollment, GroupEnrollment):
        return PremiumBasis(enrollment.monthly_premium(month), GROUP_ENROLLMENT, None)
    return premium_basis(enrollment, month)


def balance_view(enrollment: Enrollment | GroupEnrollment) -> dict[str, Any]:
    months = []
    total = ZERO
    invoices = enrollment.invoices
    for month in sorted(invoices):
        invoice = invoices[month]
        outstanding = invoice.outstanding
        total += outstanding
        basis = _premium_basis(enrollment, month)
        months.append(
            {
                "month": month_key(month),
                "billed": money_str(invoice.amount),
                "paid": money_str(invoice.paid),
                "waived": money_str(invoice.waived),
                "outstanding": money_str(outstanding),
                "due_on": invoice.due_on.isoformat(),
                "voided": invoice.voided,
                "premium": money_str(basis.monthly_premium),
                "premium_citation": basis.citation,
                "premium_determination_event_id": basis.determination_event_id,
                "adjustments": [dict(adjustment) for adjustment in invoice.adjustments],
            }
        )
    reinstatement: str | None = None
    if enrollment.status == TERMINATED and enrollment.reinstatable:
        reinstatement = money_str(enrollment.reinstatement_outstanding())
    return {
        "enrollment_id": enrollment.enrollment_id,
        "months": months,
        "outstanding_total": money_str(total),
        "credit": money_str(enrollment.credit),
        "refund_due": money_str(enrollment.refund_due),
        "recoupment_due": money_str(enrollment.recoupment_due),
        "reinstatement_amount": reinstatement,
        "reinstatement_deadline": (
            enrollment.reinstatement_deadline.isoformat()
            if enrollment.reinstatable and enrollment.reinstatement_deadline
            else None
        ),
        "delinquency": {
            "first_unpaid_month": (
                month_key(enrollment.first_unpaid_month) if enrollment.first_unpaid_month else None
            ),
            "payment_due_on": (
                enrollment.payment_due_on.isoformat() if enrollment.payment_due_on else None
            ),
            "notices": list(enrollment.notices),
        },
    }
