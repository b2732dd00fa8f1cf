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

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from ..calendar import month_key, parse_month
from ..money import ZERO
from ..parameters import PolicyVersion
from ..rules import coverage_changes as rules
from ..rules import premiums as premium_rules
from . import billing
from .delinquency import Delinquent, restore_coverage
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
        withdraw_end(e, self.rebilled_months)
        e.recoupment_due -= self.recoupment_withdrawn


class Restorable(Delinquent, Protocol):
    """What a restoration on appeal reads and changes of an aggregate billed by `billing` (an
    `Enrollment`, a `GroupEnrollment`), besides what delinquency does: whether it has ended for
    good and why a selection was cancelled."""

    ended: bool
    cancel_reason: str | None


def record_restoration(
    e: Restorable,
    event_class: type[EnrollmentEvent],
    decision: tuple[date, PolicyVersion, str, str],
    restored_from: date,
    **fields: Any,
) -> None:
    """Record a restoration on appeal (`event_class`, one `e` adopted) effective `restored_from`:
    `decision` is the decision's date, the policy in force, the appeal and the action reversed."""
    on, policy, appeal_id, appealed_event_id = decision
    e._decide(
        event_class,
        on=on,
        effective_on=restored_from,
        citation=rules.COVERAGE_RESTORED_ON_APPEAL,
        policy=policy,
        appeal_id=appeal_id,
        appealed_event_id=appealed_event_id,
        restored_from=restored_from,
        **fields,
    )


def withdraw_end(e: Restorable, rebilled_months: list[dict[str, str]]) -> None:
    """An end reversed on appeal withdrawn (as a reinstatement undoes one): coverage continues with
    no gap, every month is owed again, what was due back is credit again, and each month in
    `rebilled_months` is due on its new date (checked again then)."""
    restore_coverage(e)
    e.ended = False
    e.cancel_reason = None
    for rebilled in rebilled_months:
        invoice = e.invoices.get(parse_month(rebilled["month"]))
        if invoice is not None:
            invoice.due_on = date.fromisoformat(rebilled["due_on"])
            invoice.checked = False


def last_day_before_withdrawn_end(e: Restorable) -> date | None:
    """The last day of coverage the end to be withdrawn had left (None when it took coverage back
    to its start: a cancellation)."""
    assert e.end_on is not None
    return e.end_on if e.status != Status.CANCELLED else None


def months_owed_again(e: Restorable, on: date, policy: PolicyVersion) -> list[dict[str, str]]:
    """The months an end withdrawn on `on` makes owed again (voided, or still unpaid), each with
    its due date (`rules.rebilled_due_on`: none due before the next premium due date)."""
    return [
        {
            "month": month_key(m),
            "due_on": rules.rebilled_due_on(e.invoices[m].due_on, on, policy).isoformat(),
        }
        for m in sorted(m for m, i in e.invoices.items() if i.voided or i.outstanding > 0)
    ]


def settle_withdrawn_end(
    e: Restorable, on: date, policy: PolicyVersion, billable: Callable[[date], bool]
) -> None:
    """After an end withdrawn on `on`: the credit pays the months owed again, oldest first, and
    the months whose invoice day passed while coverage stood ended are billed now (those
    `billable` says the aggregate bills), due on the next premium due date at the earliest."""
    billing.apply_credit(e, on, policy)
    due_on = rules.adjustment_due_on(on, policy)
    while (month := billing.next_invoice_month(e)) is not None:
        issue_on, own_due_on = premium_rules.invoice_dates(month, policy)
        if issue_on > on or not billable(month):
            return
        billing.issue_invoice(e, month, on, max(own_due_on, due_on), InvoiceKind.MONTHLY, policy)


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
    if withdraws_end:
        ended_on = last_day_before_withdrawn_end(e)
    else:
        ended_on = min(date.fromisoformat(e.ended_members[m]["end_on"]) for m in member_ids)
    restored_from = rules.restored_from(ended_on, e.start_on)
    record_restoration(
        e,
        e.CoverageRestoredOnAppeal,
        (on, policy, appeal_id, appealed_event_id),
        restored_from,
        member_ids=member_ids,
        withdrawn_end_on=e.end_on if withdraws_end else None,
        withdrawn_end_reason=e.end_reason if withdraws_end else None,
        rebilled_months=months_owed_again(e, on, policy) if withdraws_end else [],
        refund_withdrawn=e.refund_due if withdraws_end else ZERO,
        recoupment_withdrawn=e.recoupment_due if withdraws_end else ZERO,
    )
    if withdraws_end:
        settle_withdrawn_end(e, on, policy, lambda month: month.year in e.renewed_years)
