"""What each event and each field of its `data` means, and which clause of 956 CMR 12.00
decides it: the `description`s of the event schemas (`event_schema.event_schemas`).

A field is described by name (`FIELDS`), unless the same name means something else in one event
(`FIELDS_OF`, keyed `Event.field`). `tests/unit/test_event_schema.py` checks that every event and
every field has a description: a new event adds its lines here."""

from __future__ import annotations

EVENTS: dict[str, str] = {
    "HouseholdOpened": "A household's record begins (its first application).",
    "ApplicationSubmitted": "An application as received (12.06), or a renewal application for "
    "the next plan year (12.07(1)).",
    "ChangeReported": "An enrollee reported a change that may affect eligibility or premiums "
    "(12.09(2)); a new determination follows.",
    "EligibilityDetermined": "Each member's eligibility, program and plan type from the latest "
    "application (12.04), with the effective date (12.08).",
    "SpecialEnrollmentPeriodOpened": "A special enrollment period of sixty days from the event "
    "(12.10(1)), for the members it names.",
    "EnrollmentLinked": "The household's record of a plan selected on its behalf (for its "
    "timeline; the enrollment's own events carry the rest).",
    "AppealLinked": "The household's record of an appeal it filed (for its timeline).",
    "PlanSelected": "A plan selected for some of the household's members (12.10(2)); its binder "
    "invoice follows.",
    "InvoiceIssued": "A month's premium billed: the binder (12.10(2)) or a monthly premium "
    "(12.12(1)), less any waived portion, paid at once from credit as far as it goes.",
    "PaymentRecorded": "Money received, applied to the oldest amount owed first; the rest is held "
    "as credit (12.12(1)).",
    "TerminationRescinded": "A termination for non-payment undone: a payment entered late shows "
    "everything owed was paid by the notice's payment date (12.12(3), (5)).",
    "CancellationRescinded": "A cancellation undone: a payment entered late shows the binder was "
    "paid by its due date (12.10(3)).",
    "CoverageEffectuated": "Enrollment complete, the binder paid (12.10(3)): coverage begins.",
    "EnrollmentCancelled": "The selection cancelled before coverage began: the binder unpaid by "
    "its due date (12.10(3)) or the enrollee's own request (12.10(8)).",
    "PaymentMissed": "A monthly premium not paid in full by its due date: the account is "
    "delinquent (12.12(2), (4)).",
    "DelinquencyNoticeIssued": "A notice of delinquency (12.12(2), (4)); once enough consecutive "
    "months are delinquent it names the payment date after which coverage is terminated.",
    "DelinquencyCured": "Everything past due paid: the account is no longer delinquent "
    "(12.12(2), (4)).",
    "CoverageTerminated": "Coverage terminated for non-payment, retroactively to the end of the "
    "last month paid (12.12(3), (5)); reinstatement is possible until the deadline (12.12(6)).",
    "ReinstatementWindowExpired": "The reinstatement deadline passed (12.12(6)): the termination "
    "is final and the credit held is due back.",
    "ReinstatementDecided": "A request for reinstatement granted (coverage restored without a "
    "gap) or refused, with the amount required (12.12(6)).",
    "VoluntaryTerminationRequested": "The enrollee's own request to end coverage (12.10(8)).",
    "PlanYearEnded": "The plan year ended without a renewal: coverage ends on its 31 December "
    "(12.07(1)).",
    "CoverageEnded": "Coverage has ended on a date known ahead (a voluntary termination, the plan "
    "year's end, a plan change).",
    "EnrollmentRenewed": "Coverage continues into the next plan year at its premium, on that "
    "year's program and plan type (12.07(1), 12.12(8)(b)).",
    "CreditApplied": "Credit held paid what is owed, oldest month first (12.12(1)).",
    "RefundDue": "The member's credit on an enrollment ended for good, now due back to them (for "
    "downstream billing to pay out).",
    "ReplacedByEnrollment": "A transfer to another plan: this enrollment ends the day before the "
    "new one begins, without a gap (12.10(1)).",
    "HardshipWaiverRequested": "A request for a hardship waiver of the premium on its grounds "
    "(12.12(7)(a)); the premium stays due while it is pending (12.12(7)(c)).",
    "HardshipWaiverDecided": "A hardship waiver granted for up to twelve months or denied "
    "(12.12(7)(b)-(f), 12.16(3)(c)); what was paid on a waived portion goes back to credit.",
    "HardshipWaiverEnded": "The waiver period ended (12.12(7)(d)-(e)); a special enrollment "
    "period follows (12.10(1)(f)).",
    "AppealFiled": "A request for a hearing on an appealable action (12.13), with its deadline "
    "and whether it was received by it (12.14(2)-(3)).",
    "AppealDismissed": "An appeal dismissed: untimely, or against an action 12.13 does not list "
    "(12.15(2)).",
    "AppealDecided": "The hearing officer's decision (12.15(4)), or a withdrawal (12.15(2)(c)) or "
    "dismissal (12.15(2)).",
    "RehearingOrdered": "A re-hearing ordered within 14 days of the hearing officer's decision "
    "(12.15(5)).",
    "AppealFiledFor": "For whom the appeal was filed (a member of the household, or the "
    "household) and by whom (a representative, or the appellant) (12.17, 12.03).",
    "InitialDecisionStayed": "A request for re-hearing stays the initial decision (12.15(5)), "
    "until the re-hearing's decision.",
    "RehearingDecided": "The re-hearing's decision: the initial decision superseded or not; the "
    "decision that stands is implemented (12.15(5)).",
    "AppealedDeterminationRestored": "The appealed determination's results are again the "
    "household's while the corrected determination is stayed or superseded (12.15(5)).",
    "RepresentativeDesignated": "A representative designated for the household or one member, "
    "with the written authorization's date (12.17, 12.03).",
    "RepresentativeRevoked": "A representative's designation revoked (12.17).",
    "DeathRecorded": "A member's death reported, a change of household composition (12.09(2)).",
    "MemberCoverageEnded": "One member's coverage ends (12.10(5)(c); 12.16(1)(a) for dental): no "
    "longer eligible, or deceased; with no member left the enrollment ends.",
    "PremiumChanged": "A new monthly premium from a month on, after a new determination "
    "(12.12(8)(a)); the invoices already issued for those months are adjusted.",
    "AppealContinued": "The estate's representative continues an appeal dismissed because the "
    "appellant died (12.15(2)(d)): it stands where it stood before the dismissal.",
    "CoverageTerminatedForFraud": "Coverage ended for fraud or intentional misrepresentation "
    "(12.10(5)(a), 12.10(7)); a rescission when the end is before the last day already paid or "
    "covered (45 CFR 147.128); amounts paid on the member's behalf for voided months may be "
    "recouped.",
    "CoverageRestoredOnAppeal": "Coverage an action ended (a loss of eligibility, a termination "
    "for fraud) restored because an appeal reversed that action, as of its date (12.15(4), 45 CFR "
    "155.545(c)): the months it voided owed again, what was due back credit again, the recoupment "
    "withdrawn.",
    "SpecialEnrollmentPeriodDenied": "A special enrollment period refused, recorded as a decision "
    "so that it can be appealed (12.13(3)): the kind asked for, the event's day and the reason.",
    "EmployerOpened": "A small employer's record opened, on its first application (12.04(4)).",
    "EmployerApplicationSubmitted": "A small employer's application as received: its employee "
    "count by IRC 4980H(c)(2), full-time employees, and the facts 12.04(4)(a)1-5 and the "
    "participation and contribution minimums are judged on.",
    "EmployerEligibilityDetermined": "Whether the employer is eligible for the small-group "
    "program (12.04(4)): each failed condition with its clause, the minimum participation and "
    "contribution applied or waived (15 November to 15 December, 12.11(3)).",
    "GroupEnrollmentLinked": "The employer's record names a group enrollment it selected.",
    "GroupPlanSelected": "The employer's plan selection for its employees (12.11(1)-(2)): the "
    "coverage start, the employees' enrollment deadline, and the binder invoice that follows.",
    "EmployeeEnrolled": "An employee (with dependents) enrolled in the employer's group plan, "
    "in the employer's period or in a special enrollment period (12.11(4)).",
    "EmployeeWaived": "An employee waived the employer's group coverage (12.11(2)).",
    "EmployeeTerminationRequested": "An employee's own end of coverage, in a special enrollment "
    "period (12.11(4)).",
    "GroupEnrollmentClosed": "The employees' enrollment closed at the employer's deadline: who is "
    "enrolled and the group's monthly total (12.11(2)).",
    "TerminationNoticeIssued": "A written notice of the group's termination, to the employer or "
    "to one enrolled employee (12.12(12)).",
    "GroupCoverageTerminated": "The Connector ended a small group's coverage for fraud "
    "(12.11(5)(a), possibly a rescission, 45 CFR 147.128) or because the employer is no longer "
    "eligible (12.11(5)(c), at the end of the month); a written notice follows to the employer "
    "and each employee (12.11(6)); appealable (12.13(1)).",
    "EmployeeTerminatedForFraud": "The Connector ended one employee's coverage, with the "
    "dependents', for fraud (12.11(5)(a)); notices to the employee and the employer follow "
    "(12.11(6)); appealable (12.13(1)).",
    "GroupCoverageRestoredOnAppeal": "A small group's coverage (or one employee's) that the "
    "Connector's termination ended, restored because an appeal reversed it, as of its date "
    "(12.15(4), 45 CFR 155.545(c)): the months it voided owed again, what was due back to the "
    "employer credit again, the months already billed without a restored employee billed again.",
    "ParticipationTermsNoted": "At the group's selection: whether the employer's application fell "
    "from 15 November to 15 December, which waives the minimum participation (12.11(3)).",
    "ParticipationChecked": "The minimum participation checked when the employer's enrollment "
    "period closed (12.11(1), 12.04(4)(a)5); not met, the selection is cancelled.",
    "WaiverCounted": "An employee's waiver made without coverage elsewhere: counted against the "
    "minimum participation (12.11(1)).",
    "DependentAdded": "A new dependent of an enrolled employee by birth, adoption or placement, "
    "covered from the event's date or the first of the next month at the employee's election "
    "(12.11(2)), asked within the special enrollment period (12.11(4), 45 CFR 155.725(j)).",
    "GroupRenewed": "The group continues into its next coverage year (12.04(4)(b), 45 CFR "
    "155.725(b)).",
    "GroupCoverageYearEnded": "The group's coverage year ended without a renewal by the day its "
    "next year's first month would be invoiced: the group's coverage and every employee's end on "
    "the year's last day, no later month is billed (12.04(4)(b), 45 CFR 155.725(b), (c)).",
    "EmployerAppealLinked": "The employer's record names an appeal filed by the employer.",
    "EmployerAppealFiled": "An employer's appeal as received, with its 90-day deadline and "
    "whether it was timely (12.14(2)(b)).",
    "EmployeeAppealFiled": "An employee's appeal of a small-group action naming them (a "
    "termination notice sent to them, their termination for fraud), as received, with its 90-day "
    "deadline and whether it was timely (12.13, 12.14(2)(b)).",
}

FIELDS: dict[str, str] = {
    "allocations": "the amounts applied to months owed, oldest first: each "
    '{"month": "YYYY-MM", "amount": "12.34"} (12.12(1))',
    "amount_paid": "what was paid towards the reinstatement (payments and credit)",
    "amount_required": "what reinstatement requires: the premiums of every month of the "
    "reinstatement, less any waived (12.12(6))",
    "annual_magi": "the household's annual modified adjusted gross income (12.04)",
    "appeal_id": "the appeal's id as given in commands",
    "appealable_clause": "the clause of 12.13 that makes the appealed action appealable (null: "
    "not an appealable action, and the appeal is dismissed, 12.15(2))",
    "appealed_aggregate_id": "the aggregate of the appealed event",
    "appealed_event_id": "the id of the event (the action) appealed",
    "appealed_event_type": "the type of the event appealed",
    "appealed_version": "the version of the appealed event in its aggregate",
    "aptc_applied": "the advance premium tax credit applied to the monthly premium",
    "basis": "why the determination or selection was made (an application, a reported change, "
    "open enrollment, a special enrollment period's kind)",
    "binder_due_on": "the binder's due date: unpaid by then, the selection is cancelled "
    "(12.10(2)-(3))",
    "binder_month": "the first month of coverage, billed by the binder (its first day)",
    "changes": "the reported changes, by field (household size, income, members)",
    "consecutive_months": "how many consecutive months are now delinquent (12.12(2), (4))",
    "coverage": "the coverage selected: health or dental",
    "deadline": "the last day (inclusive)",
    "deadline_citation": "the clause that sets the filing deadline (12.14(2))",
    "decision": "granted or denied",
    "decision_on": "the day of the hearing officer's decision the re-hearing reopens",
    "dependent_start_on": "the date of a birth, adoption or placement from which the new "
    "dependent's coverage starts (12.10(3)); null otherwise",
    "due_on": "the day the premium is due",
    "end_on": "the last day of coverage",
    "ended_on": "the day the waiver period ended",
    "enrollment_basis": "how the selection was allowed: open enrollment (12.10(1)) or a special "
    "enrollment period's kind",
    "enrollment_id": "the enrollment's id as given in commands",
    "event_on": "the day of the qualifying event the period counts from (12.10(1))",
    "financially_assisted": "whether the enrollment has financial assistance (APTC or "
    "ConnectorCare)",
    "first_month": "the first month waived (YYYY-MM; null when denied)",
    "first_unpaid_month": "the oldest month not paid in full (YYYY-MM)",
    "fpl_amount": "the federal poverty level for the household's size (12.03)",
    "fpl_percent": "the household's income as a percentage of the federal poverty level",
    "fpl_source": "which poverty guidelines were applied and since when",
    "granted": "whether reinstatement was granted",
    "grounds": "the grounds stated",
    "grounds_clauses": "the clause of 12.12(7)(a) each ground falls under, in the same order",
    "hearing_number": "1 for the first hearing's decision, 2 after a re-hearing, ...",
    "household_id": "the household's id as given in commands (the Kafka key of its events)",
    "household_size": "the number of people in the household (12.04)",
    "kind": "what kind it is",
    "last_month": "the last month waived (YYYY-MM; null when denied)",
    "member_ids": "the members it covers (their ids as given in the application)",
    "members": "each member as applied for or determined (id, birth date, residency, lawful "
    "presence, incarceration; with the determination: program, plan type, eligibility and the "
    "reasons with their clauses)",
    "month": "the month billed (YYYY-MM)",
    "monthly_premium": "the member's monthly premium after any tax credit",
    "months": "how many months",
    "notice_number": "1 for the first notice of the delinquency, 2 for the next, ...",
    "notice_on": "the day the notice of delinquency is to be issued (null: a notice already gave "
    "a payment date that covers this month, 12.12(2), (4))",
    "notice_received_on": "the day the appellant received the notice of the action (null: not "
    "known; the deadline then counts from its date, 12.14(2))",
    "notice_sent": "whether a notice of the action was sent (12.14(2))",
    "outcome": "upheld, reversed, dismissed or withdrawn (12.15)",
    "outstanding": "everything billed, due and not yet paid",
    "owed_by_payment_date": "what was owed by the notice's payment date",
    "paid_by_due_date": "what was paid by the binder's due date",
    "paid_by_payment_date": "what was paid by the notice's payment date",
    "paid_from_credit": "the part of the invoice paid at once from credit held",
    "payment_due_on": "the notice's payment date: premium still owed after it, coverage is "
    "terminated (12.12(3), (5)); null on a notice that does not warn of termination",
    "plan_id": "the carrier's plan",
    "plan_type": "the ConnectorCare plan type (1, 2A, 2B, 3A, ...; null outside ConnectorCare)",
    "plan_year": "the plan year (calendar year of coverage)",
    "program": "the program of the members' eligibility (ConnectorCare, APTC, non-group without "
    "assistance, ...)",
    "reason": "why",
    "reference": "the payment's reference (unique per payment: the same one again is the same "
    "payment)",
    "reinstatement_deadline": "the last day reinstatement can be requested (12.12(6)); null when "
    "none is possible",
    "reinstatement_months": "the months reinstatement must pay (YYYY-MM) (12.12(6))",
    "renewal": "whether the application is the yearly renewal (12.07(1))",
    "replacement_enrollment_id": "the enrollment that replaces this one",
    "request_id": "the waiver request's id",
    "start_on": "the first day of coverage",
    "terminated_on": "the last day of coverage the rescinded termination had set",
    "timely": "whether the appeal was received by its deadline (12.14(2)-(3))",
    "to_credit": "the part held as the member's credit",
    "waived": "the waived part of the month's premium (12.12(7))",
    "waived_by_month": 'the amount waived each month: {"month": "YYYY-MM", "amount": "12.34"}',
    "representative_id": "the representative's id as given in commands",
    "name": "the representative's name",
    "member_id": "the member the designation is for (null: the whole household)",
    "written_authorization_on": "the date of the written authorization (12.17)",
    "restored_event_id": "the appealed determination whose results are in force again",
    "set_aside_event_id": "the corrected determination that is not in force",
    "appellant_member_id": "the member the appeal is for (null: the household)",
    "filed_by": "the representative who filed it (null: the appellant)",
    "filed_by_kind": "that representative's kind: authorized or appeal (null: the appellant)",
    "initial_outcome": "the hearing officer's initial decision (12.15(4))",
    "initial_decision_on": "the day of the initial decision",
    "decide_by": "the last day for the re-hearing's decision (30 days from the order, 12.15(5))",
    "stayed_correction_event_id": "the corrected determination the stay suspends (null: none "
    "was in force)",
    "superseding_outcome": "the decision that supersedes the initial one (null: not superseded)",
    "standing_outcome": "the decision that stands: the superseding one, or the initial one",
    "ordered_on": "the day the re-hearing was ordered",
    "late": "whether a decision not to supersede was recorded after the 30 days (12.15(5))",
    "died_on": "the day the member died",
    "metal_level": "the health plan's metal level (bronze, silver, gold, platinum, or catastrophic: "
    "open only to some members, 12.04(1)); null when not given, always for dental",
    "determination_event_id": "the determination that decided it",
    "remaining_member_ids": "the members still covered (none: the enrollment ends)",
    "previous_premium": "the monthly premium before the change",
    "from_month": "the first month of the new premium (YYYY-MM), to the end of that plan year "
    "(12.12(8)(a))",
    "adjustments": 'each invoice already issued that changed: {"month", "billed", "amount", '
    '"difference", "due_on"} (money as decimal strings; difference positive when billed, '
    "negative when credited)",
    "representative_name": "the estate's representative's name (12.15(2)(d))",
    "warns_of_termination": "whether the notice warns that coverage will be terminated after its "
    "payment date (12.12(3), (5))",
}

FIELDS_OF: dict[str, str] = {
    "EmployerOpened.employer_id": "the employer's id, as given in its application",
    "EmployerAppealFiled.employer_id": "the employer that appeals (12.14(2)(b))",
    "EmployeeAppealFiled.employer_id": "the employer whose group the appealed action concerns",
    "EmployeeAppealFiled.employee_id": "the employee that appeals, named by the appealed event "
    "(12.14(2)(b))",
    "EmployerApplicationSubmitted.employee_count": "the employees counted by IRC 4980H(c)(2): 1 to "
    "50 for a Small Employer (12.04(4)(a)1)",
    "EmployerApplicationSubmitted.full_time_employees": "the employees working 30 hours a week or "
    "more",
    "EmployerApplicationSubmitted.actively_engaged": "whether the employer is actively engaged in "
    "business (12.04(4)(a)2)",
    "EmployerApplicationSubmitted.principal_address_in_ma": "whether its principal business "
    "address is in Massachusetts (12.04(4)(a)4)",
    "EmployerApplicationSubmitted.offers_all_full_time": "whether it offers coverage to all its "
    "full-time employees (12.04(4)(a)3)",
    "EmployerApplicationSubmitted.offers_through_connector": "whether it offers that coverage "
    "through the Connector (12.04(4)(a)5)",
    "EmployerApplicationSubmitted.participation_rate": "the share of eligible employees taking "
    "coverage, a decimal string from 0 to 1",
    "EmployerApplicationSubmitted.contribution_rate": "the employer's share of the employee-only "
    "premium, a decimal string from 0 to 1",
    "EmployerApplicationSubmitted.roster": "the employees named in the application",
    "EmployerEligibilityDetermined.application_on": "the day of the application judged",
    "EmployerEligibilityDetermined.employee_count": "the employee count judged (12.04(4)(a)1)",
    "EmployerEligibilityDetermined.eligible": "whether the employer may offer plans through the "
    "Connector",
    "EmployerEligibilityDetermined.dental_eligible": "whether it may offer a dental plan "
    "(12.16(1)(b): the minimums do not apply to dental)",
    "EmployerEligibilityDetermined.failed_conditions": "each condition not met, with its clause",
    "EmployerEligibilityDetermined.minimums": "the minimum participation and contribution of "
    "Connector policy applied, with their source",
    "EmployerEligibilityDetermined.minimums_waived": "whether the minimums were waived (an "
    "application from 15 November to 15 December, 12.11(3))",
    "EmployerEligibilityDetermined.retained_past_50": "whether an enrolled employer that grew past "
    "50 employees stays eligible for its coverage year (12.04(4)(b))",
    "GroupEnrollmentLinked.group_enrollment_id": "the group enrollment selected",
    "GroupPlanSelected.group_enrollment_id": "the group enrollment's id, as given",
    "GroupPlanSelected.employer_id": "the employer that selected it",
    "GroupPlanSelected.coverage_start_on": "the first day of coverage (a 1st of the month)",
    "GroupPlanSelected.enrollment_deadline": "the last day employees may enroll or waive",
    "GroupPlanSelected.coverage_year_ends_on": "the last day of the group's coverage year",
    "EmployeeEnrolled.employee_id": "the employee enrolled",
    "EmployeeEnrolled.period_ends_on": "the last day of the special enrollment period used (null: "
    "the employer's own period)",
    "EmployeeWaived.employee_id": "the employee who waived",
    "EmployeeTerminationRequested.employee_id": "the employee whose coverage ends",
    "GroupEnrollmentClosed.enrolled": "the employees enrolled when enrollment closed",
    "GroupEnrollmentClosed.monthly_total": "the group's monthly premium, for all participating "
    "employees",
    "TerminationNoticeIssued.recipient": "who the notice is to: the employer or an employee",
    "GroupCoverageTerminated.end_on": "the last day of the group's coverage",
    "GroupCoverageTerminated.cause": "fraud (12.11(5)(a)) or employer_ineligible (12.11(5)(c))",
    "GroupCoverageTerminated.finding": "the reason stated: the finding of fraud, or the "
    "determination that the employer is no longer eligible with each condition failed",
    "GroupCoverageTerminated.rescission": "whether the end reaches back before the decision (a "
    "rescission, 45 CFR 147.128)",
    "GroupCoverageTerminated.from_start": "whether the end rescinds coverage from its first day",
    "EmployeeTerminatedForFraud.employee_id": "the employee whose coverage ends",
    "EmployeeTerminatedForFraud.end_on": "the last day of the employee's coverage",
    "EmployeeTerminatedForFraud.member_ids": "the employee and the dependents whose coverage ends",
    "EmployeeTerminatedForFraud.finding": "the Connector's finding of fraud, as recorded",
    "EmployeeTerminatedForFraud.rescission": "whether the end reaches back before the decision "
    "(45 CFR 147.128)",
    "ParticipationTermsNoted.application_on": "the date of the employer's application the "
    "selection follows",
    "ParticipationTermsNoted.minimums_waived": "whether that date falls from 15 November to "
    "15 December (12.11(3))",
    "ParticipationChecked.enrolled": "the employees enrolled when enrollment closed",
    "ParticipationChecked.offered": "those enrolled and those who waived without other coverage",
    "ParticipationChecked.rate": "enrolled over offered, as decimal text to four places",
    "ParticipationChecked.minimum": "the minimum participation of Connector policy in force (a "
    "dated parameter; null when waived or none is published)",
    "ParticipationChecked.minimums_waived": "whether the minimum was waived (12.11(3))",
    "ParticipationChecked.met": "whether the minimum is met; if not, the selection is cancelled",
    "WaiverCounted.employee_id": "the employee who waived without coverage elsewhere",
    "DependentAdded.employee_id": "the enrolled employee the dependent joins",
    "DependentAdded.member_id": "the new dependent",
    "DependentAdded.event": "birth, adoption, or placement for adoption or foster care",
    "DependentAdded.event_on": "the day of the birth, adoption or placement",
    "DependentAdded.election": "event_date or first_of_next_month, the employee's election "
    "(12.11(2))",
    "DependentAdded.coverage_start_on": "the dependent's first day of coverage",
    "DependentAdded.monthly_premium": "the employee's monthly premium with the dependent",
    "DependentAdded.premium_from": "the first month billed at that premium (the first whole month "
    "not already billed)",
    "GroupRenewed.coverage_year_starts_on": "the first day of the next coverage year",
    "GroupRenewed.coverage_year_ends_on": "its last day (twelve months, 45 CFR 155.725(b))",
    "GroupRenewed.plan_id": "the group's plan for that year",
    "GroupCoverageYearEnded.coverage_year_starts_on": "the first day of the coverage year ended",
    "GroupCoverageYearEnded.coverage_year_ends_on": "its last day, the last day of coverage",
    "GroupCoverageYearEnded.employees": "each employee whose coverage ends with it "
    "(`employee_id`) and the members it covered (`member_ids`)",
    "TerminationNoticeIssued.employee_id": "the employee it is to (null: the employer)",
    "ChangeReported.changed_on": "the day the change happened, as reported (null: not said)",
    "ChangeReported.late": "whether the change was reported more than 30 days after it happened "
    "(12.09(2)); effective dates still follow 12.08",
    "CoverageTerminatedForFraud.end_on": "the last day of coverage (12.10(5)(a))",
    "CoverageTerminatedForFraud.finding": "the Connector's finding of fraud or intentional "
    "misrepresentation, as recorded",
    "CoverageTerminatedForFraud.rescission": "whether the end reaches back before coverage already "
    "given (a rescission, 45 CFR 147.128)",
    "CoverageTerminatedForFraud.from_start": "whether the end rescinds coverage from its first day",
    "CoverageTerminatedForFraud.recoupment_due": "what the Connector paid on the member's behalf "
    "for the voided months, which it may recoup (12.10(7))",
    "CoverageTerminatedForFraud.recoupment_months": "the months whose amounts may be recouped",
    "CoverageTerminatedForFraud.recoupment_citation": "the clause that allows the recoupment "
    "(null when nothing is due)",
    "SpecialEnrollmentPeriodDenied.kind": "the kind of qualifying event asked for (12.10(1)(a))",
    "SpecialEnrollmentPeriodDenied.event_on": "the day of the event the period would count from",
    "SpecialEnrollmentPeriodDenied.member_ids": "the members the period was asked for",
    "SpecialEnrollmentPeriodDenied.reason": "why it was refused (a reason code: reported after the "
    "sixty days, a loss of coverage for non-payment or fraud, a second AI/AN change in a month)",
    "SpecialEnrollmentPeriodDenied.end_on": "the last day the period would have run to (null when "
    "the refusal is not about its length)",
    "SpecialEnrollmentPeriodDenied.enrollment_ids": "the enrollments the refusal rests on (their "
    "termination for non-payment or fraud)",
    "SpecialEnrollmentPeriodOpened.kind": "the kind of qualifying event (12.10(1)(a)-(f))",
    "SpecialEnrollmentPeriodOpened.end_on": "the last day to enroll: sixty days from the event "
    "(12.10(1))",
    "InvoiceIssued.kind": "binder (the first month's premium, 12.10(2)) or monthly (12.12(1))",
    "InvoiceIssued.amount": "the month's premium billed, less any waived portion",
    "PaymentRecorded.amount": "the amount received",
    "RefundDue.amount": "the amount due back to the member",
    "RefundDue.reason": "why the credit is due back (coverage ended, cancelled, reinstatement "
    "window expired, received or waived after the end)",
    "EnrollmentCancelled.reason": "binder_unpaid (12.10(3)) or voluntary_before_coverage_began "
    "(12.10(8))",
    "CoverageTerminated.reason": "why coverage was terminated (non_payment: 12.12(3), (5))",
    "CoverageEnded.reason": "voluntary (12.10(8)), plan_year_ended (12.07(1)) or plan_change "
    "(12.10(1)); coverage_year_ended for a small group's coverage year not renewed "
    "(12.04(4)(b))",
    "ReinstatementDecided.reason": "why reinstatement was granted or refused (12.12(6))",
    "ReinstatementDecided.months": "the months reinstatement covers (YYYY-MM)",
    "AppealDismissed.reason": "why the appeal was dismissed (12.15(2))",
    "HardshipWaiverDecided.months": "how many months are waived (at most 12, 12.12(7)(d))",
    "HardshipWaiverDecided.to_credit": "what was already paid on the waived portion, back to "
    "credit",
    "PaymentRecorded.to_credit": "the part of the payment held as credit",
    "ReinstatementWindowExpired.deadline": "the reinstatement deadline that passed (12.12(6))",
    "AppealFiled.deadline": "the last day to file (90 days from the notice, 12.14(2))",
    "AppealFiled.grounds": "the appellant's grounds, as written",
    "HardshipWaiverRequested.grounds": "the grounds stated, each a code of 12.12(7)(a)",
    "PaymentMissed.month": "the month whose premium was missed (YYYY-MM)",
    "PaymentMissed.due_on": "the missed premium's due date",
    "EnrollmentLinked.basis": "how the selection was allowed (open enrollment or a special "
    "enrollment period's kind)",
    "EligibilityDetermined.basis": "what the determination was made on: application, change "
    "(12.09(2)), renewal (12.07(1)) or appeal_reversal (12.15(4))",
    "VoluntaryTerminationRequested.end_on": "the last day of coverage asked for (the end of the "
    "month, 12.10(8))",
    "PlanYearEnded.end_on": "31 December of the plan year that ended",
    "RepresentativeDesignated.kind": "authorized (an authorized representative, 12.03) or appeal "
    "(for appeals only, 12.17)",
    "AppealedDeterminationRestored.reason": "why the appealed determination is in force again "
    "(stayed pending re-hearing, or superseded on re-hearing)",
    "AppealedDeterminationRestored.plan_year": "the plan year of the restored determination",
    "AppealedDeterminationRestored.members": "each member's results as the appealed "
    "determination recorded them, with their effective dates",
    "AppealedDeterminationRestored.appeal_id": "the appeal whose re-hearing restores it",
    "RehearingDecided.outcome": "supersede or not_superseded (12.15(5))",
    "CoverageRestoredOnAppeal.appeal_id": "the appeal that reversed the action",
    "CoverageRestoredOnAppeal.appealed_event_id": "the action reversed (a determination or a "
    "termination for fraud)",
    "CoverageRestoredOnAppeal.member_ids": "the members covered again",
    "CoverageRestoredOnAppeal.restored_from": "the first day covered again: the day after the end "
    "withdrawn, or the first day of coverage",
    "CoverageRestoredOnAppeal.withdrawn_end_on": "the enrollment's end withdrawn (null when other "
    "members had stayed covered)",
    "CoverageRestoredOnAppeal.withdrawn_end_reason": "why that end had been set (ineligible, "
    "fraud)",
    "CoverageRestoredOnAppeal.rebilled_months": "the months owed again, each with its due date "
    "(the next premium due date when its own has passed)",
    "CoverageRestoredOnAppeal.refund_withdrawn": "what was due back to the member, credit again",
    "CoverageRestoredOnAppeal.recoupment_withdrawn": "the recoupment withdrawn (12.10(7))",
    "GroupCoverageRestoredOnAppeal.appeal_id": "the employer's or employee's appeal that "
    "reversed the action",
    "GroupCoverageRestoredOnAppeal.appealed_event_id": "the action appealed (a termination, its "
    "notice, or the employer determination that led to it)",
    "GroupCoverageRestoredOnAppeal.termination_event_id": "the Connector's termination withdrawn "
    "(its row in terminations is flagged rescinded)",
    "GroupCoverageRestoredOnAppeal.employee_ids": "the employees covered again",
    "GroupCoverageRestoredOnAppeal.restored_from": "the first day covered again: the day after "
    "the end withdrawn, or the first day of coverage",
    "GroupCoverageRestoredOnAppeal.withdrawn_end_on": "the group's end withdrawn (null when one "
    "employee is restored)",
    "GroupCoverageRestoredOnAppeal.withdrawn_end_reason": "why that end had been set (fraud, "
    "ineligible)",
    "GroupCoverageRestoredOnAppeal.rebilled_months": "the months owed again, each with its due "
    "date (the next premium due date when its own has passed)",
    "GroupCoverageRestoredOnAppeal.refund_withdrawn": "what was due back to the employer, credit "
    "again",
    "GroupCoverageRestoredOnAppeal.adjustments": "each month already billed without the restored "
    "employee, billed again with them (billed, amount, difference, due date)",
    "MemberCoverageEnded.reason": "ineligible (a determination left the member eligible for "
    "nothing) or death",
    "MemberCoverageEnded.end_on": "the member's last day of coverage",
    "MemberCoverageEnded.member_id": "the member whose coverage ends",
    "MemberCoverageEnded.determination_event_id": "the determination that decided it (null for a "
    "death)",
    "DeathRecorded.member_id": "the member who died",
    "PremiumChanged.monthly_premium": "the new monthly premium after any tax credit",
    "PremiumChanged.to_credit": "what was paid beyond the new amounts, back to credit",
    "PremiumChanged.determination_event_id": "the determination whose program and plan type the "
    "new premium follows",
    "PlanYearEnded.plan_year": "the plan year that ended",
    "ReplacedByEnrollment.end_on": "the day before the replacement's coverage begins",
}


def field_description(event_type: str, field: str) -> str | None:
    return FIELDS_OF.get(f"{event_type}.{field}") or FIELDS.get(field)
