"""The relay to a real Kafka-compatible broker (Tansu): every event once, keyed by its household
and in store order per household, as binary-mode CloudEvents; reruns publish nothing new; a SIGKILLed relay resumes without losing an
event; two relays on one store publish each event once; the example consumer drops duplicates."""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary_event
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.adapters.cli.main import main
from enrollment_ledger.adapters.commands import parse_command
from enrollment_ledger.adapters.kafka.position import RelayState
from enrollment_ledger.adapters.kafka.relay import RelayOptions, run_relay

from ..conftest import application
from .kafka_helpers import (
    create_topic,
    first_deliveries,
    headers_of,
    household_keys,
    ids_by_key,
    published_by_default,
    read_topic,
    seed,
    seed_stories,
)


def relay_once(store_url: str, bootstrap: str, topic: str, **options: Any) -> dict[str, Any]:
    ledger = build_ledger(store_url)
    out = io.StringIO()
    try:
        code = run_relay(
            ledger,
            RelayOptions(kafka=bootstrap, topic=topic, until_caught_up=True, **options),
            out,
        )
    finally:
        ledger.close()
    assert code == 0, out.getvalue()
    summary: dict[str, Any] = json.loads(out.getvalue())
    return summary


def relay_command(store_url: str, bootstrap: str, topic: str, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "enrollment_ledger.adapters.cli.main",
        "relay",
        "--store",
        store_url,
        "--kafka",
        bootstrap,
        "--topic",
        topic,
        *extra,
    ]


@contextmanager
def relay_positions(store_url: str, topic: str) -> Iterator[Callable[[], int]]:
    """Reads of the topic's relay position on one store opened once, before the relay runs:
    opening a store takes its write lock, so a poll that opened it each time waited behind a
    running relay's write transactions (and could see it only once it had finished)."""
    ledger = build_ledger(store_url)
    try:
        state = RelayState(ledger, topic, "observer", 1.0)
        state.ensure()
        yield state.position
    finally:
        ledger.close()


def kill_past(
    process: subprocess.Popen[bytes], position: Callable[[], int], kill_at: int, timeout: float
) -> int:
    """SIGKILL the relay process once its position reached `kill_at` (or `timeout` seconds
    passed); its position then."""
    try:
        deadline = time.monotonic() + timeout
        while position() < kill_at and time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()
            time.sleep(0.01)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    return position()


def relay_position(store_url: str, topic: str) -> int:
    with relay_positions(store_url, topic) as position:
        return position()


def assert_every_event_in_order(records: list[Any], events: list[dict[str, Any]]) -> None:
    """Every event delivered, keyed by its household, each household's events (first deliveries)
    in store order on one partition."""
    firsts = first_deliveries(records)
    assert [headers_of(r)["ce_id"] for r in firsts] != []
    assert {headers_of(r)["ce_id"] for r in firsts} == {e["id"] for e in events}
    keys = household_keys(events)
    expected: dict[bytes, list[str]] = {}
    for event in events:
        expected.setdefault(keys[event["aggregate_id"]].encode(), []).append(event["id"])
    assert ids_by_key(firsts) == expected
    partitions: dict[bytes, set[int]] = {}
    for record in records:
        partitions.setdefault(record.key, set()).add(record.partition)
    assert all(len(p) == 1 for p in partitions.values()), partitions


def test_every_event_arrives_once_in_order_per_key_as_a_binary_cloudevent(
    store_url: str, kafka_bootstrap: str, topic: str
) -> None:
    events = seed(store_url, range(12))
    create_topic(kafka_bootstrap, topic, partitions=3)

    summary = relay_once(store_url, kafka_bootstrap, topic, batch_size=16)

    assert summary["published"] == len(events)
    records = read_topic(kafka_bootstrap, topic, len(events))
    assert len(records) == len(events)
    assert_every_event_in_order(records, events)
    by_id = {e["id"]: e for e in events}
    keys = household_keys(events)
    for record in records:
        headers = headers_of(record)
        event = by_id[headers["ce_id"]]
        assert json.loads(record.value) == published_by_default(event)
        assert record.key == keys[event["aggregate_id"]].encode()
        assert headers["ce_partitionkey"] == keys[event["aggregate_id"]]
        assert headers["ce_specversion"] == "1.0"
        assert headers["ce_type"] == f"org.mahealthconnector.ledger.{event['type']}"
        assert headers["ce_subject"] == event["aggregate_id"]
        assert headers["content-type"] == "application/json"
        assert headers.get("ce_citation") == published_by_default(event).get("citation")
        assert headers.get("ce_policyversion") == event["policy_version"]
        assert headers.get("ce_effectiveon") == published_by_default(event).get("effective_on")
        parsed = from_binary_event(
            KafkaMessage(headers=dict(record.headers), key=record.key, value=record.value)
        )
        assert parsed.get_id() == event["id"]
        assert parsed.get_source() == "/mahealthconnector/enrollment-ledger"
        assert parsed.get_time() is not None
        assert parsed.get_time().isoformat() == event["recorded_at"]
        assert parsed.get_extension("recordedat") == headers["ce_time"]
        assert parsed.get_data() == published_by_default(event)
        assert parsed.get_extension("partitionkey") == keys[event["aggregate_id"]]


def test_a_households_whole_story_lands_on_one_partition_in_store_order(
    store_url: str, kafka_bootstrap: str, topic: str
) -> None:
    """Several enrollments, a waiver and an appeal per household, the households' commands
    interleaved in the store, on a topic of four partitions."""
    events = seed_stories(store_url, range(8))
    create_topic(kafka_bootstrap, topic, partitions=4)

    relay_once(store_url, kafka_bootstrap, topic, batch_size=10)

    records = first_deliveries(read_topic(kafka_bootstrap, topic, len(events)))
    keys = household_keys(events)
    assert len(set(keys.values())) == 8
    for household in sorted(set(keys.values())):
        story = [e for e in events if keys[e["aggregate_id"]] == household]
        assert len({e["aggregate_id"] for e in story}) == 4  # household, 2 enrollments, appeal
        assert {"PlanSelected", "HardshipWaiverRequested", "AppealFiled"} <= {
            e["type"] for e in story
        }
        delivered = [r for r in records if r.key == household.encode()]
        assert len({r.partition for r in delivered}) == 1
        assert [headers_of(r)["ce_id"] for r in delivered] == [e["id"] for e in story]
        for record, event in zip(delivered, story, strict=True):
            assert headers_of(record)["ce_partitionkey"] == household
            assert headers_of(record)["ce_subject"] == event["aggregate_id"]
    assert len({r.partition for r in records}) > 1, "the households all hashed to one partition"


def test_a_relay_started_mid_story_keys_older_aggregates_by_their_household(
    store_url: str, kafka_bootstrap: str, topic: str
) -> None:
    """The second relay starts after every aggregate's first event: it reads them back."""
    first = seed_stories(store_url, range(3))
    relay_once(store_url, kafka_bootstrap, topic)
    ledger = build_ledger(store_url)
    later: list[dict[str, Any]] = []
    try:
        for index in range(3):
            for command in (
                {
                    "command": "record_payment",
                    "on": "2026-02-01",
                    "enrollment_id": f"S{index}-E2",
                    "amount": "30.00",
                    "reference": f"S{index}-R2",
                },
                {
                    "command": "report_change",
                    "on": "2026-02-02",
                    "household_id": f"S{index}",
                    "annual_magi": "52000.00",
                },
            ):
                answer = answer_line(ledger, json.dumps(command).encode())
                assert answer is not None and answer["ok"], answer
                later.extend(answer["events"])
    finally:
        ledger.close()
    assert later and all(e["version"] > 1 for e in later)

    assert relay_once(store_url, kafka_bootstrap, topic)["published"] == len(later)

    records = read_topic(kafka_bootstrap, topic, len(first) + len(later))
    assert_every_event_in_order(records, first + later)
    keys = household_keys(first)
    for record in records:
        event_aggregate = headers_of(record)["ce_subject"]
        assert record.key == keys[event_aggregate].encode()


def test_each_message_names_who_recorded_its_event_in_its_value_and_ce_recordedby(
    store_url: str, kafka_bootstrap: str, topic: str
) -> None:
    """An event recorded before the ledger kept actors has `recorded_by` null and no header."""
    ledger = build_ledger(store_url)
    try:
        parsed = parse_command(application("OLD"))
        unattributed = ledger.execute(parsed.command, recorded_at=datetime.now(UTC))
    finally:
        ledger.close()
    events = [
        *seed(store_url, range(3), actor="intake desk"),
        *seed(store_url, range(3, 5), actor="caseworker 7"),
    ]
    relay_once(store_url, kafka_bootstrap, topic)

    total = len(unattributed) + len(events)
    records = first_deliveries(read_topic(kafka_bootstrap, topic, total))
    assert len(records) == total
    by_id = {e["id"]: e for e in events}
    shown: dict[str | None, int] = {}
    for record in records:
        headers = headers_of(record)
        value = json.loads(record.value)
        shown[value["recorded_by"]] = shown.get(value["recorded_by"], 0) + 1
        if headers["ce_id"] in by_id:
            assert value["recorded_by"] == by_id[headers["ce_id"]]["recorded_by"]
            assert headers["ce_recordedby"] == value["recorded_by"]
        else:
            assert value["recorded_by"] is None
            assert "ce_recordedby" not in headers
    assert shown == {
        None: len(unattributed),
        "intake desk": sum(e["recorded_by"] == "intake desk" for e in events),
        "caseworker 7": sum(e["recorded_by"] == "caseworker 7" for e in events),
    }
    assert all(count > 0 for count in shown.values())


def test_a_rerun_until_caught_up_publishes_only_what_was_recorded_since(
    store_url: str, kafka_bootstrap: str, topic: str
) -> None:
    first = seed(store_url, range(3))
    assert relay_once(store_url, kafka_bootstrap, topic)["published"] == len(first)

    assert relay_once(store_url, kafka_bootstrap, topic)["published"] == 0
    later = seed(store_url, range(3, 5))
    assert relay_once(store_url, kafka_bootstrap, topic)["published"] == len(later)

    records = read_topic(kafka_bootstrap, topic, len(first) + len(later))
    assert len(records) == len(first) + len(later)
    assert_every_event_in_order(records, first + later)


@pytest.mark.parametrize("round_", range(3))
def test_a_relay_killed_mid_way_resumes_without_losing_an_event(
    store_url: str, kafka_bootstrap: str, topic: str, round_: int
) -> None:
    """Bounded rounds of kill points chosen at random (seeded) along the log."""
    events = seed(store_url, range(400))
    assert len(events) > 2500
    kill_at = random.Random(7 + round_).randrange(50, 2000)
    with relay_positions(store_url, topic) as position:
        process = subprocess.Popen(
            relay_command(
                store_url, kafka_bootstrap, topic, "--batch-size", "25", "--lease-seconds", "1"
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        killed_at = kill_past(process, position, kill_at, 30)
    assert kill_at <= killed_at < len(events), "the relay was not killed mid-way"

    summary = relay_once(store_url, kafka_bootstrap, topic, lease_seconds=1.0)

    assert summary["position"] == len(events)
    records = read_topic(kafka_bootstrap, topic, len(events))
    assert_every_event_in_order(records, events)
    first_bytes = {headers_of(r)["ce_id"]: r.value for r in first_deliveries(records)}
    for record in records:  # a duplicate is the same event, byte for byte
        assert record.value == first_bytes[headers_of(record)["ce_id"]]


def test_two_relays_on_one_postgresql_store_publish_each_event_once(
    pg_store_url: str, kafka_bootstrap: str, topic: str
) -> None:
    events = seed(pg_store_url, range(150))
    relays = [
        subprocess.Popen(
            relay_command(pg_store_url, kafka_bootstrap, topic, "--until-caught-up", *extra),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for extra in (["--batch-size", "20"], ["--batch-size", "20"])
    ]
    outputs = [relay.communicate(timeout=60) for relay in relays]

    answers = [json.loads(out) for out, _ in outputs]
    publishers = [a for a in answers if a["ok"] and a["published"] == len(events)]
    assert len(publishers) == 1, outputs
    (other,) = [a for a in answers if a is not publishers[0]]
    # The other relay either found the lease free once the first had finished (nothing left to
    # publish), or found it held by a live relay and said so (issue 15: never a silent "ok").
    if other["ok"]:
        assert other["published"] == 0, outputs
    else:
        assert other["error"]["code"] == "lease_held", outputs
    codes = sorted(relay.returncode for relay in relays)
    assert codes == ([0, 0] if other["ok"] else [0, 1]), outputs
    records = read_topic(kafka_bootstrap, topic, len(events))
    assert len(records) == len(events)
    assert_every_event_in_order(records, events)


def test_a_relay_until_caught_up_while_a_live_relay_holds_the_lease_answers_lease_held(
    store_url: str, kafka_bootstrap: str, topic: str
) -> None:
    events = seed(store_url, range(3))
    with relay_positions(store_url, topic) as position:
        follower = subprocess.Popen(
            relay_command(store_url, kafka_bootstrap, topic, "--lease-seconds", "1"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 30
            while position() < len(events):
                assert follower.poll() is None, follower.communicate()
                assert time.monotonic() < deadline, "the following relay did not catch up"
                time.sleep(0.05)

            second = subprocess.run(
                relay_command(store_url, kafka_bootstrap, topic, "--until-caught-up"),
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        finally:
            follower.send_signal(signal.SIGTERM)
            follower_out, _ = follower.communicate(timeout=10)

    assert second.returncode == 1, second.stdout + second.stderr
    answer = json.loads(second.stdout)
    assert answer["ok"] is False
    assert answer["error"]["code"] == "lease_held"
    assert (
        f"published through position {len(events)} of {len(events)}" in answer["error"]["message"]
    )
    assert "Traceback" not in second.stderr
    assert json.loads(follower_out)["published"] == len(events)

    # once the follower has stopped (and released the lease), the same command succeeds
    after = subprocess.run(
        relay_command(store_url, kafka_bootstrap, topic, "--until-caught-up"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert after.returncode == 0, after.stdout + after.stderr
    summary = json.loads(after.stdout)
    assert (summary["ok"], summary["published"], summary["position"]) == (True, 0, len(events))


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_the_lease_admits_one_relay_until_it_is_released_or_expires(
    store: str, store_url: str, request: pytest.FixtureRequest
) -> None:
    url = store_url if store == "sqlite" else request.getfixturevalue("pg_store_url")
    ledger = build_ledger(url)
    now = [1000.0]
    try:
        first = RelayState(ledger, "t", "first", 10, clock=lambda: now[0])
        second = RelayState(ledger, "t", "second", 10, clock=lambda: now[0])
        first.ensure()
        second.ensure()
        assert first.acquire()
        assert not second.acquire()
        assert first.advance(7)
        assert not second.advance(9)
        assert second.position() == 7
        first.release()
        assert second.acquire()
        now[0] += 11  # the second relay dies: its lease expires
        assert first.acquire()
        assert first.holder() == "first"
    finally:
        ledger.close()


def test_a_following_relay_publishes_new_events_and_stops_cleanly_on_sigterm(
    store_url: str, kafka_bootstrap: str, topic: str
) -> None:
    first = seed(store_url, range(2))
    process = subprocess.Popen(
        relay_command(store_url, kafka_bootstrap, topic),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert len(read_topic(kafka_bootstrap, topic, len(first))) == len(first)
        later = seed(store_url, range(2, 4))
        records = read_topic(kafka_bootstrap, topic, len(first) + len(later))
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)

    assert process.returncode == 0, err
    assert json.loads(out)["published"] == len(first) + len(later)
    assert_every_event_in_order(records, first + later)
    ledger = build_ledger(store_url)
    try:
        assert RelayState(ledger, topic, "observer", 1.0).holder() is None
    finally:
        ledger.close()


def test_the_example_consumer_prints_each_event_once_and_drops_duplicates(
    store_url: str,
    kafka_bootstrap: str,
    topic: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    early = seed(store_url, range(2))
    relay_once(store_url, kafka_bootstrap, topic)
    ledger = build_ledger(store_url)
    try:  # forget the position: the early events are published a second time
        state = RelayState(ledger, topic, "rewinder", 1.0)
        assert state.acquire() and state.advance(0)
        state.release()
    finally:
        ledger.close()
    later = seed(store_url, range(2, 4))
    relay_once(store_url, kafka_bootstrap, topic)
    events = early + later
    assert len(read_topic(kafka_bootstrap, topic, len(events) + len(early))) == len(events) + len(
        early
    )
    capsys.readouterr()

    args = ["consume", "--kafka", kafka_bootstrap, "--topic", topic, "--group", topic]
    code = main(
        [
            *args,
            "--max-messages",
            str(len(events)),
            "--timeout",
            "30",
            "--seen",
            str(tmp_path / "seen.db"),
        ]
    )

    assert code == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(e["id"] for e in printed) == sorted(e["id"] for e in events)


def test_commands_other_than_relay_and_consume_do_not_import_kafka(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    code = (
        "import sys\n"
        "from enrollment_ledger.adapters.cli.main import _parser, main\n"
        "_parser().parse_args(['relay', '--kafka', 'localhost:9092'])\n"
        f"assert main(['apply', {str(empty)!r}, '--store', {'sqlite:///' + str(tmp_path / 'l.db')!r}]) == 0\n"
        "assert 'kafka' not in sys.modules, 'kafka was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def consume(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    capsys.readouterr()
    assert main(["consume", *args]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_the_example_consumer_prints_whole_messages_and_starts_a_group_over_from_the_beginning(
    store_url: str, kafka_bootstrap: str, topic: str, capsys: pytest.CaptureFixture[str]
) -> None:
    first = seed_stories(store_url, range(2))
    create_topic(kafka_bootstrap, topic, partitions=2)
    relay_once(store_url, kafka_bootstrap, topic)
    group = ["--kafka", kafka_bootstrap, "--topic", topic, "--group", f"{topic}-g", "--json"]

    read = consume(capsys, *group, "--max-messages", str(len(first)), "--timeout", "30")
    later = seed_stories(store_url, range(2, 3))
    relay_once(store_url, kafka_bootstrap, topic)
    resumed = consume(capsys, *group, "--max-messages", str(len(later)), "--timeout", "30")
    events = first + later
    replay = consume(
        capsys, *group, "--from-beginning", "--max-messages", str(len(events)), "--timeout", "30"
    )

    assert sorted(m["headers"]["ce_id"] for m in read) == sorted(e["id"] for e in first)
    assert sorted(m["headers"]["ce_id"] for m in resumed) == sorted(e["id"] for e in later)
    assert sorted(m["headers"]["ce_id"] for m in replay) == sorted(e["id"] for e in events)
    keys = household_keys(events)
    by_id = {e["id"]: e for e in events}
    for message in replay:
        event = by_id[message["headers"]["ce_id"]]
        assert message["topic"] == topic
        assert message["partition"] in (0, 1) and message["offset"] >= 0
        assert message["value"] == published_by_default(event)
        assert message["key"] == message["headers"]["ce_partitionkey"]
        assert message["key"] == keys[event["aggregate_id"]]
        assert message["headers"]["ce_subject"] == event["aggregate_id"]
    assert len({(m["partition"], m["offset"]) for m in replay}) == len(events)
    replayed_first = [m for m in replay if m["headers"]["ce_id"] in {e["id"] for e in first}]
    assert sorted(replayed_first, key=where) == sorted(read, key=where)


def where(message: dict[str, Any]) -> tuple[int, int]:
    return (message["partition"], message["offset"])
