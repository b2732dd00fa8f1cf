"""The current-state topic on the Tansu broker: each enrollment's last record is the ledger's own
`coverage` and `balance` answer, with the event-topic message it reflects; a team that joins late
reads it to the end, follows the events from the position it names, and ends with the ledger's
answers, missing no event and taking none it already had."""

from __future__ import annotations

import contextlib
import io
import json
import queue
import random
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from enrollment_ledger.adapters import queries
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.adapters.kafka.consumer import (
    ConsumeOptions,
    current_answers,
    make_consumer,
    run_consume,
)
from enrollment_ledger.adapters.kafka.current_state import (
    DEFAULT_EVERY,
    CurrentAnswers,
    is_reflected,
)

from ..conftest import application, member
from ..scenarios import pay, select
from .kafka_helpers import create_topic, headers_of, read_topic, seed_stories
from .test_kafka_relay import kill_past, relay_once, relay_positions

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def coverage_topic_name() -> str:
    return f"ledger-coverage-{uuid.uuid4().hex[:12]}"


def apply_all(store_url: str, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply each command (every one accepted); the events recorded, in store order."""
    ledger = build_ledger(store_url)
    events: list[dict[str, Any]] = []
    try:
        for command in commands:
            answer = answer_line(ledger, json.dumps(command).encode())
            assert answer is not None and answer["ok"], answer
            events.extend(answer["events"])
    finally:
        ledger.close()
    return events


def small_group() -> list[dict[str, Any]]:
    """The small-group example (an employer, its group enrollment, employees, a termination for
    non-payment, a reinstatement and a voluntary termination)."""
    lines = (EXAMPLES / "small-group.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def ledger_answers(store_url: str, enrollment_ids: set[str]) -> dict[str, dict[str, Any]]:
    """The ledger's own `coverage` and `balance` answers for each enrollment."""
    ledger = build_ledger(store_url)
    try:
        return {
            e: {"coverage": queries.coverage(ledger, e), "balance": queries.balance(ledger, e)}
            for e in enrollment_ids
        }
    finally:
        ledger.close()


def last_values(records: list[Any]) -> dict[str, dict[str, Any]]:
    """The last value per key, as a compacted topic keeps it."""
    values: dict[str, dict[str, Any]] = {}
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        assert record.value is not None, "a tombstone"
        values[record.key.decode()] = json.loads(record.value)
    return values


def read_whole(bootstrap: str, coverage_topic: str) -> dict[str, dict[str, Any]]:
    """The current-state topic read to its end, the last value per key (what a reader does)."""
    values = current_answers(ConsumeOptions(kafka=bootstrap, coverage_topic=coverage_topic))
    assert all(r.value is not None for r in values.records.values()), "a tombstone"
    return values.values()


def enrollment_ids_of(events: list[dict[str, Any]]) -> set[str]:
    return {
        e["data"].get("enrollment_id") or e["data"]["group_enrollment_id"]
        for e in events
        if e["type"] in ("PlanSelected", "GroupPlanSelected")
    }


def test_each_enrollments_last_answer_is_the_ledgers_coverage_and_balance_and_names_its_event(
    store_url: str, kafka_bootstrap: str, topic: str
) -> None:
    events = [*seed_stories(store_url, range(4)), *apply_all(store_url, small_group())]
    coverage_topic = coverage_topic_name()
    create_topic(kafka_bootstrap, topic, partitions=3)

    summary = relay_once(
        store_url,
        kafka_bootstrap,
        topic,
        batch_size=7,
        coverage_topic=coverage_topic,
        coverage_every=1,  # after every batch
    )

    enrollments = enrollment_ids_of(events)
    assert len(enrollments) == 9 and "G-BAKERY" in enrollments
    records = read_topic(kafka_bootstrap, coverage_topic, summary["answers_published"])
    assert len(records) == summary["answers_published"] > len(enrollments)  # batch by batch
    values = last_values(records)
    assert set(values) == enrollments
    expected = ledger_answers(store_url, enrollments)
    for enrollment_id, value in values.items():
        assert value["enrollment_id"] == enrollment_id
        assert value["coverage"] == expected[enrollment_id]["coverage"]
        assert value["balance"] == expected[enrollment_id]["balance"]
    assert values["G-BAKERY"]["coverage"]["employees"] != []  # the group's own answer
    assert values["G-BAKERY"]["coverage"]["spans"][0]["end_on"] is not None  # ended, kept

    messages = {(r.partition, r.offset): r for r in read_topic(kafka_bootstrap, topic, len(events))}
    for value in values.values():
        named = messages[(value["events"]["partition"], value["events"]["offset"])]
        event = json.loads(named.value)
        assert value["events"]["topic"] == topic
        assert headers_of(named)["ce_subject"] == event["aggregate_id"] == value["aggregate_id"]
        assert event["version"] == value["version"]
        last_of_enrollment = [e for e in events if e["aggregate_id"] == value["aggregate_id"]][-1]
        assert event["id"] == last_of_enrollment["id"]


def test_the_relay_creates_the_current_state_topic_and_can_leave_it_out(
    store_url: str, kafka_bootstrap: str, topic: str
) -> None:
    from kafka.admin import KafkaAdminClient

    seed_stories(store_url, range(1))
    coverage_topic = coverage_topic_name()
    relay_once(store_url, kafka_bootstrap, topic, coverage_topic=None)
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        assert coverage_topic not in admin.list_topics()
        summary = relay_once(
            store_url, kafka_bootstrap, topic + "-2", coverage_topic=coverage_topic
        )
        assert summary["answers_published"] == 2  # the household's two enrollments
        assert coverage_topic in admin.list_topics()
    finally:
        admin.close()


# A team that joins late, after 1,000 households.


def enrolled_household(index: int) -> list[dict[str, Any]]:
    """An application, a determination, a health plan and (nine in ten) its binder paid; one in
    five with a dental plan as well."""
    household_id = f"L{index}"
    commands: list[dict[str, Any]] = [
        application(
            household_id,
            on="2026-01-02",
            magi=f"{30000 + 17 * index}.00",
            members=[member("M1")],
            command_id=f"{household_id}-apply",
        ),
        {"command": "determine_eligibility", "on": "2026-01-05", "household_id": household_id},
        select(f"{household_id}-E1", household_id=household_id),
    ]
    if index % 10:
        commands.append(pay("2026-01-12", "150.00", f"{household_id}-B", f"{household_id}-E1"))
    if index % 5 == 0:
        dental = f"{household_id}-E2"
        commands.append(
            select(dental, household_id=household_id, coverage="dental", premium="30.00")
        )
    return commands


def later_changes(households: range) -> list[dict[str, Any]]:
    """What happens while the late team reads: February's premiums for a third of the
    households, a voluntary termination for a few, and the month's schedule."""
    commands: list[dict[str, Any]] = []
    for index in households:
        enrollment = f"L{index}-E1"
        if index % 3 == 0 and index % 10:
            commands.append(pay("2026-01-20", "150.00", f"L{index}-FEB", enrollment))
        if index % 50 == 1:
            commands.append(
                {"command": "request_termination", "on": "2026-01-21", "enrollment_id": enrollment}
            )
    commands.append({"command": "run_schedule", "on": "2026-02-28", "through": "2026-02-28"})
    return commands


def follow_events(options: ConsumeOptions, start: CurrentAnswers, expected: int) -> list[Any]:
    """The event topic from the position the current state names, in the consumer group, until
    `expected` events not already reflected arrived and two quiet seconds passed."""
    consumer = make_consumer(options, start)
    reflected = start.reflected()
    records: list[Any] = []
    taken = 0
    quiet_since = time.monotonic()
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            batches = consumer.poll(timeout_ms=200)
            for batch in batches.values():
                records.extend(batch)
                taken += sum(1 for r in batch if not is_reflected(json.loads(r.value), reflected))
            if batches:
                quiet_since = time.monotonic()
            elif taken >= expected and time.monotonic() - quiet_since > 2:
                break
    finally:
        consumer.close()
    return records


def test_a_team_joining_after_a_thousand_households_reads_the_state_then_the_tail(
    store_url: str, kafka_bootstrap: str, topic: str
) -> None:
    households = range(1000)
    first = apply_all(store_url, [c for i in households for c in enrolled_household(i)])
    coverage_topic = coverage_topic_name()
    create_topic(kafka_bootstrap, topic, partitions=4)
    relay_once(store_url, kafka_bootstrap, topic, batch_size=500, coverage_topic=coverage_topic)
    options = ConsumeOptions(
        kafka=kafka_bootstrap,
        topic=topic,
        group=f"late-team-{uuid.uuid4().hex[:8]}",
        coverage_topic=coverage_topic,
        from_current_state=True,
    )

    # The team joins: the current state to its end.
    start = current_answers(options)
    enrollments = enrollment_ids_of(first)
    assert len(enrollments) == 1200
    snapshot = start.values()
    assert set(snapshot) == enrollments
    expected = ledger_answers(store_url, enrollments)
    assert all(snapshot[e]["coverage"] == expected[e]["coverage"] for e in enrollments)
    assert all(snapshot[e]["balance"] == expected[e]["balance"] for e in enrollments)

    # The ledger moves on; the team follows the events from the position the state names.
    later = apply_all(store_url, later_changes(households))
    summary = relay_once(
        store_url, kafka_bootstrap, topic, batch_size=500, coverage_topic=coverage_topic
    )
    assert summary["published"] == len(later) > 1000
    tail = follow_events(options, start, len(later))

    reflected = start.reflected()
    taken = [json.loads(r.value) for r in tail]
    taken = [e for e in taken if not is_reflected(e, reflected)]
    first_ids = {e["id"] for e in first}
    assert {e["id"] for e in later} <= {e["id"] for e in taken}  # no event missed
    # what it takes again of the last batch it had is a household's, which no answer reflects
    assert all(e["id"] not in first_ids or e["aggregate_id"] not in reflected for e in taken)
    stories: dict[str, list[int]] = {}
    for event in [*[e for e in first if e["aggregate_id"] in reflected], *later]:
        stories.setdefault(event["aggregate_id"], []).append(event["version"])
    tails: dict[str, set[int]] = {}
    for event in taken:
        tails.setdefault(event["aggregate_id"], set()).add(event["version"])
    for aggregate_id, version in reflected.items():  # the state, then the tail: each once
        rest = sorted(tails.get(aggregate_id, set()))
        assert list(range(1, version + 1)) + rest == stories[aggregate_id]
    # it starts at most one round of answers back (DEFAULT_EVERY events), on any machine
    assert len(tail) - len(later) <= DEFAULT_EVERY < len(first) / 4

    # The current-state topic's own tail brings each changed enrollment's answer.
    final = read_whole(kafka_bootstrap, coverage_topic)
    now = ledger_answers(store_url, enrollments)
    changed = {e for e in enrollments if now[e] != expected[e]}
    assert len(changed) > 300
    assert {
        e: {"coverage": v["coverage"], "balance": v["balance"]} for e, v in final.items()
    } == now


def test_consume_from_current_state_prints_each_answer_then_only_the_events_after_it(
    store_url: str, kafka_bootstrap: str, topic: str
) -> None:
    first = seed_stories(store_url, range(3))
    coverage_topic = coverage_topic_name()
    create_topic(kafka_bootstrap, topic, partitions=3)
    relay_once(store_url, kafka_bootstrap, topic, batch_size=4, coverage_topic=coverage_topic)
    later = apply_all(store_url, [pay("2026-01-25", "20.00", "S1-R2", "S1-E1")])
    relay_once(store_url, kafka_bootstrap, topic, batch_size=4, coverage_topic=coverage_topic)

    out = io.StringIO()
    options = ConsumeOptions(
        kafka=kafka_bootstrap,
        topic=topic,
        group=f"late-{uuid.uuid4().hex[:8]}",
        coverage_topic=coverage_topic,
        from_current_state=True,
        json=True,
        timeout_seconds=8,
    )
    assert run_consume(options, out) == 0

    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    answers = [m for m in lines if m["topic"] == coverage_topic]
    events = [m for m in lines if m["topic"] == topic]
    assert lines[: len(answers)] == answers  # the answers first
    enrollments = enrollment_ids_of(first)
    assert {m["key"] for m in answers} == enrollments
    expected = ledger_answers(store_url, enrollments)
    for message in answers:
        assert message["value"]["coverage"] == expected[message["key"]]["coverage"]
        assert message["value"]["balance"] == expected[message["key"]]["balance"]
    # The payment is in its enrollment's answer: no event of an enrollment is printed again.
    reflected = {m["value"]["aggregate_id"]: m["value"]["version"] for m in answers}
    assert later[0]["aggregate_id"] in reflected
    assert all(not is_reflected(m["value"], reflected) for m in events)
    assert len(events) < len(first)


class Lines:
    """The lines a process prints, read by one thread."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        stdout = process.stdout
        assert stdout is not None
        threading.Thread(target=lambda: [self.queue.put(x) for x in stdout], daemon=True).start()

    def until(self, done: Any, timeout: float = 60, settle: float = 2) -> list[str]:
        """The lines printed until `done(lines)` and `settle` quiet seconds, or `timeout`."""
        read: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                read.append(self.queue.get(timeout=0.2).rstrip("\n"))
                if done(read):
                    deadline = min(deadline, time.monotonic() + settle)
        return read


def test_the_late_joiners_example_prints_the_answers_then_the_events_after_them(
    store_url: str, kafka_bootstrap: str, topic: str
) -> None:
    first = seed_stories(store_url, range(3))
    coverage_topic = coverage_topic_name()
    create_topic(kafka_bootstrap, topic, partitions=3)
    relay_once(store_url, kafka_bootstrap, topic, batch_size=4, coverage_topic=coverage_topic)
    enrollments = enrollment_ids_of(first)
    expected = ledger_answers(store_url, enrollments)

    example = str(EXAMPLES / "start_from_current_state.py")
    process = subprocess.Popen(
        [sys.executable, example, kafka_bootstrap, topic, coverage_topic],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:  # it runs until stopped, as a consumer does
        lines = Lines(process)
        answers = lines.until(lambda read: len(read) >= len(enrollments))
        later = apply_all(store_url, [pay("2026-01-25", "20.00", "S1-R2", "S1-E1")])
        relay_once(store_url, kafka_bootstrap, topic, coverage_topic=coverage_topic)
        tail = lines.until(lambda read: any(later[0]["id"] in line for line in read))
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=30)

    assert "Traceback" not in errors, errors
    printed = [line.split(" ", 3) for line in [*answers, *tail]]
    shown = {key: json.loads(value) for kind, key, _, value in printed if kind == "answer"}
    assert set(shown) == enrollments
    for enrollment_id, value in shown.items():
        assert value["coverage"] == expected[enrollment_id]["coverage"]
        assert value["balance"] == expected[enrollment_id]["balance"]
    events = [json.loads(value) for kind, _, _, value in printed if kind == "event"]
    assert later[0]["id"] in [e["id"] for e in events]
    reflected = {v["aggregate_id"]: v["version"] for v in shown.values()}
    assert all(not is_reflected(e, reflected) for e in events)
    assert len(events) < len(first)


def test_with_a_round_longer_than_the_backlog_each_answer_is_published_once_when_caught_up(
    store_url: str, kafka_bootstrap: str, topic: str
) -> None:
    """A round of a million events: the answers go out once, when the relay has caught up,
    and the position still reaches the last event."""
    events = seed_stories(store_url, range(4))
    coverage_topic = coverage_topic_name()

    summary = relay_once(
        store_url,
        kafka_bootstrap,
        topic,
        batch_size=5,
        coverage_topic=coverage_topic,
        coverage_every=1_000_000,
    )

    enrollments = enrollment_ids_of(events)
    assert summary["published"] == summary["position"] == len(events)
    assert summary["answers_published"] == len(enrollments) == 8
    values = last_values(read_topic(kafka_bootstrap, coverage_topic, len(enrollments)))
    expected = ledger_answers(store_url, enrollments)
    assert {e: {"coverage": v["coverage"], "balance": v["balance"]} for e, v in values.items()} == (
        expected
    )


def publications(bootstrap: str, coverage_topic: str, count: int) -> list[tuple[int, int, str]]:
    """Each answer on the topic as (the store position its round's `follow_from` names, the
    store position of the last event it reflects, its enrollment), in that order."""
    values = [json.loads(r.value) for r in read_topic(bootstrap, coverage_topic, count)]
    return sorted(
        (
            v["follow_from"]["store_position"],
            v["events"]["store_position"],
            v["enrollment_id"],
        )
        for v in values
    )


def test_through_a_backlog_the_answers_go_out_after_every_n_events_the_same_on_every_run(
    store_url: str, kafka_bootstrap: str, topic: str
) -> None:
    """Batches of 5, a round of 12 events: the answers go out after events 15, 30, 45, ... and
    when caught up, however fast the machine; a second relay of the same store to other topics
    publishes exactly the same answers at exactly the same points."""
    events = seed_stories(store_url, range(6))
    runs = []
    for run in range(2):
        coverage_topic = coverage_topic_name()
        summary = relay_once(
            store_url,
            kafka_bootstrap,
            f"{topic}-{run}",
            batch_size=5,
            coverage_topic=coverage_topic,
            coverage_every=12,
        )
        assert summary["position"] == len(events)
        runs.append(publications(kafka_bootstrap, coverage_topic, summary["answers_published"]))

    assert runs[0] == runs[1]
    # each answer went out with the round that holds its last event: follow_from names where the
    # round before ended (a multiple of 15), and the answer's event is in the next 15 events
    for round_start, position, _ in runs[0]:
        assert round_start % 15 == 0
        assert round_start < position <= round_start + 15
    assert len({round_start for round_start, _, _ in runs[0]}) > 3
    rounds = [(r, e) for r, _, e in runs[0]]
    assert len(set(rounds)) == len(rounds)  # an enrollment's answer once per round at most


RELAY_EVERY_BATCH = (
    "import sys\n"
    "from enrollment_ledger.adapters.bootstrap import build_ledger\n"
    "from enrollment_ledger.adapters.kafka.relay import RelayOptions, run_relay\n"
    "store, kafka, topic, coverage = sys.argv[1:5]\n"
    "options = RelayOptions(kafka=kafka, topic=topic, coverage_topic=coverage,\n"
    "    coverage_every=1, batch_size=25, lease_seconds=1.0)\n"
    "run_relay(build_ledger(store), options, sys.stdout)\n"
)
"""A following relay that publishes the answers after every batch (so its position moves
batch by batch), as a process that can be killed."""


@pytest.mark.parametrize("round_", range(2))
def test_a_relay_killed_mid_way_leaves_no_answer_behind_once_resumed(
    store_url: str, kafka_bootstrap: str, topic: str, round_: int
) -> None:
    events = seed_stories(store_url, range(40))
    coverage_topic = coverage_topic_name()
    kill_at = random.Random(11 + round_).randrange(30, len(events) // 2)
    with relay_positions(store_url, topic) as position:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                RELAY_EVERY_BATCH,
                store_url,
                kafka_bootstrap,
                topic,
                coverage_topic,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        killed_at = kill_past(process, position, kill_at, 60)
    assert kill_at <= killed_at < len(events), "the relay was not killed mid-way"

    summary = relay_once(
        store_url, kafka_bootstrap, topic, lease_seconds=1.0, coverage_topic=coverage_topic
    )

    assert summary["position"] == len(events)
    enrollments = enrollment_ids_of(events)
    values = read_whole(kafka_bootstrap, coverage_topic)
    answers = {e: {"coverage": v["coverage"], "balance": v["balance"]} for e, v in values.items()}
    assert answers == ledger_answers(store_url, enrollments)


def test_the_position_passes_a_batch_only_once_its_answers_are_acknowledged(
    store_url: str, kafka_bootstrap: str, topic: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answers of a round are sent without waiting (compressed and acknowledged while the
    next batch is read and sent), but every advance of the position finds the answers of the
    batches it passes acknowledged, and no round is sent before the one before it landed."""
    from enrollment_ledger.adapters.kafka.current_state import CurrentState
    from enrollment_ledger.adapters.kafka.position import RelayState

    events = seed_stories(store_url, range(6))
    rounds: list[tuple[int, list[Any]]] = []  # (last store position covered, futures)
    checks: list[tuple[int, bool]] = []  # (position advanced to, covered and acknowledged)
    overlapped: list[bool] = []  # a round still unacknowledged when the next batch was sent
    real_send, real_land, real_advance = CurrentState.send, CurrentState.land, RelayState.advance

    def send(self: CurrentState, producer: Any, batches: Any) -> Any:
        assert all(f.is_done for _, futures in rounds for f in futures), "a round not landed"
        in_flight = real_send(self, producer, batches)
        covered = max(int(n[-1].id) for n, _ in in_flight.batches if n)
        rounds.append((covered, in_flight.futures))
        return in_flight

    def land(self: CurrentState, in_flight: Any, timeout: float) -> int:
        overlapped.append(not all(f.is_done for f in in_flight.futures))
        return real_land(self, in_flight, timeout)

    def advance(self: RelayState, position: int) -> bool:
        if self.topic == topic:
            done = [covered for covered, futures in rounds if all(f.is_done for f in futures)]
            checks.append((position, bool(done) and max(done) >= position))
        return real_advance(self, position)

    monkeypatch.setattr(CurrentState, "send", send)
    monkeypatch.setattr(CurrentState, "land", land)
    monkeypatch.setattr(RelayState, "advance", advance)
    summary = relay_once(
        store_url,
        kafka_bootstrap,
        topic,
        batch_size=4,
        coverage_topic=coverage_topic_name(),
        coverage_every=8,
    )

    assert summary["position"] == len(events)
    assert len(rounds) >= 3 and len(checks) >= 3
    assert [ok for _, ok in checks] == [True] * len(checks), checks
    assert [p for p, _ in checks] == sorted(p for p, _ in checks)
    assert len(overlapped) == len(rounds)
