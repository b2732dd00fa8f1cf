"""`enrollment-ledger relay`: publish every recorded event to Kafka, in store order.

The relay reads the store's notification log in batches from its position, sends each event as
a binary-mode CloudEvent (key = the household id, or the employer id for an employer's records:
see `partition.py`), waits until the broker acknowledged the whole batch (acks=all), and only
then advances its position in the store. A relay killed anywhere
resumes from the last acknowledged position: nothing is lost, and a republished event carries the
same `ce_id`. A lease row in the store (see `position.py`) keeps a second relay on standby.

It also keeps the compacted current-state topic (`current_state.py`): each enrollment's
`coverage` and `balance` answer, published after the events that changed it were acknowledged
(after every `current_state.DEFAULT_EVERY` events relayed while working through a backlog, at
once when caught up), and before the position advances past them.

The batches are read and rendered, and the answers folded, by the relay's rendering
(`rendering.py`): by default in a second process beside the relay's sending.

kafka-python is imported only by `make_producer`, so nothing else here needs the `kafka` extra.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import IO, Any

from ...domain.ledger import Ledger
from ...runtime.collection import batch_collection
from ...runtime.outage import STORE_ERRORS, Outage
from ...runtime.signals import stop_on_signals
from ..failures import BrokerError, BrokerUnavailable, LeaseHeld
from ..wire import dumps
from .current_state import (
    DEFAULT_EVERY,
    Acked,
    CurrentState,
    InFlightAnswers,
    coverage_topic_from_env,
)
from .member_data import OMIT, MemberDataPolicy, member_data_policy
from .position import RelayState
from .producing import ANSWERS_COMPRESSION, RelayError, await_acks, make_producer, send
from .rendering import (
    LocalRendering,
    Rendering,
    Where,
    first_event_fields,
    partition_keys,
    records_of,
    rendered,
    rendering_for,
)

__all__ = [
    "DEFAULT_TOPIC",
    "Relay",
    "RelayOptions",
    "RelayResult",
    "first_event_fields",
    "partition_keys",
    "records_of",
    "rendered",
    "run_relay",
]

DEFAULT_TOPIC = "enrollment-ledger.events"
DEFAULT_BATCH_SIZE = 1000
DEFAULT_LEASE_SECONDS = 10.0


@dataclass(frozen=True)
class RelayOptions:
    kafka: str
    topic: str = DEFAULT_TOPIC
    until_caught_up: bool = False
    batch_size: int = DEFAULT_BATCH_SIZE
    lease_seconds: float = DEFAULT_LEASE_SECONDS
    poll_seconds: float = 0.2
    ack_timeout_seconds: float = 30.0
    outage_seconds: float = 300.0
    """How long the relay keeps retrying an unreachable broker (bounded backoff) before it
    exits with `broker_error`."""
    member_data: MemberDataPolicy = OMIT
    """What is published of member data: omitted (the default), or included (encrypted with a
    topic key; in clear only from an unencrypted store). See `member_data.py`."""
    coverage_topic: str | None = field(default_factory=coverage_topic_from_env)
    """The compacted current-state topic (`current_state.py`); None publishes none."""
    coverage_every: int = DEFAULT_EVERY
    """Events relayed between two publications of the answers while working through a backlog
    (whole batches: they go out after the batch that reaches it; 1: after every batch)."""
    rendering: Where = "auto"
    """Where the events and the answers are rendered (`rendering.py`): in a second process
    forked from the relay ("process"), in the relay's own ("here"), or "auto" (a process when
    the machine has more than one CPU, the platform forks and the store is not in memory)."""


@dataclass
class RelayResult:
    published: int = 0
    position: int = 0
    batches: int = 0


@dataclass(frozen=True)
class InFlight:
    """A batch sent but not yet acknowledged."""

    futures: list[Any]
    last_id: int
    count: int
    notifications: Sequence[Any] = ()


class Relay:
    def __init__(
        self,
        ledger: Ledger,
        options: RelayOptions,
        producer: Any,
        stop: threading.Event | None = None,
        log: IO[str] | None = None,
        reconnect: Callable[[], Any] | None = None,
        answers_producer: Any = None,
        reconnect_answers: Callable[[], Any] | None = None,
        rendering: Rendering | None = None,
    ) -> None:
        policy = options.member_data
        member_data_policy(policy.mode, policy.key, ledger.mapper.cipher is not None)
        self.reconnect = reconnect
        self.reconnect_answers = reconnect_answers
        self.ledger = ledger
        self.options = options
        self.producer = producer
        self.answers_producer = answers_producer
        """The current-state answers' producer (gzip: `producing.ANSWERS_COMPRESSION`); None:
        the events' producer sends them."""
        self.stop = stop or threading.Event()
        self.log = log or sys.stderr
        owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.state = RelayState(ledger, options.topic, owner, options.lease_seconds)
        self.rendering: Rendering = rendering or LocalRendering(
            ledger, options.batch_size, policy, options.topic
        )
        """Reads and renders the batches, and folds the answers (`rendering.py`)."""
        self.broker_outage = Outage("broker", options.outage_seconds, self.stop, self._say)
        self.store_outage = Outage("store", options.outage_seconds, self.stop, self._say)
        self.first_refused_until: int | None = None
        """The expiry of another relay's lease when this one was first refused it."""
        self.current_state = (
            CurrentState(
                ledger,
                options.coverage_topic,
                options.topic,
                options.coverage_every,
                self.rendering.folding,
            )
            if options.coverage_topic
            else None
        )
        self._held: list[InFlight] = []
        """Batches acknowledged whose answers are not published yet (the position waits)."""
        self._answers: tuple[list[InFlight], InFlightAnswers] | None = None
        """The answers sent and not yet acknowledged, with the batches they cover."""
        self._asked: tuple[list[InFlight], list[tuple[Sequence[Any], Sequence[Acked]]]] | None
        self._asked = None
        """The answers asked for and not yet sent, with the batches they cover."""

    def _say(self, message: str) -> None:
        self.log.write(f"relay: {message}\n")
        self.log.flush()

    def run(self) -> RelayResult:
        """Batches are pipelined: batch N+1 is read, rendered and sent while batch N is being
        acknowledged; the position advances to the end of N only once N is acknowledged."""
        result = RelayResult()
        self.state.ensure()
        holding = False
        sent_through = 0
        in_flight: InFlight | None = None
        try:
            while not self.stop.is_set():
                try:
                    if not self.state.acquire():
                        if holding:
                            self._say("lease lost; standing by (unacknowledged events are resent)")
                        holding, in_flight = False, None
                        if self.options.until_caught_up:
                            self._refuse_if_held_by_a_live_relay(result)
                        self.stop.wait(self.options.poll_seconds)
                        continue
                    if not holding:
                        holding, sent_through = True, self.state.position()
                        self._forget_held()
                        self.rendering.start(sent_through)
                        self.first_refused_until = None
                    batch = self.rendering.next()
                    self.store_outage.recovered()
                    notifications = batch.notifications if batch is not None else ()
                    futures: list[Any] = []
                    if batch is not None:
                        futures = send(self.producer, self.options.topic, batch.records)
                        sent_through = notifications[-1].id
                    if in_flight is not None:
                        try:
                            settled = self._settle(in_flight, result, final=not notifications)
                        except RelayError as e:
                            # Nothing unacknowledged counts: resend from the last acknowledged
                            # position once the broker answers again (same ce_id).
                            in_flight = None
                            self._forget_held()
                            sent_through = self.state.position()
                            self.rendering.start(sent_through)
                            self._back_off(e)
                            continue
                        in_flight = None
                        self.broker_outage.recovered()
                        if not settled:
                            holding = False
                            continue
                    if notifications:
                        in_flight = InFlight(
                            futures, sent_through, len(notifications), notifications
                        )
                        continue
                    result.position = sent_through
                    if self.options.until_caught_up:
                        break
                    self.stop.wait(self.options.poll_seconds)
                except STORE_ERRORS as e:
                    # The store is unreachable: nothing unacknowledged counts, and the lease is
                    # taken again (and the position re-read) once it answers.
                    holding, in_flight = False, None
                    self.store_outage.failed(e)
            if in_flight is not None:  # stopping: finish the batch already sent
                self._settle(in_flight, result, final=True)
            elif self.current_state is not None:  # stopping: finish the answers already asked
                self._finish(result)
        finally:
            if holding:
                with suppress(*STORE_ERRORS):  # an unreachable store lets the lease expire
                    self.state.release()
        return result

    def _back_off(self, error: RelayError) -> None:
        """Wait before resending; with a fresh producer (a restarted broker does not know this
        producer's idempotence id)."""
        self.broker_outage.failed(error)
        if self.reconnect is not None:
            try:
                fresh = self.reconnect()
            except Exception:  # the broker is still down: keep waiting with the old one
                return
            old, self.producer = self.producer, fresh
            # Its unsent records are abandoned (they are resent from the acknowledged position):
            # closing it without waiting raises the library's timeout for them, harmlessly.
            with suppress(Exception):
                old.close(timeout=0)
        if self.reconnect_answers is not None and self.answers_producer is not None:
            try:
                fresh = self.reconnect_answers()
            except Exception:  # the broker is still down: keep waiting with the old one
                return
            old, self.answers_producer = self.answers_producer, fresh
            with suppress(Exception):  # the same: its answers are sent again
                old.close(timeout=0)

    def _settle(self, batch: InFlight, result: RelayResult, final: bool = False) -> bool:
        """Wait for the batch's acknowledgements, then advance; False if the lease was lost.

        With the current-state topic, the enrollments the batch touched are folded now, and
        their answers asked for once `current_state.every` events were relayed since the last
        time, and always when the relay has caught up (`final`) or stops. A round of answers
        goes through three settlings: asked (rendered while the next batch is read and sent),
        sent at the next (once the round before it landed), acknowledged at the one after; the
        position advances past the batches a round covers only once it is acknowledged. When
        `final`, every round is sent and landed at once."""
        acks = await_acks(batch.futures, self.options.ack_timeout_seconds)
        answers = self.current_state
        if answers is None:
            return self._advance([batch], result)
        if self._answers is not None and not self._land_answers(result):
            return False
        if self._asked is not None:
            self._send_asked()
        answers.collect(batch.notifications, acks)
        self._held.append(batch)
        if final or answers.due():
            self._asked = (self._held, answers.ask())
            self._held = []
        return self._finish(result) if final else True

    def _send_asked(self) -> None:
        """Send the round asked last (its records rendered meanwhile)."""
        assert self.current_state is not None and self._asked is not None
        held, batches = self._asked
        self._asked = None
        producer = self.producer if self.answers_producer is None else self.answers_producer
        self._answers = (held, self.current_state.send(producer, batches))

    def _finish(self, result: RelayResult) -> bool:
        """Land the round in flight, then send and land the round asked (caught up, or
        stopping): False if the lease was lost."""
        if self._answers is not None and not self._land_answers(result):
            return False
        if self._asked is None:
            return True
        self._send_asked()
        return self._land_answers(result)

    def _land_answers(self, result: RelayResult) -> bool:
        """The answers sent last are acknowledged (or RelayError): advance past their batches."""
        assert self.current_state is not None and self._answers is not None
        held, in_flight = self._answers
        self._answers = None
        self.current_state.land(in_flight, self.options.ack_timeout_seconds)
        return self._advance(held, result)

    def _advance(self, batches: list[InFlight], result: RelayResult) -> bool:
        if not self.state.advance(batches[-1].last_id):
            self._say("lease lost after a batch; its events may be published again")
            return False
        result.published += sum(batch.count for batch in batches)
        result.batches += len(batches)
        result.position = batches[-1].last_id
        return True

    def _forget_held(self) -> None:
        """The batches acknowledged but not advanced past (their answers unpublished) are sent
        again from the position: forget them and their answers."""
        self._held = []
        self._answers = None
        self._asked = None
        if self.current_state is not None:
            self.current_state.discard()

    def _refuse_if_held_by_a_live_relay(self, result: RelayResult) -> None:
        """`--until-caught-up` while another relay holds the lease: wait while that lease may
        still expire (a relay that died leaves one behind); once it has been renewed past the
        expiry first seen, its holder is alive, and this relay says so (LeaseHeld) instead of
        reporting a catch-up it did not do."""
        lease = self.state.lease()
        if self.first_refused_until is None:
            self.first_refused_until = lease.until_ms
            return
        if self.state.now_ms() <= self.first_refused_until:
            return
        head = self.ledger.recorder.max_notification_id() or 0
        raise LeaseHeld(
            f"another relay ({lease.owner or 'unknown'}) holds the lease on topic "
            f"{self.options.topic!r} and keeps renewing it; it has published through position "
            f"{lease.position} of {head}. This relay published {result.published} event(s) and "
            "stopped; run it again once the other one has stopped, or leave the publishing to it."
        )


def run_relay(
    ledger: Ledger,
    options: RelayOptions,
    out: IO[str],
    stop: threading.Event | None = None,
) -> int:
    """Run the relay; print one JSON summary line and exit 0. A broker that does not answer or
    acknowledge, or a lease another live relay holds (`--until-caught-up`), raises the coded
    failure the command line's one mapping answers (exit 1)."""

    stop = stop or threading.Event()
    started = time.monotonic()
    policy = options.member_data  # never member data in clear from an encrypted store
    member_data_policy(policy.mode, policy.key, ledger.mapper.cipher is not None)
    # started first: a rendering process opens the store while the producers connect
    rendering = rendering_for(ledger, options.rendering, options.batch_size, policy, options.topic)
    try:
        return _relay(ledger, options, out, stop, started, rendering)
    finally:
        rendering.close()


def _relay(
    ledger: Ledger,
    options: RelayOptions,
    out: IO[str],
    stop: threading.Event,
    started: float,
    rendering: Rendering,
) -> int:
    from kafka.errors import KafkaError

    try:
        producer = make_producer(options.kafka)
    except KafkaError as e:
        raise BrokerUnavailable(
            f"no Kafka broker answers at {options.kafka} ({type(e).__name__})"
        ) from None
    answers_producer = None
    if options.coverage_topic:
        try:
            answers_producer = make_producer(options.kafka, ANSWERS_COMPRESSION)
        except KafkaError as e:
            producer.close(timeout=0)
            raise BrokerUnavailable(
                f"no Kafka broker answers at {options.kafka} ({type(e).__name__})"
            ) from None
    relay = Relay(
        ledger,
        options,
        producer,
        stop,
        reconnect=lambda: make_producer(options.kafka),
        answers_producer=answers_producer,
        reconnect_answers=lambda: make_producer(options.kafka, ANSWERS_COMPRESSION),
        rendering=rendering,
    )
    try:
        if relay.current_state is not None:
            relay.state.ensure()
            relay.current_state.store_position = relay.state.position()
            relay.current_state.start_in_background(options.kafka)
        with stop_on_signals(stop), batch_collection():
            result = relay.run()
    except (RelayError, KafkaError) as e:
        raise BrokerError(f"the broker at {options.kafka} failed: {e}") from None
    finally:
        relay.producer.close(timeout=5)
        if relay.answers_producer is not None:
            relay.answers_producer.close(timeout=5)
    if relay.current_state is not None and relay.current_state.start_error is not None:
        relay._say(
            f"the current-state topic {options.coverage_topic!r} could not be created "
            f"({type(relay.current_state.start_error).__name__}); the answers were sent to it "
            "all the same (a broker that creates topics on first use creates it uncompacted)"
        )
    out.write(
        dumps(
            {
                "ok": True,
                "topic": options.topic,
                "published": result.published,
                "position": result.position,
                "coverage_topic": options.coverage_topic,
                "answers_published": (
                    0 if relay.current_state is None else relay.current_state.published
                ),
                "seconds": round(time.monotonic() - started, 3),
            }
        )
        + "\n"
    )
    out.flush()
    return 0
