"""Helpers for the Kafka tests: seed a store through the command path, read a whole topic."""

from __future__ import annotations

import json
import time
from typing import Any

from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.domain.household import Household
from enrollment_ledger.domain.member_data import member_fields

from ..conftest import application, member
from ..scenarios import pay, select


def published_by_default(event: dict[str, Any]) -> dict[str, Any]:
    """The event (as `apply` prints it) as the relay publishes it by default: each field the
    domain classifies as member data left out (the envelope's `effective_on` too when it is one),
    and `member_data` naming them; an event without member data as it is."""
    fields = sorted(member_fields(event["type"]))
    if not fields:
        return event
    kept = {name: value for name, value in event.items() if name not in fields}
    kept["data"] = {name: value for name, value in event["data"].items() if name not in fields}
    kept["member_data"] = {"mode": "omitted", "fields": fields}
    return kept


def household_commands(index: int, prefix: str = "H") -> list[dict[str, Any]]:
    """An application, a determination and a change: about seven events per household."""
    household_id = f"{prefix}{index}"
    return [
        application(
            household_id,
            size=2,
            magi=f"{25000 + 137 * index}.00",
            members=[member("A"), member("B", birth_date="2010-05-05")],
            command_id=f"{household_id}-apply",
        ),
        {
            "command": "determine_eligibility",
            "on": "2025-12-05",
            "household_id": household_id,
            "command_id": f"{household_id}-determine",
        },
        {
            "command": "report_change",
            "on": "2026-02-20",
            "household_id": household_id,
            "annual_magi": f"{60000 + 211 * index}.00",
            "command_id": f"{household_id}-change",
        },
    ]


def seed(
    store_url: str, households: range, prefix: str = "H", actor: str | None = None
) -> list[dict[str, Any]]:
    """Apply every household's commands (recorded by `actor`, by default the process's); the
    events recorded, in store order."""
    ledger = build_ledger(store_url)
    events: list[dict[str, Any]] = []
    try:
        for index in households:
            for command in household_commands(index, prefix):
                answer = answer_line(ledger, json.dumps(command).encode(), actor)
                assert answer is not None and answer["ok"], answer
                events.extend(answer["events"])
    finally:
        ledger.close()
    return events


def story_steps(index: int, prefix: str = "S") -> list[Any]:
    """A household's story over several aggregates: its application and determination, two
    enrollments (health and dental), a payment, a hardship waiver request, an appeal of the
    determination and a change. Each step is a command, or a function of the events recorded so
    far giving one (the appeal names the determination's event id)."""
    household_id = f"{prefix}{index}"
    health, dental = f"{household_id}-E1", f"{household_id}-E2"

    def appeal(recorded: list[dict[str, Any]]) -> dict[str, Any]:
        household = str(Household.id_for(household_id))
        determination = next(
            e
            for e in recorded
            if e["type"] == "EligibilityDetermined" and e["aggregate_id"] == household
        )
        return {
            "command": "file_appeal",
            "on": "2026-01-21",
            "appeal_id": f"{household_id}-A1",
            "household_id": household_id,
            "appealed_event_id": determination["id"],
            "grounds": "my income was counted twice",
        }

    return [
        application(household_id, on="2026-01-02", members=[member("M1")], magi="40000.00"),
        {"command": "determine_eligibility", "on": "2026-01-05", "household_id": household_id},
        select(health, household_id=household_id),
        select(dental, household_id=household_id, coverage="dental", premium="30.00"),
        pay("2026-01-12", "150.00", f"{household_id}-R1", health),
        {
            "command": "request_hardship_waiver",
            "on": "2026-01-20",
            "household_id": household_id,
            "enrollment_id": health,
            "grounds": ["utility_shutoff"],
        },
        appeal,
        {
            "command": "report_change",
            "on": "2026-01-22",
            "household_id": household_id,
            "annual_magi": f"{41000 + 100 * index}.00",
        },
    ]


def seed_stories(store_url: str, households: range, prefix: str = "S") -> list[dict[str, Any]]:
    """Every household's story, interleaved (each step for every household before the next
    step), so the store holds the households' events mixed; the events recorded, in store order."""
    ledger = build_ledger(store_url)
    events: list[dict[str, Any]] = []
    stories = [story_steps(index, prefix) for index in households]
    try:
        for step in range(len(stories[0])):
            for story in stories:
                command = story[step]
                command = command(events) if callable(command) else command
                answer = answer_line(ledger, json.dumps(command).encode())
                assert answer is not None and answer["ok"], answer
                events.extend(answer["events"])
    finally:
        ledger.close()
    return events


def household_keys(events: list[dict[str, Any]]) -> dict[str, str]:
    """Aggregate id -> the household id its first event names (every aggregate's first event
    names one)."""
    return {e["aggregate_id"]: e["data"]["household_id"] for e in events if e["version"] == 1}


def create_topic(bootstrap: str, topic: str, partitions: int = 3) -> None:
    from kafka.admin import KafkaAdminClient, NewTopic

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
    finally:
        admin.close()


def read_topic(
    bootstrap: str, topic: str, expected: int, settle: float = 0.5, timeout: float = 20.0
) -> list[Any]:
    """Every record of the topic (partitions assigned directly, no group): waits until at
    least `expected` arrived, then `settle` seconds more to catch any extra."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    records: list[Any] = []
    try:
        deadline = time.monotonic() + timeout
        partitions: set[int] = set()
        while not partitions and time.monotonic() < deadline:
            partitions = consumer.partitions_for_topic(topic) or set()
            if not partitions:
                time.sleep(0.05)
        assignment = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assignment)
        consumer.seek_to_beginning(*assignment)
        settle_until: float | None = None
        while time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=100).values():
                records.extend(batch)
            if len(records) >= expected:
                settle_until = settle_until or time.monotonic() + settle
                if time.monotonic() >= settle_until:
                    break
    finally:
        consumer.close()
    return records


def headers_of(record: Any) -> dict[str, str]:
    return {name: value.decode() for name, value in record.headers}


def first_deliveries(records: list[Any]) -> list[Any]:
    """The records in partition order with later duplicates (same ce_id) removed."""
    seen: set[str] = set()
    firsts = []
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        ce_id = headers_of(record)["ce_id"]
        if ce_id not in seen:
            seen.add(ce_id)
            firsts.append(record)
    return firsts


def ids_by_key(records: list[Any]) -> dict[bytes, list[str]]:
    """Each key's `ce_id`s in partition order."""
    by_key: dict[bytes, list[str]] = {}
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        by_key.setdefault(record.key, []).append(headers_of(record)["ce_id"])
    return by_key
