"""The current-state topic: each enrollment's `coverage` and `balance` answer, compacted.

Alongside the event topic, the relay keeps a topic (`enrollment-ledger.coverage` by default,
`--coverage-topic` / `LEDGER_COVERAGE_TOPIC`) created with `cleanup.policy=compact`, keyed by the
enrollment id as given in commands (a small group's enrollment id for a group enrollment), whose
value is that enrollment's current answer: the same JSON as `coverage ID --json` and
`balance ID --json` (a small group's answers for a group enrollment). It is never a tombstone:
an ended enrollment keeps its last answer, with its end.

When: after the broker acknowledged a batch of events, the relay folds every enrollment the
batch touched (the domain's own fold, through its last event in that batch: never past what is
on the event topic) and, before its position advances past those events, publishes their
answers and waits for these acknowledgements too: after the batch that brings the events relayed
since the last publication to `every` (`DEFAULT_EVERY`) or more while it works through a
backlog, and at once when it has caught up or stops. No clock decides it: the same store relayed
with the same batch size publishes at the same events on every machine. A relay
that dies in between resends the events and the answers from its last acknowledged position: an
answer is never lost, at worst published twice (the same answer; the last value per key wins).

Where it stands (`events`): the event-topic message of the enrollment's last event the answer
reflects (topic, partition, offset, store position) and the enrollment's aggregate id and
`version` (its events 1..version are reflected). Where to follow the events from
(`follow_from`): per partition of the event topic, the first offset to read; every message below
those offsets has its answer on this topic in a record written before this one (or, when a relay
died before its position advanced, is published again after them). A team that joins late:

1. reads this topic to its end (the last value per key wins) and keeps the `follow_from` of
   the record with the greatest `follow_from.store_position`;
2. follows the event topic from those offsets (a partition not named: from its beginning),
   dropping an event of an enrollment whose `version` is not above the version its answer
   names (already reflected), and duplicates by `ce_id` as always.

`follow_from` trails the record's own publication by one (the records published together are
written to several partitions of this topic, and a reader may stop between them), so step 2
reads at most one publication's events again; its version test drops what the answers already
reflect.

No Kafka import at module level: kafka-python is imported by the functions that talk to the
broker.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.utils import resolve_topic

from ...domain.enrollment import Enrollment
from ...domain.group_enrollment import GroupEnrollment
from ...domain.group_enrollment import replay as replay_group
from ...domain.ledger import Ledger
from ...projections.folding import Folds
from ...projections.group_views import balance_answer, coverage_answer
from ..wire import dumps_bytes
from .cloudevent import CONTENT_TYPE, KafkaRecord
from .producing import await_acks, bootstrap_settings, send

DEFAULT_COVERAGE_TOPIC = "enrollment-ledger.coverage"
COVERAGE_TOPIC_ENV = "LEDGER_COVERAGE_TOPIC"
DEFAULT_EVERY = 1000
"""Events relayed between two publications of the answers while the relay works through a
backlog (counted in whole batches: the answers go out after the batch that reaches it)."""
GROUP_CACHE_SIZE = 1024
"""Small groups' enrollments the relay keeps folded between batches."""
VALUE_VERSION = 1
"""The shape of a value (`value_version`): a new field keeps it, a changed one bumps it."""


def coverage_topic_from_env(environ: Mapping[str, str] | None = None) -> str:
    """`LEDGER_COVERAGE_TOPIC` when set (and not empty), else the default topic."""
    value = (os.environ if environ is None else environ).get(COVERAGE_TOPIC_ENV, "").strip()
    return value or DEFAULT_COVERAGE_TOPIC


@dataclass(frozen=True)
class Acked:
    """Where the broker put an event's message: its partition and offset."""

    partition: int
    offset: int


def acked(metadata: Any) -> Acked:
    """kafka-python's RecordMetadata (what an acknowledged send's future answers) as `Acked`."""
    return Acked(int(metadata.partition), int(metadata.offset))


@dataclass(frozen=True)
class InFlightAnswers:
    """Answers sent and not yet acknowledged, with the event batches they cover."""

    futures: list[Any]
    batches: list[tuple[Sequence[Any], Sequence[Acked]]]


class Folder:
    """The answers of the enrollments each acknowledged batch touched, folded in store order.

    Individual enrollments are folded through `projections.folding.Folds` (the read models' own
    cache: a cached fold is brought forward by the batch's events); a small group's enrollment
    is folded from the store through the batch's last event of it. It runs where the relay's
    rendering runs (`rendering.py`: in the relay's process, or in its rendering process)."""

    def __init__(self, ledger: Ledger, events_topic: str) -> None:
        self.ledger = ledger
        self.events_topic = events_topic
        self.folds = Folds(ledger)
        self._kinds: dict[str, type | None] = {}
        self._groups: dict[UUID, GroupEnrollment] = {}
        """Small groups' enrollments as last folded (at most GROUP_CACHE_SIZE)."""
        self._pending: dict[UUID, tuple[Enrollment | GroupEnrollment, Any, Acked]] = {}
        self._asked: list[list[KafkaRecord]] = []

    def _kind(self, stored_topic: str) -> type | None:
        """Enrollment or GroupEnrollment for an enrollment's event topic, None for any other."""
        if stored_topic not in self._kinds:
            kind: type | None = None
            try:
                cls = resolve_topic(stored_topic)
            except Exception:  # a topic this version cannot resolve is no enrollment's
                cls = None
            if isinstance(cls, type) and issubclass(cls, Enrollment.Event):
                kind = Enrollment
            elif isinstance(cls, type) and issubclass(cls, GroupEnrollment.Event):
                kind = GroupEnrollment
            self._kinds[stored_topic] = kind
        return self._kinds[stored_topic]

    def collect(self, notifications: Sequence[Any], acks: Sequence[Acked]) -> None:
        """An acknowledged batch: fold every enrollment it touched through its last event in
        the batch (now, so the folds follow the store order) and remember its state and the
        message of that event until `take`; `acks[i]` is where `notifications[i]` was
        published."""
        touched: dict[UUID, list[int]] = {}
        kinds: dict[UUID, type] = {}
        for index, notification in enumerate(notifications):
            kind = self._kind(notification.topic)
            if kind is not None:
                touched.setdefault(notification.originator_id, []).append(index)
                kinds[notification.originator_id] = kind
        for aggregate_id, indices in touched.items():
            stored = [notifications[i] for i in indices]
            state = self._fold(kinds[aggregate_id], aggregate_id, stored)
            if state is not None:
                last = indices[-1]
                self._pending.pop(aggregate_id, None)
                self._pending[aggregate_id] = (state, notifications[last], acks[last])

    def take(self) -> list[KafkaRecord]:
        """One record per enrollment touched since the last `take`: its latest answer, still
        without its `follow_from` (`with_follow_from`: only the relay knows, when it sends them,
        which answers have landed); what was collected is then forgotten."""
        records = [
            self._record(state, notification, ack)
            for state, notification, ack in self._pending.values()
        ]
        self._pending = {}
        return records

    def ask(self) -> None:
        """`take`, its records kept for `answer` (the rendering process answers the same two
        calls without making the relay wait between them)."""
        self._asked.append(self.take())

    def answer(self) -> list[KafkaRecord]:
        """The records of the oldest `ask` not answered yet."""
        return self._asked.pop(0)

    def discard(self) -> None:
        """Forget what was collected and asked: the relay resends those events (and so their
        answers)."""
        self._pending.clear()
        self._asked.clear()

    def _fold(
        self, kind: type, aggregate_id: UUID, stored: Sequence[Any]
    ) -> Enrollment | GroupEnrollment | None:
        if kind is GroupEnrollment:
            return self._fold_group(aggregate_id, stored)
        events = [self.ledger.mapper.to_domain_event(n) for n in stored]
        folded = self.folds.through(aggregate_id, events)
        return None if folded is None else folded.state

    def _fold_group(self, aggregate_id: UUID, stored: Sequence[Any]) -> GroupEnrollment | None:
        """A small group's enrollment through the last of `stored` (its next events, in version
        order): its cached state brought forward when that stands just before them, else folded
        from the store (the first time, or after a discarded round sent events again)."""
        first, last = stored[0].originator_version, stored[-1].originator_version
        group = self._groups.pop(aggregate_id, None)  # never left half-applied in the cache
        if group is not None and group.version == first - 1 and last - first == len(stored) - 1:
            for notification in stored:
                group.fold_in(self.ledger.mapper.to_domain_event(notification))
        else:
            group = replay_group(list(self.ledger.events.get(aggregate_id, lte=last)))
        if group is not None:
            self._groups[aggregate_id] = group
            if len(self._groups) > GROUP_CACHE_SIZE:
                del self._groups[next(iter(self._groups))]  # the least recently folded
        return group

    def _record(
        self,
        state: Enrollment | GroupEnrollment,
        notification: Any,
        ack: Acked,
    ) -> KafkaRecord:
        coverage = coverage_answer(state)
        value = {
            "value_version": VALUE_VERSION,
            "enrollment_id": coverage["enrollment_id"],
            "aggregate_id": str(notification.originator_id),
            "version": int(notification.originator_version),
            "coverage": coverage,
            "balance": balance_answer(state),
            "events": {
                "topic": self.events_topic,
                "partition": ack.partition,
                "offset": ack.offset,
                "store_position": int(notification.id),
            },
        }
        return KafkaRecord(
            key=str(coverage["enrollment_id"]).encode(),
            value=dumps_bytes(value),
            headers=[("content-type", CONTENT_TYPE.encode())],
        )


def with_follow_from(
    records: Sequence[KafkaRecord], follow_from: dict[str, Any]
) -> list[KafkaRecord]:
    """The answers with their last field, `follow_from`: the same bytes as the whole value
    encoded at once (compact JSON in field order, `wire.dumps_bytes`), by appending it to each
    value (a JSON object) in place of its closing brace."""
    tail = b',"follow_from":' + dumps_bytes(follow_from) + b"}"
    return [KafkaRecord(r.key, r.value[:-1] + tail, r.headers) for r in records]


class Folding(Protocol):
    """What the current-state topic asks of a `Folder`, wherever it runs."""

    def collect(self, notifications: Sequence[Any], acks: Sequence[Acked]) -> None: ...

    def ask(self) -> None: ...

    def answer(self) -> list[KafkaRecord]: ...

    def discard(self) -> None: ...


class CurrentState:
    """When the answers are published and where a late reader may follow the event topic from;
    the answers themselves are folded and rendered by a `Folder` (in this process, or in the
    relay's rendering process: `rendering.py`)."""

    def __init__(
        self,
        ledger: Ledger,
        topic: str,
        events_topic: str,
        every: int = DEFAULT_EVERY,
        folder: Folding | None = None,
    ) -> None:
        self.topic = topic
        self.events_topic = events_topic
        self.folder: Folding = folder if folder is not None else Folder(ledger, events_topic)
        self.offsets: dict[int, int] = {}
        """Per partition of the event topic, the offset after the last message whose answer is
        published: with `started`, the `follow_from` of the next publication."""
        self.store_position = 0
        """The store position `offsets` stands at."""
        self.published = 0
        """How many answers were published (acknowledged)."""
        self.every = every
        """Events relayed between two publications while working through a backlog."""
        self._batches: list[tuple[Sequence[Any], Sequence[Acked]]] = []
        self._collected = 0
        """Events in the batches collected since the last publication."""
        self._starting: threading.Thread | None = None
        self.started: dict[int, int] = {}
        """Per partition of the event topic, the offset of this relay's first message there:
        every message below it is older (its answer published by an earlier relay, or, when
        that one died first, its event published again by this one)."""
        self.start_error: Exception | None = None

    def collect(self, notifications: Sequence[Any], acks: Sequence[Acked]) -> None:
        """An acknowledged batch (`acks[i]` is where `notifications[i]` was published): its
        enrollments are folded now (`Folder.collect`), their answers sent at the next `send`."""
        self.folder.collect(notifications, acks)
        self._batches.append((notifications, acks))
        self._collected += len(notifications)
        for ack in acks:
            if ack.partition not in self.started or ack.offset < self.started[ack.partition]:
                self.started[ack.partition] = ack.offset

    @property
    def pending(self) -> bool:
        """Batches collected whose answers are not published yet."""
        return bool(self._batches)

    def due(self) -> bool:
        """`every` events or more were collected since the last `send` (a relay with a backlog
        publishes the answers at that pace, and whenever it has caught up)."""
        return self._collected >= self.every

    def discard(self) -> None:
        """Forget what was collected: the relay resends those events (and so their answers)."""
        self.folder.discard()
        self._batches.clear()
        self._collected = 0

    def _follow_from(self) -> dict[str, Any]:
        offsets = {**self.started, **self.offsets}
        return {
            "store_position": self.store_position,
            "offsets": {str(p): o for p, o in sorted(offsets.items())},
        }

    def ask(self) -> list[tuple[Sequence[Any], Sequence[Acked]]]:
        """Have the answers collected rendered (one record per enrollment touched: its latest
        answer), without waiting for them: the batches they cover, for `send`. The next batches
        collect afresh."""
        self.folder.ask()
        batches, self._batches, self._collected = self._batches, [], 0
        return batches

    def send(
        self, producer: Any, batches: list[tuple[Sequence[Any], Sequence[Acked]]]
    ) -> InFlightAnswers:
        """Send the answers asked last (covering `batches`), without waiting for the broker.
        The relay lands them (`land`) before it advances its position past the batches they
        cover, and before it sends the next."""
        self.ready()
        records = with_follow_from(self.folder.answer(), self._follow_from())
        return InFlightAnswers(send(producer, self.topic, records), batches)

    def land(self, in_flight: InFlightAnswers, timeout: float) -> int:
        """Wait for the answers' acknowledgements (RelayError from `producing.await_acks` when
        they do not come); then the next records may let a reader skip the messages of the
        batches they covered. How many were published."""
        await_acks(in_flight.futures, timeout)
        for notifications, acks in in_flight.batches:
            for ack in acks:
                if ack.offset + 1 > self.offsets.get(ack.partition, 0):
                    self.offsets[ack.partition] = ack.offset + 1
            if notifications:
                self.store_position = max(self.store_position, int(notifications[-1].id))
        self.published += len(in_flight.futures)
        return len(in_flight.futures)

    def start_in_background(self, bootstrap: str) -> None:
        """Create the topic on a thread while the relay publishes its first events; the first
        `send` waits for it (at most 30 seconds), so the answers never create it uncompacted."""

        def start() -> None:
            try:
                ensure_compacted_topic(bootstrap, self.topic)
            except Exception as e:  # reported, and the relay carries on
                self.start_error = e

        self._starting = threading.Thread(target=start, name="current-state-start", daemon=True)
        self._starting.start()

    def ready(self, timeout: float = 30.0) -> None:
        """Wait for `start_in_background` (at most `timeout` seconds, then go on without it)."""
        if self._starting is None:
            return
        self._starting.join(timeout)
        if self._starting.is_alive():
            self.start_error = self.start_error or TimeoutError("the broker did not answer")
        self._starting = None


def ensure_compacted_topic(bootstrap: str, topic: str, partitions: int = 3) -> str:
    """Create the topic with `cleanup.policy=compact` when it does not exist; what was done
    ("created", "exists"). A broker that refuses the admin request (or ignores the config, as
    an in-memory Tansu does not compact) still gives the consumer's semantics: the last value
    per key wins."""
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import TopicAlreadyExistsError

    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap.split(","),
        client_id="enrollment-ledger",
        **bootstrap_settings(KafkaAdminClient),
    )
    try:
        admin.create_topics(
            [
                NewTopic(
                    topic,
                    num_partitions=partitions,
                    replication_factor=1,
                    topic_configs={"cleanup.policy": "compact"},
                )
            ]
        )
        return "created"
    except TopicAlreadyExistsError:
        return "exists"
    finally:
        admin.close()


@dataclass
class CurrentAnswers:
    """What a late reader has read of the current-state topic: the last record per enrollment,
    and where to follow the event topic from."""

    records: dict[str, Any]
    """Enrollment id -> its last record (kafka-python's ConsumerRecord), in reading order."""
    _values: dict[str, dict[str, Any]] | None = field(default=None, init=False, repr=False)

    def values(self) -> dict[str, dict[str, Any]]:
        """Enrollment id -> its last value (parsed once)."""
        if self._values is None:
            self._values = {key: json.loads(r.value) for key, r in self.records.items()}
        return self._values

    def follow_from(self) -> dict[int, int]:
        """Per partition of the event topic, the first offset to read (a partition not named:
        from its beginning): the `follow_from` of the record with the greatest store position."""
        best: dict[str, Any] | None = None
        for value in self.values().values():
            candidate = value["follow_from"]
            if best is None or candidate["store_position"] > best["store_position"]:
                best = candidate
        return {} if best is None else {int(p): int(o) for p, o in best["offsets"].items()}

    def reflected(self) -> dict[str, int]:
        """Aggregate id -> the last version of its events the answers reflect."""
        return {v["aggregate_id"]: int(v["version"]) for v in self.values().values()}


def read_to_end(
    consumer: Any, topic: str, quiet_ms: int = 500, patience: float = 10.0
) -> CurrentAnswers:
    """Read the current-state topic from its beginning to its end (partitions assigned directly:
    no group), keeping the last record per key. The end: past the end offsets the broker gave
    when reading began, and then a poll of `quiet_ms` that brings nothing (Tansu's end offsets
    can stop short of its last records); or `patience` seconds without a record."""
    from kafka import TopicPartition

    consumer.topics()  # fresh metadata
    partitions = [
        TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())
    ]
    records: dict[str, Any] = {}
    if not partitions:
        return CurrentAnswers(records)
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    ends = consumer.end_offsets(partitions)
    last_record = time.monotonic()
    while True:
        batches = consumer.poll(timeout_ms=quiet_ms)
        for batch in batches.values():
            for record in batch:
                records.pop(record.key.decode(), None)
                records[record.key.decode()] = record
        if batches:
            last_record = time.monotonic()
        elif all(consumer.position(p) >= ends[p] for p in partitions):
            break
        elif time.monotonic() - last_record > patience:
            break  # an end offset nothing reaches: what came is all there is
    consumer.unsubscribe()
    return CurrentAnswers(records)


def is_reflected(event: Mapping[str, Any], reflected: Mapping[str, int]) -> bool:
    """The event (a message's value) is already in the answer read for its enrollment."""
    version = reflected.get(str(event.get("aggregate_id")))
    return version is not None and int(event.get("version", 0)) <= version
