"""An appeal decided for the appellant is implemented as of the date of the action (12.15(4), 45 CFR
155.545(c)): coverage the reversed action ended (a determination that left a member eligible for
nothing, 12.10(5)(c) / 12.16(1)(a), or a termination for fraud, 12.10(5)(a)) is restored with no
gap; the months it voided are owed again and paid from the credit, what was due back and the
recoupment are withdrawn by the event, never rewritten. An upheld action restores nothing.
Through the ledger's command path into a real SQLite store."""

from __future__ import annotations

from datetime import date
from typing import Any

from enrollment_ledger.adapters import queries
from enrollment_ledger.domain.ledger import Ledger
from enrollment_ledger.projections import runner
from enrollment_ledger.projections.terminations import terminations_between

from ..conftest import Apply, event_types, member, only
from ..scenarios import by_type, household_commands, pay, schedule, select
from .test_fraud import aptc_enrollment_paid_through_may, fraud
from .test_loss_of_eligibility import DENTAL, HEALTH, change, covered_from_february, run


def appeal(on: str, appealed_event_id: str) -> dict[str, Any]:
    return {
        "command": "file_appeal",
        "on": on,
        "appeal_id": "A1",
        "household_id": "H1",
        "appealed_event_id": appealed_event_id,
        "grounds": "the action was wrong",
    }


def decide(on: str, outcome: str, **fields: Any) -> dict[str, Any]:
    return {"command": "decide_appeal", "on": on, "appeal_id": "A1", "outcome": outcome, **fields}


PENDING_DISPOSITION = {"members": [{"member_id": "M1", "incarceration": "pending_disposition"}]}


def incarcerated_member_ended_and_appealed(apply: Apply) -> str:
    """M1, covered from February (health $150, dental $30, both paid through April), determined
    ineligible on 10 March as serving a sentence: covered through 31 March; the end taken on
    1 April and April's payment due back; the determination appealed on 20 March."""
    covered_from_february(apply)
    (answer,) = run(apply, change("2026-03-10", incarceration="serving"))
    determined = only(answer, "EligibilityDetermined")["id"]
    run(apply, appeal("2026-03-20", determined), schedule("2026-04-10"))
    return determined


def test_a_reversed_loss_of_eligibility_restores_coverage_from_the_day_after_it_ended(
    apply: Apply, ledger: Ledger
) -> None:
    determined = incarcerated_member_ended_and_appealed(apply)
    assert queries.balance(ledger, HEALTH)["refund_due"] == "150.00"

    (answer,) = run(apply, decide("2026-04-15", "reversed", findings=PENDING_DISPOSITION))
    restored = by_type([answer], "CoverageRestoredOnAppeal")
    assert [(e["data"]["member_ids"], e["effective_on"], e["citation"]) for e in restored] == [
        (["M1"], "2026-04-01", "956 CMR 12.15(4); 45 CFR 155.545(c)"),
        (["M1"], "2026-04-01", "956 CMR 12.15(4); 45 CFR 155.545(c)"),
    ]
    health = next(e for e in restored if e["data"]["refund_withdrawn"] == "150.00")
    assert health["data"]["appealed_event_id"] == determined
    assert health["data"]["withdrawn_end_on"] == "2026-03-31"
    assert health["data"]["withdrawn_end_reason"] == "ineligible"
    assert health["data"]["rebilled_months"] == [{"month": "2026-04", "due_on": "2026-04-23"}]
    # April is paid again from the refund withdrawn; May (invoice day 5 April, missed while
    # coverage stood ended) is billed now, due on the next due date
    credit = by_type([answer], "CreditApplied")
    assert {"month": "2026-04", "amount": "150.00"} in credit[0]["data"]["allocations"]
    may = [e for e in by_type([answer], "InvoiceIssued") if e["data"]["month"] == "2026-05"]
    assert sorted((e["data"]["amount"], e["data"]["due_on"]) for e in may) == [
        ("150.00", "2026-04-23"),
        ("30.00", "2026-04-23"),
    ]

    coverage = queries.coverage(ledger, HEALTH)
    assert coverage["status"] == "active"
    assert [(s["start_on"], s["end_on"]) for s in coverage["spans"]] == [("2026-02-01", None)]
    assert coverage["members"][0]["end_on"] is None
    balance = queries.balance(ledger, HEALTH)
    months = {m["month"]: m for m in balance["months"]}
    assert (months["2026-04"]["voided"], months["2026-04"]["paid"]) == (False, "150.00")
    assert (balance["refund_due"], balance["credit"]) == ("0.00", "0.00")
    for enrollment_id in (HEALTH, DENTAL):
        assert ledger.enrollment(enrollment_id).money_account().conserved


def test_after_the_restoration_a_premium_unpaid_by_its_new_due_date_is_missed_and_one_paid_is_not(
    apply: Apply, ledger: Ledger
) -> None:
    """May's health premium is paid on 20 April, May's dental premium is not: on 24 April, the
    day after their due date, only the dental plan is delinquent."""
    incarcerated_member_ended_and_appealed(apply)
    run(apply, decide("2026-04-15", "reversed", findings=PENDING_DISPOSITION))
    (_paid, later) = run(apply, pay("2026-04-20", "150.00", "E1-05"), schedule("2026-04-24"))
    missed = by_type([later], "PaymentMissed")
    assert [(e["data"]["month"], e["data"]["outstanding"]) for e in missed] == [
        ("2026-05", "30.00")
    ]
    assert queries.coverage(ledger, HEALTH)["status"] == "active"
    assert queries.coverage(ledger, DENTAL)["status"] == "delinquent"


def test_an_upheld_loss_of_eligibility_restores_nothing(apply: Apply, ledger: Ledger) -> None:
    incarcerated_member_ended_and_appealed(apply)
    (answer,) = run(apply, decide("2026-04-15", "upheld"))
    assert "CoverageRestoredOnAppeal" not in event_types(answer)
    assert queries.coverage(ledger, HEALTH)["status"] == "terminated"
    assert queries.balance(ledger, HEALTH)["refund_due"] == "150.00"
    assert ledger.enrollment(HEALTH).money_account().conserved


def test_a_reversal_whose_correction_still_finds_the_member_ineligible_restores_nothing(
    apply: Apply, ledger: Ledger
) -> None:
    """The officer reverses on another ground (income) but the member is still serving a
    sentence: the corrected determination leaves them ineligible, so nothing is restored."""
    incarcerated_member_ended_and_appealed(apply)
    (answer,) = run(apply, decide("2026-04-15", "reversed", findings={"annual_magi": "30000.00"}))
    assert "CoverageRestoredOnAppeal" not in event_types(answer)
    assert queries.coverage(ledger, HEALTH)["status"] == "terminated"


def test_a_reversed_loss_for_one_member_of_two_restores_that_member_and_moves_no_money(
    apply: Apply, ledger: Ledger
) -> None:
    covered_from_february(apply, [member("M1"), member("M2")])
    (answer,) = run(apply, change("2026-03-10", incarceration="serving"))
    determined = only(answer, "EligibilityDetermined")["id"]
    run(apply, appeal("2026-03-20", determined), schedule("2026-04-15"))
    before = queries.balance(ledger, HEALTH)
    (decided,) = run(apply, decide("2026-04-15", "reversed", findings=PENDING_DISPOSITION))
    restored = [e for e in by_type([decided], "CoverageRestoredOnAppeal")]
    assert {(e["data"]["withdrawn_end_on"], e["data"]["refund_withdrawn"]) for e in restored} == {
        (None, "0.00")
    }
    assert "CreditApplied" not in event_types(decided)
    members = {m["member_id"]: m for m in queries.coverage(ledger, HEALTH)["members"]}
    assert members["M1"]["end_on"] is None
    after = queries.balance(ledger, HEALTH)
    assert (after["credit"], after["outstanding_total"]) == (
        before["credit"],
        before["outstanding_total"],
    )


def test_a_reversed_termination_for_fraud_restores_coverage_and_withdraws_refund_and_recoupment(
    apply: Apply, ledger: Ledger
) -> None:
    aptc_enrollment_paid_through_may(apply)
    (answer,) = run(apply, fraud("2026-05-12", "2026-02-28"))
    ended = only(answer, "CoverageTerminatedForFraud")
    run(apply, appeal("2026-05-30", ended["id"]))
    (decided,) = run(apply, decide("2026-06-01", "reversed"))
    restored = only(decided, "CoverageRestoredOnAppeal")
    assert restored["effective_on"] == "2026-03-01"
    assert (restored["data"]["withdrawn_end_on"], restored["data"]["withdrawn_end_reason"]) == (
        "2026-02-28",
        "fraud",
    )
    assert (restored["data"]["refund_withdrawn"], restored["data"]["recoupment_withdrawn"]) == (
        "900.00",
        "600.00",
    )
    # June's own due date (23 May) passed by the decision: due on 23 June
    assert {"month": "2026-06", "due_on": "2026-06-23"} in restored["data"]["rebilled_months"]

    coverage = queries.coverage(ledger, "E1")
    assert coverage["status"] == "active"
    assert [(s["start_on"], s["end_on"]) for s in coverage["spans"]] == [("2026-02-01", None)]
    balance = queries.balance(ledger, "E1")
    assert (balance["recoupment_due"], balance["refund_due"], balance["outstanding_total"]) == (
        "0.00",
        "0.00",
        "300.00",
    )
    assert ledger.enrollment("E1").money_account().conserved
    (later,) = run(apply, schedule("2026-06-23"))
    assert "PaymentMissed" not in event_types(later)


def test_an_upheld_termination_for_fraud_stays_ended(apply: Apply, ledger: Ledger) -> None:
    aptc_enrollment_paid_through_may(apply)
    (answer,) = run(apply, fraud("2026-05-12", "2026-02-28"))
    run(apply, appeal("2026-05-30", only(answer, "CoverageTerminatedForFraud")["id"]))
    (decided,) = run(apply, decide("2026-06-01", "upheld"))
    assert "CoverageRestoredOnAppeal" not in event_types(decided)
    balance = queries.balance(ledger, "E1")
    assert (balance["recoupment_due"], balance["refund_due"]) == ("600.00", "900.00")


def test_carriers_see_a_termination_for_fraud_reversed_on_appeal_flagged_rescinded(
    apply: Apply, ledger: Ledger
) -> None:
    aptc_enrollment_paid_through_may(apply)
    (answer,) = run(apply, fraud("2026-05-12", "2026-02-28"))
    run(apply, appeal("2026-05-30", only(answer, "CoverageTerminatedForFraud")["id"]))
    runner.run(ledger)
    (row,) = terminations_between(ledger, date(2026, 5, 1), date(2026, 5, 31))
    assert (row["reason"], row["rescinded"]) == ("fraud", False)
    run(apply, decide("2026-06-01", "reversed"))
    runner.run(ledger)
    (row,) = terminations_between(ledger, date(2026, 5, 1), date(2026, 5, 31))
    assert (row["reason"], row["rescinded"], row["rescinded_on"]) == ("fraud", True, "2026-06-01")


def test_a_reversed_fraud_finding_does_not_undo_an_earlier_termination_for_non_payment(
    apply: Apply, ledger: Ledger
) -> None:
    """Terminated for non-payment back to 30 April, then taken further back for fraud: reversing
    the fraud finding does not make the non-payment's termination disappear (nothing restored)."""
    run(
        apply,
        *household_commands(),
        select(),
        pay("2026-01-20", "150.00", "binder"),
        pay("2026-02-20", "150.00", "march"),
        schedule("2026-06-15"),
    )
    (answer,) = run(apply, fraud("2026-06-20", "2026-02-28"))
    run(apply, appeal("2026-06-25", only(answer, "CoverageTerminatedForFraud")["id"]))
    (decided,) = run(apply, decide("2026-07-01", "reversed"))
    assert "CoverageRestoredOnAppeal" not in event_types(decided)
    assert queries.coverage(ledger, "E1")["status"] == "terminated"


def test_a_selection_cancelled_before_its_start_is_restored_from_its_start(
    apply: Apply, ledger: Ledger
) -> None:
    """Binder paid on 20 January (coverage from 1 February); determined ineligible on 25 January,
    effective 1 February: the selection is cancelled before it began and its binder is due back.
    Reversed on 10 February: restored from 1 February, the binder paid again from the refund."""
    run(
        apply,
        *household_commands(),
        select(),
        pay("2026-01-20", "150.00", "binder"),
    )
    (answer,) = run(apply, change("2026-01-25", incarceration="serving"))
    assert "EnrollmentCancelled" in event_types(answer)
    determined = only(answer, "EligibilityDetermined")["id"]
    run(apply, appeal("2026-01-30", determined))
    assert queries.balance(ledger, "E1")["refund_due"] == "150.00"
    (decided,) = run(apply, decide("2026-02-10", "reversed", findings=PENDING_DISPOSITION))
    restored = only(decided, "CoverageRestoredOnAppeal")
    assert (restored["effective_on"], restored["data"]["withdrawn_end_on"]) == (
        "2026-02-01",
        "2026-01-31",
    )
    coverage = queries.coverage(ledger, "E1")
    assert coverage["status"] == "active"
    assert [(s["start_on"], s["end_on"]) for s in coverage["spans"]] == [("2026-02-01", None)]
    balance = queries.balance(ledger, "E1")
    assert (balance["refund_due"], months_paid(balance)["2026-02"]) == ("0.00", "150.00")
    assert ledger.enrollment("E1").money_account().conserved


def months_paid(balance: dict[str, Any]) -> dict[str, str]:
    return {m["month"]: m["paid"] for m in balance["months"]}


def test_a_reversal_superseded_on_rehearing_by_an_upheld_decision_ends_the_restored_coverage_again(
    apply: Apply, ledger: Ledger
) -> None:
    """Reversed on 15 April (coverage restored), re-hearing ordered on 20 April (the stay does not
    itself end coverage), superseded on 5 May by an upheld decision: the appealed determination
    stands, so the coverage ends as it decided, on 31 March, and the months after it are voided
    again, money conserved."""
    determined = incarcerated_member_ended_and_appealed(apply)
    run(apply, decide("2026-04-15", "reversed", findings=PENDING_DISPOSITION))
    (stayed,) = run(apply, {"command": "order_rehearing", "on": "2026-04-20", "appeal_id": "A1"})
    assert "MemberCoverageEnded" not in event_types(stayed)
    assert queries.coverage(ledger, HEALTH)["status"] == "active"
    (answer,) = run(
        apply,
        {
            "command": "decide_rehearing",
            "on": "2026-05-05",
            "appeal_id": "A1",
            "outcome": "supersede",
            "superseding_outcome": "upheld",
        },
    )
    ended = by_type([answer], "MemberCoverageEnded")
    assert {(e["data"]["end_on"], e["data"]["determination_event_id"]) for e in ended} == {
        ("2026-03-31", determined)
    }
    coverage = queries.coverage(ledger, HEALTH)
    assert coverage["status"] == "terminated"
    assert [(s["start_on"], s["end_on"]) for s in coverage["spans"]] == [
        ("2026-02-01", "2026-03-31")
    ]
    assert queries.balance(ledger, HEALTH)["outstanding_total"] == "0.00"
    for enrollment_id in (HEALTH, DENTAL):
        assert ledger.enrollment(enrollment_id).money_account().conserved
