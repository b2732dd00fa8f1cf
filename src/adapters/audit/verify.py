"""Re-check the hash chain that the recorder writes with every event, and print its head.

`verify` streams the events table (`ledger_events`) and the chain table (`ledger_chain`) side by
side in position order, a batch at a time (keyset pagination, so memory stays constant), and
recomputes the chain from genesis with the recorder's own `chain_link`. Both tables are read in one
read transaction (a snapshot), bounded by the highest position present when it started, so
commands recorded while it runs neither confuse nor extend it.

`first_bad_position` is the first position at which the store disagrees with itself (or with the
digest), reading in position order:

- a changed byte in an event's state, topic, aggregate id or version, or a changed, added or
  removed actor (`recorded_by`, which the link hashes): that event's position (its recomputed
  link differs from the stored one);
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

The Merkle tree (`store/merkle.py`) is recomputed alongside: each event's stored leaf must be the
hash of its bytes, at the next leaf index (else that event's position is named), the recomputed
root at the digest's `tree_size` must be the digest's `root`, and the stored tree's root must be
the recomputed one at the end. A store whose last events have no leaf yet (written by a version
that kept no tree; the next write or `digest` adds them) is not a failure. A digest with a
signature is checked first (`check_head`): against the public keys given, else the key it names
(which shows only that the digest was not changed since it was signed).
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
from ..store.merkle import EMPTY_ROOT, TreeBuilder, fold, leaf_hash, range_nodes
from ..store.recorder import (
    GENESIS,
    LedgerRecorder,
    link_bytes,
    next_link,
    read_tree_nodes,
)
from .proof_check import ProofError, check_head, parse_public_key

BATCH_SIZE = 1000

Progress = Callable[[int, int], None]
"""Called as `progress(events_checked, events_in_store)` after each batch."""


class InvalidDigest(ValueError):
    """The digest is not `{"position": int, "hash": 64 hex digits, "events": int}` (with, since
    the tree is kept, `"tree_size": int, "root": 64 hex digits` and the signature's fields)."""


@dataclass(frozen=True)
class Digest:
    """The chain's head: its position, its hash and how many events it covers; the tree's
    size and root there (None in a digest taken before the tree was kept)."""

    position: int
    hash: bytes
    events: int | None = None
    tree_size: int | None = None
    root: bytes | None = None

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
        tree_size, root = _tree_head(obj)
        if position == 0 and tree_size not in (None, 0):
            raise InvalidDigest("a digest at position 0 has a tree of no events")
        return cls(position=position, hash=head, events=events, tree_size=tree_size, root=root)

    def as_json(self) -> dict[str, int | str]:
        return {
            "position": self.position,
            "hash": self.hash.hex(),
            "events": self.events if self.events is not None else 0,
        }


def _tree_head(obj: Mapping[str, object]) -> tuple[int | None, bytes | None]:
    """The digest's tree size and root (both or neither), and the signature's fields' types."""
    tree_size, raw_root = obj.get("tree_size"), obj.get("root")
    for name in ("signature", "public_key", "key_id"):
        if obj.get(name) is not None and not isinstance(obj.get(name), str):
            raise InvalidDigest(f"the digest's {name} must be text")
    if tree_size is None and raw_root is None:
        return None, None
    if not isinstance(tree_size, int) or isinstance(tree_size, bool) or tree_size < 0:
        raise InvalidDigest("the digest's tree_size must be a whole number >= 0")
    try:
        root = bytes.fromhex(raw_root) if isinstance(raw_root, str) else b""
    except ValueError:
        root = b""
    if len(root) != 32:
        raise InvalidDigest("the digest's root must be 64 hexadecimal digits")
    if tree_size == 0 and root != EMPTY_ROOT:
        raise InvalidDigest("the root of a tree of no events is SHA-256 of nothing")
    return tree_size, root


def signature_refusal(head: Mapping[str, object], public_keys: Sequence[bytes]) -> str | None:
    """Why the digest's signature does not hold (None when it does, or when the digest is not
    signed and no key is pinned): checked against `public_keys`, else the key it names."""
    keys = list(public_keys)
    named = head.get("public_key")
    if not keys and head.get("signature") is not None and isinstance(named, str):
        try:
            keys = [parse_public_key(named)]
        except ProofError as e:
            return f"the digest's public key is not one: {e}"
    if not keys:
        return None
    try:
        check_head(head, keys, ())
    except ProofError as e:
        return f"the digest's signature does not hold: {e}"
    return None


@dataclass(frozen=True)
class VerifyResult:
    """`ok`; `events_checked`: events whose link was recomputed and matched before the verdict
    (every event when ok); `first_bad_position` (None when ok) and `reason`; `head_position` and
    `head_hash`: the last position verified and the recomputed hash there (genesis, 0 when none);
    `tree_root`: the Merkle tree root recomputed over the events verified."""

    ok: bool
    events_checked: int
    first_bad_position: int | None
    reason: str | None
    head_position: int
    head_hash: str
    tree_root: str = EMPTY_ROOT.hex()

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events_checked": self.events_checked,
            "first_bad_position": self.first_bad_position,
            "reason": self.reason,
        }


def verify(
    ledger: Ledger,
    digest: Mapping[str, object] | None = None,
    progress: Progress | None = None,
    *,
    batch_size: int = BATCH_SIZE,
    public_keys: Sequence[bytes] = (),
) -> VerifyResult:
    """Recompute the whole chain and the Merkle tree from genesis against the stored ones (and
    against `digest`, the head printed earlier by `digest`, when given, its signature checked
    against `public_keys`). Raises InvalidDigest for a malformed digest."""
    expected = Digest.from_mapping(digest) if digest is not None else None
    if digest is not None:
        refused = signature_refusal(digest, public_keys)
        if refused is not None:
            return VerifyResult(False, 0, None, refused, 0, GENESIS.hex())
    recorder = _recorder(ledger)
    with _snapshot(_engine(recorder)) as conn:
        return _Verifier(conn, recorder, batch_size).run(expected, progress)


class _Verifier:
    def __init__(self, conn: Connection, recorder: LedgerRecorder, batch_size: int) -> None:
        self.conn = conn
        self.recorder = recorder
        self.events = _events_table(recorder)
        self.chain = recorder.chain
        self.batch_size = max(1, batch_size)
        self.checked = 0
        self.head_position = 0
        self.head = GENESIS
        self.tree = TreeBuilder()
        self.leaves_complete = True
        self.node_rows: dict[int, Iterator[tuple[int, bytes | None]]] = {}

    def run(self, expected: Digest | None, progress: Progress | None) -> VerifyResult:
        bound, total = self._bounds()
        if progress is not None:
            progress(0, total)
        event_rows = self._event_rows(bound)
        link_rows = self._link_rows(bound)
        leaf_rows = self._leaf_rows()
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
            recorded_by = link[2]
            if recorded_by is _MALFORMED:
                return self._bad(position, "a malformed chain link (its actor is not text)")
            actor = cast(str | None, recorded_by)
            data = link_bytes(position, stored, actor)  # as `chain_link` hashes them
            recomputed = next_link(self.head, data)
            if recomputed != link[1]:
                return self._bad(
                    position,
                    "the recomputed chain disagrees with the stored link (the event was "
                    "changed or moved, or one before it removed)",
                )
            self.head, self.head_position = recomputed, position
            self.checked += 1
            leaf_refusal = self._check_leaf(position, data, leaf_rows)
            if leaf_refusal is not None:
                self.checked -= 1
                return self._bad(position, leaf_refusal)
            if (
                expected is not None
                and expected.tree_size == self.checked
                and expected.root != self.tree.root()
            ):
                return self._bad(
                    position, "the events up to here do not have the digest's tree root"
                )
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
        tree_refusal = self._check_tree_end(leaf_rows)
        if tree_refusal is not None:
            return self._result(None, tree_refusal)
        return self._result()

    def _check_leaf(
        self,
        position: int,
        linked: bytes,
        leaf_rows: Iterator[tuple[int, int, bytes | None]],
    ) -> str | None:
        """The event's stored leaf is the hash of its bytes (with who recorded it, as its link
        names it), at the next leaf index (when the tree has leaves this far: its tail may still
        lack them). `linked`: the bytes its chain link hashed, which are its leaf's bytes
        (`recorder.leaf_bytes` is `link_bytes`), read and built once for both."""
        expected_hash = leaf_hash(linked)
        self.tree.push(expected_hash)
        completed, self.tree.completed = self.tree.completed, []
        if not self.leaves_complete:
            return None
        leaf = next(leaf_rows, None)
        if leaf is None:
            self.leaves_complete = False
            return None
        index, leaf_position, stored_hash = leaf
        if (index, leaf_position) != (self.checked - 1, position) or stored_hash != expected_hash:
            return "the event's leaf in the Merkle tree is not the hash of its bytes"
        for level, node_index, node in completed:  # the subtrees this event completes
            if next(self._nodes_of_level(level), None) != (node_index, node):
                return "a subtree this event completes is not the hash of its events"
        return None

    def _nodes_of_level(self, level: int) -> Iterator[tuple[int, bytes | None]]:
        """(index, hash) of the stored subtrees of one level, in index order: the order in which
        the recomputed tree completes them."""
        if level not in self.node_rows:
            nodes = self.recorder.tree_nodes
            rows = self._pages(
                nodes.c.node_index,
                [type_coerce(nodes.c.hash, NullType())],
                None,
                nodes.c.level == level,
            )
            self.node_rows[level] = ((int(r[0]), _as_bytes(r[1])) for r in rows)
        return self.node_rows[level]

    def _check_tree_end(self, leaf_rows: Iterator[tuple[int, int, bytes | None]]) -> str | None:
        """No leaf past the events, and the stored tree's root is the recomputed one."""
        if not self.leaves_complete:
            return None
        if next(leaf_rows, None) is not None:
            return "the Merkle tree has a leaf with no event (an event was deleted)"
        nodes = range_nodes(0, self.checked)
        recorder = self.recorder
        found = read_tree_nodes(self.conn, recorder.tree_leaves, recorder.tree_nodes, set(nodes))
        if set(nodes) - found.keys() or fold([found[n] for n in nodes]) != self.tree.root():
            return "the stored Merkle tree's root is not the events' root (its nodes were changed)"
        return None

    def _leaf_rows(self) -> Iterator[tuple[int, int, bytes | None]]:
        """(leaf index, position, hash) of every stored leaf, in leaf order."""
        leaves = self.recorder.tree_leaves
        columns = [leaves.c.position, type_coerce(leaves.c.hash, NullType())]
        for row in self._pages(leaves.c.leaf_index, columns, None):
            yield int(row[0]), int(row[1]), _as_bytes(row[2])

    def _bad(self, position: int, reason: str) -> VerifyResult:
        return self._result(position, reason)

    def _result(self, bad_position: int | None = None, reason: str | None = None) -> VerifyResult:
        """The verdict so far: intact unless a reason is given (with its position, when known)."""
        return VerifyResult(
            ok=reason is None,
            events_checked=self.checked,
            first_bad_position=bad_position,
            reason=reason,
            head_position=self.head_position,
            head_hash=self.head.hex(),
            tree_root=self.tree.root().hex(),
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

    def _link_rows(self, bound: int | None) -> Iterator[tuple[int, bytes | None, object]]:
        """(position, hash, actor: text, None, or `_MALFORMED`), in position order, read raw."""
        if bound is None:
            return
        link = type_coerce(self.chain.c.hash, NullType())
        actor = type_coerce(self.chain.c.recorded_by, NullType())
        for row in self._pages(self.chain.c.position, [link, actor], bound):
            recorded_by = row[2] if row[2] is None or isinstance(row[2], str) else _MALFORMED
            yield int(row[0]), _as_bytes(row[1]), recorded_by

    def _pages(
        self,
        position: ColumnElement[Any],
        columns: Sequence[ColumnElement[Any]],
        bound: int | None,
        *where: ColumnElement[bool],
    ) -> Iterator[Row[Any]]:
        """(position, *columns) of every row up to `bound` (and matching `where`), in position
        order, read a batch at a time (keyset pagination: each batch starts after the last
        position of the one before)."""
        last: int | None = None
        while True:
            query = select(position, *columns).where(*where)
            if bound is not None:
                query = query.where(position <= bound)
            if last is not None:
                query = query.where(position > last)
            rows = self.conn.execute(query.order_by(position).limit(self.batch_size)).all()
            yield from rows
            if len(rows) < self.batch_size:
                return
            last = int(rows[-1][0])


_MALFORMED = object()
"""A stored actor that is not text (a tampered column)."""


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
