"""The hearing packet's `premiums_by_month`: which premium applied to each month billed on each of
the household's enrollments, and why (12.10(2): the premium chosen with the plan; 12.07(1) and
12.12(8)(b): a renewal's; 12.12(8)(a) with 12.08: a premium changed by a redetermination, from that
determination's effective date)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..domain.calendar import month_key
from ..domain.enrollment import Enrollment
from ..domain.enrollment.billing import PremiumBasis, premium_basis
from ..domain.household import Household
from ..domain.ledger import Ledger
from ..domain.rules import coverage_changes
from ..domain.rules import premiums as premium_rules

PLAN_SELECTION, RENEWAL, PREMIUM_CHANGE = "plan_selection", "renewal", "premium_change"


def premiums_by_month(ledger: Ledger, household: Household) -> list[dict[str, Any]]:
    """Each individual enrollment of the household with, for each month billed, the premium in
    force, the basis (`plan_selection`, `renewal` or `premium_change`), its citation, the
    determination behind a change and the month the change applies from, and a sentence."""
    shown = []
    for enrollment_id in household.enrollment_ids:
        enrollment = ledger.any_enrollment(enrollment_id)
        if not isinstance(enrollment, Enrollment):
            continue
        shown.append(
            {
                "enrollment_id": enrollment_id,
                "coverage": enrollment.coverage,
                "plan_id": enrollment.plan_id,
                "months": [
                    _month(enrollment, month, invoice.amount, invoice.voided)
                    for month, invoice in sorted(enrollment.invoices.items())
                ],
            }
        )
    return shown


def _month(enrollment: Enrollment, month: date, billed: Any, voided: bool) -> dict[str, Any]:
    basis = premium_basis(enrollment, month)
    kind = _basis_kind(basis)
    from_month = _change_from(enrollment, month, basis) if kind == PREMIUM_CHANGE else None
    return {
        "month": month_key(month),
        "premium": str(basis.monthly_premium),
        "billed": str(billed),
        "voided": voided,
        "basis": kind,
        "citation": basis.citation,
        "determination_event_id": basis.determination_event_id,
        "applies_from": month_key(from_month) if from_month else None,
        "why": _why(enrollment, month, kind, basis, from_month),
    }


def _basis_kind(basis: PremiumBasis) -> str:
    if basis.citation == coverage_changes.PREMIUM_CHANGE:
        return PREMIUM_CHANGE
    if basis.citation == premium_rules.PLAN_YEAR_RENEWAL:
        return RENEWAL
    return PLAN_SELECTION


def _change_from(enrollment: Enrollment, month: date, basis: PremiumBasis) -> date | None:
    """The month the premium change in force for `month` applies from."""
    for step in reversed(enrollment.premium_changes):
        if (
            step.determination_event_id == basis.determination_event_id
            and step.from_month <= month
            and step.from_month.year == month.year
        ):
            return step.from_month
    return None


def _why(
    enrollment: Enrollment, month: date, kind: str, basis: PremiumBasis, from_month: date | None
) -> str:
    if kind == PREMIUM_CHANGE:
        start = from_month.strftime("%B %Y") if from_month else "its effective date"
        return (
            f"changed by the redetermination {basis.determination_event_id}, from {start}, the "
            "month it took effect for the members who stayed covered"
        )
    if kind == RENEWAL:
        return f"the renewal's premium for plan year {month.year}"
    return f"the premium chosen with the plan on {enrollment.selected_on.isoformat()}"
