"""The verify figure's baseline (bench/probe.py `bare_hash`) does verify's work in plain Python:
on an intact store it checks every event's link, leaf and completed subtrees, as many events as
`verify` checks; an event's bytes, a leaf or a subtree changed stops it, as it stops verify (no
timing asserted here: the benchmark measures, tests do not)."""

from __future__ import annotations

from pathlib import Path

import pytest
from enrollment_ledger.adapters.audit.verify import verify
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import answer_line

from bench.probe import bare_hash

from ..tamper import connect, flip_bit

EXAMPLE = Path(__file__).parents[2] / "examples" / "one-household-year.jsonl"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    db = tmp_path / "ledger.db"
    ledger = build_ledger(f"sqlite:///{db}")
    try:
        for line in EXAMPLE.read_bytes().splitlines():
            answer = answer_line(ledger, line)
            assert answer is None or answer["ok"], answer
    finally:
        ledger.close()
    return db


def checked(db: Path) -> tuple[int, bool]:
    ledger = build_ledger(f"sqlite:///{db}")
    try:
        outcome = verify(ledger)
        try:
            return bare_hash(ledger)[1], outcome.ok
        except RuntimeError:
            return -1, outcome.ok
    finally:
        ledger.close()


def test_on_an_intact_store_it_checks_every_event_verify_checks(store: Path) -> None:
    ledger = build_ledger(f"sqlite:///{store}")
    try:
        outcome = verify(ledger)
        assert outcome.ok and outcome.events_checked > 20
        assert bare_hash(ledger)[1] == outcome.events_checked
    finally:
        ledger.close()


def test_an_events_bytes_changed_stop_it_as_they_stop_verify(store: Path) -> None:
    flip_bit(store, 7)
    assert checked(store) == (-1, False)


def test_a_leaf_changed_stops_it_as_it_stops_verify(store: Path) -> None:
    with connect(store) as conn:
        conn.execute("UPDATE ledger_tree_leaves SET hash = zeroblob(32) WHERE leaf_index = 5")
    assert checked(store) == (-1, False)


def test_a_subtree_changed_stops_it_as_it_stops_verify(store: Path) -> None:
    with connect(store) as conn:
        conn.execute(
            "UPDATE ledger_tree_nodes SET hash = zeroblob(32) WHERE level = 2 AND node_index = 1"
        )
    assert checked(store) == (-1, False)
