"""`record_death`: a member's coverage ends at the end of the month of death (12.10(5)(c)), with
the months after it voided and money conserved; a pending appeal whose appellant has died is
dismissed under 12.15(2)(d) unless the estate's representative asks to continue it
(`continue_appeal`)."""

from __future__ import annotations

from typing import Any

from enrollment_ledger.adapters import queries
from enrollment_ledger.domain.ledger import Ledger

from ..conftest import Apply, application, event_types, member, only
from ..scenarios import pay, schedule, select


def run(apply: Apply, *commands: dict[str, Any]) -> list[dict[str, Any]]:
    answers = [apply(command) for command in commands]
    for answer in answers:
        assert answer["ok"], answer
    return answers


def covered(apply: Apply, members: list[str] | None = None) -> dict[str, Any]:
    """A household covered from February by a health plan at $150 and a dental plan at $30,
    February to April paid; its determination."""
    ids = members or ["M1"]
    answers = run(
        apply,
        application(
            on="2026-01-02", size=len(ids), magi="40000.00", members=[member(m) for m in ids]
        ),
        {"command": "determine_eligibility", "on": "2026-01-05", "household_id": "H1"},
        {**select("E1"), "member_ids": ids},
        {**select("D1", premium="30.00", coverage="dental"), "member_ids": ids},
        pay("2026-01-20", "450.00", "health", "E1"),
        pay("2026-01-20", "90.00", "dental", "D1"),
    )
    return only(answers[1], "EligibilityDetermined")


def death(on: str, died_on: str, member_id: str = "M1") -> dict[str, Any]:
    return {
        "command": "record_death",
        "on": on,
        "household_id": "H1",
        "member_id": member_id,
        "died_on": died_on,
    }


def appeal(determination: dict[str, Any], on: str = "2026-01-20") -> dict[str, Any]:
    return {
        "command": "file_appeal",
        "on": on,
        "appeal_id": "A1",
        "household_id": "H1",
        "appealed_event_id": determination["id"],
        "grounds": "the plan type is wrong",
    }


def test_a_death_on_10_april_ends_coverage_on_30_april_and_voids_may(
    apply: Apply, ledger: Ledger
) -> None:
    covered(apply)
    (answer,) = run(apply, death("2026-04-15", "2026-04-10"))
    recorded = only(answer, "DeathRecorded")
    assert (recorded["citation"], recorded["effective_on"]) == ("956 CMR 12.09(2)", "2026-04-10")
    ended = [e for e in answer["events"] if e["type"] == "MemberCoverageEnded"]
    assert [(e["data"]["end_on"], e["data"]["reason"], e["citation"]) for e in ended] == [
        ("2026-04-30", "death", "956 CMR 12.10(5)(c)"),
        ("2026-04-30", "death", "956 CMR 12.16(1)(a)"),
    ]
    assert {e["data"]["determination_event_id"] for e in ended} == {None}
    (later,) = run(apply, schedule("2026-06-30"))
    assert [e["data"]["reason"] for e in later["events"] if e["type"] == "CoverageEnded"] == [
        "death",
        "death",
    ]
    assert "PaymentMissed" not in event_types(later)
    coverage = queries.coverage(ledger, "E1")
    assert [(s["end_on"], s["end_reason"]) for s in coverage["spans"]] == [("2026-04-30", "death")]
    months = {m["month"]: m for m in queries.balance(ledger, "E1")["months"]}
    assert (months["2026-04"]["voided"], months["2026-05"]["voided"]) == (False, True)
    assert ledger.enrollment("E1").money_account().conserved


def test_a_death_recorded_late_ends_coverage_back_then_at_once(
    apply: Apply, ledger: Ledger
) -> None:
    """Died 10 February, recorded 20 April: coverage ends 28 February; March to May are voided,
    their payments due back, and the end is taken at once (its day has passed)."""
    covered(apply)
    run(apply, pay("2026-04-01", "300.00", "more", "E1"))
    (answer,) = run(apply, death("2026-04-20", "2026-02-10"))
    ended = [e for e in answer["events"] if e["type"] == "CoverageEnded"]
    assert [(e["on"], e["data"]["end_on"], e["data"]["reason"]) for e in ended] == [
        ("2026-04-20", "2026-02-28", "death")
    ] * 2
    balance = queries.balance(ledger, "E1")
    voided = [m["month"] for m in balance["months"] if m["voided"]]
    assert voided == ["2026-03", "2026-04", "2026-05"]
    assert balance["refund_due"] == "600.00"
    assert ledger.enrollment("E1").money_account().conserved


def test_the_death_of_one_member_of_two_leaves_the_other_covered(
    apply: Apply, ledger: Ledger
) -> None:
    covered(apply, ["M1", "M2"])
    (answer,) = run(apply, death("2026-04-15", "2026-04-10", "M2"))
    ended = [e for e in answer["events"] if e["type"] == "MemberCoverageEnded"]
    assert {tuple(e["data"]["remaining_member_ids"]) for e in ended} == {("M1",)}
    coverage = queries.coverage(ledger, "E1")
    assert (coverage["status"], coverage["spans"][0]["end_on"]) == ("active", None)
    assert [(m["member_id"], m["end_reason"]) for m in coverage["members"]] == [
        ("M1", None),
        ("M2", "death"),
    ]


def test_a_pending_appeal_of_a_member_who_dies_is_dismissed_and_the_estate_may_continue_it(
    apply: Apply,
) -> None:
    determination = covered(apply)
    run(apply, appeal(determination))
    (answer,) = run(apply, death("2026-02-15", "2026-02-10"))
    dismissed = only(answer, "AppealDismissed")
    assert dismissed["citation"] == "956 CMR 12.15(2)(d)"
    assert "died on 2026-02-10" in dismissed["data"]["reason"]
    refused = apply(command="decide_appeal", on="2026-02-20", appeal_id="A1", outcome="upheld")
    assert refused["error"]["code"] == "invalid_state"

    (continued,) = run(
        apply,
        {
            "command": "continue_appeal",
            "on": "2026-02-20",
            "appeal_id": "A1",
            "representative_name": "Ana Example, executor",
        },
    )
    event = only(continued, "AppealContinued")
    assert event["citation"] == "956 CMR 12.15(2)(d)"
    assert event["data"]["representative_name"] == "Ana Example, executor"
    (decided,) = run(
        apply,
        {"command": "decide_appeal", "on": "2026-03-01", "appeal_id": "A1", "outcome": "upheld"},
    )
    assert only(decided, "AppealDecided")["data"]["outcome"] == "upheld"


def test_a_household_s_appeal_goes_on_while_one_of_its_members_lives(apply: Apply) -> None:
    determination = covered(apply, ["M1", "M2"])
    run(apply, appeal(determination))
    (answer,) = run(apply, death("2026-02-15", "2026-02-10", "M2"))
    assert "AppealDismissed" not in event_types(answer)
    (second,) = run(apply, death("2026-02-16", "2026-02-12", "M1"))
    assert only(second, "AppealDismissed")["citation"] == "956 CMR 12.15(2)(d)"


def test_an_appeal_not_dismissed_for_a_death_cannot_be_continued(apply: Apply) -> None:
    determination = covered(apply)
    run(apply, appeal(determination))
    refused = apply(
        command="continue_appeal", on="2026-02-01", appeal_id="A1", representative_name="Ana"
    )
    assert refused["error"]["code"] == "invalid_state"
    unknown = apply(
        command="continue_appeal", on="2026-02-01", appeal_id="A9", representative_name="Ana"
    )
    assert unknown["error"]["code"] == "unknown_appeal"


def test_a_death_is_refused_for_a_stranger_a_second_time_or_dated_ahead(apply: Apply) -> None:
    covered(apply)
    assert apply(death("2026-04-15", "2026-04-10", "M9"))["error"]["code"] == "invalid_field"
    assert apply(death("2026-04-15", "2026-04-16"))["error"]["code"] == "invalid_field"
    run(apply, death("2026-04-15", "2026-04-10"))
    assert apply(death("2026-04-16", "2026-04-10"))["error"]["code"] == "invalid_state"
