"""Helpers for the Kafka tests: seed a store through the command path, read a whole topic."""

from __future__ import annotations

import json
import time
from typing import Any

from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import answer_line

from ..conftest import application, member


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


def versions_by_key(records: list[Any]) -> dict[bytes, list[int]]:
    by_key: dict[bytes, list[int]] = {}
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        by_key.setdefault(record.key, []).append(json.loads(record.value)["version"])
    return by_key
