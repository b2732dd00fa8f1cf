"""The relay's rendering in a second process (`kafka/rendering.py`): the same messages as rendered
in the relay's own process, the same rounds of answers, a store error raised in the relay as a
store error, a dead rendering process reported instead of waited for, and no rendering process
left behind when the relay is killed (no timing asserted: the benchmark measures)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from typing import Any

import psutil
import pytest
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.kafka.current_state import Acked
from enrollment_ledger.adapters.kafka.member_data import MemberDataPolicy
from enrollment_ledger.adapters.kafka.rendering import (
    LocalRendering,
    ProcessRendering,
    Rendering,
    RenderingFailed,
)
from enrollment_ledger.runtime.outage import STORE_ERRORS
from sqlalchemy import create_engine, text

from .kafka_helpers import create_topic, headers_of, read_topic, seed_stories
from .test_current_state_topic import apply_all, coverage_topic_name, small_group
from .test_kafka_relay import relay_command, relay_once


def published(bootstrap: str, topic: str, count: int) -> list[tuple[int, bytes, bytes, Any]]:
    """The topic's records as (partition, key, value, headers), in offset order per partition,
    the topic's own name taken out of the values (the answers name their event topic)."""
    records = read_topic(bootstrap, topic, count)
    ordered = sorted(records, key=lambda r: (r.partition, r.offset))
    return [
        (r.partition, r.key, r.value.replace(topic.encode(), b"TOPIC"), headers_of(r))
        for r in ordered
    ]


def test_the_relay_publishes_the_same_messages_rendered_here_or_in_a_process(
    store_url: str, kafka_bootstrap: str, topic: str
) -> None:
    events = [*seed_stories(store_url, range(5)), *apply_all(store_url, small_group())]
    runs: dict[str, tuple[Any, Any]] = {}
    for where in ("here", "process"):
        events_topic, coverage_topic = f"{topic}-{where}", coverage_topic_name()
        create_topic(kafka_bootstrap, events_topic, partitions=3)
        summary = relay_once(
            store_url,
            kafka_bootstrap,
            events_topic,
            batch_size=6,
            coverage_topic=coverage_topic,
            coverage_every=10,
            rendering=where,
        )
        assert summary["published"] == summary["position"] == len(events)
        answers = summary["answers_published"]
        runs[where] = (
            published(kafka_bootstrap, events_topic, len(events)),
            [
                (key, json.loads(value.replace(events_topic.encode(), b"TOPIC")))
                for _, key, value, _ in published(kafka_bootstrap, coverage_topic, answers)
            ],
        )

    here, in_a_process = runs["here"], runs["process"]
    assert len(here[0]) == len(events) and len(here[1]) > 10
    assert in_a_process[0] == here[0]  # every event message, byte for byte, in the same place
    assert in_a_process[1] == here[1]  # the same answers in the same rounds, follow_from too


def rendering_of(where: str, store_url: str, batch_size: int = 5) -> tuple[Any, Rendering]:
    ledger = build_ledger(store_url)
    kind = ProcessRendering if where == "process" else LocalRendering
    return ledger, kind(ledger, batch_size, MemberDataPolicy(), "events")


def acks_for(notifications: Any) -> list[Acked]:
    return [Acked(0, int(n.id) - 1) for n in notifications]


@pytest.mark.parametrize("where", ["here", "process"])
def test_answers_asked_before_a_discard_are_dropped_not_sent_with_the_next_round(
    store_url: str, where: str
) -> None:
    """A relay that loses its lease discards what it asked for: the answers it asks for next are
    those of the batches collected since, never the discarded round's."""
    seed_stories(store_url, range(4))
    ledger, rendering = rendering_of(where, store_url, batch_size=15)
    try:
        rendering.start(0)
        first, second = rendering.next(), rendering.next()
        assert first is not None and second is not None
        rendering.folding.collect(first.notifications, acks_for(first.notifications))
        rendering.folding.ask()
        rendering.folding.discard()
        rendering.folding.collect(second.notifications, acks_for(second.notifications))
        rendering.folding.ask()
        answers = rendering.folding.answer()
    finally:
        rendering.close()
        ledger.close()

    named = [json.loads(r.value)["events"]["store_position"] for r in answers]
    last = int(second.notifications[-1].id)
    assert named and all(int(first.notifications[-1].id) < p <= last for p in named)


def test_a_store_error_in_the_rendering_process_is_a_store_error_in_the_relay(
    store_url: str,
) -> None:
    seed_stories(store_url, range(2))
    ledger, rendering = rendering_of("process", store_url)
    try:
        rendering.start(0)
        assert rendering.next() is not None
        engine = create_engine(store_url)
        with engine.begin() as connection:  # the store's events are gone from under it
            connection.execute(text("ALTER TABLE ledger_events RENAME TO moved_events"))
        engine.dispose()
        rendering.start(0)
        with pytest.raises(STORE_ERRORS) as raised:
            rendering.next()
    finally:
        rendering.close()
        ledger.close()
    assert "moved_events" not in str(raised.value) and "ledger_events" in str(raised.value)


def test_a_rendering_process_that_died_is_reported_not_waited_for(store_url: str) -> None:
    seed_stories(store_url, range(1))
    ledger, rendering = rendering_of("process", store_url)
    assert isinstance(rendering, ProcessRendering)
    try:
        rendering.start(0)
        os.kill(rendering._process.pid or 0, signal.SIGKILL)
        rendering._process.join(10)
        with pytest.raises(RenderingFailed, match="exited"):
            while rendering.next() is not None:  # what it sent before it died, then the news
                pass
    finally:
        rendering.close()
        ledger.close()


def test_a_killed_relay_leaves_no_rendering_process_behind(
    store_url: str, kafka_bootstrap: str, topic: str
) -> None:
    seed_stories(store_url, range(2))
    relay = subprocess.Popen(
        [*relay_command(store_url, kafka_bootstrap, topic), "--rendering", "process"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        parent = psutil.Process(relay.pid)
        deadline = time.monotonic() + 30
        children: list[psutil.Process] = []
        while not children and time.monotonic() < deadline:
            assert relay.poll() is None
            children = parent.children()
            time.sleep(0.05)
        assert children, "the relay started no rendering process"
    finally:
        os.kill(relay.pid, signal.SIGKILL)
        relay.wait(10)
    gone, alive = psutil.wait_procs(children, timeout=20)
    for process in alive:
        process.kill()
    assert alive == [] and len(gone) == len(children)


def test_the_relays_command_line_chooses_where_it_renders() -> None:
    from enrollment_ledger.adapters.cli.main import _parser

    relay = ["relay", "--kafka", "k:9092"]
    assert _parser().parse_args(relay).rendering == "auto"
    assert _parser().parse_args([*relay, "--rendering", "here"]).rendering == "here"
    with pytest.raises(SystemExit):
        _parser().parse_args([*relay, "--rendering", "elsewhere"])


def test_the_rendering_process_outlives_the_terminals_signals_so_the_relay_can_finish(
    store_url: str,
) -> None:
    """Ctrl-C and SIGTERM reach a whole process group: the relay finishes its round and then
    stops the rendering process itself, which goes on rendering meanwhile."""
    seed_stories(store_url, range(2))
    ledger, rendering = rendering_of("process", store_url, batch_size=3)
    assert isinstance(rendering, ProcessRendering)
    try:
        rendering.start(0)
        assert rendering.next() is not None  # serving
        for signum in (signal.SIGINT, signal.SIGTERM):
            os.kill(rendering._process.pid or 0, signum)
        rendering._process.join(1)
        assert rendering._process.is_alive()
        assert rendering.next() is not None
    finally:
        rendering.close()
        ledger.close()


def test_the_rendering_process_keeps_a_bounded_number_of_uncollected_batches(
    store_url: str,
) -> None:
    """A relay without the current-state topic collects no batch: the rendering process keeps
    only its latest few for collection; a batch collected after it was dropped is read from the
    store again and folds to the same answers as one that was kept."""
    import queue as queues

    from enrollment_ledger.adapters.kafka.rendering import _Server

    seed_stories(store_url, range(8))
    ledgers = [build_ledger(store_url), build_ledger(store_url)]
    try:
        dropping, keeping = (
            _Server(LocalRendering(ledger, 15, MemberDataPolicy(), "events"), 2, queues.Queue())
            for ledger in ledgers
        )
        for server in (dropping, keeping):
            server.handle(("start", 1, 0))
        batches: list[tuple[Any, ...]] = []
        while dropping.streaming:
            dropping.render()
            dropping.credits += 1  # taken at once, as a relay without answers takes them
            assert len(dropping.kept) <= dropping.keeping
            batches.append(dropping.replies.get_nowait())
        assert batches[-1][0] == "caught_up" and len(batches) > dropping.keeping + 2
        positions = batches[2][2]  # the first batch with enrollments' events
        for _ in range(3):  # the same batches, kept
            keeping.render()
            keeping.replies.get_nowait()
        assert positions[-1] not in dropping.kept and positions[-1] in keeping.kept

        answers = []
        for server in (dropping, keeping):
            acks = [(0, p - 1) for p in positions]
            server.handle(("collect", positions[0], positions[-1], len(positions), acks))
            server.handle(("take",))
            answers.append(server.replies.get_nowait())
    finally:
        for ledger in ledgers:
            ledger.close()
    assert answers[0][0] == "taken" and answers[0][1] != []
    assert answers[0] == answers[1]
