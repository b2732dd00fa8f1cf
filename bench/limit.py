"""The physical limit of the apply figures: the bare driver (sqlite3, psycopg) writing exactly the
rows the ledger wrote, with the same durability, in the same transactions.

After the ledger's run, every row it wrote for each command is read back from its store (the
command's events, their chain links and Merkle leaves, the tree nodes those leaves completed, the
command log row, the payment reference rows, and the schedule index rows of the command's
enrollments, as their final values) and re-inserted, command by command, into a fresh store of
the same schema (made by the ledger itself, then written by the bare driver alone): one
transaction per command (`group=1`), or `group` commands per transaction (the bulk figure's
grouping). SQLite: WAL and `synchronous = FULL`, as the ledger runs; PostgreSQL: the server's
defaults, as the ledger runs. No reads, no parsing, no hashing: the rows are ready before the
clock starts. A rejected command wrote nothing and is written as nothing.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy.engine import make_url

Key = tuple[str, int]
"""An event by (aggregate id as text, version)."""

EVENTS_TABLE = "ledger_events"


@dataclass
class CommandRows:
    """The rows one command wrote, table by table, in the order the ledger writes them."""

    events: list[tuple[Any, ...]] = field(default_factory=list)
    chain: list[tuple[Any, ...]] = field(default_factory=list)
    leaves: list[tuple[Any, ...]] = field(default_factory=list)
    nodes: list[tuple[Any, ...]] = field(default_factory=list)
    references: list[tuple[Any, ...]] = field(default_factory=list)
    due: list[tuple[Any, ...]] = field(default_factory=list)
    undue: list[tuple[Any, ...]] = field(default_factory=list)
    command: list[tuple[Any, ...]] = field(default_factory=list)

    def count(self) -> int:
        return sum(
            len(rows)
            for rows in (
                self.events,
                self.chain,
                self.leaves,
                self.nodes,
                self.references,
                self.due,
                self.undue,
                self.command,
            )
        )


COLUMNS = {
    "events": (EVENTS_TABLE, ("id", "originator_id", "originator_version", "topic", "state")),
    "chain": ("ledger_chain", ("position", "hash", "recorded_by")),
    "leaves": ("ledger_tree_leaves", ("leaf_index", "position", "event_id", "hash")),
    "nodes": ("ledger_tree_nodes", ("level", "node_index", "hash")),
    "references": ("ledger_references", ("reference_key", "events")),
    "command": ("ledger_commands", ("command_id", "events", "fingerprint", "recorded_by")),
}


def read_back(engine: Any, groups: Sequence[tuple[str | None, Sequence[Key]]]) -> list[CommandRows]:
    """Each accepted command's rows, read back from the ledger's store (`engine`: its
    SQLAlchemy engine). `groups`: each accepted command's id and its events, in run order."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        table = {name: _select(cursor, *COLUMNS[name]) for name in COLUMNS}
        cursor.execute("SELECT aggregate_id, next_due_on FROM ledger_schedule")
        schedule = {str(a): due for a, due in cursor.fetchall()}
    finally:
        raw.close()
    enrollment_ids = {
        _text_uuid(r[1])
        for r in table["events"]
        if int(r[2]) == 1 and (":Enrollment." in r[3] or ":GroupEnrollment." in r[3])
    }
    position_of = {(_text_uuid(r[1]), int(r[2])): int(r[0]) for r in table["events"]}
    events = {int(r[0]): r for r in table["events"]}
    chain = {int(r[0]): r for r in table["chain"]}
    leaves = {int(r[1]): r for r in table["leaves"]}
    nodes_by_last_leaf: dict[int, list[tuple[Any, ...]]] = {}
    for node in table["nodes"]:
        level, index = int(node[0]), int(node[1])
        nodes_by_last_leaf.setdefault((index + 1) * 2**level - 1, []).append(node)
    references_by_first: dict[Key, list[tuple[Any, ...]]] = {}
    for reference in table["references"]:
        first = json.loads(reference[1])[0]
        references_by_first.setdefault((str(first[0]), int(first[1])), []).append(reference)
    commands = {str(r[0]): r for r in table["command"]}
    out: list[CommandRows] = []
    for command_id, keys in groups:
        rows = CommandRows()
        positions = sorted(position_of[(a, v)] for a, v in keys)
        rows.events = [events[p] for p in positions]
        rows.chain = [chain[p] for p in positions]
        rows.leaves = [leaves[p] for p in positions]
        for leaf in rows.leaves:
            rows.nodes.extend(nodes_by_last_leaf.get(int(leaf[0]), []))
        for key in keys:
            rows.references.extend(references_by_first.get(key, []))
        touched = sorted({a for a, _ in keys if a in enrollment_ids})
        rows.due = [(a, schedule[a]) for a in touched if a in schedule]
        rows.undue = [(a,) for a in touched if a not in schedule]
        if command_id is not None and command_id in commands:
            rows.command = [commands[command_id]]
        out.append(rows)
    return out


def _select(cursor: Any, table: str, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")
    return [tuple(r) for r in cursor.fetchall()]


def _text_uuid(value: Any) -> str:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return str(UUID(bytes=bytes(value)))
    return str(UUID(str(value)))


# ---- the bare writers ------------------------------------------------------------------------


class BareWriter:
    """Inserts prepared rows with the driver alone, `group` commands per transaction."""

    placeholder = "?"
    upsert_due = ""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.statements = {
            name: f"INSERT INTO {table} ({', '.join(cols)}) VALUES "
            f"({', '.join([self.placeholder] * len(cols))})"
            for name, (table, cols) in COLUMNS.items()
        }
        self.delete_due = f"DELETE FROM ledger_schedule WHERE aggregate_id = {self.placeholder}"

    def begin(self, cursor: Any) -> None:
        raise NotImplementedError

    def commit(self, cursor: Any) -> None:
        raise NotImplementedError

    def write(self, commands: Sequence[CommandRows], group: int = 1) -> float:
        """The seconds it took to write them all."""
        cursor = self.connection.cursor()
        statements = self.statements
        started = time.perf_counter()
        for start in range(0, len(commands), group):
            self.begin(cursor)
            for rows in commands[start : start + group]:
                for name in ("events", "chain", "leaves", "nodes", "references"):
                    batch = getattr(rows, name)
                    if batch:
                        cursor.executemany(statements[name], batch)
                if rows.undue:
                    cursor.executemany(self.delete_due, rows.undue)
                if rows.due:
                    cursor.executemany(self.upsert_due, rows.due)
                if rows.command:
                    cursor.executemany(statements["command"], rows.command)
            self.commit(cursor)
        return time.perf_counter() - started

    def close(self) -> None:
        self.connection.close()


class SQLiteWriter(BareWriter):
    """sqlite3, autocommit off by hand: BEGIN IMMEDIATE ... COMMIT, WAL, synchronous FULL."""

    upsert_due = (
        "INSERT INTO ledger_schedule (aggregate_id, next_due_on) VALUES (?, ?) "
        "ON CONFLICT (aggregate_id) DO UPDATE SET next_due_on = excluded.next_due_on"
    )

    def __init__(self, path: str) -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        super().__init__(connection)

    def begin(self, cursor: Any) -> None:
        cursor.execute("BEGIN IMMEDIATE")

    def commit(self, cursor: Any) -> None:
        cursor.execute("COMMIT")


class PostgresWriter(BareWriter):
    """psycopg 3: one transaction per group, committed by the connection."""

    placeholder = "%s"
    upsert_due = (
        "INSERT INTO ledger_schedule (aggregate_id, next_due_on) VALUES (%s, %s) "
        "ON CONFLICT (aggregate_id) DO UPDATE SET next_due_on = excluded.next_due_on"
    )

    def __init__(self, conninfo: str) -> None:
        import psycopg

        super().__init__(psycopg.connect(conninfo))

    def begin(self, cursor: Any) -> None:
        pass  # psycopg opens the transaction at the first statement

    def commit(self, cursor: Any) -> None:
        self.connection.commit()


def bare_writer(url: str) -> BareWriter:
    """The bare writer of the store at `url` (a SQLAlchemy URL, as the ledger resolves it)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return SQLiteWriter(str(parsed.database))
    return PostgresWriter(parsed.set(drivername="postgresql").render_as_string(False))


def truncate(url: str) -> None:
    """Empty the ledger's tables of the store at `url` (the bare writer's, between runs)."""
    writer = bare_writer(url)
    cursor = writer.connection.cursor()
    tables = [table for table, _ in COLUMNS.values()] + ["ledger_schedule"]
    if isinstance(writer, SQLiteWriter):
        cursor.execute("BEGIN IMMEDIATE")
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute("COMMIT")
    else:
        cursor.execute(f"TRUNCATE {', '.join(tables)}")
        writer.connection.commit()
    writer.close()
