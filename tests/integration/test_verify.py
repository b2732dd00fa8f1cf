"""Tamper evidence on a real SQLite store: `verify` recomputes the hash chain and names the first
position where the store disagrees with it; `digest` pins the head so that a rewritten (and
re-chained) history is caught too. Every tampering below is plain SQL on the store's file."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from enrollment_ledger.adapters.audit import InvalidDigest, digest, verify
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.adapters.cli.audit import run_verify
from enrollment_ledger.adapters.store.recorder import GENESIS
from enrollment_ledger.domain.ledger import Ledger

from ..conftest import Apply, application, count_events, member
from ..tamper import (
    connect,
    delete_event,
    flip_bit,
    insert_event,
    positions,
    rechain,
    swap_rows,
    swap_states,
    truncate_tail,
)

HOUSEHOLDS = ("H1", "H2", "H3")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "ledger.db"


@pytest.fixture
def events(apply: Apply, ledger: Ledger) -> int:
    """Three households, each applied, determined and changed: the number of stored events."""
    for household_id in HOUSEHOLDS:
        members = [member("M1"), member("M2", resident=False)]
        assert apply(application(household_id, size=2, members=members))["ok"]
        assert apply(command="determine_eligibility", on="2025-12-10", household_id=household_id)[
            "ok"
        ]
        assert apply(
            command="report_change",
            on="2026-03-16",
            household_id=household_id,
            annual_magi="60000.00",
        )["ok"]
    total = count_events(ledger)
    assert total >= 15
    return total


def test_an_untouched_store_verifies_every_event(ledger: Ledger, events: int, db: Path) -> None:
    result = verify(ledger, None)
    assert result.ok is True
    assert result.events_checked == events
    assert result.first_bad_position is None
    assert result.head_position == events
    assert positions(db) == positions(db, "ledger_chain") == list(range(1, events + 1))


def test_the_digest_is_the_chain_head_and_tree_root_that_verify_recomputes(
    ledger: Ledger, events: int
) -> None:
    head = digest(ledger)
    recomputed = verify(ledger)
    assert head == {
        "position": events,
        "hash": recomputed.head_hash,
        "events": events,
        "tree_size": events,
        "root": recomputed.tree_root,
        "public_key": None,
        "key_id": None,
        "signature": None,
    }
    assert verify(ledger, head).ok is True


@pytest.mark.parametrize("batch_size", [1, 4, 1000])
def test_small_batches_give_the_same_verdict_as_one_batch(
    ledger: Ledger, events: int, db: Path, batch_size: int
) -> None:
    assert verify(ledger, batch_size=batch_size).events_checked == events
    flip_bit(db, 9)
    result = verify(ledger, batch_size=batch_size)
    assert (result.ok, result.first_bad_position, result.events_checked) == (False, 9, 8)


def test_progress_is_reported_up_to_the_number_of_events(ledger: Ledger, events: int) -> None:
    seen: list[tuple[int, int]] = []
    verify(ledger, None, lambda checked, total: seen.append((checked, total)), batch_size=5)
    assert seen[0] == (0, events)
    assert seen[-1] == (events, events)
    assert [c for c, _ in seen] == sorted(c for c, _ in seen)


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_one_flipped_bit_in_an_event_state_is_caught_at_that_position(
    ledger: Ledger, events: int, db: Path, where: str
) -> None:
    position = {"first": 1, "middle": events // 2, "last": events}[where]
    flip_bit(db, position, "state", bit=3)
    result = verify(ledger)
    assert result.ok is False
    assert result.first_bad_position == position
    assert result.events_checked == position - 1


@pytest.mark.parametrize("column", ["originator_id", "originator_version", "topic"])
def test_a_changed_aggregate_id_version_or_topic_is_caught_at_that_position(
    ledger: Ledger, events: int, db: Path, column: str
) -> None:
    flip_bit(db, 7, column)
    result = verify(ledger)
    assert (result.ok, result.first_bad_position) == (False, 7)


def test_a_deleted_event_is_caught_at_its_position(ledger: Ledger, events: int, db: Path) -> None:
    delete_event(db, 6)
    result = verify(ledger)
    assert (result.ok, result.first_bad_position, result.events_checked) == (False, 6, 5)
    assert "no event" in (result.reason or "")


def test_an_event_deleted_with_its_link_is_caught_where_the_chain_breaks(
    ledger: Ledger, events: int, db: Path
) -> None:
    """A hole in positions can be legitimate; the next link was computed over the missing
    event, so the recomputed chain breaks at the next surviving position."""
    delete_event(db, 6, with_link=True)
    result = verify(ledger)
    assert (result.ok, result.first_bad_position, result.events_checked) == (False, 7, 5)


def test_two_swapped_event_states_are_caught_at_the_first_of_them(
    ledger: Ledger, events: int, db: Path
) -> None:
    swap_states(db, 4, 11)
    result = verify(ledger)
    assert (result.ok, result.first_bad_position, result.events_checked) == (False, 4, 3)


def test_two_swapped_rows_are_caught_at_the_first_of_them(
    ledger: Ledger, events: int, db: Path
) -> None:
    swap_rows(db, 5, 12)
    assert positions(db) == list(range(1, events + 1))
    result = verify(ledger)
    assert (result.ok, result.first_bad_position) == (False, 5)


def test_an_event_inserted_at_the_end_is_caught_at_its_position(
    ledger: Ledger, events: int, db: Path
) -> None:
    position = insert_event(db, copy_of=3)
    assert position == events + 1
    result = verify(ledger)
    assert (result.ok, result.first_bad_position, result.events_checked) == (
        False,
        position,
        events,
    )
    assert "no chain link" in (result.reason or "")


def test_an_event_inserted_in_the_middle_is_caught_at_the_position_it_took(
    ledger: Ledger, events: int, db: Path
) -> None:
    insert_event(db, copy_of=2, at=8)
    assert positions(db) == list(range(1, events + 2))
    result = verify(ledger)
    assert (result.ok, result.first_bad_position, result.events_checked) == (False, 8, 7)


def test_a_deleted_last_link_is_caught_at_the_event_it_covered(
    ledger: Ledger, events: int, db: Path
) -> None:
    with connect(db) as conn:
        conn.execute("DELETE FROM ledger_chain WHERE position = ?", (events,))
    result = verify(ledger)
    assert (result.ok, result.first_bad_position) == (False, events)


def test_a_malformed_event_row_is_caught_without_stopping_the_scan(
    ledger: Ledger, events: int, db: Path
) -> None:
    with connect(db) as conn:
        conn.execute("UPDATE ledger_events SET originator_id = x'0102' WHERE id = 3")
        conn.execute("UPDATE ledger_events SET state = 'text, not bytes' WHERE id = 5")
    result = verify(ledger)
    assert (result.ok, result.first_bad_position) == (False, 3)
    assert result.reason == "a malformed event row"


def test_a_truncated_tail_passes_plain_verify_but_not_verify_with_an_earlier_digest(
    ledger: Ledger, events: int, db: Path
) -> None:
    before = digest(ledger)
    truncate_tail(db, 3)
    assert positions(db, "ledger_chain")[-1] == events - 3

    plain = verify(ledger)
    assert (plain.ok, plain.events_checked) == (True, events - 3)

    pinned = verify(ledger, before)
    assert pinned.ok is False
    assert pinned.first_bad_position == events - 2
    assert pinned.events_checked == events - 3
    assert "truncated" in (pinned.reason or "")


def test_a_truncated_tail_that_grew_back_is_caught_at_the_digest_position(
    ledger: Ledger, apply: Apply, events: int, db: Path
) -> None:
    before = digest(ledger)
    truncate_tail(db, 2)
    assert apply(application("H9"))["ok"]  # two new events take the freed positions
    assert verify(ledger).ok is True
    result = verify(ledger, before)
    assert (result.ok, result.first_bad_position) == (False, events)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda db: flip_bit(db, 5),
        lambda db: delete_event(db, 5),
        lambda db: swap_states(db, 5, 9),
        lambda db: insert_event(db, copy_of=1, at=5),
    ],
    ids=["flipped bit", "deleted event", "swapped states", "inserted event"],
)
def test_a_rechained_history_passes_plain_verify_but_not_verify_with_the_digest(
    ledger: Ledger, events: int, db: Path, tamper: Callable[[Path], object]
) -> None:
    before = digest(ledger)
    tamper(db)
    assert verify(ledger).ok is False
    rechain(db)

    assert verify(ledger).ok is True
    result = verify(ledger, before)
    assert result.ok is False
    assert result.first_bad_position == events


def test_a_store_that_grew_since_the_digest_still_extends_it(
    ledger: Ledger, apply: Apply, events: int
) -> None:
    before = digest(ledger)
    assert apply(application("H4"))["ok"]
    result = verify(ledger, before)
    assert result.ok is True
    assert result.events_checked == count_events(ledger) > events


def test_a_digest_with_the_right_hash_but_another_event_count_is_refused(
    ledger: Ledger, events: int
) -> None:
    head = digest(ledger)
    result = verify(ledger, {**head, "events": events - 1})
    assert (result.ok, result.first_bad_position) == (False, events)


def test_tampering_after_the_digest_position_is_still_caught_by_the_chain(
    ledger: Ledger, apply: Apply, events: int, db: Path
) -> None:
    before = digest(ledger)
    assert apply(application("H4"))["ok"]
    flip_bit(db, events + 1)
    result = verify(ledger, before)
    assert (result.ok, result.first_bad_position) == (False, events + 1)


@pytest.mark.parametrize(
    "bad",
    [
        {"hash": GENESIS.hex(), "events": 0},
        {"position": -1, "hash": GENESIS.hex()},
        {"position": True, "hash": GENESIS.hex()},
        {"position": 3, "hash": "zz" * 32},
        {"position": 3, "hash": "ab"},
        {"position": 3, "hash": GENESIS.hex(), "events": "3"},
        {"position": 0, "hash": "11" * 32},
    ],
)
def test_a_malformed_digest_is_refused(ledger: Ledger, bad: dict[str, object]) -> None:
    with pytest.raises(InvalidDigest):
        verify(ledger, bad)


def test_an_empty_store_verifies_and_its_digest_is_genesis(tmp_path: Path) -> None:
    empty = build_ledger(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        head = digest(empty)
        assert head == {
            "position": 0,
            "hash": GENESIS.hex(),
            "events": 0,
            "tree_size": 0,
            "root": hashlib.sha256(b"").hexdigest(),
            "public_key": None,
            "key_id": None,
            "signature": None,
        }
        result = verify(empty, head)
        assert (result.ok, result.events_checked, result.first_bad_position) == (True, 0, None)
    finally:
        empty.close()


def test_a_digest_of_a_store_emptied_since_is_refused(
    ledger: Ledger, events: int, db: Path
) -> None:
    before = digest(ledger)
    truncate_tail(db, events)
    result = verify(ledger, before)
    assert (result.ok, result.first_bad_position, result.events_checked) == (False, 1, 0)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_cli_draws_a_progress_bar_on_a_terminal_and_nothing_on_a_pipe(
    ledger: Ledger, events: int
) -> None:
    out, terminal, pipe = io.StringIO(), _Terminal(), io.StringIO()
    assert run_verify(ledger, as_json=True, digest_file=None, out=out, err=terminal) == 0
    assert "verifying" in terminal.getvalue()
    assert f"{events}/{events}" in terminal.getvalue()
    assert json.loads(out.getvalue())["events_checked"] == events
    assert run_verify(ledger, as_json=True, digest_file=None, out=io.StringIO(), err=pipe) == 0
    assert pipe.getvalue() == ""


def test_verify_and_digest_work_the_same_on_postgresql(pg_store_url: str) -> None:
    """Native UUID column, REPEATABLE READ snapshot: same verdicts as on SQLite."""
    pg = build_ledger(pg_store_url)
    try:
        for household_id in HOUSEHOLDS:
            assert answer_line(pg, json.dumps(application(household_id)).encode()) is not None
        total = count_events(pg)
        assert total == 2 * len(HOUSEHOLDS)
        head = digest(pg)
        assert head["position"] == total
        assert verify(pg, head, batch_size=4).ok is True

        engine = pg.recorder.datastore.engine
        with engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE ledger_events SET state = state || '\\x00'::bytea WHERE id = :p"),
                {"p": 3},
            )
        result = verify(pg, head, batch_size=4)
        assert (result.ok, result.first_bad_position, result.events_checked) == (False, 3, 2)
    finally:
        pg.close()
