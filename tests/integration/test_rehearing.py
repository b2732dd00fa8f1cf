"""12.15(5) through the ledger's command path: the order of a re-hearing stays the initial
decision (a reversal's correction is suspended: the appealed determination's results are restored,
nothing recorded is rewritten), `decide_rehearing` within 30 days of the order supersedes it or
not, after them only "not superseded" is recorded (late), and the decision that stands is
implemented."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from enrollment_ledger.adapters import queries
from enrollment_ledger.domain.events import recording_at
from enrollment_ledger.domain.ledger import Ledger

from ..conftest import Apply, count_events, event_types, only
from ..scenarios import household_commands

CORRECTION_CITATION = "956 CMR 12.15(4); 956 CMR 12.04"
AFTER_REHEARING = "956 CMR 12.15(5); 956 CMR 12.15(4); 956 CMR 12.04"


def run(apply: Apply, *commands: dict[str, Any]) -> list[dict[str, Any]]:
    answers = [apply(c) for c in commands]
    for answer in answers:
        assert answer["ok"], answer
    return answers


def appeal_decided(apply: Apply, outcome: str = "reversed", decided_on: str = "2026-02-20") -> str:
    """H1 determined on 5 Jan 2026 at 40,000 (plan type 3B); appeal A1 filed on 20 Jan and
    decided; a reversal finds 30,000 (plan type 2B). Returns the appealed event's id."""
    answers = run(apply, *household_commands())
    appealed = str(only(answers[1], "EligibilityDetermined")["id"])
    run(apply, file_appeal(appealed))
    decision: dict[str, Any] = {
        "command": "decide_appeal",
        "on": decided_on,
        "appeal_id": "A1",
        "outcome": outcome,
    }
    if outcome == "reversed":
        decision["findings"] = {"annual_magi": "30000.00"}
    run(apply, decision)
    return appealed


def file_appeal(appealed: str, **extra: Any) -> dict[str, Any]:
    return {
        "command": "file_appeal",
        "on": "2026-01-20",
        "appeal_id": "A1",
        "household_id": "H1",
        "appealed_event_id": appealed,
        "grounds": "my income was counted twice",
        **extra,
    }


def order(on: str = "2026-03-02") -> dict[str, Any]:
    return {"command": "order_rehearing", "on": on, "appeal_id": "A1"}


def rehearing_decision(on: str, outcome: str, **extra: Any) -> dict[str, Any]:
    return {"command": "decide_rehearing", "on": on, "appeal_id": "A1", "outcome": outcome, **extra}


def plan_type_held(ledger: Ledger) -> str | None:
    result = ledger.household("H1").latest_member_result("M1")
    assert result is not None
    plan_type: str | None = result["plan_type"]
    return plan_type


def test_ordering_a_rehearing_of_a_reversal_stays_its_correction(
    apply: Apply, ledger: Ledger
) -> None:
    appealed = appeal_decided(apply)
    assert plan_type_held(ledger) == "2B"
    answer = apply(order())
    assert event_types(answer) == [
        "RehearingOrdered",
        "InitialDecisionStayed",
        "AppealedDeterminationRestored",
    ]
    stayed = only(answer, "InitialDecisionStayed")
    assert stayed["citation"] == "956 CMR 12.15(5)"
    assert stayed["data"]["decide_by"] == "2026-04-01"
    assert stayed["data"]["initial_outcome"] == "reversed"
    restored = only(answer, "AppealedDeterminationRestored")
    assert restored["data"]["restored_event_id"] == appealed
    assert restored["data"]["set_aside_event_id"] == stayed["data"]["stayed_correction_event_id"]
    assert restored["effective_on"] == "2026-02-01"
    assert plan_type_held(ledger) == "3B"
    kinds = [e["type"] for e in queries.timeline(ledger, "H1")["events"]]
    assert kinds.count("EligibilityDetermined") == 2  # the correction stays in the record


def test_the_hearing_packet_says_the_initial_decision_is_stayed_until_the_rehearing_decides(
    apply: Apply, ledger: Ledger
) -> None:
    appeal_decided(apply)
    run(apply, order())
    packet = queries.hearing(ledger, "A1")
    assert packet["appeal"]["status"] == "rehearing"
    assert packet["appeal"]["rehearing"]["pending"] is True
    assert packet["appeal"]["rehearing"]["decide_by"] == "2026-04-01"
    assert packet["stay"] == (
        "the initial decision of 2026-02-20 (reversed) is stayed pending the re-hearing ordered "
        "on 2026-03-02 (956 CMR 12.15(5)); a decision is due by 2026-04-01"
    )
    run(apply, rehearing_decision("2026-03-20", "not_superseded"))
    packet = queries.hearing(ledger, "A1")
    assert packet["stay"] is None
    assert packet["appeal"]["rehearing"]["pending"] is False


def test_on_day_30_a_decision_not_to_supersede_records_the_stayed_correction_again(
    apply: Apply, ledger: Ledger
) -> None:
    appeal_decided(apply)
    run(apply, order())
    answer = apply(rehearing_decision("2026-04-01", "not_superseded"))
    assert event_types(answer) == ["RehearingDecided", "EligibilityDetermined"]
    decided = only(answer, "RehearingDecided")
    assert decided["data"]["late"] is False
    assert decided["data"]["standing_outcome"] == "reversed"
    again = only(answer, "EligibilityDetermined")
    assert again["citation"] == AFTER_REHEARING
    assert again["on"] == "2026-04-01"
    assert again["effective_on"] == "2026-02-01"
    assert again["data"]["basis"] == "appeal_reversal"
    (member,) = again["data"]["members"]
    assert (member["plan_type"], member["effective_on"]) == ("2B", "2026-02-01")
    assert plan_type_held(ledger) == "2B"
    assert queries.hearing(ledger, "A1")["appeal"]["outcome"] == "reversed"


def test_on_day_31_a_superseding_decision_is_refused_and_records_nothing(
    apply: Apply, ledger: Ledger
) -> None:
    appeal_decided(apply)
    run(apply, order())
    before = count_events(ledger)
    refused = apply(rehearing_decision("2026-04-02", "supersede", superseding_outcome="upheld"))
    assert refused["error"]["code"] == "rehearing_window_closed"
    assert "by 2026-04-01" in refused["error"]["message"]
    assert count_events(ledger) == before


def test_after_day_30_not_superseding_is_recorded_late_and_the_initial_decision_stands(
    apply: Apply, ledger: Ledger
) -> None:
    appeal_decided(apply)
    run(apply, order())
    answer = apply(rehearing_decision("2026-04-02", "not_superseded"))
    decided = only(answer, "RehearingDecided")
    assert decided["data"]["late"] is True
    assert decided["data"]["decide_by"] == "2026-04-01"
    assert only(answer, "EligibilityDetermined")["citation"] == AFTER_REHEARING
    assert plan_type_held(ledger) == "2B"


def test_a_superseding_upheld_decision_leaves_the_appealed_determination_in_force(
    apply: Apply, ledger: Ledger
) -> None:
    appeal_decided(apply)
    run(apply, order())
    answer = apply(rehearing_decision("2026-03-20", "supersede", superseding_outcome="upheld"))
    assert event_types(answer) == ["RehearingDecided"]
    assert only(answer, "RehearingDecided")["citation"] == "956 CMR 12.15(5); 956 CMR 12.15(4)"
    assert plan_type_held(ledger) == "3B"
    packet = queries.hearing(ledger, "A1")
    assert (packet["appeal"]["status"], packet["appeal"]["outcome"]) == ("decided", "upheld")


def test_a_superseding_reversal_records_a_correction_from_the_rehearings_findings(
    apply: Apply, ledger: Ledger
) -> None:
    """The re-hearing finds 20,000 (127.80% FPL: plan type 2A), not the first hearing's 30,000."""
    appeal_decided(apply)
    run(apply, order())
    answer = apply(
        rehearing_decision(
            "2026-03-20",
            "supersede",
            superseding_outcome="reversed",
            findings={"annual_magi": "20000.00"},
        )
    )
    corrected = only(answer, "EligibilityDetermined")
    assert corrected["citation"] == AFTER_REHEARING
    (member,) = corrected["data"]["members"]
    assert (member["plan_type"], member["effective_on"]) == ("2A", "2026-02-01")
    assert plan_type_held(ledger) == "2A"


def test_an_upheld_decision_is_stayed_without_touching_the_households_determination(
    apply: Apply, ledger: Ledger
) -> None:
    appeal_decided(apply, outcome="upheld")
    answer = apply(order())
    assert event_types(answer) == ["RehearingOrdered", "InitialDecisionStayed"]
    assert only(answer, "InitialDecisionStayed")["data"]["stayed_correction_event_id"] is None
    assert queries.hearing(ledger, "A1")["stay"] is not None
    answer = apply(rehearing_decision("2026-03-20", "supersede", superseding_outcome="reversed"))
    assert only(answer, "EligibilityDetermined")["citation"] == AFTER_REHEARING


def test_a_determination_made_after_the_reversal_is_not_overwritten_by_the_stay(
    apply: Apply, ledger: Ledger
) -> None:
    """A change reported after the reversal is decided on its own facts: the stay restores
    nothing over it, and the decision not to supersede records nothing over it either."""
    appeal_decided(apply)
    run(
        apply,
        {
            "command": "report_change",
            "on": "2026-02-25",
            "household_id": "H1",
            "annual_magi": "60000.00",
        },
    )
    held_before = ledger.household("H1").latest_member_result("M1")
    answer = apply(order())
    assert event_types(answer) == ["RehearingOrdered", "InitialDecisionStayed"]
    assert only(answer, "InitialDecisionStayed")["data"]["stayed_correction_event_id"] is None
    assert event_types(apply(rehearing_decision("2026-03-20", "not_superseded"))) == [
        "RehearingDecided"
    ]
    assert ledger.household("H1").latest_member_result("M1") == held_before


@pytest.mark.parametrize(
    ("command", "code"),
    [
        pytest.param({"command": "decide_appeal", "on": "2026-03-10", "appeal_id": "A1", "outcome": "upheld"}, "invalid_state", id="decide_appeal on a re-hearing: invalid_state"),
        pytest.param(rehearing_decision("2026-03-10", "supersede"), "missing_field", id="supersede without its outcome: missing_field"),
        pytest.param(rehearing_decision("2026-03-10", "supersede", superseding_outcome="withdrawn"), "invalid_field", id="a withdrawal is no superseding decision: invalid_field"),
        pytest.param(rehearing_decision("2026-03-10", "not_superseded", findings={"annual_magi": "1.00"}), "invalid_field", id="findings without a superseding decision: invalid_field"),
        pytest.param(rehearing_decision("2026-03-01", "not_superseded"), "invalid_field", id="decided before the order: invalid_field"),
        pytest.param(order("2026-03-05"), "invalid_state", id="a second order while one is pending: invalid_state"),
    ],
)  # fmt: skip
def test_a_malformed_or_impossible_rehearing_command_is_refused_and_records_nothing(
    apply: Apply, ledger: Ledger, command: dict[str, Any], code: str
) -> None:
    appeal_decided(apply)
    run(apply, order())
    before = count_events(ledger)
    assert apply(command)["error"]["code"] == code
    assert count_events(ledger) == before


def test_a_rehearing_is_decided_once_and_not_ordered_again(apply: Apply) -> None:
    appeal_decided(apply)
    run(apply, order(), rehearing_decision("2026-03-20", "not_superseded"))
    assert apply(rehearing_decision("2026-03-21", "not_superseded"))["error"]["code"] == (
        "invalid_state"
    )
    assert apply(order("2026-03-21"))["error"]["code"] == "invalid_state"


def test_an_appeal_without_a_rehearing_has_none_to_decide(apply: Apply) -> None:
    appeal_decided(apply)
    assert apply(rehearing_decision("2026-03-02", "not_superseded"))["error"]["code"] == (
        "invalid_state"
    )


def order_as_recorded_before_stays(ledger: Ledger, on: date) -> None:
    """A re-hearing ordered by an earlier version of the ledger: `RehearingOrdered` alone (no
    stay), the reversal's correction left in force."""
    appeal = ledger.appeal("A1")
    with recording_at(datetime(2030, 12, 31, 12, tzinfo=UTC)):
        appeal.order_rehearing(on, ledger.policy.in_force(on))
    ledger.save(appeal)


def test_a_rehearing_ordered_before_stays_existed_restores_the_appealed_determination_if_superseded(
    apply: Apply, ledger: Ledger
) -> None:
    appeal_decided(apply)
    order_as_recorded_before_stays(ledger, date(2026, 3, 2))
    assert plan_type_held(ledger) == "2B"
    packet = queries.hearing(ledger, "A1")
    assert packet["appeal"]["rehearing"]["stayed"] is False
    answer = apply(rehearing_decision("2026-03-20", "supersede", superseding_outcome="upheld"))
    restored = only(answer, "AppealedDeterminationRestored")
    assert restored["data"]["reason"] == "superseded on re-hearing"
    assert plan_type_held(ledger) == "3B"


def test_a_rehearing_ordered_before_stays_existed_keeps_the_correction_if_not_superseded(
    apply: Apply, ledger: Ledger
) -> None:
    appeal_decided(apply)
    order_as_recorded_before_stays(ledger, date(2026, 3, 2))
    answer = apply(rehearing_decision("2026-03-20", "not_superseded"))
    assert event_types(answer) == ["RehearingDecided"]
    assert plan_type_held(ledger) == "2B"
