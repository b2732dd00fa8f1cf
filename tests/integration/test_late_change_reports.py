"""Late change reports (issue 17; 956 CMR 12.09(2)): `report_change` takes the day the change
happened (`changed_on`); a report more than 30 days after it is recorded `late: true` with the
clause, for the appeals unit; the redetermination's effective dates still follow 12.08. A
`ChangeReported` stored before (version 1) reads as `changed_on: null`, `late: false` by the
aggregate, the timeline and the relay."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest
from enrollment_ledger.adapters import queries
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.kafka.relay import rendered
from enrollment_ledger.domain.household import Household
from enrollment_ledger.domain.ledger import Ledger

from ..conftest import Apply, count_events, only
from ..scenarios import household_commands

TOPIC = "enrollment_ledger.domain.household:Household.ChangeReported"


def run(apply: Apply, *commands: dict[str, Any]) -> list[dict[str, Any]]:
    answers = [apply(c) for c in commands]
    for answer in answers:
        assert answer["ok"], answer
    return answers


def change(on: str, changed_on: str | None = None, magi: str = "30000.00") -> dict[str, Any]:
    command = {"command": "report_change", "on": on, "household_id": "H1", "annual_magi": magi}
    if changed_on is not None:
        command["changed_on"] = changed_on
    return command


@pytest.mark.parametrize(
    ("changed_on", "late"),
    [
        pytest.param("2026-03-11", False, id="a raise on 11 March reported on 10 April: day 30, on time"),
        pytest.param("2026-03-10", True, id="a raise on 10 March reported on 10 April: day 31, late"),
    ],
)  # fmt: skip
def test_a_change_reported_after_thirty_days_is_recorded_late_and_decided_as_any_change(
    apply: Apply, changed_on: str, late: bool
) -> None:
    run(apply, *household_commands())
    (answer,) = run(apply, change("2026-04-10", changed_on))
    reported = only(answer, "ChangeReported")
    assert reported["citation"] == "956 CMR 12.09(2)"
    assert reported["policy_version"] == "2026.1"
    assert (reported["data"]["changed_on"], reported["data"]["late"]) == (changed_on, late)
    # 12.08: notified 10 April (by the 15th), the plan type change takes effect on 1 May either way
    determined = only(answer, "EligibilityDetermined")
    assert determined["data"]["members"][0]["effective_on"] == "2026-05-01"


def test_a_change_without_its_day_is_not_found_late(apply: Apply) -> None:
    run(apply, *household_commands())
    (answer,) = run(apply, change("2026-04-10"))
    reported = only(answer, "ChangeReported")["data"]
    assert (reported["changed_on"], reported["late"]) == (None, False)


def test_a_change_dated_after_its_report_is_refused_and_records_nothing(
    apply: Apply, ledger: Ledger
) -> None:
    run(apply, *household_commands())
    before = count_events(ledger)
    refused = apply(change("2026-04-10", "2026-04-11"))
    assert refused["error"]["code"] == "invalid_field"
    assert "changed_on" in refused["error"]["message"]
    assert count_events(ledger) == before


def store_in_the_first_shape(store_url: str) -> None:
    """Rewrite the stored ChangeReported as version 1 wrote it: no class_version, no changed_on,
    no late."""
    path = store_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT id, state FROM ledger_events WHERE topic = ?", (TOPIC,)
        ).fetchall()
        assert len(rows) == 1
        position, state = rows[0]
        fields = json.loads(state)
        assert fields.pop("class_version") == 2
        del fields["changed_on"], fields["late"]
        db.execute(
            "UPDATE ledger_events SET state = ? WHERE id = ?",
            (json.dumps(fields, separators=(",", ":")).encode(), position),
        )


def test_a_version_1_change_report_reads_as_not_dated_and_not_late(
    apply: Apply, store_url: str
) -> None:
    run(apply, *household_commands(), change("2026-04-10", "2026-03-01"))
    store_in_the_first_shape(store_url)

    fresh = build_ledger(store_url)  # no cached aggregate: everything is read from the store
    try:
        (event,) = [
            e
            for e in fresh.aggregate_events(Household.id_for("H1"))
            if isinstance(e, Household.ChangeReported)
        ]
        assert (event.changed_on, event.late) == (None, False)
        assert fresh.household("H1").latest_application().annual_magi == 30000
        (shown,) = [
            e for e in queries.timeline(fresh, "H1")["events"] if e["type"] == "ChangeReported"
        ]
        assert (shown["data"]["changed_on"], shown["data"]["late"]) == (None, False)
        (notification,) = [
            n for n in fresh.recorder.select_notifications(1, 1000) if n.topic == TOPIC
        ]
        published = rendered(fresh.mapper, notification)["data"]
        assert (published["changed_on"], published["late"]) == (None, False)
    finally:
        fresh.close()
