"""An application recorder that also keeps, in the same transaction as the events:

- `ledger_chain`: a SHA-256 hash chain over every stored event in store order, each link with
  who recorded its event (`recorded_by`, the actor of the command; hashed into the link, so the
  chain covers it: see `link_bytes`; NULL for an event recorded before actors were kept);
- `ledger_commands`: each command id with the events it recorded (idempotent replay), the
  fingerprint of the command (`command_id_reused`; NULL for a command recorded before
  fingerprints were kept: accepted as the same command, as before) and its actor
  (`recorded_by`; NULL before actors were kept);
- `ledger_references`: each payment reference (keyed, never in clear) with the events of the
  command that recorded it: a reference is unique in the whole store (`duplicate_reference`);
- `ledger_schedule`: each enrollment's next due date, so `run_schedule` reads only what is due;
- `ledger_meta`: store settings, and the schedule's date (the latest `through` of a
  `run_schedule`);
- `ledger_tree_leaves` and `ledger_tree_nodes`: the RFC 9162 Merkle tree over the events in store
  order (`merkle.py`): each event's leaf (its index, position, event id and leaf hash) and every
  complete subtree's hash by (level, index), so that a proof reads O(log n) hashes.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import time
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from eventsourcing.persistence import IntegrityError, Notification, StoredEvent
from eventsourcing_sqlalchemy.datastore import Transaction, transactions
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import (
    Column,
    Date,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    bindparam,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import IntegrityError as SQLAlchemyIntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.types import NullType

from ...domain.events import event_id_bytes
from ...runtime.columns import bigint
from .merkle import Frontier, leaf_hash, range_nodes

if TYPE_CHECKING:
    from ...domain.storage import LedgerStorage
    from ...projections.store import ProjectionStore

GENESIS = b"\x00" * 32
SCHEDULE_THROUGH = "schedule_through"
_CREATE_LOCK = 0x1ED6E5  # an arbitrary advisory-lock key for table creation

_write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)
_pending_head: ContextVar[tuple[int, bytes] | None] = ContextVar("pending_head", default=None)
_pending_tree: ContextVar[tuple[int, Frontier] | None] = ContextVar("pending_tree", default=None)
TREE_BATCH = 1000
_recording_by: ContextVar[str | None] = ContextVar("recording_by", default=None)
_batch: ContextVar[Batch | None] = ContextVar("batch", default=None)
_driver: ContextVar[tuple[Session, Any] | None] = ContextVar("driver", default=None)
"""The session of the write transaction under way and its driver connection's cursor."""


class _Deferred:
    """The rows a write transaction has made and not yet written
    (`LedgerRecorder._write_deferred`): its chain links, Merkle leaves and nodes, the schedule
    index's next due dates, the command log's and the payment references' rows. Written
    together before it commits, or before a statement of it reads those tables (or deletes from
    the schedule index); a command id or a reference looked up is found among them first. In a
    batch, one statement per table for all its commands instead of six for each; no reader
    outside the transaction could see the rows before the commit anyway. `written` counts the
    writes, so that a command's savepoint rolled back after one (which took back rows of the
    commands before it) gives the batch up.

    PostgreSQL (each statement a round trip): the events table's lock is taken once per
    transaction (`locked`; a savepoint rolled back after taking it released it, and it is taken
    again), and the channel is notified once, before the commit (`notify`; listeners are told
    at the commit either way).

    `through`: the schedule's date as this transaction read it (`schedule_through`, read once
    per transaction rather than once per command; forgotten when the transaction raises it or
    a savepoint rolls back). A run committed by another writer meanwhile is seen by the next
    transaction, as it would be had the transaction's commands been one command.

    `looked_up`, `looked_up_references`: the command log's rows of a batch's command ids, and
    the reference index's rows of its payments' reference keys, read in one statement each when
    the batch begins (`LedgerRecorder.batch`), None for a key not kept then; one this
    transaction keeps is found among `commands` (`references`), or (once they are written) read
    again. A writer that keeps one of them meanwhile makes this transaction's own row of it
    fail as a duplicate when it is written, and the batch is given up."""

    __slots__ = (
        "commands",
        "dues",
        "leaves",
        "links",
        "locked",
        "looked_up",
        "looked_up_references",
        "nodes",
        "notify",
        "references",
        "through",
        "written",
    )

    def __init__(self) -> None:
        self.links: list[dict[str, Any]] = []
        self.leaves: list[dict[str, Any]] = []
        self.nodes: list[dict[str, Any]] = []
        self.dues: list[dict[str, Any]] = []
        self.commands: dict[str, dict[str, Any]] = {}
        self.references: dict[str, dict[str, Any]] = {}
        self.written = 0
        self.locked = False
        self.notify = False
        self.through: tuple[date | None] | None = None
        self.looked_up: dict[str, tuple[str, str | None] | None] = {}
        self.looked_up_references: dict[str, str | None] = {}

    def mark(self) -> tuple[int, ...]:
        return (
            len(self.links),
            len(self.leaves),
            len(self.nodes),
            len(self.dues),
            len(self.commands),
            len(self.references),
            self.written,
            self.locked,
        )

    def back_to(self, mark: tuple[int, ...]) -> bool:
        """The rows made since `mark` dropped; whether the rows were written since (then the
        savepoint's rollback took back rows of earlier commands as well)."""
        del self.links[mark[0] :], self.leaves[mark[1] :], self.nodes[mark[2] :]
        del self.dues[mark[3] :]
        for keyed, kept in ((self.commands, mark[4]), (self.references, mark[5])):
            for key in list(keyed)[kept:]:
                del keyed[key]
        self.locked = bool(mark[7])
        self.through = None
        return self.written != mark[6]

    def __bool__(self) -> bool:
        return bool(
            self.links or self.leaves or self.nodes or self.dues or self.commands or self.references
        )


_deferred: ContextVar[_Deferred | None] = ContextVar("deferred", default=None)

ATTRIBUTED_LINK = b"recorded_by\n"
"""The version marker that opens the hashed bytes of a link that names its event's actor (the
bytes of a link without one open with the event's position, a digit)."""


def chain_link(
    previous: bytes, position: int, stored: StoredEvent, recorded_by: str | None = None
) -> bytes:
    """hash_n = SHA-256(hash_{n-1} || link bytes of event n)."""
    return next_link(previous, link_bytes(position, stored, recorded_by))


def next_link(previous: bytes, data: bytes) -> bytes:
    """A chain link from the previous one and the event's `link_bytes` (`chain_link`)."""
    return hashlib.sha256(previous + data).digest()


def link_bytes(position: int, stored: StoredEvent, recorded_by: str | None = None) -> bytes:
    """What a chain link hashes after the previous link. An event recorded before actors were
    kept (`recorded_by` None): its canonical bytes. An event with its actor: the marker
    `recorded_by\\n`, the actor's UTF-8 length in bytes as a decimal number and a newline, the
    actor's UTF-8 bytes, then the canonical bytes. The length makes the split unambiguous, and
    the marker cannot open the bytes of a link without an actor, so an actor removed, added or
    changed changes the link."""
    canonical = canonical_bytes(position, stored)
    if recorded_by is None:
        return canonical
    actor = recorded_by.encode("utf-8")
    return ATTRIBUTED_LINK + f"{len(actor)}\n".encode() + actor + canonical


def leaf_bytes(position: int, stored: StoredEvent, recorded_by: str | None = None) -> bytes:
    """The data of an event's leaf in the Merkle tree: what its chain link hashes after the
    previous link (`link_bytes`: with who recorded it, when the link names its actor), so that
    a proof of one event proves its actor too."""
    return link_bytes(position, stored, recorded_by)


def canonical_bytes(position: int, stored: StoredEvent) -> bytes:
    """The event's position, aggregate id, version, topic and stored (possibly encrypted) state."""
    aggregate_id = stored.originator_id
    hex_id = aggregate_id.hex if type(aggregate_id) is UUID else UUID(str(aggregate_id)).hex
    header = f"{position}\n{hex_id}\n{stored.originator_version}\n"
    return header.encode() + stored.topic.encode() + b"\n" + bytes(stored.state)


LOOK_UP_CHUNK = 500
"""Command ids (or reference keys) looked up per statement when a batch begins (a bound
parameter each)."""


class Batch:
    """A batch under way (`LedgerRecorder.batch`): `rolled_back` once a command's savepoint
    rolled back events it had inserted."""

    def __init__(self, recorder: LedgerRecorder) -> None:
        self.recorder = recorder
        self.savepoints = False
        self.rolled_back = False


class LedgerRecorder(SQLAlchemyApplicationRecorder):
    def __init__(self, datastore: Any, *, events_table_name: str, schema_name: str | None = None):
        super().__init__(datastore, events_table_name=events_table_name, schema_name=schema_name)
        metadata = MetaData(schema=schema_name)
        self.chain = Table(
            "ledger_chain",
            metadata,
            Column("position", bigint(), primary_key=True, autoincrement=False),
            Column("hash", LargeBinary(32), nullable=False),
            Column("recorded_by", Text(), nullable=True),
        )
        self.commands = Table(
            "ledger_commands",
            metadata,
            Column("command_id", String(200), primary_key=True),
            Column("events", Text(), nullable=False),
            Column("fingerprint", String(64), nullable=True),
            Column("recorded_by", Text(), nullable=True),
        )
        self.references = Table(
            "ledger_references",
            metadata,
            Column("reference_key", String(64), primary_key=True),
            Column("events", Text(), nullable=False),
        )
        self.schedule = Table(
            "ledger_schedule",
            metadata,
            Column("aggregate_id", String(36), primary_key=True),
            Column("next_due_on", Date(), nullable=True, index=True),
        )
        self.meta = Table(
            "ledger_meta",
            metadata,
            Column("name", String(100), primary_key=True),
            Column("value", Text(), nullable=False),
        )
        self.tree_leaves = Table(
            "ledger_tree_leaves",
            metadata,
            Column("leaf_index", bigint(), primary_key=True, autoincrement=False),
            Column("position", bigint(), nullable=False),
            Column("event_id", LargeBinary(16), nullable=False, unique=True),
            Column("hash", LargeBinary(32), nullable=False),
        )
        self.tree_nodes = Table(
            "ledger_tree_nodes",
            metadata,
            Column("level", SmallInteger(), primary_key=True, autoincrement=False),
            Column("node_index", bigint(), primary_key=True, autoincrement=False),
            Column("hash", LargeBinary(32), nullable=False),
            sqlite_with_rowid=False,
        )
        self.tables.extend([self.chain, self.commands, self.references, self.schedule, self.meta])
        self.tables.extend([self.tree_leaves, self.tree_nodes])
        self._head: tuple[int, bytes] | None = None  # the last link this process committed
        self._tree: tuple[int, Frontier] | None = None  # the tree as this process last left it
        self._held: Connection | None = None  # SQLite: the connection of write transactions
        self._held_finalizer: weakref.finalize[Any, Any] | None = None
        engine = self.datastore.engine
        self._statements = _Statements(self.events_record_cls.__table__, self, engine)
        if engine is not None and engine.dialect.name == "sqlite":
            _use_immediate_transactions_for_writes(engine)
            # WAL is set on every new connection (above), outside any transaction.
            self.datastore._tried_init_sqlite_wal_mode = True

    def create_table(self) -> None:
        """Create the tables once, even when several processes start on an empty PostgreSQL
        database at the same moment (an advisory lock serialises them)."""
        engine = self.datastore.engine
        if not isinstance(engine, Engine) or engine.dialect.name != "postgresql":
            # SQLite: take the write lock up front (BEGIN IMMEDIATE), so two processes starting
            # on a new file wait for each other instead of failing to upgrade their locks.
            token = _write_intent.set(True)
            try:
                super().create_table()
                if isinstance(engine, Engine):
                    with engine.begin() as connection:
                        self._add_missing_columns(connection)
            finally:
                _write_intent.reset(token)
            return
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _CREATE_LOCK})
            try:
                for table in self.tables:
                    table.create(connection, checkfirst=True)
                self._add_missing_columns(connection)
                connection.commit()
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _CREATE_LOCK})
                connection.commit()

    def _add_missing_columns(self, connection: Connection) -> None:
        """A store made before a column was added gets it (NULL in the rows already there)."""
        added = (
            (self.commands, "fingerprint", "VARCHAR(64)"),
            (self.commands, "recorded_by", "TEXT"),
            (self.chain, "recorded_by", "TEXT"),
        )
        present: dict[str, set[str]] = {}
        for table, column, column_type in added:
            if table.name not in present:
                columns = inspect(connection).get_columns(table.name, table.schema)
                present[table.name] = {c["name"] for c in columns}
            if column not in present[table.name]:
                name = connection.dialect.identifier_preparer.format_table(table)
                connection.execute(text(f"ALTER TABLE {name} ADD COLUMN {column} {column_type}"))

    # -- transactions ---------------------------------------------------------------------------

    @contextmanager
    def write_transaction(self, recorded_by: str | None = None) -> Iterator[Session]:
        """One atomic unit of work (on SQLite: BEGIN IMMEDIATE, so writers queue, not fail);
        the events it stores are recorded by `recorded_by` (their chain links name it; one
        opened inside another without an actor keeps the outer one's). Inside a `batch`, a
        savepoint of the batch's transaction (`_savepoint`)."""
        batch = _batch.get()
        if batch is not None and batch.recorder is self and batch.savepoints:
            with self._savepoint(batch, recorded_by) as session:
                yield session
            return
        token = _write_intent.set(True)
        pending = _pending_head.set(None)
        pending_tree = _pending_tree.set(None)
        actor = _recording_by.set(recorded_by if recorded_by is not None else _recording_by.get())
        driver = _driver.set(None)
        try:
            with self._outermost_or_joined() as session:
                yield session
            head = _pending_head.get()
            if head is not None:  # committed: our last link is the chain's head
                self._head = head
            tree = _pending_tree.get()
            if tree is not None:  # committed: our last leaf is the tree's last
                self._tree = tree
        finally:
            _driver.reset(driver)
            _recording_by.reset(actor)
            _pending_tree.reset(pending_tree)
            _pending_head.reset(pending)
            _write_intent.reset(token)

    @contextmanager
    def _outermost_or_joined(self) -> Iterator[Session]:
        """The write transaction's unit of work: when none is open, a `_Unit` on a connection
        (Core `begin`/`commit`, no ORM Session around it; `_write_connection`); otherwise the
        open one, joined as the library joins it (`transaction(commit=True)`)."""
        datastore = self.datastore
        engine = datastore.engine
        if (
            transactions.get(None) is not None
            or datastore.scoped_session is not None
            or not isinstance(engine, Engine)
        ):
            with self.transaction(commit=True) as session:
                yield session
            return
        if not datastore._tried_init_sqlite_wal_mode:
            datastore.init_sqlite_wal_mode()
        lock = datastore.access_lock or datastore.write_lock
        if lock is not None:
            lock.acquire()
        # the library's transaction object, as the one open in this context: its reads
        # (`transaction(commit=False)`) join it, and it raises a failure as the library's own
        # transaction does (an IntegrityError as the library's, so the command is tried again);
        # it releases the lock, and neither begins, commits nor closes anything
        # (`is_scoped_session`): the unit's connection does that here
        joined = Transaction(None, commit=True, lock=lock, is_scoped_session=True)  # type: ignore[arg-type]
        token = transactions.set(joined)
        try:
            with joined:
                connection = self._write_connection(engine, held=lock is not None)
                unwritten = _Deferred()
                deferred = _deferred.set(unwritten)
                try:
                    unit = _Unit(connection)
                    joined.session = cast(Session, unit)
                    connection.begin()
                    try:
                        yield cast(Session, unit)
                        self._write_deferred(cast(Session, unit))
                        if unwritten.notify:  # events inserted: listeners told at the commit
                            self._notify_channel(cast(Session, unit))
                        unit.finish()
                    except BaseException:
                        unit.discard()
                        connection.rollback()
                        raise
                    connection.commit()
                finally:
                    _deferred.reset(deferred)
                    self._put_back(connection)
        finally:
            transactions.reset(token)

    def _write_connection(self, engine: Engine, held: bool) -> Connection:
        """A connection for a write transaction. SQLite, whose writers in this process take
        the datastore's lock in turn (`held`): the one this recorder holds between them (no
        pool checkout and checkin per command), made when there is none; otherwise one from
        the pool, given back after its transaction."""
        if held and engine.dialect.name == "sqlite":
            connection = self._held
            if connection is None or connection.closed or connection.invalidated:
                connection = engine.connect()
                self._hold(connection)
            return connection
        return engine.connect()

    def _hold(self, connection: Connection | None) -> None:
        if self._held_finalizer is not None:
            self._held_finalizer()  # the previous one closed
        self._held = connection
        self._held_finalizer = (
            None if connection is None else weakref.finalize(self, connection.close)
        )

    def _put_back(self, connection: Connection) -> None:
        """After a write transaction: a held connection kept while it is sound (no transaction
        left open, not invalidated), else closed; any other one given back to the pool."""
        if connection is not self._held:
            connection.close()
        elif connection.invalidated or connection.in_transaction():
            self._hold(None)

    def release_connection(self) -> None:
        """Close the connection held for write transactions (the next one makes a new one)."""
        lock = self.datastore.access_lock or self.datastore.write_lock
        if lock is not None:
            lock.acquire()
        try:
            self._hold(None)
        finally:
            if lock is not None:
                lock.release()

    @contextmanager
    def batch(
        self, command_ids: Sequence[str] = (), reference_keys: Sequence[str] = ()
    ) -> Iterator[Batch]:
        """One transaction for many commands: each write transaction opened inside it is a
        savepoint (a command that fails rolls back alone, and records nothing), and all of them
        commit together when the batch ends without an exception (else none is recorded). The
        command log's rows of `command_ids` (its commands') and the reference index's rows of
        `reference_keys` (its payments') are read first, together."""
        if _batch.get() is not None:
            raise RuntimeError("a batch is already open")
        batch = Batch(self)
        token = _batch.set(batch)
        try:
            with self.write_transaction():
                self._look_up(command_ids, reference_keys)
                batch.savepoints = True
                yield batch
                batch.savepoints = False
        finally:
            _batch.reset(token)

    @contextmanager
    def _savepoint(self, batch: Batch, recorded_by: str | None) -> Iterator[Session]:
        """A command's part of a batch: a SAVEPOINT, released when it succeeds, rolled back
        when it fails (the chain's and the tree's pending ends go back to where they were; a
        conflict is raised as the library's IntegrityError, so the ledger tries it again as it
        does a whole transaction; events inserted and rolled back mark the batch `rolled_back`,
        so that the caller drops the aggregates it may have cached from them)."""
        head, tree = _pending_head.get(), _pending_tree.get()
        deferred = _deferred.get()
        mark = deferred.mark() if deferred is not None else None
        actor = _recording_by.set(recorded_by if recorded_by is not None else _recording_by.get())
        try:
            with self.transaction(commit=True) as session:
                savepoint = session.begin_nested()
                try:
                    yield session
                except BaseException as e:
                    if savepoint.is_active:
                        savepoint.rollback()
                    if _pending_head.get() != head:
                        batch.rolled_back = True
                    if deferred is not None and mark is not None and deferred.back_to(mark):
                        batch.rolled_back = True
                    _pending_head.set(head)
                    _pending_tree.set(tree)
                    if isinstance(e, SQLAlchemyIntegrityError):
                        raise IntegrityError(e) from e
                    raise
                savepoint.commit()
        finally:
            _recording_by.reset(actor)

    # -- events + chain -------------------------------------------------------------------------

    def _insert_stored_events(
        self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        """The events (what the library's ORM insert does, with one prebuilt statement that
        returns their positions in order), then their chain links."""
        if not stored_events:
            return []
        deferred = _deferred.get()
        if self._has_autoincrementing_ids and not (deferred is not None and deferred.locked):
            self._lock_table(session)  # PostgreSQL: positions in commit order
            if deferred is not None:
                deferred.locked = True
        rows = [
            {
                "originator_id": e.originator_id,
                "originator_version": e.originator_version,
                "topic": e.topic,
                "state": e.state,
            }
            for e in stored_events
        ]
        statements = self._statements
        if statements.raw and (len(rows) == 1 or statements.sqlite):
            # one row at a time on the driver: the positions in order, without a round trip on
            # SQLite (PostgreSQL's several rows go in one statement, below)
            insert = statements.raw_insert_event
            ids = [int(insert.execute(session, row).fetchone()[0]) for row in rows]
        elif statements.raw_insert_events is not None:  # PostgreSQL's several rows
            ids = statements.raw_insert_events.positions(session, rows)
        elif len(rows) == 1:
            ids = [int(session.execute(statements.insert_event, rows[0]).scalar_one())]
        else:
            ids = [int(i) for i in session.execute(statements.insert_events, rows).scalars()]
        if deferred is not None:
            deferred.notify = True
        else:
            self._notify_channel(session)
        previous = self._previous_link(session, ids[0])
        actor = _recording_by.get()
        links = []
        # each event's link bytes, hashed into its chain link and, as its leaf's data, into the
        # Merkle tree (`leaf_bytes` is `link_bytes`): made once for both
        hashed = [
            link_bytes(p, stored, actor) for p, stored in zip(ids, stored_events, strict=True)
        ]
        for position, data in zip(ids, hashed, strict=True):
            previous = next_link(previous, data)
            links.append({"position": position, "hash": previous, "recorded_by": actor})
        if deferred is not None:
            deferred.links += links
        elif statements.raw:
            statements.raw_insert_link.executemany(session, links)
        else:
            session.execute(statements.insert_link, links)
        _pending_head.set((ids[-1], previous))
        self._grow_tree(session, ids, stored_events, hashed)
        return ids

    def _write_deferred(self, session: Session) -> None:
        """Write the rows this transaction has deferred (`_Deferred`), one statement per table,
        each table's in the order they were made."""
        deferred = _deferred.get()
        if not deferred:
            return
        statements = self._statements
        for raw, rows in (
            (statements.raw_insert_link, deferred.links),
            (statements.raw_insert_leaf, deferred.leaves),
            (statements.raw_insert_node, deferred.nodes),
            # one row per aggregate, its last date (upserted in turn, the last wins)
            (
                statements.raw_upsert_due,
                list({d["aggregate_id"]: d for d in deferred.dues}.values()),
            ),
            (statements.raw_record_command, list(deferred.commands.values())),
            (statements.raw_record_reference, list(deferred.references.values())),
        ):
            if rows:
                raw.executemany(session, rows)
        for command_id in deferred.commands:  # written: found in the table from now on
            deferred.looked_up.pop(command_id, None)
        for key in deferred.references:
            deferred.looked_up_references.pop(key, None)
        deferred.links, deferred.leaves, deferred.nodes, deferred.dues = [], [], [], []
        deferred.commands, deferred.references = {}, {}
        deferred.written += 1

    def _previous_link(self, session: Session, first_position: int) -> bytes:
        """The chain's head before `first_position`. When the event just before it is the last one
        this process committed, its link is known; otherwise (another writer came between, or
        positions skipped) it is read from the store, under the insert's lock."""
        known = _pending_head.get() or self._head
        if known is not None and known[0] == first_position - 1:
            return known[1]
        self._write_deferred(session)
        head = session.execute(
            select(self.chain.c.hash).order_by(self.chain.c.position.desc()).limit(1)
        ).first()
        return bytes(head[0]) if head is not None else GENESIS

    # -- Merkle tree ----------------------------------------------------------------------------

    def _grow_tree(
        self,
        session: Session,
        positions: Sequence[int],
        stored_events: Sequence[StoredEvent],
        data: Sequence[bytes],
    ) -> None:
        """Append the events just inserted to the Merkle tree, in their transaction (`data`:
        their leaves' bytes, `leaf_bytes`)."""
        frontier = self._tree_before(session, positions[0])
        actor = _recording_by.get()
        events = [(p, stored, actor) for p, stored in zip(positions, stored_events, strict=True)]
        self._append_leaves(session, frontier, events, data)

    def _append_leaves(
        self,
        session: Session,
        frontier: Frontier,
        events: Sequence[tuple[int, StoredEvent, str | None]],
        data: Sequence[bytes] | None = None,
    ) -> Frontier:
        """Append leaves for (position, stored event, who recorded it); `data`, when given, is
        each one's `leaf_bytes` already made."""
        if data is None:
            data = [leaf_bytes(position, stored, by) for position, stored, by in events]
        hashes = [leaf_hash(leaf) for leaf in data]
        leaves = [
            {
                "leaf_index": frontier.size + i,
                "position": position,
                "event_id": event_id_bytes(
                    stored_uuid(stored.originator_id), stored.originator_version
                ),
                "hash": hashes[i],
            }
            for i, (position, stored, _by) in enumerate(events)
        ]
        grown, completed = frontier.extend(hashes)
        statements = self._statements
        nodes = [{"level": lv, "node_index": i, "hash": h} for lv, i, h in completed]
        deferred = _deferred.get()
        if deferred is not None:
            deferred.leaves += leaves
            deferred.nodes += nodes
        elif statements.raw:
            statements.raw_insert_leaf.executemany(session, leaves)
            if nodes:
                statements.raw_insert_node.executemany(session, nodes)
        else:
            session.execute(statements.insert_leaf, leaves)
            if nodes:
                session.execute(statements.insert_node, nodes)
        _pending_tree.set((events[-1][0], grown))
        return grown

    def _tree_before(self, session: Session, first_position: int) -> Frontier:
        """The tree of every event before `first_position`. Known when the event just before it
        is the last leaf this transaction or process wrote; otherwise read from the store (under
        the insert's lock), and first caught up with any event stored without its leaf (by a
        version of the ledger that kept no tree, or a leaf lost)."""
        known = _pending_tree.get() or self._tree
        if known is not None and known[0] == first_position - 1:
            return known[1]
        return self._caught_up_tree(session, before=first_position)

    def _caught_up_tree(self, session: Session, before: int | None = None) -> Frontier:
        """The stored tree, with a leaf appended for every stored event after its last leaf (and
        before position `before`), a batch at a time."""
        self._write_deferred(session)
        leaves = self.tree_leaves
        last = session.execute(
            select(leaves.c.leaf_index, leaves.c.position)
            .order_by(leaves.c.leaf_index.desc())
            .limit(1)
        ).first()
        size, position = (0, 0) if last is None else (int(last[0]) + 1, int(last[1]))
        frontier = Frontier(size, tuple(self._stored_nodes(session, range_nodes(0, size))))
        events = self.events_record_cls.__table__
        while True:
            query = self._statements.notifications.where(events.c.id > position)
            if before is not None:
                query = query.where(events.c.id < before)
            missing = _notifications(
                session.execute(query.order_by(events.c.id).limit(TREE_BATCH)).all()
            )
            if not missing:
                return frontier
            actors = self._chain_actors(session, missing[0].id, missing[-1].id)
            frontier = self._append_leaves(
                session, frontier, [(n.id, n, actors.get(n.id)) for n in missing]
            )
            position = missing[-1].id

    def _chain_actors(self, session: Session, first: int, last: int) -> dict[int, str | None]:
        """Who recorded each event from position `first` to `last`, as its chain link names it."""
        self._write_deferred(session)
        chain = self.chain
        rows = session.execute(
            select(chain.c.position, chain.c.recorded_by).where(
                chain.c.position >= first, chain.c.position <= last
            )
        ).all()
        return {int(p): None if by is None else str(by) for p, by in rows}

    def _stored_nodes(self, session: Session, nodes: Sequence[tuple[int, int]]) -> list[bytes]:
        """The stored hashes of complete subtrees (level 0: leaves), in the order asked."""
        self._write_deferred(session)
        found = read_tree_nodes(session, self.tree_leaves, self.tree_nodes, set(nodes))
        return [found[node] for node in nodes]

    def catch_up_tree(self) -> None:
        """Give every stored event its leaf: a store written before the tree was kept gets it
        here, in a transaction of its own (under the insert's lock), once a read has found an
        event after the tree's last leaf."""
        leaves, events = self.tree_leaves, self.events_record_cls.__table__
        last_leaf = (
            select(leaves.c.position)
            .order_by(leaves.c.leaf_index.desc())
            .limit(1)
            .scalar_subquery()
        )
        lagging = select(events.c.id).where(events.c.id > func.coalesce(last_leaf, 0)).limit(1)
        with self.transaction(commit=False) as session:
            self._write_deferred(session)
            if session.execute(lagging).first() is None:
                return
        with self.write_transaction() as session:
            if self._has_autoincrementing_ids:
                self._lock_table(session)
            self._caught_up_tree(session)

    # -- store settings -------------------------------------------------------------------------

    def get_meta(self, name: str) -> str | None:
        with self.transaction(commit=False) as session:
            row = session.execute(select(self.meta.c.value).where(self.meta.c.name == name)).first()
        return None if row is None else str(row[0])

    def set_meta_once(self, name: str, value: str) -> str:
        """Store `value` under `name` unless one is there; answer the stored value."""
        with self.write_transaction() as session:
            row = session.execute(select(self.meta.c.value).where(self.meta.c.name == name)).first()
            if row is not None:
                return str(row[0])
            session.execute(insert(self.meta).values(name=name, value=value))
        return value

    def read_notifications(
        self, after: int, limit: int, stop: int | None = None
    ) -> list[Notification]:
        """The notifications after position `after` (at most `limit`, none past `stop`), in order:
        what `select_notifications(after, limit, stop, inclusive_of_start=False)` answers, read
        with a plain select of the stored columns rather than ORM instances (half the time), the
        id and state taken as the driver gives them (no per-row type processing). In the
        caller's transaction when one is open."""
        table = self.events_record_cls.__table__
        query = self._statements.notifications.where(table.c.id > after)
        if stop is not None:
            query = query.where(table.c.id <= stop)
        with self.transaction(commit=False) as session:
            rows = session.execute(query.order_by(table.c.id).limit(limit)).all()
        return _notifications(rows)

    # -- reading one aggregate ---------------------------------------------------------------------

    def select_events(
        self,
        originator_id: UUID | str,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        """What the library's `select_events` answers, read with a plain select of the stored
        columns rather than ORM instances: every aggregate load, and every fast-forward of a
        cached aggregate (one per command), reads here."""
        statements = self._statements
        key = (gt is not None, lte is not None, desc)
        parameters = {"originator_id": originator_id, "gt": gt, "lte": lte}
        if limit is None and statements.raw:
            raw = statements.raw_select_events(*key)
            with self.transaction(commit=False) as session:
                rows = raw.execute(session, parameters).fetchall()
        else:
            query = statements.select_events(*key)
            if limit is not None:
                query = query.limit(limit)
            with self.transaction(commit=False) as session:
                rows = session.execute(query, parameters).all()
        return [
            StoredEvent(
                originator_id=originator_id,
                originator_version=int(v),
                topic=str(topic),
                state=state if isinstance(state, bytes) else bytes(state),
            )
            for v, topic, state in rows
        ]

    # -- reading several aggregates in store order ------------------------------------------------

    def select_aggregates(
        self, aggregate_ids: Sequence[UUID], through: int | None = None
    ) -> list[Notification]:
        """Every stored event of the given aggregates (none after position `through`), in store
        (notification) order."""
        if not aggregate_ids:
            return []
        table = self.events_record_cls.__table__
        query = self._statements.notifications.where(table.c.originator_id.in_(list(aggregate_ids)))
        if through is not None:
            query = query.where(table.c.id <= through)
        with self.transaction(commit=False) as session:
            rows = session.execute(query.order_by(table.c.id)).all()
        return _notifications(rows)

    def select_after(self, versions: Mapping[UUID, int]) -> list[StoredEvent]:
        """The stored events of each aggregate after its version (0: all of them), each
        aggregate's in order. On SQLite one indexed read per aggregate (a statement there is a
        call into the library, no round trip); elsewhere one read of all their events, those up
        to each one's version skipped (one round trip, not one per aggregate)."""
        statements = self._statements
        if statements.sqlite and statements.raw:
            return [e for a, v in versions.items() for e in self.select_events(a, gt=v)]
        return [
            row
            for row in self.select_aggregates(list(versions))
            if row.originator_version > versions[cast(UUID, row.originator_id)]
        ]

    def aggregate_extents(self, through: int) -> list[tuple[UUID, int]]:
        """Each aggregate with a stored event at or before position `through`, and how many it
        has there, in the order of their first events."""
        table = self.events_record_cls.__table__
        query = (
            select(type_coerce(table.c.originator_id, NullType()), func.count())
            .where(table.c.id <= through)
            .group_by(table.c.originator_id)
            .order_by(func.min(table.c.id))
        )
        with self.transaction(commit=False) as session:
            rows = session.execute(query).all()
        return [(stored_uuid(aggregate_id), int(count)) for aggregate_id, count in rows]

    # -- command log ----------------------------------------------------------------------------

    def find_command(self, command_id: str) -> tuple[list[tuple[UUID, int]], str | None] | None:
        """The events a command id recorded, and the command's fingerprint (None for a command
        recorded before fingerprints were kept)."""
        deferred = _deferred.get()
        if deferred is not None and command_id in deferred.commands:
            made = deferred.commands[command_id]
            return _event_keys(made["events"]), made["fingerprint"]
        if deferred is not None and command_id in deferred.looked_up:
            kept = deferred.looked_up[command_id]
            return None if kept is None else (_event_keys(kept[0]), kept[1])
        statements = self._statements
        parameters = {"command_id": command_id}
        with self.transaction(commit=False) as session:
            if statements.raw:
                row = statements.raw_find_command.execute(session, parameters).fetchone()
            else:
                row = session.execute(statements.find_command, parameters).first()
        if row is None:
            return None
        return _event_keys(row[0]), _optional_str(row[1])

    def _look_up(self, command_ids: Sequence[str], reference_keys: Sequence[str]) -> None:
        """The command log's rows of `command_ids` and the reference index's rows of
        `reference_keys`, read (a chunk of keys per statement) into the transaction's
        `_Deferred.looked_up` and `looked_up_references`."""
        deferred = _deferred.get()
        if deferred is None:
            return
        commands, references = self.commands, self.references
        for key, column in _looked_up(
            self, commands.c.command_id, (commands.c.events, commands.c.fingerprint), command_ids
        ).items():
            deferred.looked_up[key] = (
                None if column is None else (str(column[0]), _optional_str(column[1]))
            )
        for key, column in _looked_up(
            self, references.c.reference_key, (references.c.events,), reference_keys
        ).items():
            deferred.looked_up_references[key] = None if column is None else str(column[0])

    def record_command(
        self,
        command_id: str,
        events: Sequence[tuple[UUID, int]],
        fingerprint: str | None = None,
        recorded_by: str | None = None,
    ) -> None:
        statements = self._statements
        row = {
            "command_id": command_id,
            "events": _events_json(events),
            "fingerprint": fingerprint,
            "recorded_by": recorded_by,
        }
        deferred = _deferred.get()
        if deferred is not None and command_id not in deferred.commands:
            deferred.commands[command_id] = row
            return
        with self.transaction(commit=True) as session:
            self._write_deferred(session)  # a command id made twice fails as it did
            if statements.raw:
                statements.raw_record_command.execute(session, row)
            else:
                session.execute(statements.record_command, row)

    # -- who recorded what ----------------------------------------------------------------------

    def recorded_by(self, aggregate_ids: Sequence[UUID]) -> dict[tuple[UUID, int], str | None]:
        """Who recorded each stored event of the given aggregates, by (aggregate id, version),
        as their chain links name it (None for an event recorded before actors were kept)."""
        if not aggregate_ids:
            return {}
        events = self.events_record_cls.__table__
        chain = self.chain
        query = (
            select(
                type_coerce(events.c.originator_id, NullType()),
                events.c.originator_version,
                chain.c.recorded_by,
            )
            .select_from(events.join(chain, chain.c.position == events.c.id))
            .where(events.c.originator_id.in_(list(aggregate_ids)))
        )
        with self.transaction(commit=False) as session:
            self._write_deferred(session)
            rows = session.execute(query).all()
        return {(stored_uuid(a), int(v)): None if by is None else str(by) for a, v, by in rows}

    def recorded_by_positions(self, after: int, through: int) -> dict[int, str | None]:
        """Who recorded each event at a position after `after` and up to `through`."""
        with self.transaction(commit=False) as session:
            return self._chain_actors(session, after + 1, through)

    # -- payment references ---------------------------------------------------------------------

    def find_reference(self, key: str) -> list[tuple[UUID, int]] | None:
        """The events of the command that recorded the payment reference keyed `key`."""
        deferred = _deferred.get()
        if deferred is not None and key in deferred.references:
            return _event_keys(deferred.references[key]["events"])
        if deferred is not None and key in deferred.looked_up_references:
            events = deferred.looked_up_references[key]
            return None if events is None else _event_keys(events)
        statements = self._statements
        with self.transaction(commit=False) as session:
            if statements.raw:
                row = statements.raw_find_reference.execute(
                    session, {"reference_key": key}
                ).fetchone()
            else:
                row = session.execute(statements.find_reference, {"reference_key": key}).first()
        return None if row is None else _event_keys(row[0])

    def record_reference(self, key: str, events: Sequence[tuple[UUID, int]]) -> None:
        """Keep a payment reference, in the command's transaction: a second writer of the same
        reference fails on the primary key (IntegrityError), and its command is tried again."""
        statements = self._statements
        row = {"reference_key": key, "events": _events_json(events)}
        deferred = _deferred.get()
        if deferred is not None and key not in deferred.references:
            deferred.references[key] = row
            return
        with self.transaction(commit=True) as session:
            self._write_deferred(session)  # a reference kept twice fails as it did
            if statements.raw:
                statements.raw_record_reference.execute(session, row)
            else:
                session.execute(statements.record_reference, row)

    def references_indexed(self) -> bool:
        """Whether the payments of this store are all in `ledger_references` (a store written
        before the index existed has them only in its events, until the ledger indexes them)."""
        return self.get_meta(_REFERENCES_INDEXED) is not None

    def mark_references_indexed(self) -> None:
        with self.transaction(commit=True) as session:
            session.execute(insert(self.meta).values(name=_REFERENCES_INDEXED, value="1"))

    def select_topic(self, topic: str) -> list[Notification]:
        """Every stored event of one topic, in store order."""
        table = self.events_record_cls.__table__
        query = self._statements.notifications.where(table.c.topic == topic)
        with self.transaction(commit=False) as session:
            rows = session.execute(query.order_by(table.c.id)).all()
        return _notifications(rows)

    # -- schedule index -------------------------------------------------------------------------

    def set_next_due(self, dues: Mapping[UUID, date | None]) -> None:
        """Each aggregate's next due date (None: nothing due), in two statements at most: one
        delete and one batched upsert, whatever the number of aggregates."""
        gone = [str(a) for a, due in dues.items() if due is None]
        rows = [{"aggregate_id": str(a), "next_due_on": due} for a, due in dues.items() if due]
        statements = self._statements
        deferred = _deferred.get()
        if deferred is not None and not gone:
            deferred.dues += rows
            return
        with self.transaction(commit=True) as session:
            self._write_deferred(session)  # the dates deferred before this delete, first
            if gone:
                session.execute(statements.forget_due, {"aggregate_ids": gone})
            if rows and statements.raw:
                statements.raw_upsert_due.executemany(session, rows)
            elif rows:
                session.execute(statements.upsert_due, rows if len(rows) > 1 else rows[0])

    def schedule_through(self) -> date | None:
        """The latest `through` of a `run_schedule` recorded in this store (None before any);
        in a write transaction, as it first read it (`_Deferred.through`)."""
        deferred = _deferred.get()
        if deferred is not None and deferred.through is not None:
            return deferred.through[0]
        statements = self._statements
        with self.transaction(commit=False) as session:
            if statements.raw:
                found = statements.raw_schedule_through.execute(session, {}).fetchone()
                value = None if found is None else found[0]
            else:
                value = session.execute(statements.schedule_through).scalar()
        through = None if value is None else date.fromisoformat(str(value))
        if deferred is not None:
            deferred.through = (through,)
        return through

    def raise_schedule_through(self, through: date) -> None:
        """Keep `through` as the schedule's date unless a later one is kept (one statement)."""
        deferred = _deferred.get()
        if deferred is not None:
            deferred.through = None
        with self.transaction(commit=True) as session:
            session.execute(
                self._statements.raise_schedule_through,
                {"name": SCHEDULE_THROUGH, "value": through.isoformat()},
            )

    def due_through(self, through: date) -> list[UUID]:
        """The aggregates the schedule index names due on or before `through`, in id order."""
        with self.transaction(commit=False) as session:
            self._write_deferred(session)
            query = select(self.schedule.c.aggregate_id).where(
                self.schedule.c.next_due_on <= through
            )
            rows = session.execute(query.order_by(self.schedule.c.aggregate_id)).all()
        return [UUID(r[0]) for r in rows]


class _Unit:
    """A write transaction's unit of work on one connection of the engine's pool, without an
    ORM Session around it: what the ledger asks of a session (`execute`, `connection`,
    `begin_nested`) done by the connection itself. Anything else (the library's ORM reads,
    `query`) goes to a Session joined to the connection's transaction, made only when asked,
    flushed before the commit and closed with the unit."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._session: Session | None = None
        self._savepoints = 0
        self._combines = connection.dialect.name == "postgresql"
        self.unreleased: str | None = None

    def execute(self, statement: Any, parameters: Any = None, **kwargs: Any) -> Any:
        if self._session is not None:  # ORM state pending: the session flushes it first
            return self._session.execute(statement, parameters, **kwargs)
        return self._connection.execute(statement, parameters, **kwargs)

    def connection(self, **_kwargs: Any) -> Connection:
        return self._connection

    def begin_nested(self) -> Any:
        """A savepoint: SAVEPOINT sent on the driver's connection (a command of a batch; the
        connection's own `begin_nested` builds and runs a statement through SQLAlchemy, a
        third of a batched command's store time), or the joined session's when there is one."""
        if self._session is not None:
            return self._session.begin_nested()
        self._savepoints += 1
        return _Savepoint(self, f"ledger_command_{self._savepoints}")

    def __getattr__(self, name: str) -> Any:
        if self._session is None:
            self._session = Session(bind=self._connection, autoflush=True)
        return getattr(self._session, name)

    def finish(self) -> None:
        """Before the commit: the joined session's pending ORM state written, and the session
        closed."""
        if self._session is not None:
            self._session.flush()
            self._session.close()
            self._session = None

    def discard(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


class _Savepoint:
    """A savepoint on the driver's connection, released (`commit`) or rolled back to and
    released (`rollback`); the driver's error raised as SQLAlchemy raises one.

    PostgreSQL (each statement a round trip; several without parameters go in one): a
    savepoint's release is sent with the next savepoint (`_Unit.unreleased`), or left to the
    transaction's commit; until then what runs is inside it, which nothing rolls back to. A
    savepoint made inside another and released is released with it, and gone with it when
    the other is rolled back."""

    def __init__(self, unit: _Unit, name: str) -> None:
        self._unit = unit
        self._connection = unit._connection
        self._name = name
        self.is_active = True
        before, unit.unreleased = unit.unreleased, None
        release = "" if before is None else f"RELEASE SAVEPOINT {before}; "
        self._run(f"{release}SAVEPOINT {name}")

    def commit(self) -> None:
        self.is_active = False
        if self._unit._combines:
            self._unit.unreleased = self._name
        else:
            self._run(f"RELEASE SAVEPOINT {self._name}")

    def rollback(self) -> None:
        self.is_active = False
        # a savepoint still unreleased was made after this one (its release is sent before any
        # savepoint is made): the rollback to this one destroys it
        self._unit.unreleased = None
        if self._unit._combines:
            self._run(f"ROLLBACK TO SAVEPOINT {self._name}; RELEASE SAVEPOINT {self._name}")
        else:
            self._run(f"ROLLBACK TO SAVEPOINT {self._name}")
            self._run(f"RELEASE SAVEPOINT {self._name}")

    def _run(self, sql: str) -> None:
        connection = self._connection
        dialect = connection.dialect
        try:
            connection.connection.driver_connection.cursor().execute(sql)  # type: ignore[union-attr]
        except dialect.loaded_dbapi.Error as e:
            raise _translated(connection, dialect, sql, (), e) from e


class _Statements:
    """The statements of the command path, built once: SQLAlchemy then reuses each one's cache
    key and compiled form, a third of the cost of building them per call."""

    def __init__(self, events: Table, recorder: LedgerRecorder, engine: Any) -> None:
        self.events = events
        self.insert_event = insert(events).returning(events.c.id)
        self.insert_events = insert(events).returning(events.c.id, sort_by_parameter_order=True)
        self.insert_link = insert(recorder.chain)
        self.insert_leaf = insert(recorder.tree_leaves)
        self.insert_node = insert(recorder.tree_nodes)
        commands = recorder.commands
        self.find_command = select(commands.c.events, commands.c.fingerprint).where(
            commands.c.command_id == bindparam("command_id")
        )
        self.record_command = insert(commands)
        references = recorder.references
        self.find_reference = select(references.c.events).where(
            references.c.reference_key == bindparam("reference_key")
        )
        self.record_reference = insert(references)
        schedule = recorder.schedule
        self.forget_due = delete(schedule).where(
            schedule.c.aggregate_id.in_(bindparam("aggregate_ids", expanding=True))
        )
        dialect = engine.dialect.name if engine is not None else "sqlite"
        upsert = postgresql_insert(schedule) if dialect == "postgresql" else sqlite_insert(schedule)
        self.upsert_due = upsert.on_conflict_do_update(
            index_elements=[schedule.c.aggregate_id],
            set_={"next_due_on": upsert.excluded.next_due_on},
        )
        meta = recorder.meta
        self.schedule_through = select(meta.c.value).where(meta.c.name == SCHEDULE_THROUGH)
        upsert_meta = postgresql_insert(meta) if dialect == "postgresql" else sqlite_insert(meta)
        # ISO dates compare as text: the value only ever moves later.
        self.raise_schedule_through = upsert_meta.on_conflict_do_update(
            index_elements=[meta.c.name],
            set_={"value": upsert_meta.excluded.value},
            where=meta.c.value < upsert_meta.excluded.value,
        )
        self.notifications = select(
            events.c.id,
            type_coerce(events.c.originator_id, NullType()),
            events.c.originator_version,
            events.c.topic,
            type_coerce(events.c.state, NullType()),
        )
        """The stored columns of a notification, the id and state as the driver gives them (no
        per-row type processing; `_notifications` makes them notifications)."""
        self._select_events: dict[tuple[bool, bool, bool], Select[Any]] = {}
        self._raw_select_events: dict[tuple[bool, bool, bool], _Raw] = {}
        self.dialect = engine.dialect if engine is not None else None
        self.raw = self.dialect is not None and self.dialect.name in ("sqlite", "postgresql")
        self.sqlite = self.dialect is not None and self.dialect.name == "sqlite"
        self.raw_insert_events: _OrderedInsert | None = None
        if self.raw:
            event_columns = ["originator_id", "originator_version", "topic", "state"]
            self.raw_insert_event = _Raw(self.insert_event, self.dialect, event_columns)
            if not self.sqlite:
                self.raw_insert_events = _OrderedInsert(
                    self.raw_insert_event, events, event_columns, events.c.id
                )
            self.raw_insert_link = _Raw(
                self.insert_link, self.dialect, ["position", "hash", "recorded_by"]
            )
            self.raw_insert_leaf = _Raw(
                self.insert_leaf, self.dialect, ["leaf_index", "position", "event_id", "hash"]
            )
            self.raw_insert_node = _Raw(
                self.insert_node, self.dialect, ["level", "node_index", "hash"]
            )
            self.raw_find_command = _Raw(self.find_command, self.dialect)
            self.raw_record_command = _Raw(
                self.record_command,
                self.dialect,
                ["command_id", "events", "fingerprint", "recorded_by"],
            )
            self.raw_find_reference = _Raw(self.find_reference, self.dialect)
            self.raw_record_reference = _Raw(
                self.record_reference, self.dialect, ["reference_key", "events"]
            )
            self.raw_upsert_due = _Raw(
                self.upsert_due, self.dialect, ["aggregate_id", "next_due_on"]
            )
            self.raw_schedule_through = _Raw(self.schedule_through, self.dialect)

    def raw_select_events(self, gt: bool, lte: bool, desc: bool) -> _Raw:
        key = (gt, lte, desc)
        raw = self._raw_select_events.get(key)
        if raw is None:
            raw = _Raw(self.select_events(gt, lte, desc), self.dialect)
            self._raw_select_events[key] = raw
        return raw

    def select_events(self, gt: bool, lte: bool, desc: bool) -> Select[Any]:
        """One aggregate's (version, topic, state) rows, by `originator_id` (and `gt`, `lte`)."""
        key = (gt, lte, desc)
        query = self._select_events.get(key)
        if query is None:
            events = self.events
            version = events.c.originator_version
            query = select(version, events.c.topic, type_coerce(events.c.state, NullType())).where(
                events.c.originator_id == bindparam("originator_id")
            )
            if gt:
                query = query.where(version > bindparam("gt"))
            if lte:
                query = query.where(version <= bindparam("lte"))
            query = query.order_by(version.desc() if desc else version)
            self._select_events[key] = query
        return query


class _Raw:
    """A statement compiled once for the store's dialect and run on the driver's own cursor,
    its parameters made what the driver takes by the statement's own bind processors: the SQL
    and the values SQLAlchemy would send, without its per-call machinery (on SQLite that
    machinery was a third of a command's time)."""

    def __init__(self, statement: Any, dialect: Any, columns: Sequence[str] | None = None):
        self.dialect = dialect
        compiled = statement.compile(dialect=dialect, column_keys=columns)
        self.sql: str = compiled.string
        order = compiled.positiontup if compiled.positional else None
        self.names: tuple[str, ...] | None = None if order is None else tuple(order)
        types = {name: bind.type for bind, name in compiled.bind_names.items()}
        self.processors: dict[str, Any] = {
            name: process
            for name, process in compiled._bind_processors.items()
            if process and not _driver_takes_as_is(dialect, types.get(name))
        }
        # values bound in the statement itself (a literal compared with): sent every time
        self.defaults = {
            name: bind.value for bind, name in compiled.bind_names.items() if bind.value is not None
        }
        self.order: list[tuple[str, Any]] = [
            (name, self.processors.get(name)) for name in self.names or ()
        ]
        """The positional parameters in order, each with its processor (None: sent as given)."""
        self.rows_form = _rows_form(self.sql) if dialect.name == "postgresql" else None
        """PostgreSQL: the insert as one statement of many rows (`executemany`)."""
        self.copy_form = _copy_form(self.rows_form)
        """PostgreSQL: a plain insert's rows as COPY FROM STDIN (no conflict clause, nothing
        returned): the rows streamed, not one placeholder per value for the driver to parse."""

    def args(self, parameters: Mapping[str, Any]) -> Any:
        processors = self.processors
        if self.defaults:
            parameters = {**self.defaults, **parameters}
        if self.names is not None:
            return tuple(
                [
                    parameters[name] if process is None else process(parameters[name])
                    for name, process in self.order
                ]
            )
        return {
            name: processors[name](value) if name in processors else value
            for name, value in parameters.items()
        }

    def execute(self, session: Session, parameters: Mapping[str, Any]) -> Any:
        """The driver's cursor after running the statement once."""
        cursor = _driver_cursor(session)
        args = self.args(parameters)
        try:
            cursor.execute(self.sql, args)
        except self.dialect.loaded_dbapi.Error as e:
            raise self._translated(session, e, args) from e
        return cursor

    def executemany(self, session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
        """The statement for each row, in order: on PostgreSQL an insert's rows in statements of
        up to ROWS_PER_STATEMENT rows each (a round trip, and a driver call, per statement
        rather than per row; rows of an upsert must not share a key)."""
        if len(rows) == 1:
            self.execute(session, rows[0])
            return
        cursor = _driver_cursor(session)
        args = [self.args(row) for row in rows]
        try:
            if self.rows_form is None:
                cursor.executemany(self.sql, args)
                return
            head, row, tail, names = self.rows_form
            if self.copy_form is not None:
                with cursor.copy(self.copy_form) as copy:
                    for a in args:
                        copy.write_row([a[name] for name in names])
                return
            for count, values in _row_chunks(args, names):
                sql = head + ", ".join([row] * count) + tail
                cursor.execute(sql, values, prepare=False)
        except self.dialect.loaded_dbapi.Error as e:
            raise self._translated(session, e, args) from e

    def _translated(self, session: Session, error: Exception, args: Any) -> Exception:
        return _translated(session.connection(), self.dialect, self.sql, args, error)


class _OrderedInsert:
    """PostgreSQL: many rows inserted on the driver's cursor by statements of up to
    ROWS_PER_STATEMENT rows, their generated keys returned in the rows' order. The statement is
    the one SQLAlchemy sends for `returning(..., sort_by_parameter_order=True)`: the rows
    selected from a VALUES list with a counter, in the counter's order, so the keys (from the
    table's sequence, under the table's lock) increase with the rows; they are sorted. Its
    parameters are `single`'s (the one-row statement's bind processors)."""

    def __init__(self, single: _Raw, table: Table, columns: Sequence[str], key: Any) -> None:
        dialect = single.dialect
        quote = dialect.identifier_preparer
        columns = list(columns)
        selected = ", ".join(f"p{i}" for i in range(len(columns)))
        self.head = (
            f"INSERT INTO {quote.format_table(table)} "
            f"({', '.join(quote.format_column(table.c[c]) for c in columns)}) "
            f"SELECT {selected} FROM (VALUES "
        )
        casts = [table.c[c].type.compile(dialect=dialect) for c in columns]
        self.row = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ", {})"
        self.tail = (
            f") AS imp_sen({selected}, sen_counter) ORDER BY sen_counter "
            f"RETURNING {quote.format_column(key)}"
        )
        self.single = single
        self.columns = columns

    def positions(self, session: Session, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        cursor = _driver_cursor(session)
        args = [self.single.args(row) for row in rows]
        keys: list[int] = []
        for count, values in _row_chunks(args, self.columns):
            sql = self.head + ", ".join([self.row.format(n) for n in range(count)]) + self.tail
            try:
                cursor.execute(sql, values)
            except self.single.dialect.loaded_dbapi.Error as e:
                raise self.single._translated(session, e, values) from e
            keys += sorted(int(r[0]) for r in cursor.fetchall())
        return keys


ROWS_PER_STATEMENT = 1000
"""Rows per multi-row insert on PostgreSQL (a bound parameter each column: well under its
65,535)."""


def _row_chunks(
    args: Sequence[Mapping[str, Any]], names: Sequence[str]
) -> Iterator[tuple[int, list[Any]]]:
    """The rows in statements of up to ROWS_PER_STATEMENT rows: each statement's row count and
    its values, row after row, each row's in `names`' order (PostgreSQL's named parameters)."""
    for start in range(0, len(args), ROWS_PER_STATEMENT):
        chunk = args[start : start + ROWS_PER_STATEMENT]
        yield len(chunk), [a[name] for a in chunk for name in names]


_NAMED = re.compile(r"%\((\w+)\)s")


def _rows_form(sql: str) -> tuple[str, str, str, tuple[str, ...]] | None:
    """A single-row `INSERT ... VALUES (%(a)s, %(b)s) [ON CONFLICT ...]` in the driver's named
    style as (head, one row's placeholders, tail, the names in order), its placeholders
    positional (`%s`), to repeat the row for many; None for any other statement."""
    if not sql.startswith("INSERT ") or sql.count(" VALUES (") != 1 or "%%" in sql:
        return None
    head, rest = sql.split(" VALUES (", 1)
    depth, at = 1, 0
    while depth and at < len(rest):  # the row's closing parenthesis (casts may have their own)
        placeholder = _NAMED.match(rest, at)
        if placeholder is not None:
            at = placeholder.end()
            continue
        depth += {"(": 1, ")": -1}.get(rest[at], 0)
        at += 1
    if depth:
        return None
    inner, tail = rest[: at - 1], rest[at:]
    names = tuple(_NAMED.findall(inner))
    if not names or _NAMED.search(tail) or _NAMED.sub("%s", inner).count("%s") != len(names):
        return None
    return head + " VALUES ", "(" + _NAMED.sub("%s", inner) + ")", tail, names


_INSERT_HEAD = re.compile(r"INSERT INTO (\S+) (\([^()]*\)) VALUES ")
_PLAIN_ROW = re.compile(r"\(%s(::\w+)?(, %s(::\w+)?)*\)")


def _copy_form(rows_form: tuple[str, str, str, tuple[str, ...]] | None) -> str | None:
    """`COPY table (columns) FROM STDIN` for a multi-row form (`_rows_form`) whose statement is
    a plain insert of its columns: no conflict clause or RETURNING after its row, and each
    value a placeholder, at most cast to a type by name (SQLAlchemy casts each to its column's
    type, `%s::BIGINT`; COPY reads each value as its column's type). `_rows_form` has checked
    that the row has a placeholder for each of its names."""
    if rows_form is None:
        return None
    head, row, tail, _names = rows_form
    match = _INSERT_HEAD.fullmatch(head)
    if match is None or tail.strip() or not _PLAIN_ROW.fullmatch(row):
        return None
    return f"COPY {match.group(1)} {match.group(2)} FROM STDIN"


def _driver_takes_as_is(dialect: Any, bind_type: Any) -> bool:
    """Whether a value of this type goes to the driver as it is: SQLite's bytes, which
    SQLAlchemy's binary types wrap in `sqlite3.Binary` (a memoryview of the same bytes, bound
    as the same BLOB) one value at a time."""
    return (
        dialect.name == "sqlite"
        and type(bind_type) is LargeBinary
        and dialect.loaded_dbapi.Binary is memoryview
    )


def _translated(connection: Any, dialect: Any, sql: str, args: Any, error: Exception) -> Exception:
    """The driver's error as SQLAlchemy raises it (IntegrityError, OperationalError, ...), so
    that a conflict is tried again and an outage answered as from any other statement; a lost
    connection is invalidated, as SQLAlchemy does."""
    disconnect = dialect.is_disconnect(error, connection.connection, None)
    if disconnect:
        connection.invalidate(error)
    translated: Exception = DBAPIError.instance(
        sql,
        args,
        error,
        dialect.loaded_dbapi.Error,
        connection_invalidated=disconnect,
        dialect=dialect,
    )
    return translated


def _driver_cursor(session: Session) -> Any:
    """A cursor of the driver's connection under the session's transaction (one per write
    transaction, kept while it lasts)."""
    known = _driver.get()
    if known is not None and known[0] is session:
        return known[1]
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    if _write_intent.get():
        _driver.set((session, cursor))
    return cursor


_REFERENCES_INDEXED = "references_indexed"


def read_tree_nodes(
    connection: Session | Connection, leaves: Table, nodes: Table, wanted: set[tuple[int, int]]
) -> dict[tuple[int, int], bytes]:
    """The stored hashes of the wanted complete subtrees (level 0 from the leaves), in two
    statements at most; a subtree not stored is missing from the answer."""
    found: dict[tuple[int, int], bytes] = {}
    leaf_indexes = [index for level, index in wanted if level == 0]
    if leaf_indexes:
        rows = connection.execute(
            select(leaves.c.leaf_index, leaves.c.hash).where(leaves.c.leaf_index.in_(leaf_indexes))
        ).all()
        found.update({(0, int(i)): bytes(h) for i, h in rows})
    higher = [node for node in wanted if node[0] > 0]
    if higher:
        values: dict[str, int] = {}
        for k, (level, index) in enumerate(sorted(higher)):
            values[f"l{k}"], values[f"i{k}"] = level, index
        rows = connection.execute(_nodes_statement(nodes.fullname, len(higher)), values).all()
        found.update({(int(lv), int(i)): bytes(h) for lv, i, h in rows})
    return found


@cache
def _nodes_statement(table: str, count: int) -> TextClause:
    """The stored subtrees of `count` (level, index) pairs, each pair an equality OR-ed with the
    others: SQLite searches the primary key for each (a row value `(level, node_index) IN (...)`
    scans the whole table there), and PostgreSQL too; built once per count (not per read)."""
    pairs = " OR ".join(f"(level = :l{k} AND node_index = :i{k})" for k in range(count))
    return text(f"SELECT level, node_index, hash FROM {table} WHERE {pairs}")


def _events_json(events: Sequence[tuple[UUID, int]]) -> str:
    return json.dumps([[str(a), v] for a, v in events])


def _looked_up(
    recorder: LedgerRecorder, key: Any, columns: Sequence[Any], keys: Sequence[str]
) -> dict[str, Any]:
    """The rows of `keys` (in the `key` column): each key's `columns`, or None where it has no
    row; a chunk of keys per statement."""
    wanted = list(dict.fromkeys(keys))
    found: dict[str, Any] = dict.fromkeys(wanted)
    with recorder.transaction(commit=False) as session:
        for start in range(0, len(wanted), LOOK_UP_CHUNK):
            chunk = wanted[start : start + LOOK_UP_CHUNK]
            for row in session.execute(select(key, *columns).where(key.in_(chunk))):
                found[str(row[0])] = tuple(row[1:])
    return found


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _event_keys(stored: str) -> list[tuple[UUID, int]]:
    return [(UUID(a), int(v)) for a, v in json.loads(stored)]


def _notifications(rows: Sequence[Any]) -> list[Notification]:
    ids: dict[Any, UUID] = {}  # one UUID per aggregate of the rows
    return [
        Notification(
            id=int(position),
            originator_id=ids.get(originator_id)
            or ids.setdefault(originator_id, stored_uuid(originator_id)),
            originator_version=int(version),
            topic=str(topic),
            state=state if isinstance(state, bytes) else bytes(state),
        )
        for position, originator_id, version, topic, state in rows
    ]


_configured_engines: set[int] = set()


def _set_wal(dbapi_connection: Any, attempts: int = 100) -> None:
    """WAL journal mode. Two processes opening a new file at once may both try to switch it, and
    the switch does not wait on the busy timeout: retry for a few seconds."""
    for _ in range(attempts):
        try:
            if str(dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
                return
            dbapi_connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError:
            time.sleep(0.05)
    dbapi_connection.execute("PRAGMA journal_mode = WAL")


def _use_immediate_transactions_for_writes(engine: Any) -> None:
    """pysqlite's own BEGIN is deferred: a writer that first read can then fail to upgrade its
    lock. Take the write lock up front for write transactions, and wait for it (busy timeout)."""
    if id(engine) in _configured_engines:
        return
    _configured_engines.add(id(engine))

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA busy_timeout = 30000")
        _set_wal(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        """BEGIN on the driver's connection itself (what `exec_driver_sql` sends, without its
        statement machinery: once per command); its error raised as SQLAlchemy raises one."""
        sql = "BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN"
        try:
            connection.connection.driver_connection.execute(sql)
        except sqlite3.Error as e:
            raise _translated(connection, connection.dialect, sql, (), e) from e


def stored_uuid(value: UUID | bytes | str) -> UUID:
    """An aggregate id as the driver returns the stored column: a UUID (PostgreSQL's `uuid`),
    16 bytes (SQLite's BLOB) or 32 hex digits."""
    if isinstance(value, UUID):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return UUID(bytes=bytes(value))
    return UUID(str(value))


if TYPE_CHECKING:  # mypy holds the recorder against what the ledger and the read models need

    def _serves_the_ledger(recorder: LedgerRecorder) -> LedgerStorage:
        return recorder

    def _serves_the_read_models(recorder: LedgerRecorder) -> ProjectionStore:
        return recorder
