"""Plain-SQL tampering with a SQLite store file, as someone with write access to it would do it
(no ledger code involved, except `rechain`, the rewriter who knows the chain's algorithm)."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from enrollment_ledger.adapters.store.recorder import GENESIS, chain_link
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
    with connect(db) as conn:
        conn.execute(
            "UPDATE ledger_events SET state = CASE id "
            "WHEN :a THEN (SELECT state FROM ledger_events WHERE id = :b) "
            "ELSE (SELECT state FROM ledger_events WHERE id = :a) END "
            "WHERE id IN (:a, :b)",
            {"a": a, "b": b},
        )


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


def truncate_tail(db: Path, count: int) -> None:
    """Delete the last `count` events and their links: what is left is a valid, shorter chain."""
    with connect(db) as conn:
        (last,) = conn.execute("SELECT max(id) FROM ledger_events").fetchone()
        conn.execute("DELETE FROM ledger_events WHERE id > ?", (last - count,))
        conn.execute("DELETE FROM ledger_chain WHERE position > ?", (last - count,))


def rechain(db: Path) -> None:
    """Recompute every link from genesis over the events (and the actors the links name) as
    they now are."""
    with connect(db) as conn:
        rows = conn.execute(
            "SELECT id, originator_id, originator_version, topic, state "
            "FROM ledger_events ORDER BY id"
        ).fetchall()
        actors = dict(conn.execute("SELECT position, recorded_by FROM ledger_chain").fetchall())
        conn.execute("DELETE FROM ledger_chain")
        previous = GENESIS
        for position, originator_id, version, topic, state in rows:
            stored = StoredEvent(
                originator_id=uuid.UUID(bytes=originator_id),
                originator_version=version,
                topic=topic,
                state=state,
            )
            recorded_by = actors.get(position)
            previous = chain_link(previous, position, stored, recorded_by)
            conn.execute(
                "INSERT INTO ledger_chain (position, hash, recorded_by) VALUES (?, ?, ?)",
                (position, previous, recorded_by),
            )


def set_actor(db: Path, position: int, actor: str | None) -> None:
    """Change who the chain says recorded one event (its link's hash left as it was)."""
    with connect(db) as conn:
        changed = conn.execute(
            "UPDATE ledger_chain SET recorded_by = ? WHERE position = ?", (actor, position)
        )
        assert changed.rowcount == 1
