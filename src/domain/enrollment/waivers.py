"""Hardship waivers (956 CMR 12.12(7), 12.16(3)(c)): the request on its grounds, the decision
that waives the minimum-premium portion for up to 12 months (possibly retroactive), and the end
of the waiver period. The rules themselves are in `rules/waivers.py`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..calendar import add_months, first_of_month, month_key, parse_month
from ..errors import InvalidCommand
from ..money import ZERO
from ..parameters import PolicyVersion
from ..rules import waivers as waiver_rules
from . import billing
from .shared import EnrollmentEvent, WaiverDecision

if TYPE_CHECKING:
    from . import Enrollment

# ---- events ------------------------------------------------------------------------------------


class HardshipWaiverRequested(EnrollmentEvent):
    """Version 2: `grounds` is a list of codes, `grounds_clauses` their clauses (version 1
    held one code and its `grounds_clause`)."""

    class_version = 2
    request_id: str
    grounds: list[str]
    grounds_clauses: list[str]

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["grounds"] = [state["grounds"]]
        state["grounds_clauses"] = [state.pop("grounds_clause")]

    def apply(self, e: Enrollment) -> None:
        e.waiver_requests[self.request_id] = {"grounds": self.grounds, "decision": None}


class HardshipWaiverDecided(EnrollmentEvent):
    request_id: str
    decision: str
    first_month: str | None
    months: int
    last_month: str | None
    waived_by_month: list[dict[str, str]]
    to_credit: Decimal

    def apply(self, e: Enrollment) -> None:
        e.waiver_requests[self.request_id]["decision"] = self.decision
        for entry in self.waived_by_month:
            month = parse_month(entry["month"])
            portion = Decimal(entry["amount"])
            e.waived_months[month] = portion
            invoice = e.invoices.get(month)
            if invoice is not None:
                invoice.waived = min(portion, invoice.amount)
                excess = invoice.paid + invoice.waived - invoice.amount
                if excess > 0:
                    # what was paid on the waived portion goes back to credit (`to_credit`
                    # is their sum when decided; a fold by business date moves what it holds)
                    invoice.paid -= excess
                    e.credit += excess
        if self.decision == WaiverDecision.GRANTED and self.last_month is not None:
            e.waiver_ends_on = add_months(parse_month(self.last_month), 1)


class HardshipWaiverEnded(EnrollmentEvent):
    ended_on: date

    def apply(self, e: Enrollment) -> None:
        e.waiver_ends_on = None


# ---- decisions -----------------------------------------------------------------------------------


def record_request(
    e: Enrollment, on: date, grounds: list[str], clauses: list[str], policy: PolicyVersion
) -> str:
    """12.12(7)(a): the request as received (one ground or several), with the clause each
    ground falls under. The premium stays due while it is pending (12.12(7)(c))."""
    request_id = f"{e.enrollment_id}#waiver-{len(e.waiver_requests) + 1}"
    e._decide(
        e.HardshipWaiverRequested,
        on=on,
        citation=waiver_rules.grounds_citation(clauses),
        policy=policy,
        request_id=request_id,
        grounds=list(grounds),
        grounds_clauses=clauses,
    )
    return request_id


def pending_request(e: Enrollment, request_id: str | None, decision: str) -> str:
    """The request a decision is about: the one named, or the latest pending. Refused when none
    is pending, and a grant when the enrollment's premiums cannot be waived (12.12(7)(f),
    12.16(3)(c)): a denial of such a request is recorded, since a waiver denial is appealable
    (12.13(4); contract, second edition)."""
    refusal = waiver_rules.waiver_refusal(e.program, e.coverage)
    if refusal is not None and decision == WaiverDecision.GRANTED:
        raise InvalidCommand(
            f"this enrollment's premiums are not eligible for a hardship waiver ({refusal}): "
            "a request on it can only be denied",
            "waiver_not_available",
        )
    pending = [r for r, v in e.waiver_requests.items() if v["decision"] is None]
    if request_id is None:
        if not pending:
            raise InvalidCommand("no pending hardship waiver request", "no_pending_request")
        return pending[-1]
    if request_id not in pending:
        raise InvalidCommand(
            f"no pending hardship waiver request {request_id!r}", "no_pending_request"
        )
    return request_id


def decide(
    e: Enrollment,
    on: date,
    request_id: str,
    decision: str,
    first_month: date,
    months: int,
    policy: PolicyVersion,
) -> None:
    """12.12(7)(b)-(f), 12.16(3)(c): a grant waives, for up to 12 months (possibly
    retroactive), only the portion of premium equal to the plan type's minimum premium; what was
    already paid on that portion goes back to credit."""
    granted = decision == WaiverDecision.GRANTED
    waived: list[dict[str, str]] = []
    to_credit = ZERO
    last: date | None = None
    if granted:
        waiver_rules.check_waiver_months(months, policy, on)
        for month in waiver_rules.waiver_months(first_of_month(first_month), months):
            portion = waiver_rules.waivable_portion(
                billing.premium_for(e, month),
                e.plan_type or "",
                month.year,
                policy,
                members=len(e.member_ids),
            )
            waived.append({"month": month_key(month), "amount": str(portion)})
            invoice = e.invoices.get(month)
            if invoice is not None:
                to_credit += max(invoice.paid + min(portion, invoice.amount) - invoice.amount, ZERO)
            last = month
    e._decide(
        e.HardshipWaiverDecided,
        on=on,
        effective_on=first_of_month(first_month),
        citation=waiver_rules.MINIMUM_PREMIUM_PORTION
        if granted
        else waiver_rules.denial_citation(e.program, e.coverage),
        policy=policy,
        request_id=request_id,
        decision=decision,
        first_month=month_key(first_month) if granted else None,
        months=months if granted else 0,
        last_month=month_key(last) if last else None,
        waived_by_month=waived,
        to_credit=to_credit,
    )


def end_waiver_period(e: Enrollment, at: date, policy: PolicyVersion) -> None:
    """12.12(7)(d)-(e), 12.10(1)(f): the waiver period has ended."""
    assert e.waiver_ends_on is not None
    e._decide(
        e.HardshipWaiverEnded,
        on=at,
        effective_on=e.waiver_ends_on,
        citation=waiver_rules.WAIVER_LENGTH,
        policy=policy,
        ended_on=e.waiver_ends_on,
    )
