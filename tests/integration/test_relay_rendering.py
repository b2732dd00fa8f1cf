"""The relay renders each event from its decoded stored state (no domain object): the message
value must be exactly what `apply` prints for that event, encrypted store or not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from enrollment_ledger.adapters.bootstrap import build_ledger, new_cipher_key
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.adapters.kafka.cloudevent import KafkaRecord
from enrollment_ledger.adapters.kafka.member_data import (
    MemberDataMode,
    MemberDataPolicy,
    decrypt_member_data,
    new_topic_key,
    topic_key,
)
from enrollment_ledger.adapters.kafka.relay import partition_keys, records_of, rendered
from enrollment_ledger.adapters.wire import render_event
from enrollment_ledger.domain.ledger import Ledger
from enrollment_ledger.domain.member_data import ENVELOPE_FIELDS, member_fields

from bench.population import Driver, population

from ..scenarios import household_commands, pay, schedule, select


@pytest.mark.parametrize("encrypted", [False, True])
def test_the_relay_renders_every_event_as_apply_prints_it(tmp_path: Path, encrypted: bool) -> None:
    ledger = build_ledger(
        f"sqlite:///{tmp_path / 'ledger.db'}", key=new_cipher_key() if encrypted else None
    )
    printed = []
    for command in [
        *household_commands(),
        select(),
        pay("2026-01-20", "150.00", "b"),
        schedule("2026-05-31"),
    ]:
        answer = answer_line(ledger, json.dumps(command).encode())
        assert answer is not None and answer["ok"], answer
        printed.extend(answer["events"])
    notifications = ledger.recorder.select_notifications(start=1, limit=10_000)
    assert len(notifications) == len(printed) > 10
    actors = ledger.recorder.recorded_by_positions(0, notifications[-1].id)
    for notification, shown in zip(notifications, printed, strict=True):
        by = actors[notification.id]
        relayed = rendered(ledger.mapper, notification, by)
        assert relayed == shown
        assert relayed == render_event(ledger.mapper.to_domain_event(notification), by)
    ledger.close()


def test_every_event_type_of_a_generated_population_renders_as_apply_printed_it(
    tmp_path: Path,
) -> None:
    """The wire decoder (stored JSON straight to wire values) against `apply`'s own answers, over
    the benchmark's population: waivers, appeals, reinstatements, terminations and the rest."""
    ledger = build_ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    driver = Driver(ledger)
    printed = []
    for command in population(60, seed=1):
        answer = driver.apply(command)
        assert answer["ok"], answer
        printed.extend(answer["events"])
    notifications = ledger.recorder.select_notifications(start=1, limit=100_000)
    assert len(notifications) == len(printed)
    actors = ledger.recorder.recorded_by_positions(0, notifications[-1].id)
    assert [rendered(ledger.mapper, n, actors[n.id]) for n in notifications] == printed
    types = {e["type"] for e in printed}
    assert {"AppealDecided", "HardshipWaiverDecided", "CoverageTerminated"} <= types
    ledger.close()


def expected_record(ledger: Ledger, notification: Any, recorded_by: str | None, mode: str) -> Any:
    """What a consumer has always received for a stored event, spelled out from the domain event
    (`apply`'s rendering) and the contract's headers, independently of the relay's shortcuts:
    (key, value bytes, headers)."""
    event = render_event(ledger.mapper.to_domain_event(notification), recorded_by)
    fields = sorted(member_fields(str(event["type"])))
    if fields and mode == "include":
        event = {**event, "member_data": {"mode": "included", "fields": fields}}
    elif fields:
        event = {**event, "data": {k: v for k, v in event["data"].items() if k not in fields}}
        for name in ENVELOPE_FIELDS.intersection(fields):
            event.pop(name, None)
        event["member_data"] = {"mode": "omitted", "fields": fields}
    first = next(iter(ledger.events.get(UUID(event["aggregate_id"]), lte=1)))
    key = str(getattr(first, "employer_id", None) or first.household_id)
    recorded_at = str(event["recorded_at"]).replace("+00:00", "Z")
    headers = [
        ("ce_specversion", "1.0"),
        ("ce_id", event["id"]),
        ("ce_type", "org.mahealthconnector.ledger." + event["type"]),
        ("ce_source", "/mahealthconnector/enrollment-ledger"),
        ("ce_subject", event["aggregate_id"]),
        ("ce_partitionkey", key),
        ("ce_dataschema", f"urn:mahealthconnector:enrollment-ledger:schema:event:{event['type']}"),
        ("ce_time", recorded_at),
        ("content-type", "application/json"),
        ("ce_effectiveon", event.get("effective_on")),
        ("ce_recordedat", recorded_at),
        ("ce_citation", event.get("citation")),
        ("ce_policyversion", event.get("policy_version")),
        ("ce_recordedby", event.get("recorded_by")),
    ]
    if fields:
        headers += [("ce_memberdata", event["member_data"]["mode"])]
        headers += [("ce_memberdatafields", ",".join(fields))]
    value = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()
    return key.encode(), value, [(n, str(v).encode()) for n, v in headers if v is not None]


def as_sent(record: KafkaRecord) -> Any:
    """The record as the wire sees it, its dataschema's version left out (checked by
    test_published_schemas)."""
    headers = [(n, v.rsplit(b":", 1)[0] if n == "ce_dataschema" else v) for n, v in record.headers]
    return record.key, record.value, headers


@pytest.mark.parametrize("mode", ["omit", "include"])
def test_every_message_of_a_generated_population_is_byte_for_byte_what_consumers_have_received(
    tmp_path: Path, mode: str
) -> None:
    """The relay's records (key, value bytes, headers, in order), batch after batch with one
    memory of keys as the relay keeps it, against the message spelled out from each event's
    domain rendering: whatever the relay skips to go faster, a consumer receives the same."""
    ledger = build_ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    driver = Driver(ledger)
    for command in population(60, seed=2):
        assert driver.apply(command)["ok"]
    policy = MemberDataPolicy(MemberDataMode(mode))
    keys = partition_keys(ledger)
    position, compared, with_member_data = 0, 0, 0
    while batch := ledger.recorder.read_notifications(position, 97):
        actors = ledger.recorder.recorded_by_positions(position, batch[-1].id)
        records = records_of(ledger, batch, keys, policy)
        for notification, record in zip(batch, records, strict=True):
            expected = expected_record(ledger, notification, actors[notification.id], mode)
            assert as_sent(record) == expected
            with_member_data += "ce_memberdata" in dict(record.headers)
            compared += 1
        position = batch[-1].id
    assert compared == ledger.recorder.max_notification_id() > 1000
    assert with_member_data > 50
    ledger.close()


def test_member_data_sealed_with_a_topic_key_opens_to_the_event_apply_printed(
    tmp_path: Path,
) -> None:
    """With a topic key the ciphertext differs on every send (a fresh nonce): everything else is
    the omitted form, and opening it gives back the event as rendered."""
    ledger = build_ledger(f"sqlite:///{tmp_path / 'ledger.db'}", key=new_cipher_key())
    driver = Driver(ledger)
    for command in population(12, seed=3):
        assert driver.apply(command)["ok"]
    key = topic_key(new_topic_key())
    notifications = ledger.recorder.read_notifications(0, 100_000)
    actors = ledger.recorder.recorded_by_positions(0, notifications[-1].id)
    sealed = records_of(ledger, notifications, None, MemberDataPolicy(MemberDataMode.INCLUDE, key))
    opened = 0
    for notification, record in zip(notifications, sealed, strict=True):
        by = actors[notification.id]
        omitted_key, omitted_value, omitted_headers = expected_record(
            ledger, notification, by, "omit"
        )
        value = json.loads(record.value)
        sealed_headers = [
            (n, b"encrypted" if n == "ce_memberdata" else v) for n, v in omitted_headers
        ]
        assert (record.key, as_sent(record)[2]) == (omitted_key, sealed_headers)
        if value.get("member_data") is None:
            assert record.value == omitted_value
            continue
        assert value["member_data"]["mode"] == "encrypted"
        assert {**value, "member_data": json.loads(omitted_value)["member_data"]} == json.loads(
            omitted_value
        )
        event = render_event(ledger.mapper.to_domain_event(notification), by)
        back = decrypt_member_data(value, key)
        assert {k: v for k, v in back.items() if k != "member_data"} == event
        opened += 1
    assert opened > 5
    ledger.close()
