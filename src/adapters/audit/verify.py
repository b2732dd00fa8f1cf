"""Re-check the hash chain that the recorder writes with every event, and print its head.

`verify` streams the events table (`ledger_events`) and the chain table (`ledger_chain`) side by
side in position order, a batch at a time (keyset pagination, so memory stays constant), and
recomputes the chain from genesis with the recorder's own `chain_link`. Both tables are read in one
read transaction (a snapshot), bounded by the highest position present when it started, so
commands recorded while it runs neither confuse nor extend it.

`first_bad_position` is the first position at which the store disagrees with itself (or with the
digest), reading in position order:

- a changed byte in an event's state, topic, aggregate id or version: that event's position
  (its recomputed link differs from the stored one);
- two events' contents swapped (a reordering): the lower of the two positions;
- an event row deleted, its chain link left: that position (a link with no event);
- an event row inserted (a position with no chain link): that position; an event inserted in the
  middle by renumbering the ones after it: the position it took (its content differs);
- an event deleted together with its link, in the middle: the next surviving position (gaps in
  positions are legitimate, e.g. a rolled-back insert on PostgreSQL, so a hole is seen where the
  chain breaks: the next link was computed over the missing event);
- a truncated tail (last events and their links deleted): a shorter chain is still a valid
  chain, so only `verify` with a digest taken before sees it: one past the store's last
  position (the first position the digest covers that is gone);
- a chain recomputed by a rewriter after a change at or before the digest's position: plain
  verify passes; with the digest it fails at the digest's position (the head hash only says that
  something up to there was rewritten, not where).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from sqlalchemy import ColumnElement, Connection, Engine, Row, Table, func, select, type_coerce
from sqlalchemy.types import NullType

from ...domain.ledger import Ledger
from ..store.recorder import GENESIS, LedgerRecorder, chain_link

BATCH_SIZE = 1000

Progress = Callable[[int, int], None]
"""Called as `progress(events_checked, events_in_store)` after each batch."""


class InvalidDigest(ValueError):
    """The digest is not `{"position": int, "hash": 64 hex digits, "events": int}`."""


@dataclass(frozen=True)
class Digest:
    """The chain's head: its position, its hash and how many events it covers."""

    position: int
    hash: bytes
    events: int | None = None

    @classmethod
    def from_mapping(cls, obj: Mapping[str, object]) -> Digest:
        if not isinstance(obj, Mapping):
            raise InvalidDigest("a digest is a JSON object")
        position = obj.get("position")
        if not isinstance(position, int) or isinstance(position, bool) or position < 0:
            raise InvalidDigest("the digest's position must be a whole number >= 0")
        raw_hash = obj.get("hash")
        if not isinstance(raw_hash, str) or len(raw_hash) != 64:
            raise InvalidDigest("the digest's hash must be 64 hexadecimal digits")
        try:
            head = bytes.fromhex(raw_hash)
        except ValueError:
            raise InvalidDigest("the digest's hash must be 64 hexadecimal digits") from None
        events = obj.get("events")
        if events is not None and (
            not isinstance(events, int) or isinstance(events, bool) or events < 0
        ):
            raise InvalidDigest("the digest's events must be a whole number >= 0")
        if position == 0 and (head != GENESIS or events not in (None, 0)):
            raise InvalidDigest("a digest at position 0 is the genesis hash with no events")
        return cls(position=position, hash=head, events=events)

    def as_json(self) -> dict[str, int | str]:
        return {
            "position": self.position,
            "hash": self.hash.hex(),
            "events": self.events if self.events is not None else 0,
        }


@dataclass(frozen=True)
class VerifyResult:
    """`ok`; `events_checked`: events whose link was recomputed and matched before the verdict
    (every event when ok); `first_bad_position` (None when ok) and `reason`; `head_position` and
    `head_hash`: the last position verified and the recomputed hash there (genesis, 0 when none)."""

    ok: bool
    events_checked: int
    first_bad_position: int | None
    reason: str | None
    head_position: int
    head_hash: str

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events_checked": self.events_checked,
            "first_bad_position": self.first_bad_position,
            "reason": self.reason,
        }


def digest(ledger: Ledger) -> dict[str, int | str]:
    """The stored chain's head `{"position", "hash", "events"}`, to be kept outside the store.

    It is read, not recomputed: run `verify` first to certify the store up to this head."""
    recorder = _recorder(ledger)
    events_table = _events_table(recorder)
    chain = recorder.chain
    with _snapshot(_engine(recorder)) as conn:
        head = conn.execute(
            select(chain.c.position, chain.c.hash).order_by(chain.c.position.desc()).limit(1)
        ).first()
        if head is None:
            return Digest(position=0, hash=GENESIS, events=0).as_json()
        position = int(head[0])
        events = conn.execute(
            select(func.count()).select_from(events_table).where(events_table.c.id <= position)
        ).scalar_one()
    return Digest(position=position, hash=bytes(head[1]), events=int(events)).as_json()


def verify(
    ledger: Ledger,
    digest: Mapping[str, object] | None = None,
    progress: Progress | None = None,
    *,
    batch_size: int = BATCH_SIZE,
) -> VerifyResult:
    """Recompute the whole chain from genesis against the stored one (and against `digest`, the
    head printed earlier by `digest`, when given). Raises InvalidDigest for a malformed digest."""
    expected = Digest.from_mapping(digest) if digest is not None else None
    recorder = _recorder(ledger)
    with _snapshot(_engine(recorder)) as conn:
        return _Verifier(conn, _events_table(recorder), recorder.chain, batch_size).run(
            expected, progress
        )


class _Verifier:
    def __init__(self, conn: Connection, events: Table, chain: Table, batch_size: int) -> None:
        self.conn = conn
        self.events = events
        self.chain = chain
        self.batch_size = max(1, batch_size)
        self.checked = 0
        self.head_position = 0
        self.head = GENESIS

    def run(self, expected: Digest | None, progress: Progress | None) -> VerifyResult:
        bound, total = self._bounds()
        if progress is not None:
            progress(0, total)
        event_rows = self._event_rows(bound)
        link_rows = self._link_rows(bound)
        event = next(event_rows, None)
        link = next(link_rows, None)
        digest_met = expected is None or expected.position == 0
        while event is not None or link is not None:
            position = min(row[0] for row in (event, link) if row is not None)
            if expected is not None and not digest_met and position > expected.position:
                return self._bad(
                    expected.position, "the digest's position is no longer in the store"
                )
            if link is None or (event is not None and event[0] < link[0]):
                return self._bad(position, "an event with no chain link (inserted)")
            if event is None or link[0] < event[0]:
                return self._bad(position, "a chain link with no event (the event was deleted)")
            stored = event[1]
            if stored is None:
                return self._bad(position, "a malformed event row")
            recomputed = chain_link(self.head, position, stored)
            if recomputed != link[1]:
                return self._bad(
                    position,
                    "the recomputed chain disagrees with the stored link (the event was "
                    "changed or moved, or one before it removed)",
                )
            self.head, self.head_position = recomputed, position
            self.checked += 1
            if expected is not None and position == expected.position:
                if recomputed != expected.hash:
                    return self._bad(
                        position, "the store does not extend the digest: history was rewritten"
                    )
                if expected.events is not None and self.checked != expected.events:
                    return self._bad(
                        position, "the store holds a different number of events than the digest"
                    )
                digest_met = True
            if progress is not None and self.checked % self.batch_size == 0:
                progress(self.checked, total)
            event = next(event_rows, None)
            link = next(link_rows, None)
        if expected is not None and not digest_met:
            return self._bad(
                self.head_position + 1,
                f"the store ends at position {self.head_position}, before the digest's "
                f"position {expected.position} (its tail was truncated)",
            )
        if progress is not None:
            progress(self.checked, total)
        return self._result()

    def _bad(self, position: int, reason: str) -> VerifyResult:
        return self._result(position, reason)

    def _result(self, bad_position: int | None = None, reason: str | None = None) -> VerifyResult:
        """The verdict so far: intact unless a bad position is named."""
        return VerifyResult(
            ok=bad_position is None,
            events_checked=self.checked,
            first_bad_position=bad_position,
            reason=reason,
            head_position=self.head_position,
            head_hash=self.head.hex(),
        )

    def _bounds(self) -> tuple[int | None, int]:
        """The highest position in either table and the larger row count, in one statement."""
        events, chain = self.events, self.chain
        row = self.conn.execute(
            select(
                select(func.max(events.c.id)).scalar_subquery(),
                select(func.max(chain.c.position)).scalar_subquery(),
                select(func.count()).select_from(events).scalar_subquery(),
                select(func.count()).select_from(chain).scalar_subquery(),
            )
        ).one()
        highest = [int(p) for p in (row[0], row[1]) if p is not None]
        return (max(highest) if highest else None), max(int(row[2]), int(row[3]))

    def _event_rows(self, bound: int | None) -> Iterator[tuple[int, StoredEvent | None]]:
        """(position, stored event, or None when the row is malformed), in position order. The
        columns are read raw (no type processing), so a tampered value cannot stop the scan."""
        if bound is None:
            return
        table = self.events
        columns = [
            type_coerce(table.c[name], NullType())
            for name in ("originator_id", "originator_version", "topic", "state")
        ]
        for row in self._pages(table.c.id, columns, bound):
            yield int(row[0]), _stored_event(row[1], row[2], row[3], row[4])

    def _link_rows(self, bound: int | None) -> Iterator[tuple[int, bytes | None]]:
        if bound is None:
            return
        link = type_coerce(self.chain.c.hash, NullType())
        for row in self._pages(self.chain.c.position, [link], bound):
            yield int(row[0]), _as_bytes(row[1])

    def _pages(
        self, position: ColumnElement[Any], columns: Sequence[ColumnElement[Any]], bound: int
    ) -> Iterator[Row[Any]]:
        """(position, *columns) of every row up to `bound`, in position order, read a batch at
        a time (keyset pagination: each batch starts after the last position of the one before)."""
        last: int | None = None
        while True:
            query = select(position, *columns).where(position <= bound)
            if last is not None:
                query = query.where(position > last)
            rows = self.conn.execute(query.order_by(position).limit(self.batch_size)).all()
            yield from rows
            if len(rows) < self.batch_size:
                return
            last = int(rows[-1][0])


def _stored_event(originator_id: Any, version: Any, topic: Any, state: Any) -> StoredEvent | None:
    state_bytes = _as_bytes(state)
    if (
        state_bytes is None
        or not isinstance(topic, str)
        or not isinstance(version, int)
        or isinstance(version, bool)
    ):
        return None
    try:
        if isinstance(originator_id, UUID):
            aggregate_id = originator_id
        elif isinstance(originator_id, str):
            aggregate_id = UUID(originator_id)
        else:
            raw = _as_bytes(originator_id)
            if raw is None:
                return None
            aggregate_id = UUID(bytes=raw)
    except ValueError:
        return None
    return StoredEvent(
        originator_id=aggregate_id, originator_version=version, topic=topic, state=state_bytes
    )


def _as_bytes(value: Any) -> bytes | None:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return None


def _recorder(ledger: Ledger) -> LedgerRecorder:
    recorder = ledger.recorder
    if not isinstance(recorder, LedgerRecorder):
        raise TypeError("the ledger's recorder does not keep a hash chain")
    return recorder


def _engine(recorder: LedgerRecorder) -> Engine:
    engine = recorder.datastore.engine
    if engine is None:
        raise RuntimeError("the ledger's store has no engine")
    return cast(Engine, engine)


def _events_table(recorder: LedgerRecorder) -> Table:
    return cast(Table, recorder.events_record_cls.__table__)


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read transaction over both tables (REPEATABLE READ on PostgreSQL; on SQLite a read
    transaction is a snapshot already). Nothing is written; it always rolls back."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin() as transaction:
            try:
                yield conn
            finally:
                transaction.rollback()
