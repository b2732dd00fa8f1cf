"""`PlanYearEnded` names the plan year that ended (issue 15; 12.07(1)), and events stored in its
first shape (which named the plan year after it) are read in the new meaning (class_version 2,
`upcast_v1_v2`): by the aggregate, the timeline and the Kafka relay."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from enrollment_ledger.adapters import queries
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.adapters.kafka.relay import rendered
from enrollment_ledger.domain.enrollment import Enrollment
from enrollment_ledger.domain.ledger import Ledger

from ..conftest import Apply, only
from ..scenarios import household_commands, pay, schedule, select

TOPIC = "enrollment_ledger.domain.enrollment:Enrollment.PlanYearEnded"


def run(apply: Apply, *commands: dict[str, Any]) -> list[dict[str, Any]]:
    answers = [apply(c) for c in commands]
    for answer in answers:
        assert answer["ok"], answer
    return answers


def a_2025_enrollment_paid_for_the_year(apply: Apply) -> None:
    """Selected on 10 January 2025 (coverage from February), $150 a month paid for the whole year
    up front, never renewed for 2026."""
    run(
        apply,
        *household_commands(applied_on="2025-01-02", determined_on="2025-01-05", plan_year=2025),
        select(on="2025-01-10"),
        pay("2025-01-20", "1650.00", "the-whole-year"),
    )


def renewal_for_2026(on: str) -> list[dict[str, Any]]:
    return [
        {
            "command": "submit_renewal",
            "on": on,
            "household_id": "H1",
            "plan_year": 2026,
            "household_size": 1,
            "annual_magi": "40000.00",
            "members": [
                {
                    "member_id": "M1",
                    "birth_date": "1980-01-01",
                    "resident": True,
                    "lawfully_present": True,
                    "incarcerated": False,
                    "aptc_eligible": True,
                }
            ],
        },
        {
            "command": "renew_enrollment",
            "on": on,
            "enrollment_id": "E1",
            "plan_year": 2026,
            "monthly_premium": "150.00",
        },
    ]


def test_the_plan_year_that_ended_is_the_one_named(apply: Apply, ledger: Ledger) -> None:
    a_2025_enrollment_paid_for_the_year(apply)
    (answer,) = run(apply, schedule("2025-12-31"))
    ended = only(answer, "PlanYearEnded")
    assert ended["on"] == "2025-12-05"  # the day January 2026's invoice would be issued
    assert ended["data"]["plan_year"] == 2025
    assert ended["data"]["end_on"] == "2025-12-31"
    assert ledger.enrollment("E1").plan_year_end_decided == {2025}


def test_the_year_after_an_ended_plan_year_cannot_be_renewed(apply: Apply) -> None:
    a_2025_enrollment_paid_for_the_year(apply)
    run(apply, schedule("2025-12-31"))
    submit, renew = renewal_for_2026("2025-12-10")
    run(apply, submit)
    refused = apply(renew)
    assert refused["error"]["code"] == "invalid_state"
    assert "plan year 2026 cannot be renewed" in refused["error"]["message"]


def test_a_renewal_before_the_end_carries_coverage_into_the_next_plan_year(
    apply: Apply, ledger: Ledger
) -> None:
    a_2025_enrollment_paid_for_the_year(apply)
    run(apply, *renewal_for_2026("2025-11-20"))
    (answer,) = run(apply, schedule("2025-12-31"))
    assert "PlanYearEnded" not in [e["type"] for e in answer["events"]]
    january = [e for e in answer["events"] if e["type"] == "InvoiceIssued"]
    assert [e["data"]["month"] for e in january][-1] == "2026-01"


def store_in_the_first_shape(store_url: str) -> None:
    """Rewrite the stored PlanYearEnded as version 1 wrote it: no class_version, and the plan
    year after the one that ended."""
    path = store_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT id, state FROM ledger_events WHERE topic = ?", (TOPIC,)
        ).fetchall()
        assert len(rows) == 1
        position, state = rows[0]
        fields = json.loads(state)
        assert fields.pop("class_version") == 2
        fields["plan_year"] += 1
        db.execute(
            "UPDATE ledger_events SET state = ? WHERE id = ?",
            (json.dumps(fields, separators=(",", ":")).encode(), position),
        )


def test_a_version_1_plan_year_ended_folds_to_the_year_that_ended(
    apply: Apply, ledger: Ledger, store_url: str
) -> None:
    a_2025_enrollment_paid_for_the_year(apply)
    run(apply, schedule("2025-12-31"))
    store_in_the_first_shape(store_url)

    fresh = build_ledger(store_url)  # no cached aggregate: everything is read from the store
    try:
        enrollment = fresh.enrollment("E1")
        assert enrollment.plan_year_end_decided == {2025}
        (event,) = [
            e
            for e in fresh.aggregate_events(Enrollment.id_for("E1"))
            if isinstance(e, Enrollment.PlanYearEnded)
        ]
        assert event.plan_year == 2025
        timeline = queries.timeline(fresh, "H1")["events"]
        (shown,) = [e for e in timeline if e["type"] == "PlanYearEnded"]
        assert shown["data"]["plan_year"] == 2025
        (notification,) = [
            n for n in fresh.recorder.select_notifications(1, 1000) if n.topic == TOPIC
        ]
        assert rendered(fresh.mapper, notification)["data"]["plan_year"] == 2025
        assert queries.coverage(fresh, "E1")["spans"][0]["end_on"] == "2025-12-31"

        submit, renew = renewal_for_2026("2025-12-10")
        submitted = answer_line(fresh, json.dumps(submit).encode())
        assert submitted is not None and submitted["ok"], submitted
        refused = answer_line(fresh, json.dumps(renew).encode())
        assert refused is not None and refused["error"]["code"] == "invalid_state", refused
    finally:
        fresh.close()
