"""The small-group program through the ledger's command path into a real SQLite store: the
employer's determination (12.04(4), 12.11(3), 12.16(1)(b)), the group's plan, binder and
employees (12.11(1)-(4)), delinquency, termination with its notices and reinstatement
(12.12(11)-(13)), the employer's voluntary termination (12.11(7)) and its appeal (12.14(2)(b))."""

from __future__ import annotations

from typing import Any

from enrollment_ledger.adapters import queries
from enrollment_ledger.domain.ledger import Ledger

from ..conftest import Apply, count_events, event_types, only
from ..group_scenarios import (
    determine,
    employer_application,
    employer_pays,
    enroll,
    enrolled_group,
    paid_through_may,
    select_group,
    waive,
)
from ..scenarios import by_type, household_commands, schedule


def run(apply: Apply, *commands: dict[str, Any]) -> list[dict[str, Any]]:
    answers = [apply(c) for c in commands]
    for answer in answers:
        assert answer["ok"], answer
    return answers


def refused(apply: Apply, command: dict[str, Any]) -> dict[str, Any]:
    answer = apply(command)
    assert not answer["ok"], answer
    error: dict[str, Any] = answer["error"]
    return error


# ---- the employer's determination ----------------------------------------------------------------


class TestTheEmployersDetermination:
    def test_an_eligible_employer_is_determined_with_the_minimums_applied(
        self, apply: Apply
    ) -> None:
        (_, answer) = run(apply, employer_application(), determine())
        decided = only(answer, "EmployerEligibilityDetermined")
        assert decided["citation"] == "956 CMR 12.04(4)(a)"
        assert decided["policy_version"] == "2026.1"
        assert decided["data"]["eligible"] is True
        assert decided["data"]["failed_conditions"] == []
        assert decided["data"]["minimums"]["participation"]["status"] == "met"
        assert decided["data"]["minimums_waived"] is False

    def test_51_employees_is_a_recorded_decision_not_eligible_with_its_clause(
        self, apply: Apply
    ) -> None:
        (_, answer) = run(apply, employer_application(employee_count=51), determine())
        decided = only(answer, "EmployerEligibilityDetermined")["data"]
        assert decided["eligible"] is False
        assert [(f["condition"], f["clause"]) for f in decided["failed_conditions"]] == [
            ("small_employer", "956 CMR 12.04(4)(a)1")
        ]
        error = refused(apply, select_group())
        assert error["code"] == "not_eligible"
        assert "12.04(4)(a)1" in error["message"]

    def test_an_application_on_15_november_is_eligible_below_the_minimums(
        self, apply: Apply
    ) -> None:
        below = {"participation_rate": "0.40", "contribution_rate": "0.30"}
        (_, answer) = run(
            apply,
            employer_application(on="2025-11-15", **below),
            determine(on="2025-11-20"),
        )
        decided = only(answer, "EmployerEligibilityDetermined")
        assert decided["data"]["eligible"] is True
        assert decided["data"]["minimums_waived"] is True
        assert decided["citation"] == "956 CMR 12.04(4)(a); 956 CMR 12.11(3)"

    def test_an_employer_below_the_minimums_may_offer_a_dental_plan_but_no_health_plan(
        self, apply: Apply
    ) -> None:
        run(apply, employer_application(participation_rate="0.50"), determine())
        assert refused(apply, select_group("G-H"))["code"] == "not_eligible"
        answer = apply(select_group("G-D", coverage="dental"))
        assert event_types(answer) == ["GroupEnrollmentLinked", "GroupPlanSelected"]

    def test_a_plan_before_any_determination_is_refused(self, apply: Apply) -> None:
        run(apply, employer_application())
        assert refused(apply, select_group())["code"] == "not_eligible"

    def test_more_full_time_employees_than_employees_is_refused_and_records_nothing(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        error = refused(apply, employer_application(full_time_employees=13))
        assert error["code"] == "invalid_field"
        assert ledger.recorder.max_notification_id() in (None, 0)

    def test_an_employer_grown_past_50_in_its_coverage_year_stays_eligible(
        self, apply: Apply
    ) -> None:
        run(apply, *paid_through_may())
        answers = run(
            apply,
            employer_application(on="2026-05-01", employee_count=55, full_time_employees=50),
            determine(on="2026-05-02"),
        )
        decided = only(answers[1], "EmployerEligibilityDetermined")
        assert decided["data"]["eligible"] is True
        assert decided["data"]["retained_past_50"] is True
        assert "956 CMR 12.04(4)(b)" in decided["citation"]


# ---- the group's plan, binder and employees --------------------------------------------------------


class TestEnrollment:
    def test_the_binder_is_billed_when_enrollment_closes_for_the_employees_enrolled(
        self, apply: Apply
    ) -> None:
        answers = run(apply, *enrolled_group(), schedule("2026-03-14"))
        closed = only(answers[-1], "GroupEnrollmentClosed")
        assert closed["on"] == "2026-03-14"
        assert closed["data"]["enrolled"] == ["EMP-1", "EMP-2"]
        assert closed["data"]["waived"] == ["EMP-3"]
        binder = only(answers[-1], "InvoiceIssued")
        assert binder["data"]["kind"] == "binder"
        assert binder["data"]["amount"] == "1400.00"
        assert binder["data"]["due_on"] == "2026-03-23"
        assert binder["citation"] == "956 CMR 12.11(1)"

    def test_the_binder_paid_by_its_due_date_starts_coverage_on_the_groups_start(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        answers = run(apply, *enrolled_group(), employer_pays("2026-03-23", "1400.00", "B"))
        effectuated = only(answers[-1], "CoverageEffectuated")
        assert effectuated["data"]["start_on"] == "2026-04-01"
        assert effectuated["citation"] == "956 CMR 12.11(2)"
        coverage = queries.coverage(ledger, "G1")
        assert coverage["status"] == "active"
        assert {e["employee_id"]: e["spans"] for e in coverage["employees"]} == {
            "EMP-1": [
                {
                    "start_on": "2026-04-01",
                    "end_on": None,
                    "end_reason": None,
                    "citation": "956 CMR 12.11(2)",
                }
            ],
            "EMP-2": [
                {
                    "start_on": "2026-04-01",
                    "end_on": None,
                    "end_reason": None,
                    "citation": "956 CMR 12.11(2)",
                }
            ],
        }
        assert coverage["waived"] == [{"employee_id": "EMP-3", "on": "2026-02-12"}]

    def test_money_paid_before_the_binder_is_billed_pays_it_when_enrollment_closes(
        self, apply: Apply
    ) -> None:
        answers = run(
            apply, *enrolled_group(), employer_pays("2026-03-01", "1400.00", "EARLY"), schedule("2026-03-14")
        )  # fmt: skip
        assert only(answers[-2], "PaymentRecorded")["data"]["to_credit"] == "1400.00"
        assert event_types(answers[-1]) == [
            "GroupEnrollmentClosed",
            "ParticipationChecked",
            "InvoiceIssued",
            "CoverageEffectuated",
        ]

    def test_a_binder_unpaid_by_its_due_date_cancels_the_selection(self, apply: Apply) -> None:
        answers = run(apply, *enrolled_group(), schedule("2026-03-31"))
        cancelled = only(answers[-1], "EnrollmentCancelled")
        assert (cancelled["on"], cancelled["data"]["reason"]) == ("2026-03-24", "binder_unpaid")

    def test_no_employee_enrolled_cancels_the_selection_when_enrollment_closes(
        self, apply: Apply
    ) -> None:
        answers = run(
            apply, employer_application(), determine(), select_group(), waive("EMP-1"), schedule("2026-03-14")
        )  # fmt: skip
        cancelled = only(answers[-1], "EnrollmentCancelled")
        assert cancelled["data"]["reason"] == "no_employee_enrolled"

    def test_by_the_deadline_an_employee_may_waive_instead_of_enrolling(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *enrolled_group(), waive("EMP-1", on="2026-03-13"), schedule("2026-03-14"))
        binder = queries.balance(ledger, "G1")["months"][0]
        assert binder["billed"] == "900.00"
        assert binder["employees"] == [{"employee_id": "EMP-2", "amount": "900.00"}]

    def test_after_the_deadline_an_employee_enrolls_only_with_an_event(self, apply: Apply) -> None:
        run(apply, *enrolled_group())
        error = refused(apply, enroll("EMP-3", "450.00", on="2026-03-14"))
        assert error["code"] == "outside_enrollment_period"
        assert "12.11(4)" in error["message"]

    def test_an_enrolled_employee_cannot_waive_after_the_deadline(self, apply: Apply) -> None:
        run(apply, *enrolled_group())
        assert refused(apply, waive("EMP-1", on="2026-03-14"))["code"] == (
            "outside_enrollment_period"
        )

    def test_an_employee_is_enrolled_once(self, apply: Apply) -> None:
        run(apply, *enrolled_group())
        assert refused(apply, enroll("EMP-1", "500.00"))["code"] == "already_enrolled"

    def test_member_ids_name_the_employee(self, apply: Apply) -> None:
        run(apply, *enrolled_group())
        command = {**enroll("EMP-4", "300.00"), "member_ids": ["SOMEONE"]}
        assert refused(apply, command)["code"] == "invalid_field"


class TestEmployeesSpecialEnrollment:
    def test_a_loss_of_coverage_within_30_days_enrolls_from_the_first_month_billed_after(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *paid_through_may())
        answer = apply(
            enroll("EMP-3", "450.00", on="2026-05-01", kind="loss_of_coverage", event_on="2026-04-01")
        )  # fmt: skip
        enrolled = only(answer, "EmployeeEnrolled")
        # day 30 after 1 April; May was billed on 5 April, June not yet: covered from 1 June
        assert enrolled["data"]["start_on"] == "2026-06-01"
        assert enrolled["data"]["basis"] == "special_enrollment:loss_of_coverage"
        assert enrolled["citation"] == "956 CMR 12.11(4); 45 CFR 155.725(j)"
        answer = apply(schedule("2026-05-05"))
        assert only(answer, "InvoiceIssued")["data"]["amount"] == "1850.00"

    def test_day_31_after_the_event_is_too_late(self, apply: Apply) -> None:
        run(apply, *paid_through_may())
        error = refused(
            apply,
            enroll("EMP-3", "450.00", on="2026-05-02", kind="loss_of_coverage", event_on="2026-04-01"),
        )  # fmt: skip
        assert error["code"] == "outside_enrollment_period"

    def test_an_employee_ends_coverage_only_in_a_special_enrollment_period(
        self, apply: Apply
    ) -> None:
        run(apply, *paid_through_may())
        no_kind = {
            "command": "request_termination",
            "on": "2026-05-04",
            "group_enrollment_id": "G1",
            "employee_id": "EMP-2",
        }
        error = refused(apply, no_kind)
        assert error["code"] == "missing_field"
        assert "kind" in error["message"]
        late = {**no_kind, "kind": "permanent_move", "event_on": "2026-04-03"}  # day 31
        assert refused(apply, late)["code"] == "outside_enrollment_period"
        answer = apply({**no_kind, "kind": "permanent_move", "event_on": "2026-04-04"})
        ended = only(answer, "EmployeeTerminationRequested")
        # on 4 May, before the cut-off and before June is billed (5 May): the end of May
        assert ended["data"]["end_on"] == "2026-05-31"
        assert ended["citation"] == "956 CMR 12.11(4), (7); 45 CFR 155.725(j)"
        june = only(apply(schedule("2026-05-05")), "InvoiceIssued")
        assert june["data"]["amount"] == "500.00"

    def test_an_employees_end_is_never_before_a_month_already_billed_for_them(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *paid_through_may())
        answer = apply(
            {
                "command": "request_termination",
                "on": "2026-05-10",
                "group_enrollment_id": "G1",
                "employee_id": "EMP-2",
                "kind": "marriage",
            }
        )
        # June was billed on 5 May with EMP-2 (taken first by this command): covered through June
        assert event_types(answer) == ["InvoiceIssued", "EmployeeTerminationRequested"]
        assert only(answer, "EmployeeTerminationRequested")["data"]["end_on"] == "2026-06-30"
        july = only(apply(schedule("2026-06-05")), "InvoiceIssued")
        assert july["data"]["amount"] == "500.00"
        coverage = queries.coverage(ledger, "G1")
        emp2 = next(e for e in coverage["employees"] if e["employee_id"] == "EMP-2")
        assert emp2["status"] == "ended"
        assert emp2["spans"][0]["end_on"] == "2026-06-30"
        assert emp2["spans"][0]["end_reason"] == "employee_request"


# ---- delinquency, termination, reinstatement ---------------------------------------------------------


class TestNonPayment:
    def test_one_notice_then_termination_back_to_the_last_month_paid_with_a_notice_each(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        answers = run(apply, *paid_through_may(), schedule("2026-07-31"))
        notice = only(answers[-1], "DelinquencyNoticeIssued")
        # June's premium due 23 May missed; the notice of 5 June gives the payment date
        # 35 days later, 10 July (12.12(11))
        assert (notice["on"], notice["data"]["payment_due_on"]) == ("2026-06-05", "2026-07-10")
        assert notice["citation"] == "956 CMR 12.12(11)"
        terminated = only(answers[-1], "CoverageTerminated")
        assert (terminated["on"], terminated["data"]["end_on"]) == ("2026-07-11", "2026-05-31")
        assert terminated["citation"] == "956 CMR 12.12(12)"
        assert terminated["data"]["reinstatement_deadline"] == "2026-08-10"
        notices = by_type(answers, "TerminationNoticeIssued")
        assert [(n["data"]["recipient"], n["data"]["employee_id"]) for n in notices] == [
            ("employer", None),
            ("employee", "EMP-1"),
            ("employee", "EMP-2"),
        ]
        assert notices[2]["data"]["member_ids"] == ["EMP-2", "EMP-2-C"]
        assert {n["citation"] for n in notices} == {"956 CMR 12.11(6), 12.12(12)"}
        coverage = queries.coverage(ledger, "G1")
        assert coverage["status"] == "terminated"
        assert coverage["spans"][0]["end_on"] == "2026-05-31"
        assert {e["spans"][0]["end_on"] for e in coverage["employees"]} == {"2026-05-31"}
        balance = queries.balance(ledger, "G1")
        assert balance["reinstatement_amount"] == "4200.00"  # June, July and August

    def test_paid_before_the_payment_date_the_delinquency_is_cured(self, apply: Apply) -> None:
        answers = run(
            apply, *paid_through_may(), schedule("2026-06-05"), employer_pays("2026-07-10", "2800.00", "C")
        )  # fmt: skip
        assert event_types(answers[-1])[-1] == "DelinquencyCured"

    def test_reinstatement_asked_on_day_30_with_everything_paid_is_granted(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        answers = run(
            apply,
            *paid_through_may(),
            schedule("2026-07-31"),
            employer_pays("2026-08-01", "4200.00", "R"),
            {"command": "request_reinstatement", "on": "2026-08-10", "enrollment_id": "G1"},
        )
        decided = only(answers[-1], "ReinstatementDecided")
        assert decided["data"]["granted"] is True
        assert decided["data"]["amount_required"] == "4200.00"
        assert decided["citation"] == "956 CMR 12.12(13)"
        coverage = queries.coverage(ledger, "G1")
        assert coverage["status"] == "active"
        assert coverage["spans"] == [
            {"start_on": "2026-04-01", "end_on": None, "end_reason": None, "citation": "956 CMR 12.11(2)"}
        ]  # fmt: skip

    def test_reinstatement_asked_on_day_31_is_refused_and_the_money_is_due_back(
        self, apply: Apply
    ) -> None:
        answers = run(
            apply,
            *paid_through_may(),
            schedule("2026-07-31"),
            employer_pays("2026-08-01", "4200.00", "R"),
            {"command": "request_reinstatement", "on": "2026-08-11", "enrollment_id": "G1"},
        )
        types = event_types(answers[-1])
        assert types[:2] == ["ReinstatementWindowExpired", "RefundDue"]
        decided = only(answers[-1], "ReinstatementDecided")
        assert decided["data"]["granted"] is False
        assert decided["data"]["reason"] == "the reinstatement window has closed"


# ---- the employer's voluntary termination ----------------------------------------------------------


class TestTheEmployersTermination:
    def test_asked_on_the_15th_coverage_ends_that_month(self, apply: Apply) -> None:
        run(apply, *paid_through_may())
        answer = apply(
            {"command": "request_termination", "on": "2026-05-15", "enrollment_id": "G1"}
        )
        ended = only(answer, "VoluntaryTerminationRequested")
        assert (ended["data"]["end_on"], ended["citation"]) == ("2026-05-31", "956 CMR 12.11(7)")

    def test_asked_on_the_16th_coverage_ends_the_next_month(self, apply: Apply) -> None:
        run(apply, *paid_through_may())
        answer = apply(
            {"command": "request_termination", "on": "2026-05-16", "enrollment_id": "G1"}
        )
        assert only(answer, "VoluntaryTerminationRequested")["data"]["end_on"] == "2026-06-30"

    def test_asked_while_delinquent_it_does_not_stop_the_termination_for_non_payment(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        """12.11(7): the requested end stands "unless coverage is terminated earlier for another
        reason unrelated to the request"; 12.12(12): June unpaid by the notice's payment date
        (10 July), coverage is terminated back to 31 May, the employer and the employees are
        notified, and June is no longer owed."""
        run(apply, *paid_through_may(), schedule("2026-06-09"))
        asked = {"command": "request_termination", "on": "2026-06-10", "enrollment_id": "G1"}
        ended = only(apply(asked), "VoluntaryTerminationRequested")
        assert ended["data"]["end_on"] == "2026-06-30"
        answer = apply(schedule("2026-08-31"))
        terminated = only(answer, "CoverageTerminated")
        assert (terminated["on"], terminated["data"]["end_on"]) == ("2026-07-11", "2026-05-31")
        assert terminated["citation"] == "956 CMR 12.12(12)"
        assert "TerminationNoticeIssued" in [e["type"] for e in answer["events"]]
        assert "CoverageEnded" not in [e["type"] for e in answer["events"]]
        assert queries.balance(ledger, "G1")["outstanding_total"] == "0.00"

    def test_both_an_enrollment_id_and_an_employee_is_refused(self, apply: Apply) -> None:
        run(apply, *paid_through_may())
        error = refused(
            apply,
            {"command": "request_termination", "on": "2026-05-16", "enrollment_id": "G1", "employee_id": "EMP-1", "kind": "marriage"},
        )  # fmt: skip
        assert error["code"] == "invalid_field"


# ---- one id space, one payment reference space -------------------------------------------------------


class TestTheSharedCommands:
    def test_a_household_and_an_employer_never_share_an_id(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        """`timeline ID` and the Kafka key name one record by its id (contract, second
        edition): whichever came first keeps it; the other is refused and records nothing."""
        run(apply, employer_application("ACME"))
        before = count_events(ledger)
        (household_application, _) = household_commands("ACME")
        taken = apply(household_application)
        assert taken["error"]["code"] == "duplicate_id"
        assert "already the id of an employer" in taken["error"]["message"]
        run(apply, household_commands("H-1")[0])
        after = count_events(ledger)
        assert after > before
        taken = apply(employer_application("H-1"))
        assert taken["error"]["code"] == "duplicate_id"
        assert "already the id of a household" in taken["error"]["message"]
        assert count_events(ledger) == after
        assert queries.timeline(ledger, "ACME")["employer_id"] == "ACME"

    def test_a_payment_repeated_is_answered_with_its_first_events(self, apply: Apply) -> None:
        run(apply, *enrolled_group())
        first = apply(employer_pays("2026-03-20", "1400.00", "SAME"))
        again = apply(employer_pays("2026-03-20", "1400.00", "SAME"))
        assert again == first
        other = apply(employer_pays("2026-03-21", "1400.00", "SAME"))
        assert other["error"]["code"] == "duplicate_reference"

    def test_an_individual_command_given_a_group_enrollment_is_refused_wrong_program(
        self, apply: Apply
    ) -> None:
        run(apply, *enrolled_group())
        renew = {
            "command": "renew_enrollment",
            "on": "2026-03-01",
            "enrollment_id": "G1",
            "plan_year": 2027,
            "monthly_premium": "100.00",
        }
        assert refused(apply, renew)["code"] == "wrong_program"

    def test_a_group_command_given_an_individual_enrollment_is_refused_wrong_program(
        self, apply: Apply
    ) -> None:
        from ..scenarios import household_commands, select

        run(apply, *household_commands(), select("E1"))
        assert refused(apply, enroll("X", "1.00", group_id="E1"))["code"] == "wrong_program"

    def test_a_group_enrollment_id_already_used_by_an_individual_enrollment_is_refused(
        self, apply: Apply
    ) -> None:
        from ..scenarios import household_commands, select

        run(apply, *household_commands(), select("E1"), employer_application(), determine())
        assert refused(apply, select_group("E1"))["code"] == "duplicate_enrollment"

    def test_an_unknown_group_enrollment_is_refused(self, apply: Apply) -> None:
        assert refused(apply, enroll("X", "1.00", group_id="NOPE"))["code"] == (
            "unknown_enrollment"
        )


# ---- the employer's appeal ------------------------------------------------------------------------


class TestTheEmployersAppeal:
    def test_90_days_after_receipt_rolled_past_labor_day_is_timely_and_a_day_later_is_not(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        (_, answer) = run(
            apply,
            employer_application(on="2026-06-01", employee_count=51),
            determine(on="2026-06-04"),
        )
        determination = only(answer, "EmployerEligibilityDetermined")
        appeal = {
            "command": "file_appeal",
            "on": "2026-09-08",
            "appeal_id": "AP-1",
            "employer_id": "ACME",
            "appealed_event_id": determination["id"],
            "grounds": "our count under IRC 4980H(c)(2) is 49",
        }
        filed = only(apply(appeal), "EmployerAppealFiled")
        # notice 4 June, received 9 June, day 90 is Labor Day (7 September): the 8th
        assert filed["data"]["deadline"] == "2026-09-08"
        assert filed["data"]["timely"] is True
        assert filed["data"]["deadline_citation"] == "956 CMR 12.14(2)(b); 956 CMR 12.14(3)"
        assert filed["citation"] == "956 CMR 12.13(1)"
        late = apply({**appeal, "appeal_id": "AP-2", "on": "2026-09-09"})
        assert event_types(late)[-1] == "AppealDismissed"
        timeline = queries.timeline(ledger, "ACME")
        assert timeline["employer_id"] == "ACME"
        assert [e["type"] for e in timeline["events"]].count("EmployerAppealFiled") == 2
        packet = queries.hearing(ledger, "AP-1")
        assert packet["appealed_event"]["id"] == determination["id"]
        assert packet["employer_id"] == "ACME"

    def test_an_appeal_naming_both_a_household_and_an_employer_is_refused(
        self, apply: Apply
    ) -> None:
        command = {
            "command": "file_appeal",
            "on": "2026-09-08",
            "appeal_id": "AP-1",
            "employer_id": "ACME",
            "household_id": "H1",
            "appealed_event_id": "x",
            "grounds": "g",
        }
        assert refused(apply, command)["code"] == "invalid_field"
        del command["household_id"]
        representative = refused(apply, {**command, "filed_by": "REP-1"})
        assert representative["code"] == "invalid_field"
        assert "12.17" in representative["message"]
        del command["employer_id"]
        assert refused(apply, command)["code"] == "missing_field"

    def test_an_event_outside_the_employers_record_cannot_be_appealed_by_it(
        self, apply: Apply
    ) -> None:
        from ..scenarios import household_commands

        answers = run(apply, *household_commands(), employer_application(), determine())
        household_event = only(answers[1], "EligibilityDetermined")["id"]
        error = refused(
            apply,
            {"command": "file_appeal", "on": "2026-02-10", "appeal_id": "AP-1", "employer_id": "ACME", "appealed_event_id": household_event, "grounds": "g"},
        )  # fmt: skip
        assert error["code"] == "unknown_event"


# ---- late facts (the two clocks) ------------------------------------------------------------------


class TestLateFacts:
    def test_a_payment_entered_after_the_termination_but_received_in_time_rescinds_it(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *paid_through_may(), schedule("2026-07-31"))
        # received 9 July, before the payment date of 10 July: June and July, all then owed
        answer = apply(employer_pays("2026-07-09", "2800.00", "LATE"))
        rescinded = only(answer, "TerminationRescinded")
        assert rescinded["citation"] == "956 CMR 12.12(12)"
        assert rescinded["data"]["paid_by_payment_date"] == "5600.00"
        coverage = queries.coverage(ledger, "G1")
        assert coverage["status"] != "terminated"
        assert coverage["spans"][0]["end_on"] is None

    def test_a_binder_entered_after_the_cancellation_but_received_by_its_due_date_restores_it(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *enrolled_group(), schedule("2026-03-31"))
        answer = apply(employer_pays("2026-03-22", "1400.00", "LATE-BINDER"))
        assert event_types(answer)[:3] == [
            "PaymentRecorded",
            "CancellationRescinded",
            "CreditApplied",
        ]
        assert only(answer, "CoverageEffectuated")["data"]["start_on"] == "2026-04-01"
        assert queries.coverage(ledger, "G1")["status"] == "active"


# ---- the read models beside it ----------------------------------------------------------------------


def test_the_read_models_hold_a_small_groups_coverage_balance_termination_and_timeline(
    apply: Apply, ledger: Ledger
) -> None:
    """Run over a store holding individual and small-group records, the read models answer for
    the group as its fold does: its coverage and balance, its termination for non-payment with
    every employee it ended, its grace period under the employer's id, and the employer's
    timeline."""
    from datetime import date

    from enrollment_ledger.projections import runner
    from enrollment_ledger.projections.balance import current_balance
    from enrollment_ledger.projections.coverage import current_coverage
    from enrollment_ledger.projections.delinquency import delinquent_on
    from enrollment_ledger.projections.terminations import terminations_between
    from enrollment_ledger.projections.timelines import timeline_rows

    from ..scenarios import household_commands, pay, select

    run(
        apply,
        *household_commands(),
        select("E1"),
        pay("2026-01-20", "150.00", "E1-B"),
        *paid_through_may(),
        schedule("2026-07-31"),
    )
    runner.run(ledger, batch_size=7)
    assert current_coverage(ledger, "E1") is not None
    coverage = current_coverage(ledger, "G1")
    assert coverage is not None and coverage["status"] == "terminated"
    assert coverage == queries.coverage(ledger, "G1", as_of=date(2026, 12, 31))
    assert current_balance(ledger, "G1") == queries.balance(ledger, "G1", as_of=date(2026, 12, 31))
    (terminated,) = terminations_between(ledger, date(2026, 7, 1), date(2026, 7, 31))
    assert (terminated["enrollment_id"], terminated["household_id"]) == ("G1", "ACME")
    assert terminated["end_on"] == "2026-05-31"
    assert terminated["employees"] == [
        {"employee_id": "EMP-1", "member_ids": ["EMP-1"]},
        {"employee_id": "EMP-2", "member_ids": ["EMP-2", "EMP-2-C"]},
    ]
    (grace,) = [r for r in delinquent_on(ledger, date(2026, 6, 15)) if r["enrollment_id"] == "G1"]
    assert grace["household_id"] == "ACME" and grace["first_unpaid_month"] == "2026-06"
    employer_rows = timeline_rows(ledger, "ACME")
    assert employer_rows[0]["type"] == "EmployerOpened"
    assert "TerminationNoticeIssued" in {row["type"] for row in employer_rows}
