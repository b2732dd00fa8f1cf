"""Where the relay's own work runs: rendering the events' records and the current-state answers.

Besides handing each event to Kafka, the relay reads it from the store, renders it (a CloudEvent:
`records_of`) and, with the current-state topic, folds the enrollments it touched and renders
their answers (`current_state.Folder`). kafka-python's `send` is Python too, and in one process
the two share one interpreter lock, so one core. By default (`RelayOptions.rendering`, "auto": a
machine with more than one CPU, a platform that forks, a store not in memory) the rendering runs
in a second process forked from the relay (`ProcessRendering`), which reads the store on
connections of its own and renders batches ahead while the relay sends them, and folds and
renders the answers when asked; the relay itself
sends, waits for the broker's acknowledgements and advances its position, exactly as before.
`LocalRendering` does the same work in the relay's process ("here").

Both answer the same calls (`Rendering`), with the same results in the same order:

- `start(after)`: render from store position `after` (the relay's position; again after a lost
  lease, a broker or a store outage: whatever was rendered ahead is dropped);
- `next()`: the next batch, its stored events (or, from the process, their positions) and
  their records; None when caught up (the next call looks again);
- `folding`: the current-state `Folder`'s `collect`, `ask`, `answer` and `discard`, which the
  process runs in the order asked, before rendering further ahead (a fold never runs past what
  the relay collected: it is given only acknowledged batches); `ask` does not wait, `answer`
  waits for the records of the oldest `ask`.

The process renders at most `AHEAD` batches the relay has not taken. A store error there is
raised in the relay as a store error (`RenderingStoreError`: the relay backs off and starts
again from its position, as for its own reads); any other failure, or the process exiting, as
`RenderingFailed`.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, Protocol, cast

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from ...domain.catalogue import upcast_topics
from ...domain.ledger import Ledger
from ...runtime.collection import batch_collection
from ...runtime.outage import STORE_ERRORS
from ..failures import InvalidOption
from ..store.recorder import LedgerRecorder
from ..wire import render_event, render_state, wire_state
from .cloudevent import KafkaRecord, to_record
from .current_state import Acked, Folder, Folding
from .member_data import MemberDataPolicy
from .partition import FirstEventFields, PartitionKeys

AHEAD = 2
"""Batches the rendering process renders before the relay takes them."""
WAIT_SECONDS = 0.5
"""How often the relay, waiting for the rendering process, checks that it is still running."""

FORKS = "fork" in multiprocessing.get_all_start_methods()
"""The rendering process is forked from the relay (Linux and other Unixes)."""

Where = Literal["auto", "process", "here"]
"""Where the rendering runs (`RelayOptions.rendering`)."""

_UPCAST_TOPICS = upcast_topics()


def records_of(
    ledger: Ledger,
    notifications: Sequence[Any],
    keys: PartitionKeys | None = None,
    member_data: MemberDataPolicy | None = None,
) -> list[KafkaRecord]:
    """The batch's records, each event with who recorded it (one read of the chain's actors),
    keyed by `keys` (a relay keeps one across batches; a fresh one, reading first events back
    from the store, when none is given), its member data as `member_data` says (omitted when
    none is given)."""
    keys = keys if keys is not None else partition_keys(ledger)
    policy = member_data if member_data is not None else MemberDataPolicy()
    actors: dict[int, str | None] = {}
    if notifications:
        recorder = cast(LedgerRecorder, ledger.recorder)
        actors = recorder.recorded_by_positions(notifications[0].id - 1, notifications[-1].id)
    records = []
    for notification in notifications:
        event = rendered(ledger.mapper, notification, actors.get(notification.id))
        records.append(to_record(policy.apply(event), keys.key_of(event)))
    return records


def first_event_fields(ledger: Ledger) -> FirstEventFields:
    """Reads an aggregate's first event back from the store (decrypted and upcast)."""

    def read(aggregate_id: uuid.UUID) -> dict[str, Any] | None:
        for event in ledger.events.get(aggregate_id, lte=1):
            fields: dict[str, Any] = vars(event)
            return fields
        return None

    return read


def partition_keys(ledger: Ledger) -> PartitionKeys:
    return PartitionKeys(first_event_fields(ledger))


def rendered(mapper: Any, notification: Any, recorded_by: str | None = None) -> dict[str, Any]:
    """The event as `apply` prints it, rendered from its stored state (decrypted when the store
    is encrypted) decoded straight into wire values (`wire.wire_state`), without building the
    domain event object; an event of a versioned class (class_version, possibly stored at an older
    version) goes through the mapper, which upcasts it."""
    state = notification.state
    if mapper.cipher is not None:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor is not None:
        state = mapper.compressor.decompress(state)
    fields: dict[str, Any] | None
    try:
        fields = wire_state(state)
    except KeyError:  # a value of a type the wire decoder does not know: the domain path
        fields = None
    if fields is None or "class_version" in fields or notification.topic in _UPCAST_TOPICS:
        return render_event(mapper.to_domain_event(notification), recorded_by)
    return render_state(
        _event_type(notification.topic),
        notification.originator_id,
        notification.originator_version,
        fields,
        convert=_as_is,
        recorded_by=recorded_by,
    )


def _as_is(value: Any) -> Any:
    return value


@cache
def _event_type(stored_topic: str) -> str:
    """The event's type name from its stored topic (`module:Aggregate.EventType`), once per
    topic."""
    return stored_topic.rsplit(".", 1)[-1].rsplit(":", 1)[-1]


@dataclass(frozen=True)
class Position:
    """A stored event as the relay's own bookkeeping sees it: its position."""

    id: int


@dataclass(frozen=True)
class Rendered:
    """A batch ready to send: its stored events (or their positions), and their records."""

    notifications: Sequence[Any]
    records: list[KafkaRecord]


class Rendering(Protocol):
    """The relay's rendering, here or in a process (see the module's docstring)."""

    @property
    def folding(self) -> Folding: ...

    def start(self, after: int) -> None: ...

    def next(self) -> Rendered | None: ...

    def close(self) -> None: ...


class LocalRendering:
    """The rendering in the relay's own process."""

    def __init__(
        self,
        ledger: Ledger,
        batch_size: int,
        member_data: MemberDataPolicy,
        events_topic: str,
    ) -> None:
        self.ledger = ledger
        self.batch_size = batch_size
        self.member_data = member_data
        self.keys = partition_keys(ledger)
        """Each aggregate's message key, remembered across batches."""
        self.folder = Folder(ledger, events_topic)
        self.after = 0

    @property
    def folding(self) -> Folding:
        return self.folder

    def start(self, after: int) -> None:
        self.after = after

    def next(self) -> Rendered | None:
        recorder = cast(LedgerRecorder, self.ledger.recorder)
        notifications = recorder.read_notifications(self.after, self.batch_size)
        if not notifications:
            return None
        self.after = notifications[-1].id
        records = records_of(self.ledger, notifications, self.keys, self.member_data)
        return Rendered(notifications, records)

    def close(self) -> None:
        return None


class RenderingStoreError(SQLAlchemyError):
    """The rendering process could not read the store (raised in the relay: a store error)."""


class RenderingFailed(RuntimeError):
    """The rendering process failed otherwise, or exited."""


def rendering_for(
    ledger: Ledger,
    where: Where,
    batch_size: int,
    member_data: MemberDataPolicy,
    events_topic: str,
) -> Rendering:
    """The rendering `where` asks for ("auto": in a process when that can help, see
    `in_a_process`)."""
    store_url = str(ledger.env.get("SQLALCHEMY_URL") or "")
    if where == "process" or (where == "auto" and in_a_process(store_url)):
        return ProcessRendering(ledger, batch_size, member_data, events_topic)
    return LocalRendering(ledger, batch_size, member_data, events_topic)


def in_a_process(store_url: str, cpus: int | None = None) -> bool:
    """More than one CPU (a second process runs beside the relay instead of taking turns with
    it), a store another process can open (not an in-memory SQLite database), and a platform
    that forks."""
    in_memory = store_url.startswith("sqlite") and (
        ":memory:" in store_url
        or "mode=memory" in store_url
        or store_url.rstrip("/") in ("sqlite:", "sqlite")
    )
    return FORKS and (cpus if cpus is not None else os.cpu_count() or 1) > 1 and not in_memory


class ProcessRendering:
    """The rendering in a second process, forked from the relay (no re-import of the relay's
    program, nothing to build again): it reads with the relay's ledger, its connection pool
    emptied without closing the relay's connections (SQLAlchemy's way for an engine inherited
    by a fork), so it opens its own, and writes nothing. Requests and replies are pickled tuples
    on two queues (see `_serve`). Only where the platform forks (`FORKS`)."""

    def __init__(
        self,
        ledger: Ledger,
        batch_size: int,
        member_data: MemberDataPolicy,
        events_topic: str,
        ahead: int = AHEAD,
    ) -> None:
        if not FORKS:
            raise InvalidOption("--rendering process needs a platform that forks; use 'here'")
        context: Any = multiprocessing.get_context("fork")
        self._requests: Any = context.Queue()
        self._replies: Any = context.Queue()
        self._process = context.Process(
            target=_serve,
            args=(
                ledger,
                batch_size,
                member_data,
                events_topic,
                ahead,
                self._requests,
                self._replies,
            ),
            name="relay-rendering",
            daemon=True,
        )
        self._process.start()
        self._epoch = 0
        self._idle = False
        """The process said it had caught up: the next `next` asks it to look again."""
        self._held: deque[tuple[Any, ...]] = deque()
        """Batches received while waiting for answers, in order."""
        self._taken: deque[tuple[Any, ...]] = deque()
        """Answers received while waiting for a batch, in order."""
        self._asking = 0
        """Answers asked for and not yet taken."""
        self._stale = 0
        """Answers asked for before a discard, still to come and to be dropped."""

    @property
    def folding(self) -> Folding:
        return self

    def start(self, after: int) -> None:
        self._epoch += 1
        self._held.clear()
        self._idle = False
        self._requests.put(("start", self._epoch, after))

    def next(self) -> Rendered | None:
        if self._idle:
            self._idle = False
            self._requests.put(("more", self._epoch))
        reply = self._reply("batch")
        if reply[0] == "caught_up":
            self._idle = True
            return None
        self._requests.put(("took", self._epoch))
        positions, records = reply[2], reply[3]
        return Rendered(
            [Position(p) for p in positions],
            [KafkaRecord(key, value, headers) for key, value, headers in records],
        )

    def collect(self, notifications: Sequence[Any], acks: Sequence[Acked]) -> None:
        if notifications:
            first, last = int(notifications[0].id), int(notifications[-1].id)
            sent = [(a.partition, a.offset) for a in acks]
            self._requests.put(("collect", first, last, len(notifications), sent))

    def ask(self) -> None:
        self._asking += 1
        self._requests.put(("take",))

    def answer(self) -> list[KafkaRecord]:
        if not self._asking:
            raise RenderingFailed("answers taken that were not asked for")
        self._asking -= 1
        reply = self._reply("taken")
        return [KafkaRecord(key, value, headers) for key, value, headers in reply[1]]

    def discard(self) -> None:
        self._stale += self._asking  # their answers, when they come, are dropped
        self._asking = 0
        self._requests.put(("discard",))

    def _reply(self, kind: str) -> tuple[Any, ...]:
        """The next reply of `kind` ("batch": a batch of the current round, or its catching
        up; "taken": answers), keeping the others received meanwhile, in order."""
        waiting = self._held if kind == "batch" else self._taken
        while not waiting:
            reply = self._receive()
            if reply[0] == "taken":
                if self._stale:
                    self._stale -= 1  # asked before a discard
                else:
                    self._taken.append(reply)
            elif reply[0] in ("batch", "caught_up"):
                if reply[1] == self._epoch:  # else rendered before the relay started again
                    self._held.append(reply)
            else:
                raise RenderingFailed(f"the rendering process answered {reply[0]!r}")
        return waiting.popleft()

    def _receive(self) -> tuple[Any, ...]:
        while True:
            try:
                reply: tuple[Any, ...] = self._replies.get(timeout=WAIT_SECONDS)
            except queue.Empty:
                if not self._process.is_alive():
                    raise RenderingFailed(
                        f"the relay's rendering process exited ({self._process.exitcode})"
                    ) from None
                continue
            if reply[0] == "error":
                if reply[1] == "store":
                    raise RenderingStoreError(reply[2])
                raise RenderingFailed(reply[2])
            return reply

    def close(self) -> None:
        """Stop the process (at once if it does not stop when asked)."""
        if self._process.is_alive():
            self._requests.put(("stop",))
            self._process.join(5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(5)
        self._requests.close()
        self._replies.close()


class _Server:
    """The rendering process's side: a `LocalRendering` on its own connection, run ahead."""

    def __init__(self, rendering: LocalRendering, ahead: int, replies: Any) -> None:
        self.rendering = rendering
        self.ahead = ahead
        self.replies = replies
        self.epoch = 0
        self.credits = 0
        self.streaming = False
        self.kept: dict[int, Sequence[Any]] = {}
        """Batches rendered and not yet collected, by their last position: the latest
        `self.keeping` of them (a relay without the current-state topic collects none; a batch
        collected after it was dropped is read from the store again)."""
        self.keeping = ahead + 2
        """Batches between their rendering and their collection in a relay's steady run: the
        one being settled, the one in flight, and those rendered ahead."""

    def handle(self, request: tuple[Any, ...]) -> bool:
        """One request; False to stop."""
        kind = request[0]
        if kind == "stop":
            return False
        if kind == "start":
            self.epoch, self.credits, self.streaming = request[1], self.ahead, True
            self.kept.clear()
            self.rendering.start(request[2])
        elif kind == "more" and request[1] == self.epoch:
            self.streaming = True
        elif kind == "took" and request[1] == self.epoch:
            self.credits += 1
        elif kind == "collect":
            _, first, last, count, sent = request
            notifications = self.kept.pop(last, None)
            if notifications is None:  # not rendered here (an earlier round): read again
                recorder = cast(LedgerRecorder, self.rendering.ledger.recorder)
                notifications = recorder.read_notifications(first - 1, count)
            self.rendering.folder.collect(notifications, [Acked(p, o) for p, o in sent])
        elif kind == "take":
            records = self.rendering.folder.take()
            self.replies.put(("taken", [(r.key, r.value, r.headers) for r in records]))
        elif kind == "discard":
            self.rendering.folder.discard()
        return True

    def render(self) -> None:
        """The next batch, ahead of the relay."""
        rendered = self.rendering.next()
        if rendered is None:
            self.streaming = False
            self.replies.put(("caught_up", self.epoch))
            return
        self.credits -= 1
        notifications = rendered.notifications
        self.kept[int(notifications[-1].id)] = notifications
        while len(self.kept) > self.keeping:
            del self.kept[next(iter(self.kept))]  # the oldest
        positions = [int(n.id) for n in notifications]
        records = [(r.key, r.value, r.headers) for r in rendered.records]
        self.replies.put(("batch", self.epoch, positions, records))

    @property
    def working(self) -> bool:
        return self.streaming and self.credits > 0


def _serve(
    ledger: Ledger,
    batch_size: int,
    member_data: MemberDataPolicy,
    events_topic: str,
    ahead: int,
    requests: Any,
    replies: Any,
) -> None:
    """The rendering process: requests are handled in order, each before rendering further.
    The relay stops it (it ignores the terminal's signals, which the relay handles, so the
    relay can finish its round); it stops by itself when the relay is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    engine = cast(LedgerRecorder, ledger.recorder).datastore.engine
    if isinstance(engine, Engine):  # the relay's pooled connections are the relay's
        engine.dispose(close=False)
    parent = multiprocessing.parent_process()
    server = _Server(LocalRendering(ledger, batch_size, member_data, events_topic), ahead, replies)
    with batch_collection():
        while True:
            try:
                if server.working:
                    request = requests.get(block=False)
                else:
                    request = requests.get(timeout=WAIT_SECONDS)
            except queue.Empty:
                if parent is not None and not parent.is_alive():
                    return  # the relay was killed
                if not server.working:
                    continue
                request = None
            try:
                if request is not None:
                    if not server.handle(request):
                        return
                elif server.working:
                    server.render()
            except STORE_ERRORS as e:
                server.streaming = False  # until the relay starts again
                replies.put(("error", "store", f"{type(e).__name__}: {e}"))
            except Exception as e:  # reported to the relay, which stops
                server.streaming = False
                replies.put(("error", "other", f"{type(e).__name__}: {e}"))
