"""Garbage collection for long batch work (`runtime/collection.py`): the batch thresholds while
any such block runs, the previous ones back once none does, however the blocks overlap; and a
command (a monthly run above all) is recorded under them. The monthly run, and only it, with the
collector paused."""

from __future__ import annotations

import gc
import io
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from enrollment_ledger.adapters.cli.apply import answer_line, run_apply
from enrollment_ledger.domain.ledger import Ledger
from enrollment_ledger.runtime.collection import (
    BATCH_THRESHOLDS,
    batch_collection,
    freeze_start_up,
    paused_collection,
)

from ..conftest import application

OWN = (1_234, 11, 12)


@pytest.fixture
def own_thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(*OWN)
    yield
    gc.set_threshold(*before)


@pytest.mark.usefixtures("own_thresholds")
def test_the_batch_thresholds_hold_inside_and_the_previous_ones_come_back() -> None:
    with batch_collection():
        assert gc.get_threshold() == BATCH_THRESHOLDS
        with batch_collection():
            assert gc.get_threshold() == BATCH_THRESHOLDS
        assert gc.get_threshold() == BATCH_THRESHOLDS  # the outer block still runs
    assert gc.get_threshold() == OWN


@pytest.mark.usefixtures("own_thresholds")
def test_a_block_that_raises_puts_the_thresholds_back() -> None:
    with pytest.raises(ValueError), batch_collection():
        raise ValueError("no")
    assert gc.get_threshold() == OWN


@pytest.mark.usefixtures("own_thresholds")
def test_blocks_overlapping_on_two_threads_restore_once_the_last_one_leaves() -> None:
    """A leaves while B still runs (A entered first, so a save-and-restore of its own would
    have put OWN back under B, and B would then leave the batch thresholds for good)."""
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, tuple[int, ...]] = {}

    def a() -> None:
        with batch_collection():
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def b() -> None:
        a_in.wait(5)
        with batch_collection():
            b_in.set()
            a_out.wait(5)
            seen["b after a left"] = gc.get_threshold()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == {"b after a left": BATCH_THRESHOLDS}
    assert gc.get_threshold() == OWN


@pytest.mark.usefixtures("own_thresholds")
def test_a_command_is_recorded_under_the_batch_thresholds(ledger: Ledger) -> None:
    seen: list[tuple[int, ...]] = []
    record = ledger.record

    def watched(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.get_threshold())
        return record(*args, **kwargs)

    ledger.record = watched  # type: ignore[method-assign]
    answer = answer_line(ledger, json.dumps(application("H-GC")).encode())
    assert answer is not None and answer["ok"], answer
    assert seen == [BATCH_THRESHOLDS]
    assert gc.get_threshold() == OWN


@pytest.mark.usefixtures("own_thresholds")
def test_a_file_of_commands_is_applied_under_the_batch_thresholds(ledger: Ledger) -> None:
    seen: list[tuple[int, ...]] = []

    class Lines(io.BytesIO):
        def readline(self, size: int | None = -1) -> bytes:
            seen.append(gc.get_threshold())
            return super().readline(size)

        def __iter__(self) -> Iterator[bytes]:
            while line := self.readline():
                yield line

    lines = Lines(json.dumps(application("H-GC2")).encode() + b"\n")
    assert run_apply(ledger, lines, io.StringIO()) == 0
    assert seen and set(seen) == {BATCH_THRESHOLDS}
    assert gc.get_threshold() == OWN


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


@pytest.mark.usefixtures("collector_on")
def test_the_collector_is_paused_inside_and_on_again_once_the_last_block_leaves() -> None:
    with paused_collection():
        assert not gc.isenabled()
        with paused_collection():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block still runs
    assert gc.isenabled()
    with pytest.raises(ValueError), paused_collection():
        raise ValueError("no")
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_a_collector_that_was_off_stays_off_after_a_paused_block() -> None:
    gc.disable()
    with paused_collection():
        assert not gc.isenabled()
    assert not gc.isenabled()


@pytest.mark.usefixtures("collector_on", "own_thresholds")
def test_the_monthly_run_alone_is_recorded_with_the_collector_paused(ledger: Ledger) -> None:
    seen: list[tuple[str, bool, tuple[int, ...]]] = []
    record = ledger.record

    def watched(command: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append((type(command).__name__, gc.isenabled(), gc.get_threshold()))
        return record(command, *args, **kwargs)

    ledger.record = watched  # type: ignore[method-assign]
    run = {"command": "run_schedule", "on": "2026-01-31", "through": "2026-01-31"}
    for obj in (application("H-GC3"), run):
        answer = answer_line(ledger, json.dumps(obj).encode())
        assert answer is not None and answer["ok"], answer
    assert seen == [
        ("SubmitApplication", True, BATCH_THRESHOLDS),
        ("RunSchedule", False, BATCH_THRESHOLDS),
    ]
    assert gc.isenabled() and gc.get_threshold() == OWN


def test_a_server_s_start_up_objects_are_kept_out_of_the_collector_s_walks() -> None:
    made_at_start = [[k] for k in range(10)]  # lists: objects the collector tracks
    try:
        gc.unfreeze()
        assert gc.get_freeze_count() == 0
        assert any(o is made_at_start[0] for o in gc.get_objects())
        freeze_start_up()
        assert gc.get_freeze_count() >= len(made_at_start)
        assert not any(o is made_at_start[0] for o in gc.get_objects())  # not walked
        made_later = [0]
        assert any(o is made_later for o in gc.get_objects())
    finally:
        gc.unfreeze()
