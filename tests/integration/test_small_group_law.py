"""The small group's remaining law through the ledger's command path into a real SQLite store:
the Connector's terminations for fraud (the whole group, or one employee) and for an employer no
longer eligible, each with a written notice to the employer and to every employee it ends, and
appealable (12.11(5)-(6), 12.13(1), 12.14(2)(b)); the minimum participation checked when the
employer's enrollment period closes (12.11(1), waived under 12.11(3)); a new dependent by birth,
adoption or placement (12.11(2)); and the renewal for the next coverage year (12.04(4)(b))."""

from __future__ import annotations

from datetime import date
from typing import Any

from enrollment_ledger.adapters import queries
from enrollment_ledger.domain.ledger import Ledger
from enrollment_ledger.projections import runner
from enrollment_ledger.projections.terminations import terminations_between

from ..conftest import Apply, event_types, only
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
from ..scenarios import by_type, schedule


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


def fraud(on: str, effective_on: str, **more: Any) -> dict[str, Any]:
    return {
        "command": "terminate_group_for_fraud",
        "on": on,
        "group_enrollment_id": "G1",
        "effective_on": effective_on,
        "finding": "employees listed who never worked for the employer",
        **more,
    }


def ineligible(on: str) -> dict[str, Any]:
    return {"command": "terminate_group_ineligible", "on": on, "group_enrollment_id": "G1"}


def dependent(on: str, event_on: str, coverage_from: str, **more: Any) -> dict[str, Any]:
    return {
        "command": "add_dependent",
        "on": on,
        "group_enrollment_id": "G1",
        "employee_id": "EMP-1",
        "member_id": "EMP-1-BABY",
        "event": "birth",
        "event_on": event_on,
        "coverage_from": coverage_from,
        "monthly_premium": "650.00",
        **more,
    }


def binder_paid() -> list[dict[str, Any]]:
    """The group enrolled (EMP-1 500.00, EMP-2 and a child 900.00, EMP-3 waived for other
    coverage) and its binder paid: covered from 1 April 2026."""
    return [*enrolled_group(), employer_pays("2026-03-20", "1400.00", "ACME-04")]


def notices(answer: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    return [
        (e["data"]["recipient"], e["data"]["employee_id"], e["data"]["reason"])
        for e in by_type([answer], "TerminationNoticeIssued")
    ]


class TestTerminationForFraud:
    def test_the_group_rescinded_back_to_april_notifies_the_employer_and_each_employee(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *paid_through_may())
        answer = apply(fraud("2026-05-10", "2026-04-30"))
        ended = only(answer, "GroupCoverageTerminated")
        assert ended["citation"] == "956 CMR 12.11(5)(a); 45 CFR 147.128"
        assert ended["data"]["rescission"] is True and ended["data"]["cause"] == "fraud"
        assert notices(answer) == [
            ("employer", None, "fraud"),
            ("employee", "EMP-1", "fraud"),
            ("employee", "EMP-2", "fraud"),
        ]
        assert {e["citation"] for e in by_type([answer], "TerminationNoticeIssued")} == {
            "956 CMR 12.11(6)"
        }
        # May (1,400.00, paid) is voided by the end on 30 April: due back
        assert only(answer, "RefundDue")["data"]["amount"] == "1400.00"
        coverage = queries.coverage(ledger, "G1")
        assert coverage["status"] == "terminated"
        assert coverage["spans"][0]["end_on"] == "2026-04-30"
        assert coverage["spans"][0]["end_reason"] == "fraud"

    def test_the_termination_is_listed_for_the_carrier_and_appealable_by_the_employer(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *paid_through_may())
        ended = only(apply(fraud("2026-05-10", "2026-05-10")), "GroupCoverageTerminated")
        assert ended["citation"] == "956 CMR 12.11(5)(a)"
        runner.run(ledger)
        (row,) = terminations_between(ledger, date(2026, 5, 1), date(2026, 5, 31))
        assert (row["enrollment_id"], row["reason"], row["end_on"]) == ("G1", "fraud", "2026-05-10")
        assert [e["employee_id"] for e in row["employees"]] == ["EMP-1", "EMP-2"]
        appeal = {
            "command": "file_appeal",
            "on": "2026-08-13",
            "appeal_id": "AP-FRAUD",
            "employer_id": "ACME",
            "appealed_event_id": ended["id"],
            "grounds": "every listed employee is on our payroll",
        }
        filed = only(apply(appeal), "EmployerAppealFiled")
        # notice 10 May, received 15 May (5 days), day 90 is Thursday 13 August
        assert filed["data"]["deadline"] == "2026-08-13"
        assert filed["data"]["timely"] is True
        assert filed["citation"] == "956 CMR 12.13(1)"

    def test_one_employee_ended_for_fraud_leaves_the_group_and_its_next_invoices(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *paid_through_may())
        answer = apply(fraud("2026-05-10", "2026-05-10", employee_id="EMP-2"))
        ended = only(answer, "EmployeeTerminatedForFraud")
        assert ended["data"]["member_ids"] == ["EMP-2", "EMP-2-C"]
        assert notices(answer) == [("employer", None, "fraud"), ("employee", "EMP-2", "fraud")]
        run(apply, employer_pays("2026-05-20", "1400.00", "ACME-06"), schedule("2026-06-10"))
        coverage = queries.coverage(ledger, "G1")
        assert coverage["status"] == "active"
        by_employee = {e["employee_id"]: e for e in coverage["employees"]}
        assert by_employee["EMP-2"]["status"] == "ended"
        assert by_employee["EMP-2"]["spans"][0]["end_reason"] == "fraud"
        balance = queries.balance(ledger, "G1")
        july = next(m for m in balance["months"] if m["month"] == "2026-07")
        assert july["employees"] == [{"employee_id": "EMP-1", "amount": "500.00"}]

    def test_an_end_after_the_decision_or_an_employee_not_enrolled_is_refused(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *paid_through_may())
        before = ledger.recorder.max_notification_id()
        assert refused(apply, fraud("2026-05-10", "2026-05-11"))["code"] == "invalid_field"
        not_enrolled = refused(apply, fraud("2026-05-10", "2026-05-10", employee_id="EMP-3"))
        assert not_enrolled["code"] == "not_enrolled"
        assert ledger.recorder.max_notification_id() == before


class TestTheEmployerNoLongerEligible:
    def test_a_determination_not_eligible_ends_the_group_at_the_end_of_the_month(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(
            apply,
            *paid_through_may(),
            employer_application(on="2026-05-01", actively_engaged=False),
            determine(on="2026-05-02"),
        )
        answer = apply(ineligible("2026-05-20"))
        ended = only(answer, "GroupCoverageTerminated")
        assert ended["citation"] == "956 CMR 12.11(5)(c)"
        assert (ended["data"]["end_on"], ended["data"]["cause"]) == (
            "2026-05-31",
            "employer_ineligible",
        )
        assert "actively_engaged (956 CMR 12.04(4)(a)2)" in ended["data"]["finding"]
        assert notices(answer) == [
            ("employer", None, "employer_ineligible"),
            ("employee", "EMP-1", "employer_ineligible"),
            ("employee", "EMP-2", "employer_ineligible"),
        ]
        assert queries.coverage(ledger, "G1")["status"] != "terminated"  # until 31 May
        closed = apply(schedule("2026-06-30"))
        assert only(closed, "CoverageEnded")["on"] == "2026-06-01"
        coverage = queries.coverage(ledger, "G1")
        assert coverage["status"] == "terminated"
        assert coverage["spans"][0]["end_on"] == "2026-05-31"

    def test_an_employer_last_found_eligible_or_kept_eligible_past_50_is_not_ended(
        self, apply: Apply
    ) -> None:
        run(apply, *paid_through_may())
        assert refused(apply, ineligible("2026-05-20"))["code"] == "invalid_state"
        run(
            apply,
            employer_application(on="2026-05-01", employee_count=55, full_time_employees=50),
            determine(on="2026-05-02"),
        )  # 12.04(4)(b): eligible for its coverage year
        assert refused(apply, ineligible("2026-05-20"))["code"] == "invalid_state"


class TestParticipationAtTheClose:
    def test_two_of_three_employees_without_other_coverage_is_below_the_minimum(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        commands = enrolled_group()
        commands[-1] = {**waive("EMP-3"), "other_coverage": False}
        answers = run(apply, *commands, schedule("2026-03-14"))
        closed = answers[-1]
        checked = only(closed, "ParticipationChecked")["data"]
        assert (checked["rate"], checked["minimum"], checked["met"]) == ("0.6667", "0.75", False)
        cancelled = only(closed, "EnrollmentCancelled")
        assert cancelled["data"]["reason"] == "participation_not_met"
        assert cancelled["citation"] == "956 CMR 12.11(1); 956 CMR 12.04(4)(a)5"
        assert "InvoiceIssued" not in event_types(closed)
        assert queries.coverage(ledger, "G1")["status"] == "cancelled"

    def test_three_of_four_is_exactly_the_minimum_and_the_binder_is_billed(
        self, apply: Apply
    ) -> None:
        commands = enrolled_group()
        commands[-1] = {**waive("EMP-3"), "other_coverage": False}
        commands.append(enroll("EMP-4", "400.00"))
        closed = run(apply, *commands, schedule("2026-03-14"))[-1]
        checked = only(closed, "ParticipationChecked")["data"]
        assert (checked["rate"], checked["met"]) == ("0.7500", True)
        assert only(closed, "InvoiceIssued")["data"]["amount"] == "1800.00"

    def test_an_application_from_15_november_to_15_december_has_the_minimum_waived(
        self, apply: Apply
    ) -> None:
        answers = run(
            apply,
            employer_application(on="2025-12-15"),
            determine(on="2025-12-16"),
            select_group(on="2025-12-17"),
            enroll("EMP-1", "500.00"),
            {**waive("EMP-2"), "other_coverage": False},
            {**waive("EMP-3"), "other_coverage": False},
            schedule("2026-03-14"),
        )
        assert only(answers[2], "ParticipationTermsNoted")["data"]["minimums_waived"] is True
        checked = only(answers[-1], "ParticipationChecked")
        assert checked["data"]["minimums_waived"] is True and checked["data"]["met"] is True
        assert checked["citation"] == "956 CMR 12.11(3)"
        assert by_type([answers[-1]], "InvoiceIssued")


class TestANewDependent:
    def test_a_birth_covered_from_its_date_bills_the_new_premium_from_the_first_month_not_billed(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *binder_paid())
        # 10 April: May was invoiced on 5 April, so the new premium is billed from June
        added = only(apply(dependent("2026-04-10", "2026-04-08", "event_date")), "DependentAdded")
        assert added["data"]["coverage_start_on"] == "2026-04-08"
        assert added["data"]["premium_from"] == "2026-06-01"
        assert added["citation"] == "956 CMR 12.11(2); 956 CMR 12.11(4); 45 CFR 155.725(j)"
        coverage = queries.coverage(ledger, "G1", as_of=date(2026, 4, 10))
        emp1 = next(e for e in coverage["employees"] if e["employee_id"] == "EMP-1")
        assert emp1["member_ids"] == ["EMP-1", "EMP-1-BABY"]
        assert emp1["dependents_from"] == {"EMP-1-BABY": "2026-04-08"}
        assert [(s["start_on"], s["end_on"]) for s in emp1["spans"]] == [("2026-04-01", None)]
        june = only(apply(schedule("2026-05-06")), "InvoiceIssued")
        assert (june["data"]["month"], june["data"]["amount"]) == ("2026-06", "1550.00")

    def test_the_first_of_the_next_month_at_the_employees_election(self, apply: Apply) -> None:
        run(apply, *binder_paid())
        added = only(
            apply(dependent("2026-04-10", "2026-04-08", "first_of_next_month")), "DependentAdded"
        )
        assert added["data"]["coverage_start_on"] == "2026-05-01"
        assert added["data"]["premium_from"] == "2026-06-01"  # May was already billed

    def test_day_30_after_the_event_is_in_time_and_day_31_is_not(self, apply: Apply) -> None:
        run(apply, *binder_paid())
        late = refused(apply, dependent("2026-05-09", "2026-04-08", "event_date"))
        assert late["code"] == "outside_enrollment_period"
        assert by_type(
            [apply(dependent("2026-05-08", "2026-04-08", "event_date"))], "DependentAdded"
        )

    def test_an_employee_not_enrolled_or_a_member_already_covered_is_refused(
        self, apply: Apply
    ) -> None:
        run(apply, *binder_paid())
        nobody = refused(
            apply, dependent("2026-04-10", "2026-04-08", "event_date", employee_id="EMP-3")
        )
        assert nobody["code"] == "not_enrolled"
        again = refused(
            apply, dependent("2026-04-10", "2026-04-08", "event_date", member_id="EMP-1")
        )
        assert again["code"] == "invalid_field"


class TestRenewal:
    def test_a_group_renewed_for_its_next_coverage_year_with_a_new_plan(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *binder_paid())
        command = {
            "command": "renew_group_plan",
            "on": "2026-04-10",
            "group_enrollment_id": "G1",
            "plan_id": "SG-GOLD-2027",
        }
        renewed = only(apply(command), "GroupRenewed")
        assert renewed["citation"] == "956 CMR 12.04(4)(b); 45 CFR 155.725(b)"
        assert (
            renewed["data"]["coverage_year_starts_on"],
            renewed["data"]["coverage_year_ends_on"],
            renewed["data"]["plan_id"],
        ) == ("2027-04-01", "2028-03-31", "SG-GOLD-2027")
        assert queries.coverage(ledger, "G1")["plan_id"] == "SG-GOLD-2027"

    def test_an_employer_kept_eligible_past_50_only_for_its_year_is_not_renewed(
        self, apply: Apply
    ) -> None:
        run(
            apply,
            *binder_paid(),
            employer_application(on="2026-04-02", employee_count=55, full_time_employees=50),
            determine(on="2026-04-03"),
        )
        command = {"command": "renew_group_plan", "on": "2026-04-10", "group_enrollment_id": "G1"}
        error = refused(apply, command)
        assert error["code"] == "not_eligible" and "12.04(4)(b)" in error["message"]
