"""Tree heads and proofs read from the store's Merkle tree (`store/merkle.py`).

A tree head is the digest of the store at a tree size n: the tree's `root` over the first n events
(`tree_size`), with the chain's head at the n-th event (`position`, `hash`, `events` = n), signed
with the ledger's Ed25519 key when one is configured. A proof is a JSON object that
`proof_check.py` checks with no store:

- inclusion (`prove EVENT_ID`): the event, its leaf (the bytes its chain link hashes, base64), its
  leaf index, the RFC 9162 inclusion path and the head it is proven against;
- consistency (`prove --consistency OLD`): the old and the new head and the RFC 9162 consistency
  path showing the new tree is the old one with events appended.

Each proof reads O(log n) stored hashes (two statements) and the event's row. Before reading,
the tree is caught up with any event stored without its leaf (`LedgerRecorder.catch_up_tree`).
The leaf is rebuilt from the event row as stored now, never taken from the tree: an event changed
after it was recorded no longer hashes to its leaf, and its proof fails.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from sqlalchemy import Connection, func, select

from ...domain.events import event_id
from ...domain.ledger import Ledger
from ..failures import REFUSED, EdgeError, InvalidOption
from ..store.merkle import (
    EMPTY_ROOT,
    consistency_ranges,
    fold,
    inclusion_ranges,
    nodes_of,
    range_hash,
    range_nodes,
)
from ..store.recorder import GENESIS, LedgerRecorder, leaf_bytes, read_tree_nodes, stored_uuid
from ..wire import render_event
from .signing import SigningKey, unsigned
from .verify import Digest, InvalidDigest, _engine, _events_table, _recorder, _snapshot


class UnknownEvent(EdgeError):
    code = "unknown_event"
    exit_status = REFUSED


class NotExtended(EdgeError):
    """The store does not extend a head it is asked to prove against."""

    code = "digest_not_extended"
    exit_status = REFUSED


class EventAfterHead(EdgeError):
    code = "event_after_head"
    exit_status = REFUSED


class BrokenTree(EdgeError):
    """The stored tree lacks a hash a proof needs (its tables were changed: run verify)."""

    code = "broken_tree"
    exit_status = REFUSED


def tree_head(ledger: Ledger, signing_key: SigningKey | None, size: int | None = None) -> Any:
    """The head at `size` (default: every event), signed when a key is given."""
    recorder = _caught_up(ledger)
    with _snapshot(_engine(recorder)) as conn:
        return _sign(_head(conn, recorder, _checked_size(conn, recorder, size)), signing_key)


def inclusion_proof(
    ledger: Ledger,
    event_id: str,
    signing_key: SigningKey | None,
    head: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The proof that event `event_id` is in the tree of `head` (a digest kept earlier; default:
    the current head, signed now)."""
    try:
        wanted = UUID(event_id)
    except ValueError:
        raise InvalidOption("EVENT_ID is not an event id (a UUID)") from None
    kept = _kept_head(head) if head is not None else None
    recorder = _caught_up(ledger)
    leaves = recorder.tree_leaves
    with _snapshot(_engine(recorder)) as conn:
        row = conn.execute(
            select(leaves.c.leaf_index, leaves.c.position).where(leaves.c.event_id == wanted.bytes)
        ).first()
        if row is None:
            raise UnknownEvent(f"no event {wanted} is recorded in this store")
        index, position = int(row[0]), int(row[1])
        size = _size(conn, recorder)
        if kept is None:
            signed = _sign(_head(conn, recorder, size), signing_key)
        else:
            signed = _extended(conn, recorder, kept, size)
        if index >= signed["tree_size"]:
            raise EventAfterHead(
                f"event {wanted} was recorded after the head of {signed['tree_size']} events"
            )
        stored, recorded_by = _stored_event(conn, recorder, position)
        ranges = inclusion_ranges(index, signed["tree_size"])
        hashes = _nodes(conn, recorder, nodes_of(ranges))
    leaf = leaf_bytes(position, stored, recorded_by)
    event = _render(ledger, stored, recorded_by)
    return {
        "proof": "inclusion",
        "event": {**event, "position": position, "topic": stored.topic},
        "leaf_index": index,
        "leaf": base64.b64encode(leaf).decode(),
        "path": [range_hash(start, end, hashes).hex() for start, end in ranges],
        "head": signed,
    }


def consistency_proof(
    ledger: Ledger,
    old: Mapping[str, Any],
    signing_key: SigningKey | None,
    new: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The proof that the tree of `new` (a digest; default: the current head, signed now)
    extends the tree of `old` (a digest kept earlier)."""
    old_head = _kept_head(old)
    new_head = _kept_head(new) if new is not None else None
    recorder = _caught_up(ledger)
    with _snapshot(_engine(recorder)) as conn:
        size = _size(conn, recorder)
        old_signed = _extended(conn, recorder, old_head, size)
        if new_head is None:
            new_signed = _sign(_head(conn, recorder, size), signing_key)
        else:
            new_signed = _extended(conn, recorder, new_head, size)
        return _consistency(conn, recorder, old_signed, new_signed)


def consistency_between(
    ledger: Ledger, signing_key: SigningKey | None, old_size: int, new_size: int | None = None
) -> dict[str, Any]:
    """The consistency proof between two tree sizes of this store, both heads signed now."""
    recorder = _caught_up(ledger)
    with _snapshot(_engine(recorder)) as conn:
        new = _sign(_head(conn, recorder, _checked_size(conn, recorder, new_size)), signing_key)
        if old_size > new["tree_size"]:
            raise InvalidOption(f"from ({old_size}) is after the newer head ({new['tree_size']})")
        old = _sign(_head(conn, recorder, old_size), signing_key)
        return _consistency(conn, recorder, old, new)


def _consistency(
    conn: Connection, recorder: LedgerRecorder, old: dict[str, Any], new: dict[str, Any]
) -> dict[str, Any]:
    if old["tree_size"] > new["tree_size"]:
        raise InvalidOption("the old digest is newer than the new one")
    ranges = consistency_ranges(old["tree_size"], new["tree_size"])
    hashes = _nodes(conn, recorder, nodes_of(ranges))
    path = [range_hash(start, end, hashes).hex() for start, end in ranges]
    return {"proof": "consistency", "old": old, "new": new, "path": path}


def _caught_up(ledger: Ledger) -> LedgerRecorder:
    recorder = _recorder(ledger)
    recorder.catch_up_tree()
    return recorder


def _size(conn: Connection, recorder: LedgerRecorder) -> int:
    leaves = recorder.tree_leaves
    last = conn.execute(select(func.max(leaves.c.leaf_index))).scalar()
    return 0 if last is None else int(last) + 1


def _checked_size(conn: Connection, recorder: LedgerRecorder, size: int | None) -> int:
    stored = _size(conn, recorder)
    if size is None:
        return stored
    if not 0 <= size <= stored:
        raise InvalidOption(f"the tree size must be from 0 to {stored} (the events stored)")
    return size


def _head(conn: Connection, recorder: LedgerRecorder, size: int) -> dict[str, Any]:
    """The unsigned head of the first `size` leaves."""
    if size == 0:
        return _head_json(Digest(position=0, hash=GENESIS, events=0), EMPTY_ROOT)
    leaves, chain = recorder.tree_leaves, recorder.chain
    position = conn.execute(
        select(leaves.c.position).where(leaves.c.leaf_index == size - 1)
    ).scalar_one()
    link = conn.execute(
        select(chain.c.hash)
        .where(chain.c.position <= position)
        .order_by(chain.c.position.desc())
        .limit(1)
    ).scalar()
    nodes = range_nodes(0, size)
    stored = _nodes(conn, recorder, set(nodes))  # one read for every subtree of the root
    root = fold([stored[n] for n in nodes])
    chain_hash = GENESIS if link is None else bytes(link)
    return _head_json(Digest(position=int(position), hash=chain_hash, events=size), root)


def _head_json(chain: Digest, root: bytes) -> dict[str, Any]:
    return {**chain.as_json(), "tree_size": chain.events or 0, "root": root.hex()}


def _sign(head: dict[str, Any], signing_key: SigningKey | None) -> dict[str, Any]:
    return signing_key.sign_head(head) if signing_key is not None else unsigned(head)


def _kept_head(head: Mapping[str, Any]) -> dict[str, Any]:
    """A digest from a file, checked for shape; it must carry a tree head."""
    Digest.from_mapping(head)
    if head.get("tree_size") is None:
        raise InvalidDigest(
            "the digest has no tree head (taken before the ledger kept its Merkle tree): "
            "take a new one with `digest --json`"
        )
    return dict(head)


def _extended(
    conn: Connection, recorder: LedgerRecorder, head: dict[str, Any], stored_size: int
) -> dict[str, Any]:
    """`head` as given, once the store's tree at its size is known to have its root."""
    size = head["tree_size"]
    if size > stored_size:
        raise NotExtended(
            f"the store holds {stored_size} events, fewer than the {size} of the digest: "
            "its tail was truncated"
        )
    ours = _head(conn, recorder, size)
    if ours["root"] != head["root"]:
        raise NotExtended(
            f"the store's first {size} events do not have the digest's root: history was "
            "rewritten since it was taken"
        )
    return head


def _nodes(
    conn: Connection, recorder: LedgerRecorder, wanted: set[tuple[int, int]]
) -> dict[tuple[int, int], bytes]:
    found = read_tree_nodes(conn, recorder.tree_leaves, recorder.tree_nodes, wanted)
    missing = wanted - found.keys()
    if missing:
        level, index = min(missing)
        first = index << level
        raise BrokenTree(
            f"the store's Merkle tree lacks the hash of events {first} to "
            f"{first + (1 << level) - 1} (counting from 0): run verify"
        )
    return found


def _stored_event(
    conn: Connection, recorder: LedgerRecorder, position: int
) -> tuple[StoredEvent, str | None]:
    """The event at `position`, and who recorded it as its chain link names it (its leaf
    hashes that name), in one statement."""
    events, chain = _events_table(recorder), recorder.chain
    query = (
        recorder._statements.notifications.add_columns(chain.c.recorded_by)
        .outerjoin_from(events, chain, chain.c.position == events.c.id)
        .where(events.c.id == position)
    )
    row = conn.execute(query).first()
    if row is None:
        raise BrokenTree(f"the event at position {position} is gone from the store: run verify")
    _, originator_id, version, topic, state, recorded_by = row
    stored = StoredEvent(
        originator_id=stored_uuid(originator_id),
        originator_version=int(version),
        topic=str(topic),
        state=bytes(state),
    )
    return stored, None if recorded_by is None else str(recorded_by)


def _render(ledger: Ledger, stored: StoredEvent, recorded_by: str | None) -> dict[str, Any]:
    """The event as the contract shows it; its id, aggregate, version and actor only when its
    state cannot be read here (an encrypted store opened without its key)."""
    try:
        return render_event(ledger.mapper.to_domain_event(stored), recorded_by)
    except (ValueError, KeyError, TypeError):  # ciphertext without its key: what the leaf says
        aggregate_id = UUID(str(stored.originator_id))
        return {
            "id": event_id(aggregate_id, stored.originator_version),
            "aggregate_id": str(aggregate_id),
            "version": stored.originator_version,
            "recorded_by": recorded_by,
            "data": None,
        }


def digest(ledger: Ledger, signing_key: SigningKey | None = None) -> dict[str, Any]:
    """The store's head `{"position", "hash", "events", "tree_size", "root", "public_key",
    "key_id", "signature"}`, to be kept outside the store: the chain's head and the Merkle
    tree's root over every event, signed with `signing_key` (null signature fields without).

    It is read, not recomputed: run `verify` first to certify the store up to this head."""
    head: dict[str, Any] = tree_head(ledger, signing_key)
    return head
