"""Termination for fraud (issue 17; 956 CMR 12.10(5)(a), 12.10(7)): coverage ends on the day the
Connector decides or earlier (a rescission, 45 CFR 147.128), the months after the end are voided
and what was paid on them is due back, the APTC paid for them may be recouped (`recoupment_due`);
a loss of coverage after it is a recorded refusal; it is appealable as an eligibility action."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from enrollment_ledger.adapters import queries
from enrollment_ledger.domain.ledger import Ledger
from enrollment_ledger.projections import runner
from enrollment_ledger.projections.terminations import terminations_between

from ..conftest import Apply, count_events, event_types, only
from ..scenarios import household_commands, pay, schedule, select


def run(apply: Apply, *commands: dict[str, Any]) -> list[dict[str, Any]]:
    answers = [apply(c) for c in commands]
    for answer in answers:
        assert answer["ok"], answer
    return answers


def fraud(on: str, effective_on: str, enrollment_id: str = "E1") -> dict[str, Any]:
    return {
        "command": "terminate_for_fraud",
        "on": on,
        "enrollment_id": enrollment_id,
        "effective_on": effective_on,
        "finding": "income documents were forged",
    }


def aptc_enrollment_paid_through_may(apply: Apply) -> None:
    """APTC only (above 500% FPL), $200 APTC applied, $300 a month owed by the enrollee; the
    binder and March to May paid on the 20th; the schedule run to 10 May (June billed on 5 May)."""
    run(
        apply,
        *household_commands(magi="90000.00"),
        select(premium="300.00", aptc_applied="200.00"),
        pay("2026-01-20", "300.00", "binder"),
        pay("2026-02-20", "300.00", "march"),
        pay("2026-03-20", "300.00", "april"),
        pay("2026-04-20", "300.00", "may"),
        schedule("2026-05-10"),
    )


def test_a_rescission_voids_the_later_months_refunds_them_and_recoups_their_aptc(
    apply: Apply, ledger: Ledger
) -> None:
    aptc_enrollment_paid_through_may(apply)
    (answer,) = run(apply, fraud("2026-05-12", "2026-02-28"))
    ended = only(answer, "CoverageTerminatedForFraud")
    assert ended["citation"] == "956 CMR 12.10(5)(a); 45 CFR 147.128"
    assert ended["effective_on"] == "2026-02-28"
    assert (ended["data"]["rescission"], ended["data"]["from_start"]) == (True, False)
    assert ended["data"]["finding"] == "income documents were forged"
    # March, April and May had begun by 12 May; June is billed but not begun
    assert ended["data"]["recoupment_months"] == ["2026-03", "2026-04", "2026-05"]
    assert ended["data"]["recoupment_due"] == "600.00"
    assert ended["data"]["recoupment_citation"] == "956 CMR 12.10(7)"
    refund = only(answer, "RefundDue")
    assert (refund["data"]["amount"], refund["data"]["reason"]) == (
        "900.00",
        "terminated_for_fraud",
    )

    coverage = queries.coverage(ledger, "E1")
    assert coverage["status"] == "terminated"
    assert coverage["spans"] == [
        {
            "start_on": "2026-02-01",
            "end_on": "2026-02-28",
            "end_reason": "fraud",
            "citation": "956 CMR 12.10(5)(a); 45 CFR 147.128",
        }
    ]
    balance = queries.balance(ledger, "E1")
    assert balance["recoupment_due"] == "600.00"
    assert (balance["refund_due"], balance["credit"], balance["outstanding_total"]) == (
        "900.00",
        "0.00",
        "0.00",
    )
    assert [m["month"] for m in balance["months"] if m["voided"]] == [
        "2026-03",
        "2026-04",
        "2026-05",
        "2026-06",
    ]
    assert ledger.enrollment("E1").money_account().conserved


def test_ended_on_the_day_decided_it_is_a_termination_not_a_rescission(
    apply: Apply, ledger: Ledger
) -> None:
    aptc_enrollment_paid_through_may(apply)
    (answer,) = run(apply, fraud("2026-05-12", "2026-05-12"))
    ended = only(answer, "CoverageTerminatedForFraud")
    assert (ended["citation"], ended["data"]["rescission"]) == ("956 CMR 12.10(5)(a)", False)
    # June, the only month taken away, had not begun: no APTC paid for it
    assert (ended["data"]["recoupment_months"], ended["data"]["recoupment_due"]) == ([], "0.00")
    assert queries.coverage(ledger, "E1")["spans"][0]["end_on"] == "2026-05-12"
    # June was paid by nobody: voided, nothing owed and nothing to refund
    assert "RefundDue" not in event_types(answer)
    assert queries.balance(ledger, "E1")["outstanding_total"] == "0.00"


def test_ended_before_coverage_began_it_is_rescinded_from_the_start(
    apply: Apply, ledger: Ledger
) -> None:
    aptc_enrollment_paid_through_may(apply)
    (answer,) = run(apply, fraud("2026-05-12", "2026-01-31"))
    ended = only(answer, "CoverageTerminatedForFraud")
    assert (ended["data"]["rescission"], ended["data"]["from_start"]) == (True, True)
    assert ended["data"]["recoupment_months"] == ["2026-02", "2026-03", "2026-04", "2026-05"]
    assert ended["data"]["recoupment_due"] == "800.00"
    coverage = queries.coverage(ledger, "E1")
    assert (coverage["status"], coverage["spans"]) == ("cancelled", [])
    balance = queries.balance(ledger, "E1")
    assert all(m["voided"] for m in balance["months"])
    assert balance["refund_due"] == "1200.00"
    assert ledger.enrollment("E1").money_account().conserved


def test_a_loss_of_coverage_after_a_termination_for_fraud_is_a_recorded_refusal(
    apply: Apply,
) -> None:
    aptc_enrollment_paid_through_may(apply)
    run(apply, fraud("2026-05-12", "2026-02-28"))
    answer = apply(
        command="report_qualifying_event",
        on="2026-05-20",
        household_id="H1",
        kind="loss_of_coverage",
        event_on="2026-05-12",
    )
    denied = only(answer, "SpecialEnrollmentPeriodDenied")
    assert (denied["data"]["reason"], denied["data"]["enrollment_ids"]) == (
        "coverage_lost_for_fraud",
        ["E1"],
    )


def test_a_termination_for_fraud_is_appealable_as_an_eligibility_action(apply: Apply) -> None:
    aptc_enrollment_paid_through_may(apply)
    (answer,) = run(apply, fraud("2026-05-12", "2026-02-28"))
    ended = only(answer, "CoverageTerminatedForFraud")
    (filed,) = run(
        apply,
        {
            "command": "file_appeal",
            "on": "2026-05-30",
            "appeal_id": "A1",
            "household_id": "H1",
            "appealed_event_id": ended["id"],
            "grounds": "the documents were genuine",
        },
    )
    appeal = only(filed, "AppealFiled")
    assert appeal["data"]["appealable_clause"] == "956 CMR 12.13(1)"
    assert (appeal["data"]["deadline"], appeal["data"]["timely"]) == ("2026-06-16", True)
    assert "AppealDismissed" not in event_types(filed)


def test_after_a_termination_for_fraud_there_is_no_reinstatement_and_a_payment_is_due_back(
    apply: Apply, ledger: Ledger
) -> None:
    aptc_enrollment_paid_through_may(apply)
    run(apply, fraud("2026-05-12", "2026-02-28"))
    refused = apply(command="request_reinstatement", on="2026-05-13", enrollment_id="E1")
    assert refused["error"]["code"] == "invalid_state"
    (late,) = run(apply, pay("2026-05-20", "300.00", "june"))
    refund = only(late, "RefundDue")
    assert (refund["data"]["amount"], refund["data"]["reason"]) == ("300.00", "received_after_end")
    assert queries.balance(ledger, "E1")["refund_due"] == "1200.00"


@pytest.mark.parametrize(
    ("command", "code"),
    [
        pytest.param(fraud("2026-05-12", "2026-05-13"), "invalid_field", id="an end after the decision"),
        pytest.param({**fraud("2026-05-12", "2026-02-28"), "finding": ""}, "invalid_field", id="no finding"),
        pytest.param(fraud("2026-05-12", "2026-02-28", enrollment_id="NOPE"), "unknown_enrollment", id="an unknown enrollment"),
    ],
)  # fmt: skip
def test_an_impossible_termination_for_fraud_is_refused_and_records_nothing(
    apply: Apply, ledger: Ledger, command: dict[str, Any], code: str
) -> None:
    aptc_enrollment_paid_through_may(apply)
    before = count_events(ledger)
    assert apply(command)["error"]["code"] == code
    assert count_events(ledger) == before


def test_an_enrollment_ended_for_fraud_cannot_be_ended_again(apply: Apply, ledger: Ledger) -> None:
    aptc_enrollment_paid_through_may(apply)
    run(apply, fraud("2026-05-12", "2026-02-28"))
    before = count_events(ledger)
    assert apply(fraud("2026-05-13", "2026-02-10"))["error"]["code"] == "invalid_state"
    assert count_events(ledger) == before


def test_a_termination_for_non_payment_may_be_taken_further_back_for_fraud(
    apply: Apply, ledger: Ledger
) -> None:
    """Terminated for non-payment back to 30 April (12.12(5)); fraud found on 20 June rescinds to
    28 February: the reinstatement window closes with it."""
    run(
        apply,
        *household_commands(),
        select(),
        pay("2026-01-20", "150.00", "binder"),
        pay("2026-02-20", "150.00", "march"),
        schedule("2026-06-15"),
    )
    assert queries.coverage(ledger, "E1")["spans"][0]["end_on"] == "2026-04-30"
    assert apply(fraud("2026-06-20", "2026-05-31"))["error"]["code"] == "invalid_state"
    (answer,) = run(apply, fraud("2026-06-20", "2026-02-28"))
    assert only(answer, "CoverageTerminatedForFraud")["data"]["end_on"] == "2026-02-28"
    coverage = queries.coverage(ledger, "E1")
    assert (coverage["spans"][0]["end_on"], coverage["spans"][0]["end_reason"]) == (
        "2026-02-28",
        "fraud",
    )
    assert queries.balance(ledger, "E1")["reinstatement_amount"] is None


def test_carriers_see_a_termination_for_fraud_among_the_terminations_and_the_recoupment_in_the_balance_projection(
    apply: Apply, ledger: Ledger
) -> None:
    aptc_enrollment_paid_through_may(apply)
    run(apply, fraud("2026-05-12", "2026-02-28"))
    runner.run(ledger)
    (row,) = terminations_between(ledger, date(2026, 5, 1), date(2026, 5, 31))
    assert (row["enrollment_id"], row["end_on"], row["decided_on"], row["reason"]) == (
        "E1",
        "2026-02-28",
        "2026-05-12",
        "fraud",
    )
    assert row["citation"] == "956 CMR 12.10(5)(a); 45 CFR 147.128"
    projected = queries.balance(ledger, "E1")  # from the balance projection, now current
    assert projected["recoupment_due"] == "600.00"


def test_a_selection_whose_coverage_never_began_is_cancelled_for_fraud_with_nothing_owed(
    apply: Apply, ledger: Ledger
) -> None:
    run(
        apply, *household_commands(magi="90000.00"), select(premium="300.00", aptc_applied="200.00")
    )
    (answer,) = run(apply, fraud("2026-01-15", "2026-01-15"))
    ended = only(answer, "CoverageTerminatedForFraud")
    # no coverage ever began: rescinded from its start, not retroactive, nothing paid for anyone
    assert (ended["data"]["rescission"], ended["data"]["from_start"]) == (False, True)
    assert ended["data"]["recoupment_due"] == "0.00"
    assert queries.coverage(ledger, "E1")["status"] == "cancelled"
    balance = queries.balance(ledger, "E1")
    assert balance["outstanding_total"] == "0.00"
    assert [m["voided"] for m in balance["months"]] == [True]
