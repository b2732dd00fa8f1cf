"""The Connector's terminations of a small group under 956 CMR 12.11(5)(a), (c), with the written
notices of 12.11(6): the whole group for fraud (possibly a rescission), one employee for fraud,
and the group whose employer is no longer eligible (`rules.small_group_terminations`).

A termination for fraud ends coverage at once (the group's months after the end are voided and
the credit is due back); a termination for the employer's ineligibility ends coverage at the end
of the month, which the schedule then takes as the employer's voluntary end is taken
(`CoverageEnded` the day after). Each records one `TerminationNoticeIssued` to the employer and
one to each employee whose coverage it ends (with the dependents covered), the reason stated.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from ..enrollment import billing
from ..enrollment.coverage import ends_on
from ..enrollment.shared import EndReason, EnrollmentEvent, RefundReason, Status
from ..errors import InvalidCommand
from ..parameters import PolicyVersion
from ..rules import small_group_terminations as rules
from .coverage import NoticeRecipient
from .employees import EmployeeSpan

if TYPE_CHECKING:
    from . import GroupEnrollment


# ---- events ------------------------------------------------------------------------------------


class GroupCoverageTerminated(EnrollmentEvent):
    """The Connector ended the group's coverage on `end_on` (its last day) for `cause`
    (`fraud` or `employer_ineligible`, 12.11(5)): `finding` states the reason; `rescission`
    when the end is before the decision (45 CFR 147.128), `from_start` when before coverage
    began."""

    end_on: date
    cause: str
    finding: str
    rescission: bool
    from_start: bool

    def apply(self, g: GroupEnrollment) -> None:
        if self.cause == rules.GroupEndCause.EMPLOYER_INELIGIBLE:
            # ends on its date, the end of the month: the schedule takes it (as a voluntary end)
            ends_on(g, self.end_on, EndReason.INELIGIBLE, self.citation)
            return
        ends_on(g, self.end_on, EndReason.FRAUD, self.citation)
        if self.from_start:
            billing.void_months_after(g, None)
        g.status = Status.CANCELLED if self.from_start else Status.TERMINATED
        g.ended = True
        g.reinstatable = False
        g.reinstatement_deadline = None
        g.pending_notice_on = None
        g.payment_due_on = None


class EmployeeTerminatedForFraud(EnrollmentEvent):
    """The Connector ended one employee's coverage (and the dependents') for fraud on `end_on`
    (12.11(5)(a)); the employer's premium no longer includes them from the next month."""

    employee_id: str
    member_ids: list[str]
    end_on: date
    finding: str
    rescission: bool

    def apply(self, g: GroupEnrollment) -> None:
        g.employees = [
            replace(s, end_on=self.end_on, end_citation=self.citation, end_reason=EndReason.FRAUD)
            if s.employee_id == self.employee_id and (s.end_on is None or s.end_on > self.end_on)
            else s
            for s in g.employees
        ]


# ---- decisions -----------------------------------------------------------------------------------


def _require_not_ended(g: GroupEnrollment, end_on: date) -> None:
    if g.ended or g.status == Status.CANCELLED:
        raise InvalidCommand(
            f"group enrollment {g.group_enrollment_id!r} has ended", "invalid_state"
        )
    if g.end_on is not None and g.end_on <= end_on:
        raise InvalidCommand(
            f"coverage already ends on {g.end_on.isoformat()}, by {end_on.isoformat()}",
            "invalid_state",
        )


def terminate_group_for_fraud(
    g: GroupEnrollment, on: date, effective_on: date, finding: str, policy: PolicyVersion
) -> None:
    """12.11(5)(a), (6): the group ended for fraud (`rules.fraud_end`), its notices, and the
    credit left due back."""
    end = rules.fraud_end(effective_on, on, g.start_on)
    _end_group(g, on, end, rules.GroupEndCause.FRAUD, finding, policy)
    billing.refund_credit(g, on, policy, RefundReason.TERMINATED_FOR_FRAUD)


def terminate_employee_for_fraud(
    g: GroupEnrollment,
    on: date,
    employee_id: str,
    effective_on: date,
    finding: str,
    policy: PolicyVersion,
) -> None:
    """12.11(5)(a), (6): one employee (and the dependents) ended for fraud, with a notice to the
    employee and one to the employer."""
    span = g.current_span(employee_id)
    if span is None:
        raise InvalidCommand(
            f"employee {employee_id!r} is not enrolled in group enrollment "
            f"{g.group_enrollment_id!r}",
            "not_enrolled",
        )
    end = rules.fraud_end(effective_on, on, span.start_on)
    g._decide(
        g.EmployeeTerminatedForFraud,
        on=on,
        effective_on=end.end_on,
        citation=end.citation,
        policy=policy,
        employee_id=employee_id,
        member_ids=list(span.member_ids),
        end_on=end.end_on,
        finding=finding,
        rescission=end.rescission,
    )
    _notify(g, on, end.end_on, rules.GroupEndCause.FRAUD, [span], policy)


def terminate_for_employer_ineligibility(
    g: GroupEnrollment, on: date, reason: str, policy: PolicyVersion
) -> None:
    """12.11(5)(c), (6): the group ends at the end of the month of the decision
    (`rules.ineligibility_end`); `reason` states the determination it follows."""
    if g.status == Status.PENDING_BINDER:
        raise InvalidCommand(
            "coverage has not begun: the employer's selection is cancelled by its own request "
            "(request_termination) or when its binder is not paid",
            "invalid_state",
        )
    end = rules.ineligibility_end(on)
    _end_group(g, on, end, rules.GroupEndCause.EMPLOYER_INELIGIBLE, reason, policy)


def _end_group(
    g: GroupEnrollment,
    on: date,
    end: rules.CauseEnd,
    cause: rules.GroupEndCause,
    finding: str,
    policy: PolicyVersion,
) -> None:
    """12.11(5), (6): the whole group ended as `end` says, for `cause`, with the written notices
    to the employer and to every employee it ends."""
    _require_not_ended(g, end.end_on)
    enrolled = _enrolled_after(g, end.end_on)
    g._decide(
        g.GroupCoverageTerminated,
        on=on,
        effective_on=end.end_on,
        citation=end.citation,
        policy=policy,
        end_on=end.end_on,
        cause=cause,
        finding=finding,
        rescission=end.rescission,
        from_start=end.from_start,
    )
    _notify(g, on, end.end_on, cause, enrolled, policy)


def _enrolled_after(g: GroupEnrollment, end_on: date) -> list[EmployeeSpan]:
    """The employees whose coverage the end takes away (covered after `end_on`)."""
    return [s for s in g.employees if s.end_on is None or s.end_on > end_on]


def _notify(
    g: GroupEnrollment,
    on: date,
    end_on: date,
    cause: rules.GroupEndCause,
    employees: list[EmployeeSpan],
    policy: PolicyVersion,
) -> None:
    """12.11(6): a written notice stating the reason, to the employer and to each employee."""
    g._decide(
        g.TerminationNoticeIssued,
        on=on,
        effective_on=end_on,
        citation=rules.WRITTEN_NOTICE,
        policy=policy,
        recipient=NoticeRecipient.EMPLOYER,
        employee_id=None,
        member_ids=[],
        end_on=end_on,
        reason=cause,
    )
    for span in employees:
        g._decide(
            g.TerminationNoticeIssued,
            on=on,
            effective_on=end_on,
            citation=rules.WRITTEN_NOTICE,
            policy=policy,
            recipient=NoticeRecipient.EMPLOYEE,
            employee_id=span.employee_id,
            member_ids=list(span.member_ids),
            end_on=end_on,
            reason=cause,
        )
