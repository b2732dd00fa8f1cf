"""Which fields of each event hold member data, and which hold ledger data.

Member data is what the ledger knows about the people it serves: birth dates, income, household
size and composition, each member's facts and determinations, hardship grounds, findings, names,
death dates, the dates and kinds of their life events, free text. Ledger data is the ledger's own
bookkeeping: ids, business dates of the ledger's decisions, amounts billed and paid, statuses and
reason codes, citations, policy versions. The relay publishes member data only when told to (and
encrypted from an encrypted store); `schema` prints each field's class.

Every field of every event (`event_schema.data_fields`) is named in exactly one of the two
tables, by event type (classes of the same name in two aggregates have the same fields):
tests/unit/test_member_data.py fails when a new event or field is not classified. An event whose
`effective_on` is a member's date (a death, a life event) names `effective_on` among its member
fields, and one whose `citation` names a member's circumstances (the clause of a hardship ground)
names `citation`: they are then left out of the envelope too."""

from __future__ import annotations

from collections.abc import Mapping

ENVELOPE_DATE = "effective_on"
"""An envelope field an event may classify as member data (when it is a member's date)."""

ENVELOPE_CITATION = "citation"
"""An envelope field an event may classify as member data (when it names a member's ground)."""

ENVELOPE_FIELDS = frozenset({ENVELOPE_DATE, ENVELOPE_CITATION})
"""The envelope's fields an event may classify as member data (`data` repeats `effective_on`,
not `citation`)."""

MEMBER_DATA: Mapping[str, frozenset[str]] = {
    "ApplicationSubmitted": frozenset({"household_size", "annual_magi", "members"}),
    "ChangeReported": frozenset({"changes", "changed_on"}),
    "DeathRecorded": frozenset({"died_on", ENVELOPE_DATE}),
    "EligibilityDetermined": frozenset(
        {"household_size", "annual_magi", "fpl_amount", "fpl_percent", "members"}
    ),
    "SpecialEnrollmentPeriodOpened": frozenset({"kind", "event_on", ENVELOPE_DATE}),
    "SpecialEnrollmentPeriodDenied": frozenset({"kind", "event_on"}),
    "RepresentativeDesignated": frozenset({"name"}),
    "AppealedDeterminationRestored": frozenset({"members"}),
    "PlanSelected": frozenset({"dependent_start_on"}),
    "HardshipWaiverRequested": frozenset({"grounds", "grounds_clauses", ENVELOPE_CITATION}),
    "CoverageTerminatedForFraud": frozenset({"finding"}),
    "AppealFiled": frozenset({"grounds"}),
    "EmployerAppealFiled": frozenset({"grounds"}),
    "EmployeeAppealFiled": frozenset({"grounds"}),
    "AppealContinued": frozenset({"representative_name"}),
    "EmployerApplicationSubmitted": frozenset({"roster"}),
    "EmployeeEnrolled": frozenset({"kind", "event_on"}),
    "EmployeeTerminationRequested": frozenset({"kind", "event_on"}),
    "DependentAdded": frozenset({"event", "event_on"}),
    "GroupCoverageTerminated": frozenset({"finding"}),
    "EmployeeTerminatedForFraud": frozenset({"finding"}),
}
"""Event type -> its fields holding member data (an event not named here holds none)."""

APPEAL_FILED = frozenset(
    {
        "appealed_event_id",
        "appealed_event_type",
        "appealed_aggregate_id",
        "appealed_version",
        "appealable_clause",
        "notice_sent",
        "notice_received_on",
        "deadline",
        "deadline_citation",
        "timely",
    }
)
"""The ledger fields every appeal's filing records (a household's, an employer's, an employee's),
beside who appeals."""

LEDGER_DATA: Mapping[str, frozenset[str]] = {
    "HouseholdOpened": frozenset({"household_id"}),
    "ApplicationSubmitted": frozenset({"plan_year", "renewal"}),
    "ChangeReported": frozenset({"late"}),
    "DeathRecorded": frozenset({"member_id"}),
    "EligibilityDetermined": frozenset({"plan_year", "fpl_source", "basis"}),
    "SpecialEnrollmentPeriodOpened": frozenset({"end_on", "member_ids"}),
    "SpecialEnrollmentPeriodDenied": frozenset(
        {"member_ids", "reason", "end_on", "enrollment_ids"}
    ),
    "EnrollmentLinked": frozenset({"enrollment_id", "basis"}),
    "AppealLinked": frozenset({"appeal_id"}),
    "RepresentativeDesignated": frozenset(
        {"representative_id", "kind", "member_id", "written_authorization_on"}
    ),
    "RepresentativeRevoked": frozenset({"representative_id"}),
    "AppealedDeterminationRestored": frozenset(
        {"appeal_id", "restored_event_id", "set_aside_event_id", "plan_year", "reason"}
    ),
    "PlanSelected": frozenset(
        {
            "enrollment_id",
            "household_id",
            "member_ids",
            "plan_id",
            "coverage",
            "monthly_premium",
            "aptc_applied",
            "program",
            "plan_type",
            "financially_assisted",
            "plan_year",
            "enrollment_basis",
            "binder_month",
            "binder_due_on",
            "metal_level",
        }
    ),
    "InvoiceIssued": frozenset({"month", "amount", "due_on", "kind", "paid_from_credit", "waived"}),
    "PaymentRecorded": frozenset({"amount", "reference", "allocations", "to_credit"}),
    "TerminationRescinded": frozenset(
        {"terminated_on", "payment_due_on", "paid_by_payment_date", "owed_by_payment_date"}
    ),
    "CancellationRescinded": frozenset({"binder_due_on", "paid_by_due_date"}),
    "CoverageEffectuated": frozenset({"start_on"}),
    "EnrollmentCancelled": frozenset({"reason"}),
    "PaymentMissed": frozenset(
        {"month", "due_on", "outstanding", "first_unpaid_month", "consecutive_months", "notice_on"}
    ),
    "DelinquencyNoticeIssued": frozenset(
        {
            "notice_number",
            "payment_due_on",
            "outstanding",
            "first_unpaid_month",
            "warns_of_termination",
        }
    ),
    "DelinquencyCured": frozenset({"first_unpaid_month"}),
    "CoverageTerminated": frozenset(
        {"end_on", "reason", "first_unpaid_month", "reinstatement_deadline", "reinstatement_months"}
    ),
    "ReinstatementWindowExpired": frozenset({"deadline"}),
    "ReinstatementDecided": frozenset(
        {"granted", "amount_required", "amount_paid", "months", "reason"}
    ),
    "VoluntaryTerminationRequested": frozenset({"end_on"}),
    "PlanYearEnded": frozenset({"plan_year", "end_on"}),
    "CoverageEnded": frozenset({"end_on", "reason"}),
    "EnrollmentRenewed": frozenset(
        {
            "plan_year",
            "monthly_premium",
            "plan_id",
            "program",
            "plan_type",
            "financially_assisted",
        }
    ),
    "CreditApplied": frozenset({"allocations"}),
    "RefundDue": frozenset({"amount", "reason"}),
    "ReplacedByEnrollment": frozenset({"replacement_enrollment_id", "end_on"}),
    "HardshipWaiverRequested": frozenset({"request_id"}),
    "HardshipWaiverDecided": frozenset(
        {
            "request_id",
            "decision",
            "first_month",
            "months",
            "last_month",
            "waived_by_month",
            "to_credit",
        }
    ),
    "HardshipWaiverEnded": frozenset({"ended_on"}),
    "MemberCoverageEnded": frozenset(
        {"member_id", "end_on", "reason", "determination_event_id", "remaining_member_ids"}
    ),
    "PremiumChanged": frozenset(
        {
            "monthly_premium",
            "previous_premium",
            "from_month",
            "determination_event_id",
            "program",
            "plan_type",
            "financially_assisted",
            "adjustments",
            "to_credit",
        }
    ),
    "CoverageTerminatedForFraud": frozenset(
        {
            "end_on",
            "rescission",
            "from_start",
            "recoupment_due",
            "recoupment_months",
            "recoupment_citation",
        }
    ),
    "AppealFiled": APPEAL_FILED | {"appeal_id", "household_id"},
    "EmployerAppealFiled": APPEAL_FILED | {"appeal_id", "employer_id"},
    "EmployeeAppealFiled": APPEAL_FILED | {"appeal_id", "employer_id", "employee_id"},
    "AppealFiledFor": frozenset({"appellant_member_id", "filed_by", "filed_by_kind"}),
    "AppealDismissed": frozenset({"reason"}),
    "AppealDecided": frozenset({"outcome", "hearing_number"}),
    "RehearingOrdered": frozenset({"decision_on"}),
    "InitialDecisionStayed": frozenset(
        {"initial_outcome", "initial_decision_on", "decide_by", "stayed_correction_event_id"}
    ),
    "RehearingDecided": frozenset(
        {
            "outcome",
            "superseding_outcome",
            "standing_outcome",
            "initial_outcome",
            "ordered_on",
            "decide_by",
            "late",
            "hearing_number",
        }
    ),
    "AppealContinued": frozenset(),
    "EmployerOpened": frozenset({"employer_id"}),
    "EmployerApplicationSubmitted": frozenset(
        {
            "employee_count",
            "full_time_employees",
            "actively_engaged",
            "principal_address_in_ma",
            "offers_all_full_time",
            "offers_through_connector",
            "participation_rate",
            "contribution_rate",
        }
    ),
    "EmployerEligibilityDetermined": frozenset(
        {
            "application_on",
            "employee_count",
            "eligible",
            "dental_eligible",
            "failed_conditions",
            "minimums",
            "minimums_waived",
            "retained_past_50",
        }
    ),
    "GroupEnrollmentLinked": frozenset({"group_enrollment_id"}),
    "EmployerAppealLinked": frozenset({"appeal_id"}),
    "GroupPlanSelected": frozenset(
        {
            "group_enrollment_id",
            "employer_id",
            "plan_id",
            "coverage",
            "coverage_start_on",
            "enrollment_deadline",
            "binder_month",
            "binder_due_on",
            "coverage_year_ends_on",
        }
    ),
    "EmployeeEnrolled": frozenset(
        {"employee_id", "member_ids", "monthly_premium", "start_on", "basis", "period_ends_on"}
    ),
    "EmployeeWaived": frozenset({"employee_id"}),
    "EmployeeTerminationRequested": frozenset({"employee_id", "end_on"}),
    "GroupEnrollmentClosed": frozenset({"enrolled", "waived", "monthly_total"}),
    "TerminationNoticeIssued": frozenset(
        {"recipient", "employee_id", "member_ids", "end_on", "reason"}
    ),
    "ParticipationTermsNoted": frozenset({"application_on", "minimums_waived"}),
    "CoverageRestoredOnAppeal": frozenset(
        {
            "appeal_id",
            "appealed_event_id",
            "member_ids",
            "restored_from",
            "withdrawn_end_on",
            "withdrawn_end_reason",
            "rebilled_months",
            "refund_withdrawn",
            "recoupment_withdrawn",
        }
    ),
    "WaiverCounted": frozenset({"employee_id"}),
    "ParticipationChecked": frozenset(
        {"enrolled", "offered", "rate", "minimum", "minimums_waived", "met"}
    ),
    "DependentAdded": frozenset(
        {
            "employee_id",
            "member_id",
            "election",
            "coverage_start_on",
            "monthly_premium",
            "premium_from",
        }
    ),
    "GroupRenewed": frozenset({"coverage_year_starts_on", "coverage_year_ends_on", "plan_id"}),
    "GroupCoverageYearEnded": frozenset(
        {"coverage_year_starts_on", "coverage_year_ends_on", "employees"}
    ),
    "GroupCoverageTerminated": frozenset({"end_on", "cause", "rescission", "from_start"}),
    "EmployeeTerminatedForFraud": frozenset({"employee_id", "member_ids", "end_on", "rescission"}),
    "GroupCoverageRestoredOnAppeal": frozenset(
        {
            "appeal_id",
            "appealed_event_id",
            "termination_event_id",
            "employee_ids",
            "restored_from",
            "withdrawn_end_on",
            "withdrawn_end_reason",
            "rebilled_months",
            "refund_withdrawn",
            "adjustments",
        }
    ),
}
"""Event type -> its fields holding ledger data (every event type is named, even with none)."""

_NONE: frozenset[str] = frozenset()


def member_fields(event_type: str) -> frozenset[str]:
    """The event type's fields holding member data (`effective_on` among them when the event's
    effective date is a member's date)."""
    return MEMBER_DATA.get(event_type, _NONE)


def is_member_data(event_type: str, field: str) -> bool:
    """Whether the field of that event type holds member data; a field classified nowhere is a
    KeyError (a new field must be classified here)."""
    if field in member_fields(event_type):
        return True
    if field in LEDGER_DATA[event_type]:
        return False
    raise KeyError(f"{event_type}.{field} is not classified as member or ledger data")
