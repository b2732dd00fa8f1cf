"""A command's write transaction runs on a connection of the engine's pool without an ORM
Session around it (`LedgerRecorder.write_transaction`): it is still one atomic unit, a failed
one records nothing, the library's own ORM reads inside it see its rows, and a store whose write
lock another process holds is answered `store_unavailable`, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from enrollment_ledger.adapters import answers
from enrollment_ledger.adapters.answers import answer_command
from enrollment_ledger.adapters.bootstrap import build_ledger
from eventsourcing.persistence import StoredEvent
from sqlalchemy import event, func, insert, select

from ..conftest import application


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    url: str = request.getfixturevalue("pg_store_url")
    return url


def stored_event_count(ledger: Any) -> int:
    return len(ledger.recorder.read_notifications(0, 1_000_000))


def a_stored_event(ledger: Any) -> StoredEvent:
    """A copy of the first stored event under a version no aggregate has yet."""
    first = ledger.recorder.read_notifications(0, 1)[0]
    return StoredEvent(
        originator_id=first.originator_id,
        originator_version=first.originator_version + 1000,
        topic=first.topic,
        state=first.state,
    )


def test_a_write_transaction_that_fails_records_none_of_its_rows(store_url: str) -> None:
    ledger = build_ledger(store_url, create=True)
    assert answer_command(ledger, application("H1"))["ok"]
    recorder = ledger.recorder
    before = stored_event_count(ledger)
    with (
        pytest.raises(RuntimeError, match="the command failed"),
        recorder.write_transaction() as session,
    ):
        session.execute(insert(recorder.meta).values(name="half-done", value="1"))
        recorder.insert_events([a_stored_event(ledger)])
        raise RuntimeError("the command failed")
    assert recorder.get_meta("half-done") is None
    assert stored_event_count(ledger) == before
    assert answer_command(ledger, application("H2"))["ok"]
    after = stored_event_count(ledger)
    assert after > before
    with recorder.datastore.engine.connect() as connection:  # one link and one leaf an event
        for table in (recorder.chain, recorder.tree_leaves):
            assert connection.execute(select(func.count()).select_from(table)).scalar() == after


def test_the_library_s_own_reads_inside_a_write_transaction_see_its_rows(store_url: str) -> None:
    ledger = build_ledger(store_url, create=True)
    assert answer_command(ledger, application("H1"))["ok"]
    recorder = ledger.recorder
    before = recorder.max_notification_id()
    with recorder.write_transaction() as session:
        (position,) = recorder.insert_events([a_stored_event(ledger)])
        # the library's ORM query, on a session joined to this transaction
        assert recorder.max_notification_id() == position
        assert [n.id for n in recorder.select_notifications(before, 10)][-1] == position
        meta = recorder.meta
        session.execute(insert(meta).values(name="seen", value="yes"))
        assert session.execute(select(meta.c.value).where(meta.c.name == "seen")).scalar_one()
    assert recorder.max_notification_id() == position
    assert recorder.get_meta("seen") == "yes"


def test_a_command_on_a_store_locked_by_another_process_is_store_unavailable_and_records_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ledger.db"
    ledger = build_ledger(f"sqlite:///{path}", create=True)
    assert answer_command(ledger, application("H1"))["ok"]
    engine = ledger.recorder.datastore.engine

    @event.listens_for(engine, "connect")
    def _wait_briefly(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout = 50")

    engine.dispose()  # new connections, waiting 50 ms for the lock instead of 30 s
    ledger.recorder.release_connection()  # the one held for write transactions too
    monkeypatch.setattr(answers, "STORE_RETRY_DELAYS", (0.01, 0.01))
    before = stored_event_count(ledger)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        answer = answer_command(ledger, application("H2"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert answer["ok"] is False
    assert answer["error"]["code"] == "store_unavailable"
    assert stored_event_count(ledger) == before
    assert answer_command(ledger, application("H2"))["ok"]
    assert stored_event_count(ledger) > before


def test_a_command_that_fails_after_writing_inside_a_batch_rolls_back_alone(
    store_url: str,
) -> None:
    """Each command of a batch in a savepoint of its own, though every statement here goes to
    the driver's cursor (none asks an ORM Session for its connection)."""
    ledger = build_ledger(store_url, create=True)
    assert answer_command(ledger, application("H1"))["ok"]
    recorder = ledger.recorder
    before = stored_event_count(ledger)
    extra = a_stored_event(ledger)
    with recorder.batch():
        with recorder.write_transaction():
            recorder.record_command("first", [])
        with (
            pytest.raises(RuntimeError, match="the second command failed"),
            recorder.write_transaction(),
        ):
            recorder.insert_events([extra])
            recorder.record_command("second", [])
            raise RuntimeError("the second command failed")
        with recorder.write_transaction():
            recorder.record_command("third", [])
    assert recorder.find_command("first") is not None
    assert recorder.find_command("second") is None
    assert recorder.find_command("third") is not None
    assert stored_event_count(ledger) == before


def chain_and_tree_rows(ledger: Any) -> tuple[int, int]:
    """How many chain links and Merkle leaves are stored."""
    recorder = ledger.recorder
    with recorder.transaction(commit=False) as session:
        links = session.execute(select(func.count()).select_from(recorder.chain)).scalar_one()
        leaves = session.execute(
            select(func.count()).select_from(recorder.tree_leaves)
        ).scalar_one()
    return int(links), int(leaves)


def test_a_later_command_of_a_batch_reads_the_links_of_the_earlier_ones_and_all_are_committed(
    store_url: str,
) -> None:
    """On SQLite a batch writes its chain links, leaves and nodes together before it commits
    (or before one of its statements reads them): a command reading who recorded an event an
    earlier command of the batch stored finds it, and every event has its link and leaf."""
    ledger = build_ledger(store_url, create=True)
    assert answer_command(ledger, application("H1"))["ok"]
    recorder = ledger.recorder
    extra, other = a_stored_event(ledger), a_stored_event(ledger)
    other = StoredEvent(other.originator_id, other.originator_version + 1, other.topic, other.state)
    with recorder.batch() as batch:
        with recorder.write_transaction("clerk-a"):
            recorder.insert_events([extra])
        with recorder.write_transaction("clerk-b"):
            found = recorder.recorded_by([extra.originator_id])
            recorder.insert_events([other])
        assert not batch.rolled_back
    assert found[(extra.originator_id, extra.originator_version)] == "clerk-a"
    events = stored_event_count(ledger)
    assert chain_and_tree_rows(ledger) == (events, events)


def test_a_command_of_a_batch_rolled_back_after_the_batch_wrote_earlier_rows_gives_the_batch_up(
    store_url: str,
) -> None:
    """A command whose savepoint rolls back after the batch's deferred links and leaves were
    written inside it (a read of them made them written) takes those rows back with its own: the
    batch is marked rolled back, so the caller gives it up (`answer_batch` then answers its
    commands one by one), on SQLite and PostgreSQL alike."""
    ledger = build_ledger(store_url, create=True)
    assert answer_command(ledger, application("H1"))["ok"]
    recorder = ledger.recorder
    extra = a_stored_event(ledger)
    with recorder.batch() as batch:
        with recorder.write_transaction("clerk-a"):
            recorder.insert_events([extra])
        with (
            pytest.raises(RuntimeError, match="the second command failed"),
            recorder.write_transaction(),
        ):
            recorder.recorded_by([extra.originator_id])
            raise RuntimeError("the second command failed")
        given_up = batch.rolled_back
    assert given_up


def test_a_run_of_the_schedule_in_a_batch_finds_the_due_dates_set_earlier_in_it(
    store_url: str,
) -> None:
    """A batch's next due dates (deferred, `_Deferred`) are in the index a later
    command of the same batch reads (`due_through`), and a date dropped after them stays
    dropped."""
    ledger = build_ledger(store_url, create=True)
    recorder = ledger.recorder
    due, dropped = uuid4(), uuid4()
    with recorder.batch():
        with recorder.write_transaction():
            recorder.set_next_due({dropped: date(2026, 1, 6)})
        with recorder.write_transaction():
            recorder.set_next_due({dropped: None})
        with recorder.write_transaction():
            recorder.set_next_due({due: date(2026, 1, 5)})
        with recorder.write_transaction():
            found = recorder.due_through(date(2026, 1, 31))
    assert found == [due]
    assert recorder.due_through(date(2026, 1, 31)) == [due]


def test_a_batch_finds_the_command_ids_and_references_recorded_earlier_in_it_and_not_those_rolled_back(
    store_url: str,
) -> None:
    """A command log row or a payment reference kept by an earlier command of a batch (deferred,
    `_Deferred`) is found by a later one, and is committed with the batch; one kept
    by a command that failed is not found, and not committed."""
    ledger = build_ledger(store_url, create=True)
    recorder = ledger.recorder
    events = [(uuid4(), 1)]
    with recorder.batch() as batch:
        with recorder.write_transaction():
            recorder.record_command("kept", events, "f" * 64)
            recorder.record_reference("ref-kept", events)
        with pytest.raises(RuntimeError, match="failed"), recorder.write_transaction():
            recorder.record_command("failed", events)
            recorder.record_reference("ref-failed", events)
            raise RuntimeError("failed")
        with recorder.write_transaction():
            found = (
                recorder.find_command("kept"),
                recorder.find_reference("ref-kept"),
                recorder.find_command("failed"),
                recorder.find_reference("ref-failed"),
            )
        assert not batch.rolled_back
    assert found == ((events, "f" * 64), events, None, None)
    assert recorder.find_command("kept") == (events, "f" * 64)
    assert recorder.find_reference("ref-kept") == events
    assert recorder.find_command("failed") is None
    assert recorder.find_reference("ref-failed") is None


def _statements_like(ledger: Any, prefix: str) -> list[str]:
    """Every statement starting with `prefix` the ledger's engine executes from now on."""
    seen: list[str] = []

    @event.listens_for(ledger.recorder.datastore.engine, "before_cursor_execute")
    def _seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(prefix):
            seen.append(statement)

    return seen


def test_a_batch_on_postgresql_locks_the_events_table_once_and_again_after_a_rolled_back_lock(
    pg_store_url: str,
) -> None:
    """The lock that keeps positions in commit order is held to the end of the transaction:
    a batch takes it once, not once per command; a command whose savepoint rolled back after
    taking it released it, so the next command that inserts takes it again."""
    ledger = build_ledger(pg_store_url, create=True)
    assert answer_command(ledger, application("H1"))["ok"]
    recorder = ledger.recorder
    locks = _statements_like(ledger, "LOCK TABLE")
    first = a_stored_event(ledger)
    second = StoredEvent(first.originator_id, first.originator_version + 1, first.topic, b"{}")
    third = StoredEvent(first.originator_id, first.originator_version + 2, first.topic, b"{}")
    with recorder.batch():
        with recorder.write_transaction():
            recorder.insert_events([first])
        with recorder.write_transaction():
            recorder.insert_events([second])
    assert len(locks) == 1
    del locks[:]
    other = StoredEvent(uuid4(), 1, first.topic, b"{}")
    with recorder.batch():
        with pytest.raises(RuntimeError, match="refused"), recorder.write_transaction():
            recorder.insert_events([other])
            raise RuntimeError("refused")
        with recorder.write_transaction():
            recorder.insert_events([third])
    assert len(locks) == 2
    events = stored_event_count(ledger)
    assert chain_and_tree_rows(ledger) == (events, events)


def test_a_listener_is_notified_once_a_batch_on_postgresql_commits(pg_store_url: str) -> None:
    """The library's subscribers LISTEN on the events channel: the channel is notified before a
    write transaction that inserted events commits (once for all of a batch's commands), and not
    by one that inserted none."""
    import psycopg

    ledger = build_ledger(pg_store_url, create=True)
    recorder = ledger.recorder
    dsn = ledger.recorder.datastore.engine.url.set(drivername="postgresql")
    with psycopg.connect(dsn.render_as_string(hide_password=False), autocommit=True) as listen:
        listen.execute(f"LISTEN {recorder.channel_name}")
        with recorder.batch():
            assert answer_command(ledger, application("H1"))["ok"]
            assert answer_command(ledger, application("H2"))["ok"]
        heard = list(listen.notifies(timeout=2.0, stop_after=1))
        assert [n.channel for n in heard] == [recorder.channel_name]
        with recorder.batch(), recorder.write_transaction():
            recorder.set_meta_once("nothing-inserted", "1")
        assert list(listen.notifies(timeout=0.5, stop_after=1)) == []


class _Counted:
    """A prebuilt statement whose executions are counted."""

    def __init__(self, statement: Any) -> None:
        self.statement = statement
        self.executed = 0

    def execute(self, *args: Any) -> Any:
        self.executed += 1
        return self.statement.execute(*args)


def test_a_batch_reads_the_schedule_s_date_once_and_again_after_raising_it_or_a_rollback(
    store_url: str,
) -> None:
    """The schedule's date is read once per write transaction, not once per command; a
    command of the batch that raises it is seen by the next, and one whose savepoint rolled
    back is not."""
    ledger = build_ledger(store_url, create=True)
    recorder = ledger.recorder
    reads = _Counted(recorder._statements.raw_schedule_through)
    recorder._statements.raw_schedule_through = reads
    seen = []
    with recorder.batch():
        for _ in range(3):
            with recorder.write_transaction():
                seen.append(recorder.schedule_through())
        assert reads.executed == 1
        with recorder.write_transaction():
            recorder.raise_schedule_through(date(2026, 1, 31))
        with recorder.write_transaction():
            seen.append(recorder.schedule_through())
        with pytest.raises(RuntimeError, match="refused"), recorder.write_transaction():
            recorder.raise_schedule_through(date(2026, 2, 28))
            seen.append(recorder.schedule_through())
            raise RuntimeError("refused")
        with recorder.write_transaction():
            seen.append(recorder.schedule_through())
            seen.append(recorder.schedule_through())
    january, february = date(2026, 1, 31), date(2026, 2, 28)
    assert seen == [None, None, None, january, february, january, january]
    assert reads.executed == 4
    assert recorder.schedule_through() == date(2026, 1, 31)


def test_a_batch_looks_up_its_command_ids_together_and_finds_the_ones_it_records(
    store_url: str,
) -> None:
    """A batch reads the command log's rows of its command ids in one statement when it
    begins; an id recorded before is found with its events and fingerprint, one the batch
    records is found by its later commands, before and after the batch's rows are written."""
    ledger = build_ledger(store_url, create=True)
    recorder = ledger.recorder
    before, made = [(uuid4(), 1)], [(uuid4(), 1)]
    with recorder.write_transaction():
        recorder.record_command("before", before, "a" * 64)
    finds = _Counted(recorder._statements.raw_find_command)
    recorder._statements.raw_find_command = finds
    with recorder.batch(["before", "new", "later", "before"]):
        with recorder.write_transaction():
            assert recorder.find_command("before") == (before, "a" * 64)
            assert recorder.find_command("new") is None
            recorder.record_command("new", made, "b" * 64)
        assert finds.executed == 0
        with recorder.write_transaction():
            assert recorder.find_command("new") == (made, "b" * 64)
            recorder.due_through(date(2026, 1, 31))  # the batch's rows written
            assert recorder.find_command("new") == (made, "b" * 64)
            assert recorder.find_command("later") is None
        assert finds.executed == 1  # "new", read again once written
    assert recorder.find_command("new") == (made, "b" * 64)
    assert recorder.find_command("later") is None


def test_a_command_id_recorded_by_another_writer_after_a_batch_looked_it_up_is_a_repeat(
    pg_store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer records a batch's command between the batch's look-up and its commit:
    the batch's own row of that id fails as a duplicate, the batch is given up, and its
    commands are answered one by one: that one as the repeat it now is, recorded once."""
    ledger = build_ledger(pg_store_url, create=True)
    other = build_ledger(pg_store_url)
    command = application("H1") | {"command_id": "raced"}
    neighbour = application("H2") | {"command_id": "neighbour"}
    recorder = ledger.recorder
    look_up = recorder._look_up
    raced: list[Any] = []

    def look_up_then_race(*keys: Any) -> None:
        look_up(*keys)
        if not raced:
            raced.append(answer_command(other, command))

    monkeypatch.setattr(recorder, "_look_up", look_up_then_race)
    first, second = answers.answer_batch(ledger, [command, neighbour])
    assert raced[0]["ok"] and first["ok"] and second["ok"]
    assert first["events"] == raced[0]["events"]  # the repeat: the other writer's events
    assert stored_event_count(ledger) == len(raced[0]["events"]) + len(second["events"])
    other.close()


def test_a_batch_on_postgresql_sends_each_savepoint_s_release_with_the_next_savepoint(
    pg_store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A round trip per command saved: a released savepoint's RELEASE goes with the next
    SAVEPOINT (the last one's with the commit); a command that fails is rolled back to its own
    savepoint, and the commands around it are committed."""
    from enrollment_ledger.adapters.store import recorder as recorder_module

    sent: list[str] = []
    run = recorder_module._Savepoint._run

    def watched(self: Any, sql: str) -> None:
        sent.append(sql)
        run(self, sql)

    monkeypatch.setattr(recorder_module._Savepoint, "_run", watched)
    ledger = build_ledger(pg_store_url, create=True)
    recorder = ledger.recorder
    with recorder.batch():
        with recorder.write_transaction() as session:
            session.execute(insert(recorder.meta).values(name="first", value="1"))
        with pytest.raises(RuntimeError, match="refused"), recorder.write_transaction() as session:
            session.execute(insert(recorder.meta).values(name="second", value="2"))
            raise RuntimeError("refused")
        with recorder.write_transaction() as session:
            session.execute(insert(recorder.meta).values(name="third", value="3"))
    assert sent == [
        "SAVEPOINT ledger_command_1",
        "RELEASE SAVEPOINT ledger_command_1; SAVEPOINT ledger_command_2",
        "ROLLBACK TO SAVEPOINT ledger_command_2; RELEASE SAVEPOINT ledger_command_2",
        "SAVEPOINT ledger_command_3",
    ]
    assert [recorder.get_meta(n) for n in ("first", "second", "third")] == ["1", None, "3"]


def test_a_savepoint_released_inside_one_rolled_back_is_not_released_again(
    store_url: str,
) -> None:
    """A command's nested write (a savepoint inside its savepoint) released, then the command
    rolled back: the nested savepoint went with it, and the next command's savepoint is made
    without releasing it (the store would refuse: it no longer exists)."""
    ledger = build_ledger(store_url, create=True)
    recorder = ledger.recorder
    with recorder.batch():
        with pytest.raises(RuntimeError, match="refused"), recorder.write_transaction():
            recorder.set_meta_once("nested", "1")
            raise RuntimeError("refused")
        with recorder.write_transaction():
            recorder.set_meta_once("next", "2")
    assert (recorder.get_meta("nested"), recorder.get_meta("next")) == (None, "2")


def test_a_batch_looks_up_its_payments_references_together_and_finds_the_ones_it_keeps(
    store_url: str,
) -> None:
    """As for command ids: the reference keys a batch's payments name are read in one
    statement when it begins; a kept one found with its events, one the batch keeps found by
    its later commands, before and after the batch's rows are written."""
    ledger = build_ledger(store_url, create=True)
    recorder = ledger.recorder
    before, made = [(uuid4(), 1)], [(uuid4(), 1)]
    with recorder.write_transaction():
        recorder.record_reference("before", before)
    finds = _Counted(recorder._statements.raw_find_reference)
    recorder._statements.raw_find_reference = finds
    with recorder.batch(reference_keys=["before", "new", "later"]):
        with recorder.write_transaction():
            assert recorder.find_reference("before") == before
            assert recorder.find_reference("new") is None
            recorder.record_reference("new", made)
        with recorder.write_transaction():
            assert recorder.find_reference("new") == made
            recorder.due_through(date(2026, 1, 31))  # the batch's rows written
            assert recorder.find_reference("new") == made
            assert recorder.find_reference("later") is None
        assert finds.executed == 1  # "new", read again once written
    assert recorder.find_reference("new") == made


def test_a_batched_apply_looks_up_the_references_its_payments_name(
    ledger: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`answer_batch` gives the batch its commands' ids and its payments' reference keys."""
    recorder = ledger.recorder
    batch = recorder.batch
    given: list[tuple[Any, ...]] = []

    def watched(*args: Any) -> Any:
        given.append(args)
        return batch(*args)

    monkeypatch.setattr(recorder, "batch", watched)
    payment = {
        "command": "record_payment",
        "command_id": "p1",
        "on": "2026-01-05",
        "enrollment_id": "E-none",
        "amount": "10.00",
        "reference": "REF-1",
    }
    first = application("H1", command_id="a1")
    answers.answer_batch(ledger, [first, payment, None, application("H2"), "not a command"])
    command_ids, reference_keys = given[0]
    assert command_ids == ["a1", "p1"]
    assert reference_keys == [ledger.references.key("REF-1")]


def test_a_postgresql_store_keeps_a_pool_sized_for_a_server(pg_store_url: str) -> None:
    """A server's request threads each check a token (and reads run beside the commands): the
    pool keeps POOL_SIZE connections open, not SQLAlchemy's 5 (connections made and closed per
    request were the latency's tail)."""
    from enrollment_ledger.adapters.store.factory import POOL_OVERFLOW, POOL_SIZE

    ledger = build_ledger(pg_store_url, create=True)
    pool = ledger.recorder.datastore.engine.pool
    assert (pool.size(), pool._max_overflow) == (POOL_SIZE, POOL_OVERFLOW)
    held = [ledger.recorder.datastore.engine.connect() for _ in range(POOL_SIZE)]
    for connection in held:
        connection.close()
    assert pool.checkedin() == POOL_SIZE  # all kept open for the next requests
    ledger.close()


def test_a_batch_s_next_due_dates_of_one_aggregate_leave_the_last_one(store_url: str) -> None:
    """Two commands of a batch set the same enrollment's next due date: the later one stands
    (PostgreSQL writes the batch's dates as one statement, one row per aggregate)."""
    ledger = build_ledger(store_url, create=True)
    recorder = ledger.recorder
    moved, kept = uuid4(), uuid4()
    with recorder.batch():
        for day in (5, 20, 9):
            with recorder.write_transaction():
                recorder.set_next_due({moved: date(2026, 1, day), kept: date(2026, 1, 1)})
    assert recorder.due_through(date(2026, 1, 8)) == [kept]
    assert sorted(recorder.due_through(date(2026, 1, 9))) == sorted([moved, kept])


def test_rows_beyond_one_statement_s_worth_are_all_written(store_url: str) -> None:
    """More chain links and leaves than one multi-row statement holds, in one transaction."""
    from enrollment_ledger.adapters.store.recorder import ROWS_PER_STATEMENT

    ledger = build_ledger(store_url, create=True)
    recorder = ledger.recorder
    aggregate = uuid4()
    count = ROWS_PER_STATEMENT + 7
    events = [StoredEvent(aggregate, v, "t", b"{}") for v in range(1, count + 1)]
    with recorder.write_transaction():
        recorder.insert_events(events)
    assert chain_and_tree_rows(ledger) == (count, count)
    assert verify_ok(ledger)


def verify_ok(ledger: Any) -> bool:
    from enrollment_ledger.adapters.audit import verify

    return bool(verify(ledger).ok)
