"""Termination for fraud (956 CMR 12.10(5)(a), 12.10(7)): coverage ends on the day the Connector
decides, or earlier (a rescission, 45 CFR 147.128), or from its start; the months after the end
are voided (what was paid on them is credit, then due back, as for any end); the APTC paid to the
carrier for those months may be recouped from the enrollee (`recoupment_due`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from ..errors import InvalidCommand
from ..parameters import PolicyVersion
from ..rules import fraud as rules
from . import billing
from .coverage import ends_on
from .shared import EndReason, EnrollmentEvent, RefundReason, Status

if TYPE_CHECKING:
    from . import Enrollment


class CoverageTerminatedForFraud(EnrollmentEvent):
    """Coverage ended for fraud on `end_on` (its last day): `rescission` when that is before the
    decision (45 CFR 147.128), `from_start` when before coverage began (rescinded from its start);
    `recoupment_due` the APTC of the months taken away (`recoupment_months`, 12.10(7))."""

    end_on: date
    finding: str
    rescission: bool
    from_start: bool
    recoupment_due: Decimal
    recoupment_months: list[str]
    recoupment_citation: str | None

    def apply(self, e: Enrollment) -> None:
        ends_on(e, self.end_on, EndReason.FRAUD, self.citation)
        if self.from_start:
            billing.void_months_after(e, None)
        e.status = Status.CANCELLED if self.from_start else Status.TERMINATED
        e.ended = True
        e.terminated_on = self.on
        e.reinstatable = False
        e.reinstatement_deadline = None
        e.pending_notice_on = None
        e.payment_due_on = None
        e.recoupment_due += self.recoupment_due


def terminate_for_fraud(
    e: Enrollment, on: date, effective_on: date, finding: str, policy: PolicyVersion
) -> None:
    """12.10(5)(a): end coverage on `effective_on` for the fraud `finding`; 12.10(7): the APTC of the
    billed months it takes away may be recouped; the credit then pays what is still owed for the
    covered months and the rest is due back (12.12(1))."""
    if e.ended or e.status == Status.CANCELLED:
        raise InvalidCommand("the enrollment has already ended", "invalid_state")
    if e.status == Status.TERMINATED and e.end_on is not None and e.end_on <= effective_on:
        raise InvalidCommand(
            f"coverage already ended on {e.end_on.isoformat()}, before {effective_on.isoformat()}",
            "invalid_state",
        )
    end = rules.fraud_end(effective_on, on, e.start_on)
    taken_away = [
        month
        for month, invoice in e.invoices.items()
        if not invoice.voided and (end.from_start or month > end.end_on)
    ]
    recoup = rules.recoupment(e.aptc_applied, taken_away, on)
    e._decide(
        e.CoverageTerminatedForFraud,
        on=on,
        effective_on=end.end_on,
        citation=end.citation,
        policy=policy,
        end_on=end.end_on,
        finding=finding,
        rescission=end.rescission,
        from_start=end.from_start,
        recoupment_due=recoup.amount,
        recoupment_months=list(recoup.months),
        recoupment_citation=recoup.citation,
    )
    billing.refund_credit(e, on, policy, RefundReason.TERMINATED_FOR_FRAUD)
