"""Plain-SQL tampering with a SQLite store file, as someone with write access to it would do it
(no ledger code involved, except `rechain`, the rewriter who knows the chain's algorithm)."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from enrollment_ledger.adapters.store.merkle import TreeBuilder, leaf_hash
from enrollment_ledger.adapters.store.recorder import GENESIS, chain_link, leaf_bytes
from eventsourcing.persistence import StoredEvent


@contextmanager
def connect(db: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(db, timeout=30)) as conn, conn:
        yield conn


def positions(db: Path, table: str = "ledger_events") -> list[int]:
    column = "id" if table == "ledger_events" else "position"
    with connect(db) as conn:
        return [r[0] for r in conn.execute(f"SELECT {column} FROM {table} ORDER BY {column}")]


def flip_bit(db: Path, position: int, column: str = "state", bit: int = 0) -> None:
    """Flip one bit of one stored event: in the state or aggregate id bytes, in the topic's last
    character, or in the version number."""
    with connect(db) as conn:
        (value,) = conn.execute(
            f"SELECT {column} FROM ledger_events WHERE id = ?", (position,)
        ).fetchone()
        if isinstance(value, bytes):
            changed: object = value[:-1] + bytes([value[-1] ^ (1 << bit)])
        elif isinstance(value, str):
            changed = value[:-1] + chr(ord(value[-1]) ^ (1 << bit))
        else:
            changed = value ^ (1 << (bit + 10))
        assert changed != value
        conn.execute(f"UPDATE ledger_events SET {column} = ? WHERE id = ?", (changed, position))


def delete_event(db: Path, position: int, *, with_link: bool = False) -> None:
    with connect(db) as conn:
        assert conn.execute("DELETE FROM ledger_events WHERE id = ?", (position,)).rowcount == 1
        if with_link:
            conn.execute("DELETE FROM ledger_chain WHERE position = ?", (position,))


def swap_states(db: Path, a: int, b: int) -> None:
    """Exchange two events' stored states (read both first: an UPDATE whose subqueries read the
    table it is changing would see the first row already changed)."""
    with connect(db) as conn:
        states = dict(
            conn.execute("SELECT id, state FROM ledger_events WHERE id IN (?, ?)", (a, b))
        )
        assert states[a] != states[b]
        conn.execute("UPDATE ledger_events SET state = ? WHERE id = ?", (states[b], a))
        conn.execute("UPDATE ledger_events SET state = ? WHERE id = ?", (states[a], b))


def swap_rows(db: Path, a: int, b: int) -> None:
    """Exchange two whole events' positions (their links stay where they were)."""
    with connect(db) as conn:
        conn.execute("UPDATE ledger_events SET id = -1 WHERE id = ?", (a,))
        conn.execute("UPDATE ledger_events SET id = ? WHERE id = ?", (a, b))
        conn.execute("UPDATE ledger_events SET id = ? WHERE id = -1", (b,))


def insert_event(db: Path, *, copy_of: int, at: int | None = None) -> int:
    """Insert a forged event (a copy of another under a new aggregate id) with no chain link: at
    the end, or at position `at` by moving every later event one position up. Its position."""
    with connect(db) as conn:
        if at is not None:
            conn.execute("UPDATE ledger_events SET id = -id WHERE id >= ?", (at,))
            conn.execute("UPDATE ledger_events SET id = 1 - id WHERE id < 0")
            source = copy_of if copy_of < at else copy_of + 1
        else:
            source = copy_of
        cursor = conn.execute(
            "INSERT INTO ledger_events (id, originator_id, originator_version, topic, state) "
            "SELECT ?, ?, originator_version, topic, state FROM ledger_events WHERE id = ?",
            (at, uuid.uuid4().bytes, source),
        )
        position = cursor.lastrowid
    assert position is not None
    return position


def truncate_tail(db: Path, count: int, *, with_tree: bool = True) -> None:
    """Delete the last `count` events and their links (and, unless told otherwise, their leaves
    and the subtrees that covered them): what is left is a valid, shorter chain and tree."""
    with connect(db) as conn:
        (last,) = conn.execute("SELECT max(id) FROM ledger_events").fetchone()
        conn.execute("DELETE FROM ledger_events WHERE id > ?", (last - count,))
        conn.execute("DELETE FROM ledger_chain WHERE position > ?", (last - count,))
        if with_tree:
            conn.execute("DELETE FROM ledger_tree_leaves WHERE position > ?", (last - count,))
            (size,) = conn.execute("SELECT count(*) FROM ledger_tree_leaves").fetchone()
            conn.execute(
                "DELETE FROM ledger_tree_nodes WHERE (node_index + 1) * (1 << level) > ?", (size,)
            )


def rechain(db: Path, *, with_tree: bool = True) -> None:
    """Recompute every link from genesis over the events as they now are (and, unless told
    otherwise, the whole Merkle tree)."""
    with connect(db) as conn:
        rows = conn.execute(
            "SELECT id, originator_id, originator_version, topic, state "
            "FROM ledger_events ORDER BY id"
        ).fetchall()
        conn.execute("DELETE FROM ledger_chain")
        previous = GENESIS
        for position, originator_id, version, topic, state in rows:
            stored = StoredEvent(
                originator_id=uuid.UUID(bytes=originator_id),
                originator_version=version,
                topic=topic,
                state=state,
            )
            previous = chain_link(previous, position, stored)
            conn.execute(
                "INSERT INTO ledger_chain (position, hash) VALUES (?, ?)", (position, previous)
            )
    if with_tree:
        retree(db)


def retree(db: Path) -> None:
    """Recompute the whole Merkle tree over the events as they now are (a rewriter who knows the
    tree's algorithm: RFC 9162, the leaf the chain's link bytes)."""
    with connect(db) as conn:
        rows = conn.execute(
            "SELECT id, originator_id, originator_version, topic, state "
            "FROM ledger_events ORDER BY id"
        ).fetchall()
        conn.execute("DELETE FROM ledger_tree_leaves")
        conn.execute("DELETE FROM ledger_tree_nodes")
        tree = TreeBuilder()
        for index, (position, originator_id, version, topic, state) in enumerate(rows):
            stored = StoredEvent(
                originator_id=uuid.UUID(bytes=originator_id),
                originator_version=version,
                topic=topic,
                state=state,
            )
            hashed = leaf_hash(leaf_bytes(position, stored))
            tree.push(hashed)
            event_id = uuid.uuid5(stored.originator_id, str(version)).bytes
            conn.execute(
                "INSERT INTO ledger_tree_leaves (leaf_index, position, event_id, hash) "
                "VALUES (?, ?, ?, ?)",
                (index, position, event_id, hashed),
            )
        conn.executemany(
            "INSERT INTO ledger_tree_nodes (level, node_index, hash) VALUES (?, ?, ?)",
            tree.completed,
        )
