"""A covered member's coverage ending (956 CMR 12.10(5)(c), 12.08(3), 12.16(1)(a)): a determination
that leaves the member eligible for nothing, or the member's death.

The member's coverage ends on a date known ahead (`MemberCoverageEnded`, naming the member). While
other members remain covered the enrollment goes on for them, at its premium until a
`change_premium` says otherwise (12.12(8)(a)). When none remains, the enrollment ends on that date
(`end_reason` `ineligible` or `death`): the months after it are voided (what was paid on them is
credit again, and due back once coverage has ended), the delinquency episode ends with it (the
termination is 12.10(5)(c)'s, so no termination for non-payment follows; premiums of covered
months still unpaid stay owed), and the schedule records `CoverageEnded` the day after. An
enrollment whose coverage had not begun by then is cancelled.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ..parameters import PolicyVersion
from . import billing
from .coverage import ends_on
from .delinquency import end_delinquency
from .shared import EnrollmentEvent, RefundReason, Status

if TYPE_CHECKING:
    from . import Enrollment


class MemberCoverageEnded(EnrollmentEvent):
    """`member_id`'s coverage ends on `end_on` for `reason` (an `EndReason`: `ineligible` or
    `death`); `determination_event_id` names the determination that decided it (None for a
    death). With no `remaining_member_ids`, the enrollment ends on that date."""

    member_id: str
    end_on: date
    reason: str
    determination_event_id: str | None
    remaining_member_ids: list[str]

    def apply(self, e: Enrollment) -> None:
        e.ended_members[self.member_id] = {
            "end_on": self.end_on.isoformat(),
            "reason": self.reason,
            "citation": self.citation,
            "determination_event_id": self.determination_event_id,
        }
        if self.remaining_member_ids:
            return
        ends_on(e, self.end_on, self.reason, self.citation)
        if e.status == Status.DELINQUENT:
            e.status = Status.ACTIVE
        end_delinquency(e)


def covered_members(e: Enrollment) -> list[str]:
    """The enrollment's members whose coverage has not been ended on their own."""
    return [m for m in e.member_ids if m not in e.ended_members]


def end_member_coverage(
    e: Enrollment,
    on: date,
    member_id: str,
    end_on: date,
    reason: str,
    citation: str,
    determination_event_id: str | None,
    policy: PolicyVersion,
) -> bool:
    """12.10(5)(c) (12.16(1)(a) for dental): `member_id`'s coverage ends on `end_on`. Nothing is
    recorded (False) when the member is not covered here, or the enrollment has ended or already
    ends by then. With no member left, the enrollment ends then, or is cancelled when its coverage
    had not begun by then (`reason` is then the cancellation's)."""
    if member_id not in covered_members(e):
        return False
    if e.status in (Status.CANCELLED, Status.TERMINATED) or e.ended:
        return False
    if e.end_on is not None and e.end_on <= end_on:
        return False
    remaining = [m for m in covered_members(e) if m != member_id]
    e._decide(
        e.MemberCoverageEnded,
        on=on,
        effective_on=end_on,
        citation=citation,
        policy=policy,
        member_id=member_id,
        end_on=end_on,
        reason=reason,
        determination_event_id=determination_event_id,
        remaining_member_ids=remaining,
    )
    begins = e.start_on if e.start_on is not None else e.binder_month
    if not remaining and begins > end_on:
        e._decide(e.EnrollmentCancelled, on=on, citation=citation, policy=policy, reason=reason)
        billing.refund_credit(e, on, policy, RefundReason.CANCELLED)
    return True
