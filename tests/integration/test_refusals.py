"""Refusals that are appealable actions are recorded (issue 17; 12.13(3), 12.13(1)): a special
enrollment period refused is an accepted command's decision, `SpecialEnrollmentPeriodDenied`, that
can be appealed like any determination (deadline, timeliness, the hearing's recomputation from the
facts held then) and, reversed, opens the period. Malformed commands are still rejected and record
nothing. And a determination corrected on appeal opens the periods any determination opens
(12.10(1)(b)-(d))."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from enrollment_ledger.adapters import queries
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.domain.ledger import Ledger
from enrollment_ledger.domain.parameters import Dated, Parameter, PolicyBook
from enrollment_ledger.domain.policy import POLICY_V1

from ..conftest import Apply, count_events, event_types, only
from ..scenarios import household_commands, pay, schedule, select


def run(apply: Apply, *commands: dict[str, Any]) -> list[dict[str, Any]]:
    answers = [apply(c) for c in commands]
    for answer in answers:
        assert answer["ok"], answer
    return answers


def qualifying(kind: str, on: str, event_on: str | None = None) -> dict[str, Any]:
    command = {"command": "report_qualifying_event", "on": on, "household_id": "H1", "kind": kind}
    if event_on is not None:
        command["event_on"] = event_on
    return command


def appeal(appealed: str, on: str, appeal_id: str = "A1") -> dict[str, Any]:
    return {
        "command": "file_appeal",
        "on": on,
        "appeal_id": appeal_id,
        "household_id": "H1",
        "appealed_event_id": appealed,
        "grounds": "I reported the marriage as soon as the certificate came",
    }


def decide(on: str, outcome: str, appeal_id: str = "A1") -> dict[str, Any]:
    return {"command": "decide_appeal", "on": on, "appeal_id": appeal_id, "outcome": outcome}


def non_group_household(apply: Apply) -> None:
    """Not APTC-eligible, determined in March: outside open enrollment, no automatic period."""
    run(apply, *household_commands(aptc_eligible=False, determined_on="2026-03-02"))


def denied_marriage(apply: Apply) -> dict[str, Any]:
    """A marriage of 20 March reported on 1 June: its sixty days ended on 19 May."""
    non_group_household(apply)
    (answer,) = run(apply, qualifying("marriage", on="2026-06-01", event_on="2026-03-20"))
    return only(answer, "SpecialEnrollmentPeriodDenied")


# ---- the refusal is recorded -----------------------------------------------------------------------


def test_a_report_after_the_sixty_days_is_accepted_and_records_the_refusal_with_its_clause(
    apply: Apply, ledger: Ledger
) -> None:
    denied = denied_marriage(apply)
    assert denied["citation"] == "956 CMR 12.10(1)"
    assert denied["policy_version"] == "2026.1"
    assert denied["on"] == "2026-06-01"
    recorded = {
        "kind": "marriage",
        "event_on": "2026-03-20",
        "member_ids": [],
        "reason": "reported_after_sixty_days",
        "end_on": "2026-05-19",
        "enrollment_ids": [],
    }
    assert {field: denied["data"][field] for field in recorded} == recorded
    timeline = [e["type"] for e in queries.timeline(ledger, "H1")["events"]]
    assert timeline[-1] == "SpecialEnrollmentPeriodDenied"
    assert "SpecialEnrollmentPeriodOpened" not in timeline


def test_a_malformed_report_is_still_rejected_and_records_nothing(
    apply: Apply, ledger: Ledger
) -> None:
    non_group_household(apply)
    before = count_events(ledger)
    unknown_kind = apply(qualifying("lottery_win", on="2026-06-01"))
    after_the_report = apply(qualifying("marriage", on="2026-06-01", event_on="2026-06-02"))
    unknown_household = apply({**qualifying("marriage", on="2026-06-01"), "household_id": "NOPE"})
    assert [a["error"]["code"] for a in (unknown_kind, after_the_report, unknown_household)] == [
        "invalid_field",
        "invalid_field",
        "unknown_household",
    ]
    assert count_events(ledger) == before


def test_a_plan_selected_outside_every_period_is_still_rejected_not_a_recorded_refusal(
    apply: Apply, ledger: Ledger
) -> None:
    """12.13(3) makes a determination regarding a special enrollment period appealable; a plan
    chosen with no period claimed at all is not one (the member reports the event instead)."""
    non_group_household(apply)
    before = count_events(ledger)
    assert apply(select(on="2026-03-10"))["error"]["code"] == "outside_enrollment_period"
    assert count_events(ledger) == before


# ---- appealed like any determination -----------------------------------------------------------------


def test_the_refusal_is_appealable_with_its_deadline_and_a_late_appeal_is_dismissed(
    apply: Apply,
) -> None:
    """12.14(2)(a)1: notice of 1 June, receipt presumed 6 June, 30 days: Monday 6 July."""
    denied = denied_marriage(apply)
    timely, late = run(
        apply,
        appeal(denied["id"], "2026-07-06"),
        appeal(denied["id"], "2026-07-07", appeal_id="A2"),
    )
    filed = only(timely, "AppealFiled")
    assert filed["data"]["appealable_clause"] == "956 CMR 12.13(3)"
    assert filed["data"]["appealed_event_type"] == "SpecialEnrollmentPeriodDenied"
    assert (filed["data"]["deadline"], filed["data"]["timely"]) == ("2026-07-06", True)
    assert "AppealDismissed" not in event_types(timely)
    assert only(late, "AppealFiled")["data"]["timely"] is False
    assert only(late, "AppealDismissed")["citation"] == "956 CMR 12.15(2)(a)"


def test_the_hearing_packet_recomputes_the_refusal_and_names_the_rule(
    apply: Apply, ledger: Ledger
) -> None:
    denied = denied_marriage(apply)
    run(apply, appeal(denied["id"], "2026-06-10"))
    packet = queries.hearing(ledger, "A1")
    assert packet["appealed_event"]["id"] == denied["id"]
    assert packet["rule"] == {"citation": "956 CMR 12.10(1)", "policy_version": "2026.1"}
    assert packet["note"] is None
    for recomputed in (packet["recomputed"], packet["current_policy"]):
        assert recomputed["decision"] == "denied"
        assert recomputed["reason"] == "reported_after_sixty_days"
        assert recomputed["end_on"] == "2026-05-19"
        assert recomputed["citation"] == "956 CMR 12.10(1)"
        assert (recomputed["matches"], recomputed["differences"]) == (True, [])


def terminated_for_non_payment(apply: Apply) -> None:
    """ConnectorCare at $150: February and March paid, April and May missed; the payment date of
    the 5 May notice, 9 June, passes: terminated on 10 June back to 30 April (12.12(5))."""
    run(
        apply,
        *household_commands(),
        select(),
        pay("2026-01-20", "150.00", "binder"),
        pay("2026-02-20", "150.00", "march"),
        schedule("2026-07-31"),
    )


def test_the_hearing_recomputes_from_the_enrollments_as_they_stood_when_it_refused(
    apply: Apply, ledger: Ledger
) -> None:
    """A loss of coverage refused on 1 August while the enrollment stood terminated for
    non-payment; a payment dated 9 June entered on 5 August then rescinds the termination. The
    hearing decides again from what was known on 1 August: the same refusal."""
    terminated_for_non_payment(apply)
    (answer,) = run(apply, qualifying("loss_of_coverage", on="2026-08-01", event_on="2026-07-25"))
    denied = only(answer, "SpecialEnrollmentPeriodDenied")
    assert (denied["data"]["reason"], denied["data"]["enrollment_ids"]) == (
        "coverage_lost_for_non_payment",
        ["E1"],
    )
    assert denied["citation"] == (
        "956 CMR 12.10(1)(a); 45 CFR 155.420(e); the special enrollment periods page"
    )
    (late_payment,) = run(apply, pay("2026-06-09", "450.00", "paid-in-time"))
    assert "TerminationRescinded" in event_types(late_payment)
    run(apply, appeal(denied["id"], "2026-08-10"))

    recomputed = queries.hearing(ledger, "A1")["recomputed"]
    assert (recomputed["decision"], recomputed["reason"]) == (
        "denied",
        "coverage_lost_for_non_payment",
    )
    assert recomputed["matches"] is True
    assert recomputed["coverage_lost"] == {"E1": "non_payment"}
    # asked again now, with the termination rescinded, the same event opens a period
    today = apply(qualifying("loss_of_coverage", on="2026-08-10", event_on="2026-07-25"))
    assert only(today, "SpecialEnrollmentPeriodOpened")["data"]["end_on"] == "2026-09-23"


# ---- a reversal opens the period -------------------------------------------------------------------


def test_a_reversed_refusal_whose_sixty_days_have_passed_opens_sixty_days_from_the_decision(
    apply: Apply,
) -> None:
    denied = denied_marriage(apply)
    run(apply, appeal(denied["id"], "2026-06-10"))
    (answer,) = run(apply, decide("2026-07-01", "reversed"))
    assert only(answer, "AppealDecided")["data"]["outcome"] == "reversed"
    opened = only(answer, "SpecialEnrollmentPeriodOpened")
    assert opened["data"]["kind"] == "marriage"
    assert opened["data"]["event_on"] == "2026-03-20"
    assert opened["data"]["end_on"] == "2026-08-30"  # 1 July + 60 days
    assert opened["citation"] == (
        "956 CMR 12.15(4); 45 CFR 155.545(c); 956 CMR 12.10(1)(a); 45 CFR 155.420(d)(4)"
    )
    chosen = apply(select(on="2026-07-10"))
    assert only(chosen, "PlanSelected")["data"]["enrollment_basis"] == "special_enrollment:marriage"


def test_a_reversal_within_the_original_sixty_days_keeps_them(apply: Apply) -> None:
    terminated_for_non_payment(apply)
    (answer,) = run(apply, qualifying("loss_of_coverage", on="2026-08-01", event_on="2026-07-25"))
    run(apply, appeal(only(answer, "SpecialEnrollmentPeriodDenied")["id"], "2026-08-05"))
    (decision,) = run(apply, decide("2026-08-20", "reversed"))
    opened = only(decision, "SpecialEnrollmentPeriodOpened")
    assert (opened["data"]["kind"], opened["data"]["end_on"]) == ("loss_of_coverage", "2026-09-23")
    assert opened["citation"] == "956 CMR 12.15(4); 45 CFR 155.545(c)"


def test_an_upheld_refusal_opens_nothing(apply: Apply) -> None:
    denied = denied_marriage(apply)
    run(apply, appeal(denied["id"], "2026-06-10"))
    (answer,) = run(apply, decide("2026-07-01", "upheld"))
    assert event_types(answer) == ["AppealDecided"]
    assert apply(select(on="2026-07-10"))["error"]["code"] == "outside_enrollment_period"


def test_a_refused_second_ai_an_change_reversed_allows_that_change(
    apply: Apply, ledger: Ledger
) -> None:
    non_group_household(apply)
    run(apply, qualifying("ai_an_monthly", on="2026-03-05"), select("E1", on="2026-03-10"))
    (second,) = run(apply, select("E2", on="2026-03-20"))
    denied = only(second, "SpecialEnrollmentPeriodDenied")
    assert (denied["data"]["kind"], denied["data"]["event_on"]) == ("ai_an_monthly", "2026-03-20")
    run(apply, appeal(denied["id"], "2026-03-23"))
    packet = queries.hearing(ledger, "A1")
    assert packet["recomputed"]["reason"] == "ai_an_change_already_made_this_month"
    assert packet["recomputed"]["matches"] is True

    (decision,) = run(apply, decide("2026-03-27", "reversed"))
    opened = only(decision, "SpecialEnrollmentPeriodOpened")
    assert (opened["data"]["kind"], opened["data"]["end_on"]) == (
        "ai_an_change_on_appeal",
        "2026-05-19",
    )
    assert opened["data"]["member_ids"] == ["M1"]
    chosen = apply(select("E2", on="2026-03-30"))
    assert only(chosen, "PlanSelected")["data"]["enrollment_basis"] == (
        "special_enrollment:ai_an_change_on_appeal"
    )


# ---- a corrected determination opens its own periods (12.10(1)(b)-(d)) ----------------------------


def test_an_appeal_reversed_to_connectorcare_opens_sixty_days_and_a_plan_may_be_chosen(
    apply: Apply,
) -> None:
    """Determined APTC only on 2 March (above 500% FPL); the hearing finds $40,000: ConnectorCare
    3B, newly ConnectorCare-eligible (12.10(1)(b)), so a plan may be chosen in April, outside open
    enrollment."""
    answers = run(
        apply,
        *household_commands(magi="90000.00", applied_on="2026-03-01", determined_on="2026-03-02"),
    )
    determination = only(answers[1], "EligibilityDetermined")
    assert determination["data"]["members"][0]["program"] == "aptc_only"
    run(apply, appeal(determination["id"], "2026-03-20"))
    (decision,) = run(
        apply, {**decide("2026-04-15", "reversed"), "findings": {"annual_magi": "40000.00"}}
    )
    corrected = only(decision, "EligibilityDetermined")
    assert corrected["data"]["members"][0]["program"] == "connectorcare"
    opened = only(decision, "SpecialEnrollmentPeriodOpened")
    assert (opened["citation"], opened["data"]["kind"]) == (
        "956 CMR 12.10(1)(b)",
        "newly_connectorcare_eligible",
    )
    assert (opened["data"]["event_on"], opened["data"]["end_on"]) == ("2026-04-15", "2026-06-14")
    chosen = apply(select(on="2026-04-20"))
    assert only(chosen, "PlanSelected")["data"]["program"] == "connectorcare"


def test_under_a_later_policy_giving_more_days_the_packet_says_the_refusal_would_differ(
    tmp_path: Path,
) -> None:
    """The hearing decides again with the policy applied (the same refusal) and with the current
    one: were the sixty days ninety, the marriage reported on day 73 would open a period."""
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    ledger = build_ledger(store)
    apply = applying(ledger)
    denied = denied_marriage(apply)
    run(apply, appeal(denied["id"], "2026-06-10"))
    ledger.close()

    ninety = replace(
        POLICY_V1,
        version="2026.2",
        adopted_on=date(2026, 7, 1),
        special_enrollment_days=Parameter(
            "special_enrollment_days", (Dated(date(2014, 1, 1), 90, "a later policy"),)
        ),
    )
    later = build_ledger(store, policy=PolicyBook((POLICY_V1, ninety)))
    try:
        packet = queries.hearing(later, "A1")
    finally:
        later.close()
    assert packet["recomputed"]["policy_version"] == "2026.1"
    assert packet["recomputed"]["matches"] is True
    current = packet["current_policy"]
    assert (current["policy_version"], current["decision"], current["matches"]) == (
        "2026.2",
        "opened",
        False,
    )
    assert current["end_on"] == "2026-06-18"  # 20 March + 90 days
    assert {d["field"]: d["recomputed"] for d in current["differences"]} == {
        "decision": "opened",
        "reason": None,
        "end_on": "2026-06-18",
    }


def applying(ledger: Ledger) -> Apply:
    def _apply(command: dict[str, Any] | None = None, /, **fields: Any) -> dict[str, Any]:
        answer = answer_line(
            ledger, json.dumps(command if command is not None else fields).encode()
        )
        assert answer is not None
        return answer

    return _apply
