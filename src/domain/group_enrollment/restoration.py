"""A small group's coverage restored on appeal (956 CMR 12.15(4), 45 CFR 155.545(c)): the
Connector's termination of the group (for fraud, or because the employer is no longer eligible,
12.11(5)(a), (c)) or of one employee for fraud, reversed by the hearing officer, is implemented as
of the date of the action, so the coverage it ended continues with no gap
(`rules.small_group_appeals` says whose appeal restores what).

`GroupCoverageRestoredOnAppeal` names the employees covered again. A group's end is withdrawn as
an individual enrollment's is (`enrollment.restoration`: one code for both): the months the end
voided are owed again (what was due back to the employer is credit again and pays them oldest
first), months still unpaid whose due date has passed are due on the next premium due date, and
months never billed because of the end are billed at once. An employee's own end is withdrawn
and each month already billed without them is billed again with their premium (`adjustments`, as
a premium change lists them), due on the next premium due date at the earliest, so the
restoration makes nobody delinquent on the day it is recorded.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..calendar import plus_days
from ..enrollment import billing
from ..enrollment.premium_changes import adjust_invoice, invoice_adjustment
from ..enrollment.restoration import (
    last_day_before_withdrawn_end,
    months_owed_again,
    record_restoration,
    settle_withdrawn_end,
    withdraw_end,
)
from ..enrollment.shared import EndReason, EnrollmentEvent
from ..events import event_id
from ..money import ZERO
from ..parameters import PolicyVersion
from ..rules import coverage_changes as coverage_rules
from ..rules.small_group_terminations import GroupEndCause
from . import terminations
from .employees import EmployeeSpan

if TYPE_CHECKING:
    from . import GroupEnrollment

END_REASON_OF_CAUSE: dict[str, EndReason] = {
    GroupEndCause.FRAUD: EndReason.FRAUD,
    GroupEndCause.EMPLOYER_INELIGIBLE: EndReason.INELIGIBLE,
}
"""The group's end reason a termination under 12.11(5) sets, by its cause."""


class GroupCoverageRestoredOnAppeal(EnrollmentEvent):
    """`employee_ids` covered again from `restored_from` after `appeal_id` reversed the action
    `appealed_event_id` (the Connector's termination `termination_event_id`, itself or as its
    notice or the employer determination it followed). `withdrawn_end_on` (with its reason) is the group's end that action set,
    withdrawn (None when it ended one employee); `rebilled_months` the months owed again, each
    with its due date (`{"month": "YYYY-MM", "due_on": "YYYY-MM-DD"}`); `refund_withdrawn` what
    was due back to the employer and is credit again; `adjustments` each month already billed
    without the employee restored, billed again with them (`{"month", "billed", "amount",
    "difference", "due_on"}`)."""

    appeal_id: str
    appealed_event_id: str
    termination_event_id: str
    employee_ids: list[str]
    restored_from: date
    withdrawn_end_on: date | None
    withdrawn_end_reason: str | None
    rebilled_months: list[dict[str, str]]
    refund_withdrawn: Decimal
    adjustments: list[dict[str, str]]

    def apply(self, g: GroupEnrollment) -> None:
        if self.withdrawn_end_on is not None:
            withdraw_end(g, self.rebilled_months)
            return
        ended = {id(s) for e in self.employee_ids if (s := _ended_for_fraud(g, e)) is not None}
        g.employees = [
            replace(s, end_on=None, end_citation=None, end_reason=None) if id(s) in ended else s
            for s in g.employees
        ]
        for adjustment in self.adjustments:
            adjust_invoice(g, self.on, adjustment)


def _ended_for_fraud(g: GroupEnrollment, employee_id: str) -> EmployeeSpan | None:
    """The employee's latest enrollment in the group, when a termination for fraud ended it."""
    spans = [s for s in g.employees if s.employee_id == employee_id]
    if not spans or spans[-1].end_reason != EndReason.FRAUD:
        return None
    return spans[-1]


def restore_group(
    g: GroupEnrollment,
    on: date,
    appeal: tuple[str, str],
    termination: Any,
    policy: PolicyVersion,
) -> bool:
    """12.15(4), 45 CFR 155.545(c): the group's end that `termination` (a
    `GroupCoverageTerminated`) set withdrawn, with every employee it ended, after `appeal` (its
    id, and the event it appealed). False, recording nothing, when that end is no longer the
    group's (another end came first: it stands) or coverage never began (nothing to restore)."""
    end_on = termination.end_on
    if (
        g.start_on is None
        or g.end_on != end_on
        or g.end_reason != END_REASON_OF_CAUSE.get(termination.cause)
    ):
        return False
    restored_from = coverage_rules.restored_from(last_day_before_withdrawn_end(g), g.start_on)
    _record(
        g,
        (on, policy, *appeal),
        restored_from,
        termination,
        employee_ids=sorted(
            {s.employee_id for s in g.employees if s.end_on is None or s.end_on > end_on}
        ),
        withdrawn_end_on=g.end_on,
        withdrawn_end_reason=g.end_reason,
        rebilled_months=months_owed_again(g, on, policy),
        refund_withdrawn=g.refund_due,
        adjustments=[],
    )
    settle_withdrawn_end(g, on, policy, lambda month: month <= g.coverage_year_ends_on)
    return True


def restore_employee(
    g: GroupEnrollment,
    on: date,
    appeal: tuple[str, str],
    termination: Any,
    policy: PolicyVersion,
) -> bool:
    """12.15(4), 45 CFR 155.545(c): one employee's termination for fraud withdrawn: covered again
    from the day after its end (from their first day for a rescission from it), the employer's
    premium owed again for their months. False, recording nothing, when the employee's latest
    enrollment did not end for fraud. `termination`: the `EmployeeTerminatedForFraud`."""
    employee_id = termination.employee_id
    span = _ended_for_fraud(g, employee_id)
    if span is None:
        return False
    assert span.end_on is not None
    restored = replace(span, end_on=None)
    adjustments: list[dict[str, str]] = []
    for month, invoice in sorted(g.invoices.items()):
        if invoice.voided or not restored.billed_for(month):
            continue
        others = (s.monthly_premium for s in g.employees if s is not span and s.billed_for(month))
        amount = sum(others, restored.monthly_premium)
        if amount <= invoice.amount:
            continue  # billed with them already (before their end was known)
        due_on = coverage_rules.rebilled_due_on(invoice.due_on, on, policy)
        adjustments.append(invoice_adjustment(month, invoice.amount, amount, due_on))
    ended_on = span.end_on if span.end_on >= span.start_on else None
    restored_from = coverage_rules.restored_from(ended_on, span.start_on)
    _record(
        g,
        (on, policy, *appeal),
        restored_from,
        termination,
        employee_ids=[employee_id],
        withdrawn_end_on=None,
        withdrawn_end_reason=None,
        rebilled_months=[],
        refund_withdrawn=ZERO,
        adjustments=adjustments,
    )
    billing.apply_credit(g, on, policy)
    return True


def _record(
    g: GroupEnrollment,
    decision: tuple[date, PolicyVersion, str, str],
    restored_from: date,
    termination: Any,
    **fields: Any,
) -> None:
    """`GroupCoverageRestoredOnAppeal` naming the Connector's `termination` it withdraws."""
    record_restoration(
        g,
        g.GroupCoverageRestoredOnAppeal,
        decision,
        restored_from,
        termination_event_id=event_id(termination.originator_id, termination.originator_version),
        **fields,
    )


def end_again(
    g: GroupEnrollment,
    on: date,
    restored: GroupCoverageRestoredOnAppeal,
    finding: str,
    policy: PolicyVersion,
) -> None:
    """12.15(5): a re-hearing's superseding decision leaves the action appealed standing, so what
    `restored` covered again ends again as that action ended it, decided on `on` (`finding`: the
    action's reason): the group's end for fraud as of the end it had set, an employee's too, or
    the group of an employer no longer eligible at the end of this month. Nothing when the
    coverage has since ended another way."""
    if restored.withdrawn_end_on is None:
        end_on = plus_days(restored.restored_from, -1)
        for employee_id in restored.employee_ids:
            if g.current_span(employee_id) is not None and not g.closed:
                terminations.terminate_employee_for_fraud(
                    g, on, employee_id, end_on, finding, policy
                )
        return
    if g.closed or g.end_on is not None:
        return
    if restored.withdrawn_end_reason == EndReason.FRAUD:
        terminations.terminate_group_for_fraud(g, on, restored.withdrawn_end_on, finding, policy)
    else:
        terminations.terminate_for_employer_ineligibility(g, on, finding, policy)
