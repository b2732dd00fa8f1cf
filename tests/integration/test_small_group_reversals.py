"""A reversed employer's or employee's appeal implemented as of the action (956 CMR 12.15(4),
45 CFR 155.545(c)), through the ledger's command path into a real SQLite store: the group ended
for fraud or for the employer's ineligibility covered again with no gap, the months the end voided
owed again and paid from the credit, nobody delinquent on the decision day, money conserved; an
employee ended for fraud covered again with their premium billed again; affirmed, nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from enrollment_ledger.adapters import queries
from enrollment_ledger.domain.ledger import Ledger
from enrollment_ledger.projections import runner
from enrollment_ledger.projections.terminations import terminations_between

from ..conftest import Apply, event_types, only
from ..group_scenarios import determine, employer_application, paid_through_may
from ..scenarios import by_type, schedule
from .test_small_group_law import fraud, ineligible, run


def appeal(event: dict[str, Any], *, employee_id: str | None = None) -> dict[str, Any]:
    who = {"employee_id": employee_id} if employee_id is not None else {}
    return {
        "command": "file_appeal",
        "on": "2026-05-20",
        "appeal_id": "AP-1",
        "employer_id": "ACME",
        "appealed_event_id": event["id"],
        "grounds": "the finding is wrong",
        **who,
    }


def decide(outcome: str, on: str = "2026-06-15") -> dict[str, Any]:
    return {"command": "decide_appeal", "on": on, "appeal_id": "AP-1", "outcome": outcome}


def rescinded_for_fraud(apply: Apply) -> dict[str, Any]:
    """The group paid through May (1,400.00 a month), rescinded on 10 May back to 30 April for
    fraud (May voided, 1,400.00 due back to the employer), and the employer's appeal of it."""
    run(apply, *paid_through_may())
    ended = only(apply(fraud("2026-05-10", "2026-04-30")), "GroupCoverageTerminated")
    run(apply, appeal(ended))
    return ended


def month(ledger: Ledger, key: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        m for m in queries.balance(ledger, "G1")["months"] if m["month"] == key
    )
    return found


class TestAGroupTerminationForFraudReversed:
    def test_covers_the_group_again_from_the_day_after_the_end_with_no_gap(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        ended = rescinded_for_fraud(apply)
        answer = apply(decide("reversed"))
        restored = only(answer, "GroupCoverageRestoredOnAppeal")
        assert restored["citation"] == "956 CMR 12.15(4); 45 CFR 155.545(c)"
        assert restored["data"]["appealed_event_id"] == ended["id"]
        assert restored["data"]["withdrawn_end_on"] == "2026-04-30"
        assert restored["data"]["withdrawn_end_reason"] == "fraud"
        assert restored["data"]["restored_from"] == "2026-05-01"
        assert restored["data"]["employee_ids"] == ["EMP-1", "EMP-2"]
        coverage = queries.coverage(ledger, "G1")
        assert coverage["status"] == "active"
        assert coverage["spans"][0]["end_on"] is None
        assert [e["status"] for e in coverage["employees"]] == ["enrolled", "enrolled"]

    def test_the_refund_due_is_credit_again_and_pays_the_voided_may_first(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        rescinded_for_fraud(apply)
        answer = apply(decide("reversed"))
        restored = only(answer, "GroupCoverageRestoredOnAppeal")
        assert restored["data"]["refund_withdrawn"] == "1400.00"
        assert only(answer, "CreditApplied")["data"]["allocations"] == [
            {"month": "2026-05", "amount": "1400.00"}
        ]
        may = month(ledger, "2026-05")
        assert (may["voided"], may["outstanding"]) == (False, "0.00")
        balance = queries.balance(ledger, "G1")
        assert (balance["credit"], balance["refund_due"]) == ("0.00", "0.00")
        account = ledger.group_enrollment("G1").money_account()
        assert account.received == Decimal("2800.00")
        assert account.conserved

    def test_months_never_billed_are_billed_at_once_and_nobody_is_delinquent_that_day(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        rescinded_for_fraud(apply)
        answer = apply(decide("reversed"))
        restored = only(answer, "GroupCoverageRestoredOnAppeal")
        # May and June (billed before the end voided them) are owed again; their own due dates
        # (23 April, 23 May) have passed on 15 June: due on the next due date, 23 June
        assert restored["data"]["rebilled_months"] == [
            {"month": "2026-05", "due_on": "2026-06-23"},
            {"month": "2026-06", "due_on": "2026-06-23"},
        ]
        # July, never billed while the group stood ended, is billed at once
        (july,) = by_type([answer], "InvoiceIssued")
        assert (july["data"]["month"], july["data"]["due_on"]) == ("2026-07", "2026-06-23")
        assert queries.coverage(ledger, "G1")["status"] == "active"
        later = apply(schedule("2026-06-24"))
        assert "PaymentMissed" in event_types(later)  # unpaid by 23 June, delinquent as ever

    def test_the_termination_listed_for_the_carrier_is_flagged_rescinded(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        ended = rescinded_for_fraud(apply)
        restored = only(apply(decide("reversed")), "GroupCoverageRestoredOnAppeal")
        assert restored["data"]["termination_event_id"] == ended["id"]
        runner.run(ledger)
        (row,) = terminations_between(ledger, date(2026, 4, 1), date(2026, 5, 31))
        assert (row["enrollment_id"], row["reason"]) == ("G1", "fraud")
        assert (row["rescinded"], row["rescinded_on"]) == (True, "2026-06-15")

    def test_upheld_restores_nothing(self, apply: Apply, ledger: Ledger) -> None:
        rescinded_for_fraud(apply)
        answer = apply(decide("upheld"))
        assert event_types(answer) == ["AppealDecided"]
        assert queries.coverage(ledger, "G1")["status"] == "terminated"
        assert queries.balance(ledger, "G1")["refund_due"] == "1400.00"

    def test_an_employees_appeal_of_the_notice_the_group_termination_sent_restores_nothing(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        run(apply, *paid_through_may())
        answer = apply(fraud("2026-05-10", "2026-04-30"))
        (notice,) = [
            n
            for n in by_type([answer], "TerminationNoticeIssued")
            if n["data"]["employee_id"] == "EMP-1"
        ]
        run(apply, appeal(notice, employee_id="EMP-1"))
        assert event_types(apply(decide("reversed"))) == ["AppealDecided"]
        assert queries.coverage(ledger, "G1")["status"] == "terminated"


class TestTheEmployerFoundNotEligibleReversed:
    def ended_for_ineligibility(self, apply: Apply) -> dict[str, Any]:
        """Found not actively engaged on 2 May, the group ended on 31 May (the end taken on
        1 June), and the employer's appeal of that determination."""
        run(
            apply,
            *paid_through_may(),
            employer_application(on="2026-05-01", actively_engaged=False),
        )
        determined = only(apply(determine(on="2026-05-02")), "EmployerEligibilityDetermined")
        run(apply, ineligible("2026-05-20"), appeal(determined), schedule("2026-06-10"))
        return determined

    def test_records_a_corrected_determination_and_restores_the_group_it_ended(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        self.ended_for_ineligibility(apply)
        assert queries.coverage(ledger, "G1")["status"] == "terminated"
        answer = apply(decide("reversed"))
        corrected = only(answer, "EmployerEligibilityDetermined")
        assert corrected["citation"] == "956 CMR 12.15(4); 956 CMR 12.04(4)(a)"
        assert corrected["effective_on"] == "2026-05-02"
        assert (corrected["data"]["eligible"], corrected["data"]["failed_conditions"]) == (
            True,
            [],
        )
        restored = only(answer, "GroupCoverageRestoredOnAppeal")
        assert restored["data"]["withdrawn_end_on"] == "2026-05-31"
        assert restored["data"]["withdrawn_end_reason"] == "ineligible"
        assert restored["data"]["restored_from"] == "2026-06-01"
        assert queries.coverage(ledger, "G1")["status"] == "active"
        assert ledger.group_enrollment("G1").money_account().conserved

    def test_upheld_keeps_the_determination_and_the_end(self, apply: Apply, ledger: Ledger) -> None:
        self.ended_for_ineligibility(apply)
        assert event_types(apply(decide("upheld"))) == ["AppealDecided"]
        assert queries.coverage(ledger, "G1")["status"] == "terminated"
        assert ledger.employer("ACME").determinations[-1]["eligible"] is False


class TestAnEmployeeEndedForFraudReversed:
    def ended_employee(self, apply: Apply) -> dict[str, Any]:
        """EMP-2 (900.00 with a child) ended for fraud on 10 May; June and July billed without
        them (500.00); EMP-2's appeal of it."""
        run(apply, *paid_through_may())
        ended = only(
            apply(fraud("2026-05-10", "2026-05-10", employee_id="EMP-2")),
            "EmployeeTerminatedForFraud",
        )
        run(apply, appeal(ended, employee_id="EMP-2"), schedule("2026-06-14"))
        return ended

    def test_covers_that_employee_again_and_bills_their_months_again(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        self.ended_employee(apply)
        # June was billed (1,400.00) before the end; July without EMP-2 (500.00)
        assert (month(ledger, "2026-06")["billed"], month(ledger, "2026-07")["billed"]) == (
            "1400.00",
            "500.00",
        )
        answer = apply(decide("reversed"))
        restored = only(answer, "GroupCoverageRestoredOnAppeal")
        assert restored["data"]["employee_ids"] == ["EMP-2"]
        assert restored["data"]["withdrawn_end_on"] is None
        assert restored["data"]["restored_from"] == "2026-05-11"
        adjusted = [(a["month"], a["billed"], a["amount"]) for a in restored["data"]["adjustments"]]
        assert adjusted == [("2026-07", "500.00", "1400.00")]
        july = month(ledger, "2026-07")
        assert (july["billed"], july["due_on"]) == ("1400.00", "2026-06-23")
        employees = {e["employee_id"]: e for e in queries.coverage(ledger, "G1")["employees"]}
        assert employees["EMP-2"]["status"] == "enrolled"
        assert ledger.group_enrollment("G1").money_account().conserved

    def test_upheld_leaves_the_employee_ended(self, apply: Apply, ledger: Ledger) -> None:
        self.ended_employee(apply)
        assert event_types(apply(decide("upheld"))) == ["AppealDecided"]
        employees = {e["employee_id"]: e for e in queries.coverage(ledger, "G1")["employees"]}
        assert employees["EMP-2"]["status"] == "ended"


def rehearing(on: str, outcome: str, superseding: str | None = None) -> list[dict[str, Any]]:
    """A re-hearing ordered on 20 June (within 14 days of the decision) and decided on `on`."""
    decided: dict[str, Any] = {
        "command": "decide_rehearing",
        "on": on,
        "appeal_id": "AP-1",
        "outcome": outcome,
    }
    if superseding is not None:
        decided["superseding_outcome"] = superseding
    return [{"command": "order_rehearing", "on": "2026-06-20", "appeal_id": "AP-1"}, decided]


def reheard(apply: Apply, initial: str, *decision: str | None) -> list[dict[str, Any]]:
    """The rescission appealed, decided `initial` on 15 June, then re-heard (`rehearing`)."""
    rescinded_for_fraud(apply)
    run(apply, decide(initial))
    return run(apply, *rehearing("2026-07-01", *decision))


class TestAReversalReheard:
    def test_a_superseding_decision_upholding_the_rescission_ends_the_group_again(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        answers = reheard(apply, "reversed", "supersede", "upheld")
        again = only(answers[-1], "GroupCoverageTerminated")
        assert (again["on"], again["data"]["end_on"]) == ("2026-07-01", "2026-04-30")
        assert again["data"]["cause"] == "fraud" and again["data"]["rescission"] is True
        assert [n["data"]["recipient"] for n in by_type(answers, "TerminationNoticeIssued")] == [
            "employer",
            "employee",
            "employee",
        ]
        coverage = queries.coverage(ledger, "G1")
        assert (coverage["status"], coverage["spans"][0]["end_on"]) == ("terminated", "2026-04-30")
        assert ledger.group_enrollment("G1").money_account().conserved

    def test_a_decision_not_to_supersede_leaves_the_group_covered(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        answers = reheard(apply, "reversed", "not_superseded")
        assert "GroupCoverageTerminated" not in event_types(answers[-1])
        assert queries.coverage(ledger, "G1")["status"] != "terminated"

    def test_a_superseding_reversal_of_an_upheld_appeal_restores_the_group(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        answers = reheard(apply, "upheld", "supersede", "reversed")
        restored = only(answers[-1], "GroupCoverageRestoredOnAppeal")
        assert restored["data"]["restored_from"] == "2026-05-01"
        assert queries.coverage(ledger, "G1")["status"] != "terminated"

    def test_an_employer_determination_that_stands_is_recorded_again_and_ends_the_group_again(
        self, apply: Apply, ledger: Ledger
    ) -> None:
        TestTheEmployerFoundNotEligibleReversed().ended_for_ineligibility(apply)
        run(apply, decide("reversed"))
        answers = run(apply, *rehearing("2026-07-01", "supersede", "upheld"))
        stands = only(answers[-1], "EmployerEligibilityDetermined")
        assert stands["citation"] == "956 CMR 12.15(5); 956 CMR 12.04(4)(a)"
        assert (stands["effective_on"], stands["data"]["eligible"]) == ("2026-05-02", False)
        again = only(answers[-1], "GroupCoverageTerminated")
        # 12.11(5)(c) read as 12.10(5)(c): the end of the month of the decision
        assert (again["data"]["cause"], again["data"]["end_on"]) == (
            "employer_ineligible",
            "2026-07-31",
        )
