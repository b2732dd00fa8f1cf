"""The small-group program on a real Kafka-compatible broker (Tansu): every event of an employer,
of its group enrollments (its employees' coverage, invoices, payments, delinquency and termination
notices) and of its appeals is keyed by the employer id, with `ce_partitionkey` the same, so an
employer's whole story lands on one partition in store order, interleaved in the store with
households' and other employers' records; a relay started mid-story reads the employer back."""

from __future__ import annotations

import json
from typing import Any

from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import answer_line

from ..group_scenarios import determine, employer_application, employer_pays, paid_through_may
from ..scenarios import schedule
from .kafka_helpers import (
    create_topic,
    first_deliveries,
    headers_of,
    household_commands,
    read_topic,
)
from .test_kafka_relay import relay_once

EMPLOYERS = ("ACME", "BOLT")


def employer_story(employer_id: str) -> list[dict[str, Any]]:
    """The employer's group paid through May, June missed and terminated (notices to each
    employee), with its own ids for the group and its payments."""
    group = f"G-{employer_id}"
    commands = []
    for command in paid_through_may(group):
        named = {**command}
        if "employer_id" in named:
            named["employer_id"] = employer_id
        if "reference" in named:
            named["reference"] = f"{employer_id}-{named['reference']}"
        if named["command"] in ("enroll_employee", "waive_coverage"):
            named["employee_id"] = f"{employer_id}-{named['employee_id']}"
            if "member_ids" in named:
                named["member_ids"] = [f"{employer_id}-{m}" for m in named["member_ids"]]
        commands.append(named)
    return commands


def record(store_url: str, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ledger = build_ledger(store_url)
    events: list[dict[str, Any]] = []
    try:
        for command in commands:
            answer = answer_line(ledger, json.dumps(command).encode())
            assert answer is not None and answer["ok"], (command, answer)
            events.extend(answer["events"])
    finally:
        ledger.close()
    return events


def interleaved() -> list[dict[str, Any]]:
    """Two employers' stories and a household's, one step of each in turn."""
    stories = [employer_story(e) for e in EMPLOYERS]
    stories.append(household_commands(0))
    commands: list[dict[str, Any]] = []
    for step in range(max(len(s) for s in stories)):
        commands.extend(story[step] for story in stories if step < len(story))
    return commands


def owner_keys(events: list[dict[str, Any]]) -> dict[str, str]:
    """Aggregate id -> the employer (or household) its first event names."""
    return {
        e["aggregate_id"]: e["data"].get("employer_id") or e["data"]["household_id"]
        for e in events
        if e["version"] == 1
    }


def test_an_employers_records_are_keyed_by_the_employer_on_one_partition_in_store_order(
    store_url: str, kafka_bootstrap: str, topic: str
) -> None:
    events = record(store_url, [*interleaved(), schedule("2026-07-31")])
    create_topic(kafka_bootstrap, topic, partitions=4)

    assert relay_once(store_url, kafka_bootstrap, topic, batch_size=9)["published"] == len(events)

    records = first_deliveries(read_topic(kafka_bootstrap, topic, len(events)))
    keys = owner_keys(events)
    by_id = {e["id"]: e for e in events}
    for employer in EMPLOYERS:
        story = [e for e in events if keys[e["aggregate_id"]] == employer]
        types = {e["type"] for e in story}
        assert {"EmployerOpened", "GroupPlanSelected", "EmployeeEnrolled"} <= types
        assert {"CoverageTerminated", "TerminationNoticeIssued"} <= types
        assert len({e["aggregate_id"] for e in story}) == 2  # the employer and its group
        delivered = [r for r in records if r.key == employer.encode()]
        assert len({r.partition for r in delivered}) == 1
        assert [headers_of(r)["ce_id"] for r in delivered] == [e["id"] for e in story]
        for r in delivered:
            assert headers_of(r)["ce_partitionkey"] == employer
            assert headers_of(r)["ce_subject"] == by_id[headers_of(r)["ce_id"]]["aggregate_id"]
    assert {r.key for r in records} == {b"ACME", b"BOLT", b"H0"}


def test_a_relay_started_mid_story_keys_a_groups_later_events_and_an_appeal_by_the_employer(
    store_url: str, kafka_bootstrap: str, topic: str
) -> None:
    """The second relay starts after the group's first event: it reads it back for the key.
    The employer's appeal names the employer in its first event."""
    first = record(store_url, employer_story("ACME"))
    relay_once(store_url, kafka_bootstrap, topic)
    grown = record(store_url, [employer_application("ACME", on="2026-06-01", employee_count=51)])
    decided = record(store_url, [determine("ACME", on="2026-06-04")])
    determination = next(e for e in decided if e["type"] == "EmployerEligibilityDetermined")
    appeal = {
        "command": "file_appeal",
        "on": "2026-06-20",
        "appeal_id": "AP-ACME",
        "employer_id": "ACME",
        "appealed_event_id": determination["id"],
        "grounds": "our count under IRC 4980H(c)(2) is 49",
    }
    later = [
        *grown,
        *decided,
        *record(store_url, [appeal, employer_pays("2026-05-20", "1400.00", "X", "G-ACME")]),
    ]
    assert any(e["version"] > 1 and e["type"] == "PaymentRecorded" for e in later)

    assert relay_once(store_url, kafka_bootstrap, topic)["published"] == len(later)

    records = first_deliveries(read_topic(kafka_bootstrap, topic, len(first) + len(later)))
    assert len(records) == len(first) + len(later)
    assert {r.key for r in records} == {b"ACME"}
    assert {headers_of(r)["ce_partitionkey"] for r in records} == {"ACME"}
    assert len({r.partition for r in records}) == 1
    assert [headers_of(r)["ce_id"] for r in records] == [e["id"] for e in first + later]
