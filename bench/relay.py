"""The relay against the physical limit: the very messages it published, sent again by a bare
kafka-python producer with the relay's settings, in the same process and the same run.

Two runs of `run_relay --until-caught-up` over the same store, each to fresh topics:

- `relay.ratio`: as the relay runs by default, with its current-state topic. It publishes the
  events and, between them, the enrollments' answers (`kafka/current_state.py`). The baseline
  sends the same two sets of records: the events' records (`records_of`, the bytes the relay
  sent) with an uncompressed producer, and the answers read back from the current-state topic
  (key, value and headers as the broker holds them) with a gzip producer, as the relay's own
  answers producer is. Messages per second on both sides: events and answers.
- `relay.events_ratio`: the relay without the current-state topic against the bare producer
  sending the events' records alone (the first edition's figure).

The bare side renders nothing, reads no store and folds nothing: the ratio is the share of the
relay's time that is the unavoidable send (kafka-python's own work per record and the broker's).
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from enrollment_ledger.adapters.kafka.cloudevent import KafkaRecord

ANSWERS_PATIENCE_SECONDS = 30.0


@dataclass(frozen=True)
class RelayRun:
    """One relay run and its baseline: messages and seconds on each side."""

    with_answers: bool
    events: int
    answers: int
    relay_seconds: float
    bare_seconds: float

    @property
    def messages(self) -> int:
        return self.events + self.answers

    @property
    def ratio(self) -> float:
        """Messages per second, the relay's over the bare producers' (the same messages)."""
        return self.bare_seconds / self.relay_seconds

    def describe(self) -> str:
        what = (
            f"{self.events} events and {self.answers} current-state answers"
            if self.with_answers
            else f"{self.events} events (no current-state topic)"
        )
        return (
            f"{what} relayed (run_relay --until-caught-up, {self.relay_seconds:.2f} s) vs the "
            f"same records sent by bare KafkaProducers with the relay's settings, made and "
            f"closed within the time as the relay's are ({self.bare_seconds:.2f} s: acks=all, "
            "linger 10 ms, 256 KiB batches, idempotence"
            + (", the answers gzip-compressed" if self.with_answers else "")
            + ")"
        )


def measure_relay(ledger: Any, bootstrap: str, rendering: str = "auto") -> list[RelayRun]:
    """The relay with its current-state topic, then without it, each against its baseline;
    the relay renders where `rendering` says (`RelayOptions.rendering`)."""
    _warm(bootstrap)
    return [
        relay_run(ledger, bootstrap, with_answers=True, rendering=rendering),
        relay_run(ledger, bootstrap, rendering=rendering),
    ]


def _warm(bootstrap: str) -> None:
    """Metadata and the first connection, outside every timing."""
    from enrollment_ledger.adapters.kafka.producing import make_producer

    warm = make_producer(bootstrap)
    warm.send(f"bench-warm-{time.time_ns()}", key=b"k", value=b"v").get(timeout=30)
    warm.close(timeout=5)


def relay_run(
    ledger: Any, bootstrap: str, with_answers: bool = False, rendering: str = "auto"
) -> RelayRun:
    from enrollment_ledger.adapters.kafka.relay import RelayOptions, run_relay

    suffix = str(time.time_ns())
    options = RelayOptions(
        kafka=bootstrap,
        topic=f"bench-relay-{suffix}",
        until_caught_up=True,
        coverage_topic=f"bench-coverage-{suffix}" if with_answers else None,
        rendering=cast(Any, rendering),
    )
    out = io.StringIO()
    t0 = time.perf_counter()
    code = run_relay(ledger, options, out)
    relay_seconds = time.perf_counter() - t0
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    if code != 0:
        raise RuntimeError(f"relay failed: {summary}")
    events = _event_records(ledger)
    if len(events) != int(summary["published"]):
        raise RuntimeError(f"relayed {summary['published']} events of {len(events)}")
    answers: list[KafkaRecord] = []
    if options.coverage_topic:
        answers = read_back(bootstrap, options.coverage_topic, int(summary["answers_published"]))
    bare_seconds = bare_send(bootstrap, suffix, events, answers)
    return RelayRun(with_answers, len(events), len(answers), relay_seconds, bare_seconds)


def _event_records(ledger: Any) -> list[KafkaRecord]:
    from enrollment_ledger.adapters.kafka.relay import records_of

    records: list[KafkaRecord] = []
    start = 1
    while batch := ledger.recorder.select_notifications(start=start, limit=1000):
        records.extend(records_of(ledger, batch))
        start = batch[-1].id + 1
    return records


def read_back(bootstrap: str, topic: str, count: int) -> list[KafkaRecord]:
    """The `count` records of `topic` as the broker holds them, in offset order per partition."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        consumer.topics()
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        records: list[KafkaRecord] = []
        deadline = time.monotonic() + ANSWERS_PATIENCE_SECONDS
        while len(records) < count and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(
                    KafkaRecord(key=r.key, value=r.value, headers=list(r.headers)) for r in batch
                )
    finally:
        consumer.close()
    if len(records) != count:
        raise RuntimeError(f"read back {len(records)} of the {count} answers on {topic!r}")
    return records


def bare_send(
    bootstrap: str, suffix: str, events: Sequence[KafkaRecord], answers: Sequence[KafkaRecord]
) -> float:
    """Seconds for bare producers (the relay's settings) to send `events` and `answers`, each
    set to its own fresh topic, and have every record acknowledged: from making the producers
    to closing them, as `run_relay`'s own time runs from making its producers to closing
    them."""
    from enrollment_ledger.adapters.kafka.producing import ANSWERS_COMPRESSION, make_producer

    t0 = time.perf_counter()
    producer = make_producer(bootstrap)
    answers_producer = make_producer(bootstrap, ANSWERS_COMPRESSION) if answers else None
    futures = [
        producer.send(f"bench-bare-{suffix}", key=r.key, value=r.value, headers=r.headers)
        for r in events
    ]
    if answers_producer is not None:
        futures += [
            answers_producer.send(
                f"bench-bare-answers-{suffix}", key=r.key, value=r.value, headers=r.headers
            )
            for r in answers
        ]
        answers_producer.flush(timeout=120)
    producer.flush(timeout=120)
    for future in futures:
        future.get(timeout=30)
    producer.close(timeout=5)
    if answers_producer is not None:
        answers_producer.close(timeout=5)
    return time.perf_counter() - t0
