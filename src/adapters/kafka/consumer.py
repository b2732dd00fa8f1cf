"""`enrollment-ledger consume`: an example consumer for downstream teams.

It reads the topic in a consumer group (`--group`), drops duplicates by `ce_id` (the relay
delivers at least once), prints one JSON line per event (the event exactly as `apply` prints it;
with `--json`, the whole message: topic, partition, offset, key, headers and the event) and
commits the group's offsets after printing. A new group starts at the beginning of the topic, a
known one where it left off; `--from-beginning` starts the group over from the beginning.
`--seen FILE` keeps the ids already handled in a small SQLite file, so duplicates are also
dropped across restarts; without it an in-memory set is used.

`--from-current-state` starts as a team that joins late does (see `current_state.py`): it reads
the compacted current-state topic to its end and prints each enrollment's answer (the record's
value; with `--json` the whole message), then follows the event topic from the offsets those
answers name, dropping the events they already reflect.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ...runtime.signals import stop_on_signals
from ..failures import BrokerUnavailable, NotAFile
from ..wire import dumps
from .cloudevent import header_map
from .current_state import DEFAULT_COVERAGE_TOPIC, CurrentAnswers, is_reflected, read_to_end
from .member_data import TopicKey, decrypt_member_data
from .producing import bootstrap_settings
from .relay import DEFAULT_TOPIC

DEFAULT_GROUP = "enrollment-ledger-example"


@dataclass(frozen=True)
class ConsumeOptions:
    kafka: str
    topic: str = DEFAULT_TOPIC
    group: str = DEFAULT_GROUP
    max_messages: int | None = None
    timeout_seconds: float | None = None
    seen_path: str | None = None
    json: bool = False
    """Print each message whole (`message_json`), not only its event."""
    from_beginning: bool = False
    """Start the group over from the beginning of the topic, whatever offsets it committed."""
    topic_key: TopicKey | None = None
    """Decrypt the member data of messages published with `--member-data include`."""
    from_current_state: bool = False
    """Read the current-state topic to its end first, then follow the events from there."""
    coverage_topic: str = DEFAULT_COVERAGE_TOPIC


class SeenIds:
    """The `ce_id`s already handled: in memory, or in a SQLite file when a path is given."""

    def __init__(self, path: str | None = None) -> None:
        self._memory: set[str] = set()
        self._db: sqlite3.Connection | None = None
        if path is not None:
            self._db = sqlite3.connect(Path(path))
            self._db.execute("CREATE TABLE IF NOT EXISTS seen (ce_id TEXT PRIMARY KEY)")
            self._db.commit()

    def add(self, ce_id: str) -> bool:
        """True if the id is new (and remember it)."""
        if self._db is None:
            if ce_id in self._memory:
                return False
            self._memory.add(ce_id)
            return True
        cursor = self._db.execute("INSERT OR IGNORE INTO seen (ce_id) VALUES (?)", (ce_id,))
        return cursor.rowcount == 1

    def commit(self) -> None:
        if self._db is not None:
            self._db.commit()

    def close(self) -> None:
        if self._db is not None:
            self._db.commit()
            self._db.close()


def message_json(record: Any, key: TopicKey | None = None) -> dict[str, Any]:
    """A Kafka message as `consume --json` prints it: where it is (topic, partition, offset),
    its key, its headers (text) and its value (the event, parsed; its member data decrypted
    with the topic key when one is given)."""
    value = json.loads(record.value)
    return {
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "timestamp": record.timestamp,
        "key": None if record.key is None else record.key.decode("utf-8", "replace"),
        "headers": header_map(record.headers),
        "value": value if key is None else decrypt_member_data(value, key),
    }


def event_line(record: Any, key: TopicKey | None = None) -> str:
    if key is not None:
        return dumps(decrypt_member_data(json.loads(record.value), key))
    text: str = record.value.decode("utf-8")
    return text


def message_line(record: Any, key: TopicKey | None = None) -> str:
    return dumps(message_json(record, key))


def rewinding(consumer: Any) -> Any:
    """A rebalance listener that moves each partition to the beginning of the topic the first
    time the group assigns it to this consumer (later rebalances resume where it is)."""
    from kafka import ConsumerRebalanceListener

    class Rewind(ConsumerRebalanceListener):  # type: ignore[misc]
        def __init__(self) -> None:
            self.rewound: set[Any] = set()

        def on_partitions_revoked(self, revoked: Any) -> None:
            return None

        def on_partitions_assigned(self, assigned: Any) -> None:
            fresh = [p for p in assigned if p not in self.rewound]
            if fresh:
                consumer.seek_to_beginning(*fresh)
                self.rewound.update(fresh)

    return Rewind()


def seeking(consumer: Any, offsets: dict[int, int]) -> Any:
    """A rebalance listener that moves each partition to the offset the current state names
    (a partition not named: its beginning) the first time the group assigns it to this
    consumer (later rebalances resume where it is)."""
    from kafka import ConsumerRebalanceListener

    class Seek(ConsumerRebalanceListener):  # type: ignore[misc]
        def __init__(self) -> None:
            self.placed: set[Any] = set()

        def on_partitions_revoked(self, revoked: Any) -> None:
            return None

        def on_partitions_assigned(self, assigned: Any) -> None:
            for partition in assigned:
                if partition in self.placed:
                    continue
                self.placed.add(partition)
                if partition.partition in offsets:
                    consumer.seek(partition, offsets[partition.partition])
                else:
                    consumer.seek_to_beginning(partition)

    return Seek()


def current_answers(options: ConsumeOptions) -> CurrentAnswers:
    """The current-state topic read to its end (no group)."""
    from kafka import KafkaConsumer

    reader = KafkaConsumer(
        bootstrap_servers=options.kafka.split(","),
        client_id="enrollment-ledger-consumer",
        enable_auto_commit=False,
        **bootstrap_settings(KafkaConsumer),
    )
    try:
        return read_to_end(reader, options.coverage_topic)
    finally:
        reader.close()


def make_consumer(options: ConsumeOptions, start: CurrentAnswers | None = None) -> Any:
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(
        bootstrap_servers=options.kafka.split(","),
        group_id=options.group,
        client_id="enrollment-ledger-consumer",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        # Small intervals: group (re)balancing waits for them (Tansu especially).
        max_poll_interval_ms=10_000,
        session_timeout_ms=10_000,
        heartbeat_interval_ms=1_000,
        **bootstrap_settings(KafkaConsumer),
    )
    listener = rewinding(consumer) if options.from_beginning else None
    if start is not None:
        listener = seeking(consumer, start.follow_from())
    consumer.subscribe(topics=[options.topic], listener=listener)
    return consumer


def run_consume(options: ConsumeOptions, out: IO[str], stop: threading.Event | None = None) -> int:
    """Print new events until `--max-messages` were printed, `--timeout` seconds passed without
    a new message, or SIGTERM/SIGINT. A broker that does not answer raises BrokerUnavailable
    (the command line's one mapping answers it, exit 1)."""
    from kafka.errors import KafkaError

    stop = stop or threading.Event()
    if options.seen_path is not None and Path(options.seen_path).is_dir():
        raise NotAFile(f"--seen names a folder ({options.seen_path}), not a file")
    start: CurrentAnswers | None = None
    try:
        if options.from_current_state:
            start = current_answers(options)
        consumer = make_consumer(options, start)
    except KafkaError as e:
        raise BrokerUnavailable(
            f"no Kafka broker answers at {options.kafka} ({type(e).__name__})"
        ) from None
    seen = SeenIds(options.seen_path)
    render: Callable[[Any, TopicKey | None], str] = message_line if options.json else event_line

    def line(record: Any) -> str:
        return render(record, options.topic_key)

    printed = 0
    reflected: dict[str, int] = {}
    if start is not None:
        reflected = start.reflected()
        for record in start.records.values():
            out.write(line(record) + "\n")
        out.flush()
    last_message = time.monotonic()
    try:
        with stop_on_signals(stop):
            while not stop.is_set():
                if options.max_messages is not None and printed >= options.max_messages:
                    break
                if (
                    options.timeout_seconds is not None
                    and time.monotonic() - last_message >= options.timeout_seconds
                ):
                    break
                limit = 500
                if options.max_messages is not None:
                    limit = min(limit, options.max_messages - printed)
                # At most the records still wanted: every record polled is handled (printed or
                # dropped as a duplicate) before the offsets are committed.
                batches = consumer.poll(timeout_ms=200, max_records=limit)
                if not batches:
                    continue
                last_message = time.monotonic()
                for records in batches.values():
                    for record in records:
                        ce_id = header_map(record.headers).get("ce_id")
                        if ce_id is not None and not seen.add(ce_id):
                            continue
                        if reflected and is_reflected(json.loads(record.value), reflected):
                            continue
                        out.write(line(record) + "\n")
                        printed += 1
                out.flush()
                seen.commit()
                consumer.commit()
    finally:
        seen.close()
        consumer.close()
    return 0
