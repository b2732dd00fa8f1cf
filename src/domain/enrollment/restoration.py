"""Coverage restored on appeal (956 CMR 12.15(4), 45 CFR 155.545(c)): an action that ended coverage
(a determination that left a member eligible for nothing, 12.10(5)(c) / 12.16(1)(a), or a
termination for fraud, 12.10(5)(a)) reversed by the hearing officer is implemented as of the date
of the action, so the coverage it ended continues with no gap.

`CoverageRestoredOnAppeal` names the members restored and, when the action had ended the whole
enrollment, the end it withdraws. Nothing recorded is rewritten: the months the end voided are owed
again (what was due back to the member is credit again, and pays them oldest first by a
`CreditApplied`), the recoupment the termination for fraud set is withdrawn, and months still
unpaid whose due date has passed are due on the next premium due date after the decision (so the
restoration makes nobody delinquent on the day it is recorded). Months never billed because of the
end are billed at once, due on that date too.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from ..calendar import month_key, parse_month
from ..money import ZERO
from ..parameters import PolicyVersion
from ..rules import coverage_changes as rules
from ..rules import premiums as premium_rules
from . import billing
from .delinquency import restore_coverage
from .members import covered_members
from .shared import EndReason, EnrollmentEvent, InvoiceKind, Status

if TYPE_CHECKING:
    from . import Enrollment


class CoverageRestoredOnAppeal(EnrollmentEvent):
    """`member_ids` covered again from `restored_from` after `appeal_id` reversed the action
    `appealed_event_id`. `withdrawn_end_on` (with its reason) is the enrollment's end that action
    set, withdrawn (None when other members had stayed covered); `rebilled_months` are the months
    owed again, each with its due date (`{"month": "YYYY-MM", "due_on": "YYYY-MM-DD"}`);
    `refund_withdrawn` is what was due back to the member and is credit again;
    `recoupment_withdrawn` the recoupment withdrawn."""

    appeal_id: str
    appealed_event_id: str
    member_ids: list[str]
    restored_from: date
    withdrawn_end_on: date | None
    withdrawn_end_reason: str | None
    rebilled_months: list[dict[str, str]]
    refund_withdrawn: Decimal
    recoupment_withdrawn: Decimal

    def apply(self, e: Enrollment) -> None:
        for member_id in self.member_ids:
            e.ended_members.pop(member_id, None)
        if self.withdrawn_end_on is None:
            return
        restore_coverage(e)
        e.ended = False
        e.cancel_reason = None
        e.recoupment_due -= self.recoupment_withdrawn
        for rebilled in self.rebilled_months:
            invoice = e.invoices.get(parse_month(rebilled["month"]))
            if invoice is not None:
                invoice.due_on = date.fromisoformat(rebilled["due_on"])
                invoice.checked = False


def restore_on_appeal(
    e: Enrollment,
    on: date,
    appeal_id: str,
    appealed_event_id: str,
    eligible_member_ids: list[str] | None,
    policy: PolicyVersion,
) -> bool:
    """12.15(4), 45 CFR 155.545(c): what the reversed action `appealed_event_id` ended here is
    restored. A determination (`eligible_member_ids`: the members its correction leaves eligible):
    each of them whose own coverage it ended, and the enrollment's end when it set it
    (`ineligible`, no member left). A termination for fraud (`eligible_member_ids` None): the
    enrollment's end and its recoupment. False, recording nothing, when it ended nothing here that
    can be restored (coverage that never began is not restored: see the README)."""
    if e.start_on is None:
        return False
    if eligible_member_ids is None:
        if e.end_reason != EndReason.FRAUD:
            return False
        restored, withdraws_end = covered_members(e), True
    else:
        restored = [
            m
            for m in eligible_member_ids
            if e.ended_members.get(m, {}).get("determination_event_id") == appealed_event_id
        ]
        withdraws_end = not covered_members(e) and e.end_reason == EndReason.INELIGIBLE
        if not restored or (e.closed and not withdraws_end):
            return False
    _restore(e, on, appeal_id, appealed_event_id, restored, withdraws_end, policy)
    return True


def _restore(
    e: Enrollment,
    on: date,
    appeal_id: str,
    appealed_event_id: str,
    member_ids: list[str],
    withdraws_end: bool,
    policy: PolicyVersion,
) -> None:
    """`member_ids` covered again as of the reversed action; with `withdraws_end`, the
    enrollment's own end is withdrawn too, the months it voided owed again and paid from credit
    first, and the months it kept from being billed billed now."""
    assert e.start_on is not None
    rebilled: list[date] = []
    if withdraws_end:
        assert e.end_on is not None
        ended_on: date | None = e.end_on if e.status != Status.CANCELLED else None
        rebilled = sorted(m for m, i in e.invoices.items() if i.voided or i.outstanding > 0)
    else:
        ended_on = min(date.fromisoformat(e.ended_members[m]["end_on"]) for m in member_ids)
    restored_from = rules.restored_from(ended_on, e.start_on)
    e._decide(
        e.CoverageRestoredOnAppeal,
        on=on,
        effective_on=restored_from,
        citation=rules.COVERAGE_RESTORED_ON_APPEAL,
        policy=policy,
        appeal_id=appeal_id,
        appealed_event_id=appealed_event_id,
        member_ids=member_ids,
        restored_from=restored_from,
        withdrawn_end_on=e.end_on if withdraws_end else None,
        withdrawn_end_reason=e.end_reason if withdraws_end else None,
        rebilled_months=[
            {
                "month": month_key(m),
                "due_on": rules.rebilled_due_on(e.invoices[m].due_on, on, policy).isoformat(),
            }
            for m in rebilled
        ],
        refund_withdrawn=e.refund_due if withdraws_end else ZERO,
        recoupment_withdrawn=e.recoupment_due if withdraws_end else ZERO,
    )
    if withdraws_end:
        billing.apply_credit(e, on, policy)
        _bill_months_kept_from_billing(e, on, rules.adjustment_due_on(on, policy), policy)


def _bill_months_kept_from_billing(
    e: Enrollment, on: date, due_on: date, policy: PolicyVersion
) -> None:
    """The months whose invoice day passed while coverage stood ended are billed now (in a
    renewed plan year only), due on `due_on`."""
    while (month := billing.next_invoice_month(e)) is not None:
        issue_on, own_due_on = premium_rules.invoice_dates(month, policy)
        if issue_on > on or month.year not in e.renewed_years:
            return
        billing.issue_invoice(e, month, on, max(own_due_on, due_on), InvoiceKind.MONTHLY, policy)
