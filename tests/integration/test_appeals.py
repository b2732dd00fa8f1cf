"""Appeals and the hearing packet: 12.13 (appealable actions), 12.14 (deadlines and roll-over),
12.15 (dismissal, decision, re-hearing, reversal)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from enrollment_ledger.adapters import queries
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.domain.ledger import Ledger
from enrollment_ledger.domain.parameters import Dated, FplGuideline, PolicyBook
from enrollment_ledger.domain.policy import POLICY_V1

from ..conftest import Apply, count_events, event_types, only
from ..scenarios import household_commands, pay, select


def run(apply: Apply, *commands: dict[str, Any]) -> list[dict[str, Any]]:
    answers = [apply(c) for c in commands]
    for answer in answers:
        assert answer["ok"], answer
    return answers


def determination_id(apply: Apply, determined_on: str = "2026-01-05") -> str:
    answers = run(apply, *household_commands(determined_on=determined_on))
    return str(only(answers[1], "EligibilityDetermined")["id"])


def file(appealed: str, on: str, appeal_id: str = "A1", **extra: Any) -> dict[str, Any]:
    return {
        "command": "file_appeal",
        "on": on,
        "appeal_id": appeal_id,
        "household_id": "H1",
        "appealed_event_id": appealed,
        "grounds": "my income was counted twice",
        **extra,
    }


@pytest.mark.parametrize(
    ("notice_on", "received_on", "deadline", "timely"),
    [
        # 12.14(2)(a)1: receipt presumed 5 days after the notice; 30 days after receipt.
        ("2026-01-05", "2026-02-09", "2026-02-09", True),
        ("2026-01-05", "2026-02-10", "2026-02-09", False),
        # Notice 15 Mar 2026: receipt 20 Mar, day 30 = Sun 19 Apr; Mon 20 Apr is Patriots' Day
        # -> Tue 21 Apr (12.14(3)).
        ("2026-03-15", "2026-04-21", "2026-04-21", True),
        ("2026-03-15", "2026-04-22", "2026-04-21", False),
        # Notice 1 Aug 2026: receipt 6 Aug, day 30 = Sat 5 Sep; Labor Day Mon 7 Sep -> Tue 8 Sep.
        ("2026-08-01", "2026-09-08", "2026-09-08", True),
    ],
)
def test_the_deadline_rolls_over_weekends_and_massachusetts_holidays(
    apply: Apply, notice_on: str, received_on: str, deadline: str, timely: bool
) -> None:
    appealed = determination_id(apply, determined_on=notice_on)
    answer = apply(file(appealed, received_on))
    filed = only(answer, "AppealFiled")
    assert filed["data"]["deadline"] == deadline
    assert filed["data"]["timely"] is timely
    if not timely:
        dismissed = only(answer, "AppealDismissed")
        assert dismissed["citation"] == "956 CMR 12.15(2)(a)"


def test_evidence_of_actual_receipt_moves_the_deadline(apply: Apply) -> None:
    """12.14(2)(a)1: "in the absence of evidence to the contrary"."""
    appealed = determination_id(apply)
    answer = apply(file(appealed, "2026-02-13", notice_received_on="2026-01-14"))
    assert only(answer, "AppealFiled")["data"]["deadline"] == "2026-02-13"
    assert only(answer, "AppealFiled")["data"]["timely"] is True


def test_without_a_notice_the_deadline_is_120_days_from_the_action(apply: Apply) -> None:
    """12.14(2)(a)2: 5 Jan 2026 + 120 days = Sat 5 May... = Tue 5 May 2026."""
    appealed = determination_id(apply)
    answer = apply(file(appealed, "2026-05-05", notice_sent=False))
    assert only(answer, "AppealFiled")["data"]["deadline"] == "2026-05-05"


def test_an_appeal_against_a_payment_is_recorded_and_dismissed(apply: Apply) -> None:
    """12.13 lists no payment: dismissed under 12.15(2)(b)."""
    run(apply, *household_commands(), select())
    payment = apply(pay("2026-01-20", "150.00", "b"))
    payment_id = only(payment, "PaymentRecorded")["id"]
    answer = apply(file(payment_id, "2026-01-25"))
    assert only(answer, "AppealFiled")["data"]["appealable_clause"] is None
    assert only(answer, "AppealDismissed")["citation"] == "956 CMR 12.15(2)(b)"


def test_an_unknown_event_is_refused_and_records_nothing(apply: Apply, ledger: Ledger) -> None:
    run(apply, *household_commands())
    before = count_events(ledger)
    answer = apply(file("00000000-0000-0000-0000-000000000000", "2026-01-20"))
    assert answer["error"]["code"] == "unknown_event"
    assert count_events(ledger) == before


def test_a_rehearing_is_allowed_on_day_14_and_refused_on_day_15(apply: Apply) -> None:
    """12.15(5)."""
    appealed = determination_id(apply)
    run(apply, file(appealed, "2026-01-20"), file(appealed, "2026-01-20", appeal_id="A2"))
    run(
        apply,
        {"command": "decide_appeal", "on": "2026-03-02", "appeal_id": "A1", "outcome": "upheld"},
        {"command": "decide_appeal", "on": "2026-03-02", "appeal_id": "A2", "outcome": "upheld"},
    )
    allowed = apply(command="order_rehearing", on="2026-03-16", appeal_id="A1")
    assert event_types(allowed) == ["RehearingOrdered", "InitialDecisionStayed"]
    refused = apply(command="order_rehearing", on="2026-03-17", appeal_id="A2")
    assert refused["error"]["code"] == "rehearing_window_closed"


def test_a_reversed_determination_records_the_correction_with_the_original_effective_date(
    apply: Apply, ledger: Ledger
) -> None:
    """12.15(4): the officer found income of 30,000 (plan type 2B), not 40,000 (3B)."""
    appealed = determination_id(apply)
    run(apply, file(appealed, "2026-01-20"))
    answer = apply(
        command="decide_appeal",
        on="2026-02-20",
        appeal_id="A1",
        outcome="reversed",
        findings={"annual_magi": "30000.00"},
    )
    corrected = only(answer, "EligibilityDetermined")
    (member,) = corrected["data"]["members"]
    assert member["plan_type"] == "2B"
    assert member["effective_on"] == "2026-02-01"
    assert corrected["data"]["basis"] == "appeal_reversal"
    timeline = queries.timeline(ledger, "H1")
    # issue 17: the corrected determination opens the period a plan type change opens
    # (12.10(1)(c)), sixty days from the decision, as any determination does
    assert [e["type"] for e in timeline["events"]][-2:] == [
        "EligibilityDetermined",
        "SpecialEnrollmentPeriodOpened",
    ]
    period = only(answer, "SpecialEnrollmentPeriodOpened")
    assert (period["citation"], period["data"]["end_on"]) == ("956 CMR 12.10(1)(c)", "2026-04-21")


def test_the_hearing_packet_recomputes_and_matches(apply: Apply, ledger: Ledger) -> None:
    appealed = determination_id(apply)
    run(apply, file(appealed, "2026-01-20"))
    packet = queries.hearing(ledger, "A1")
    assert packet["appealed_event"]["id"] == appealed
    assert [e["type"] for e in packet["facts_known"]] == ["HouseholdOpened", "ApplicationSubmitted"]
    assert packet["rule"] == {"citation": "956 CMR 12.04", "policy_version": "2026.1"}
    assert packet["recomputed"]["matches"] is True
    assert packet["current_policy"]["matches"] is True
    assert packet["timeline"][-1]["type"] == "AppealFiled"


def test_a_packet_shows_a_mismatch_when_a_parameter_was_corrected_after_the_fact(
    tmp_path: Path,
) -> None:
    """A later policy version corrects the 2026 FPL: the packet shows the recorded decision
    still follows the rule it applied, and the current policy would decide otherwise."""
    import json

    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    ledger = build_ledger(store)
    for command in household_commands(magi="23475.00"):  # exactly 150% of 15,650: plan type 2A
        assert answer_line(ledger, json.dumps(command).encode())["ok"]  # type: ignore[index]
    timeline = queries.timeline(ledger, "H1")
    appealed = next(e["id"] for e in timeline["events"] if e["type"] == "EligibilityDetermined")
    assert answer_line(ledger, json.dumps(file(appealed, "2026-01-20")).encode())["ok"]  # type: ignore[index]
    ledger.close()

    corrected = replace(
        POLICY_V1,
        version="2026.2",
        adopted_on=date(2026, 2, 1),
        fpl_by_plan_year={
            **POLICY_V1.fpl_by_plan_year,
            2026: Dated(
                date(2025, 11, 1),
                FplGuideline(Decimal("15600"), Decimal("5500"), 2025),
                "corrected",
            ),
        },
    )
    later = build_ledger(store, policy=PolicyBook((POLICY_V1, corrected)))
    packet = queries.hearing(later, "A1")
    later.close()
    assert packet["recomputed"]["policy_version"] == "2026.1"
    assert packet["recomputed"]["matches"] is True
    assert packet["current_policy"]["policy_version"] == "2026.2"
    assert packet["current_policy"]["matches"] is False
    fields = {d["field"] for d in packet["current_policy"]["differences"]}
    assert {"plan_type", "fpl_percent"} <= fields


def test_a_stored_determination_that_disagrees_with_its_own_rule_is_a_mismatch(
    tmp_path: Path,
) -> None:
    """If version 2026.1's parameters were changed in place (history rewritten, which the ledger
    forbids), recomputing with "2026.1" no longer matches the record: the packet exposes it."""
    import json

    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    ledger = build_ledger(store)
    for command in household_commands(magi="23475.00"):
        answer_line(ledger, json.dumps(command).encode())
    appealed = next(
        e["id"]
        for e in queries.timeline(ledger, "H1")["events"]
        if e["type"] == "EligibilityDetermined"
    )
    answer_line(ledger, json.dumps(file(appealed, "2026-01-20")).encode())
    ledger.close()
    rewritten = replace(
        POLICY_V1,
        fpl_by_plan_year={
            **POLICY_V1.fpl_by_plan_year,
            2026: Dated(
                date(2025, 11, 1), FplGuideline(Decimal("15600"), Decimal("5500"), 2025), "edited"
            ),
        },
    )
    packet = queries.hearing(build_ledger(store, policy=PolicyBook((rewritten,))), "A1")
    assert packet["recomputed"]["matches"] is False


def test_premiums_stay_due_while_an_appeal_is_pending(apply: Apply, ledger: Ledger) -> None:
    """12.15(6): filing an appeal changes nothing in billing."""
    appealed = determination_id(apply)
    run(apply, select(), pay("2026-01-20", "150.00", "b"), file(appealed, "2026-01-21"))
    run(apply, {"command": "run_schedule", "on": "2026-02-24", "through": "2026-02-24"})
    assert queries.coverage(ledger, "E1")["status"] == "delinquent"
