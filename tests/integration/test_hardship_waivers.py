"""Hardship waivers: 12.12(7)(a)-(f), 12.12(9), 12.10(1)(e)-(f), 12.16(3)(c)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from enrollment_ledger.adapters import queries
from enrollment_ledger.adapters.audit.verify import verify
from enrollment_ledger.adapters.kafka.relay import rendered
from enrollment_ledger.domain.enrollment import Enrollment
from enrollment_ledger.domain.ledger import Ledger
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from ..conftest import Apply, count_events, event_types
from ..scenarios import by_type, household_commands, pay, schedule, select


def run(apply: Apply, *commands: dict[str, Any]) -> list[dict[str, Any]]:
    answers = [apply(c) for c in commands]
    for answer in answers:
        assert answer["ok"], answer
    return answers


def request(grounds: str = "utility_shutoff", on: str = "2026-03-01") -> dict[str, Any]:
    return {
        "command": "request_hardship_waiver",
        "on": on,
        "household_id": "H1",
        "enrollment_id": "E1",
        "grounds": grounds,
    }


def decide(
    decision: str = "granted",
    first_month: str = "2026-03",
    months: int = 3,
    on: str = "2026-03-10",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "command": "decide_hardship_waiver",
        "on": on,
        "enrollment_id": "E1",
        "decision": decision,
        "first_month": first_month,
        "months": months,
        **extra,
    }


def connectorcare_3b(apply: Apply) -> None:
    """40,000 for one person in 2026: plan type 3B, minimum premium $152 (12.12(9) schedule)."""
    run(apply, *household_commands(), select(premium="200.00"), pay("2026-01-20", "200.00", "b"))


def test_a_grant_waives_only_the_minimum_premium_portion(apply: Apply, ledger: Ledger) -> None:
    connectorcare_3b(apply)
    answer = apply(request())
    (requested,) = [e for e in answer["events"] if e["type"] == "HardshipWaiverRequested"]
    assert requested["data"]["grounds"] == ["utility_shutoff"]
    assert requested["data"]["grounds_clauses"] == ["956 CMR 12.12(7)(a)2"]
    request_id = requested["data"]["request_id"]
    decided = apply(decide(request_id=request_id))
    assert "SpecialEnrollmentPeriodOpened" in event_types(decided)
    (waiver,) = [e for e in decided["events"] if e["type"] == "HardshipWaiverDecided"]
    assert waiver["citation"] == "956 CMR 12.12(7)(b)"
    assert waiver["data"]["waived_by_month"] == [
        {"month": "2026-03", "amount": "152.00"},
        {"month": "2026-04", "amount": "152.00"},
        {"month": "2026-05", "amount": "152.00"},
    ]
    (sep,) = [e for e in decided["events"] if e["type"] == "SpecialEnrollmentPeriodOpened"]
    assert sep["citation"] == "956 CMR 12.10(1)(e)"
    run(apply, schedule("2026-04-30"))
    months = {m["month"]: m for m in queries.balance(ledger, "E1")["months"]}
    assert months["2026-04"]["waived"] == "152.00"
    assert months["2026-04"]["outstanding"] == "48.00"


def test_waived_months_never_count_as_delinquent_and_the_end_opens_a_period(
    apply: Apply, ledger: Ledger
) -> None:
    run(apply, *household_commands(), select(premium="152.00"), pay("2026-01-20", "152.00", "b"))
    run(
        apply,
        pay("2026-02-20", "152.00", "mar"),
        request(on="2026-02-25"),
        decide(first_month="2026-04", months=2, on="2026-03-01"),
    )
    answers = run(apply, schedule("2026-06-10"))
    assert not [
        m for m in by_type(answers, "PaymentMissed") if m["data"]["month"] in ("2026-04", "2026-05")
    ]
    (ended,) = by_type(answers, "HardshipWaiverEnded")
    assert ended["data"]["ended_on"] == "2026-06-01"
    seps = [
        s
        for s in by_type(answers, "SpecialEnrollmentPeriodOpened")
        if s["citation"] == "956 CMR 12.10(1)(f)"
    ]
    assert len(seps) == 1


def test_a_retroactive_waiver_cures_a_delinquency(apply: Apply, ledger: Ledger) -> None:
    """12.12(7)(d): retroactive waivers, including for a period of delinquency."""
    run(apply, *household_commands(), select(premium="152.00"), pay("2026-01-20", "152.00", "b"))
    run(apply, schedule("2026-03-01"))
    assert queries.coverage(ledger, "E1")["status"] == "delinquent"
    run(apply, request(on="2026-03-02"))
    answer = apply(decide(first_month="2026-03", months=2, on="2026-03-03"))
    assert "DelinquencyCured" in event_types(answer)
    assert queries.coverage(ledger, "E1")["status"] == "active"


@pytest.mark.parametrize(
    ("setup", "clause"),
    [
        ({"aptc_eligible": False}, "12.12(7)(f)"),
        ({"magi": "90000.00"}, "12.12(7)(f)"),
    ],
)
def test_waivers_are_refused_without_connectorcare(
    apply: Apply, ledger: Ledger, setup: dict[str, Any], clause: str
) -> None:
    run(apply, *household_commands(**setup), select(), request())
    before = count_events(ledger)
    answer = apply(decide())
    assert answer["error"]["code"] == "waiver_not_available"
    assert clause in answer["error"]["message"]
    assert count_events(ledger) == before


def test_waivers_are_refused_for_dental(apply: Apply, ledger: Ledger) -> None:
    run(apply, *household_commands(), select(coverage="dental", premium="30.00"), request())
    answer = apply(decide())
    assert answer["error"]["code"] == "waiver_not_available"
    assert "12.16(3)(c)" in answer["error"]["message"]


@pytest.mark.parametrize(
    ("setup", "coverage", "clause"),
    [
        ({"aptc_eligible": False}, "health", "956 CMR 12.12(7)(f)"),
        ({"magi": "90000.00"}, "health", "956 CMR 12.12(7)(f)"),
        ({}, "dental", "956 CMR 12.16(3)(c)"),
    ],
)
def test_a_request_no_waiver_can_answer_is_denied_on_record_and_the_denial_can_be_appealed(
    apply: Apply, ledger: Ledger, setup: dict[str, Any], coverage: str, clause: str
) -> None:
    """A waiver denial is an appealable action (12.13(4)), so it is recorded even where no
    waiver could be granted, naming the clause that refuses one; the request is no longer
    pending."""
    premium = "30.00" if coverage == "dental" else "300.00"
    run(apply, *household_commands(**setup), select(coverage=coverage, premium=premium), request())
    (denied,) = by_type(run(apply, decide("denied")), "HardshipWaiverDecided")
    assert denied["data"]["decision"] == "denied"
    assert denied["citation"] == clause
    assert denied["data"]["waived_by_month"] == []
    assert apply(decide("denied", on="2026-03-11"))["error"]["code"] == "no_pending_request"
    appeal = {
        "command": "file_appeal",
        "on": "2026-03-20",
        "appeal_id": "A1",
        "household_id": "H1",
        "appealed_event_id": denied["id"],
        "grounds": "I cannot pay",
    }
    answers = run(apply, appeal)
    (filed,) = by_type(answers, "AppealFiled")
    assert filed["data"]["timely"] is True
    assert by_type(answers, "AppealDismissed") == []


def test_unknown_grounds_are_refused(apply: Apply, ledger: Ledger) -> None:
    connectorcare_3b(apply)
    before = count_events(ledger)
    answer = apply(request(grounds="bad_luck"))
    assert answer["error"]["code"] == "invalid_field"
    assert count_events(ledger) == before


@pytest.mark.parametrize("months", [0, 13])
def test_a_waiver_lasts_one_to_twelve_months(apply: Apply, months: int) -> None:
    """12.12(7)(d): up to 12 months."""
    connectorcare_3b(apply)
    run(apply, request())
    answer = apply(decide(months=months))
    assert answer["ok"] is False


def test_a_plan_type_without_a_published_minimum_premium_is_refused(apply: Apply) -> None:
    """The contract: no figure for 3D (and none for plan year 2027) is published."""
    run(
        apply,
        *household_commands(magi="70000.00"),
        select(),
        pay("2026-01-20", "150.00", "b"),
        request(),
    )
    answer = apply(decide())
    assert answer["error"]["code"] == "no_policy_parameters"


def test_a_denial_is_recorded_and_opens_no_period(apply: Apply) -> None:
    connectorcare_3b(apply)
    run(apply, request())
    answer = apply(decide(decision="denied"))
    (denied,) = [e for e in answer["events"] if e["type"] == "HardshipWaiverDecided"]
    assert denied["data"]["decision"] == "denied"
    assert "SpecialEnrollmentPeriodOpened" not in event_types(answer)


def test_a_request_stored_before_grounds_became_a_list_reads_as_a_list_of_one(
    apply: Apply, ledger: Ledger
) -> None:
    """HardshipWaiverRequested version 1 held one `grounds` code and its `grounds_clause`; such
    a stored event is upcast (version 2: lists) wherever it is read: the enrollment, the
    timeline, the relay's rendering, and a decision on the request."""
    connectorcare_3b(apply)
    enrollment = ledger.enrollment("E1")
    state = {
        "timestamp": datetime(2026, 3, 1, 14, tzinfo=UTC),
        "on": date(2026, 3, 1),
        "effective_on": date(2026, 3, 1),
        "citation": "956 CMR 12.12(7)(a)2",
        "policy_version": "2026.1",
        "request_id": "E1#waiver-1",
        "grounds": "utility_shutoff",
        "grounds_clause": "956 CMR 12.12(7)(a)2",
    }
    ledger.recorder.insert_events(
        [
            StoredEvent(
                originator_id=enrollment.id,
                originator_version=enrollment.version + 1,
                topic=get_topic(Enrollment.HardshipWaiverRequested),
                state=ledger.mapper.transcoder.encode(state),
            )
        ]
    )
    assert verify(ledger).ok
    assert ledger.enrollment("E1").waiver_requests["E1#waiver-1"]["grounds"] == ["utility_shutoff"]
    (shown,) = [
        e
        for e in queries.timeline(ledger, "H1")["events"]
        if e["type"] == "HardshipWaiverRequested"
    ]
    assert shown["data"]["grounds"] == ["utility_shutoff"]
    assert shown["data"]["grounds_clauses"] == ["956 CMR 12.12(7)(a)2"]
    assert "grounds_clause" not in shown["data"]
    (stored,) = [
        n
        for n in ledger.recorder.select_notifications(start=1, limit=1000)
        if n.topic.endswith("HardshipWaiverRequested")
    ]
    relayed = rendered(ledger.mapper, stored)
    assert relayed["data"]["grounds"] == ["utility_shutoff"]
    decided = apply(decide(request_id="E1#waiver-1"))
    assert "HardshipWaiverDecided" in event_types(decided)
