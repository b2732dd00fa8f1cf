"""Group commit (`adapters/group_commit.py`): the single commands of concurrent callers recorded
together, at most `limit` per transaction, each caller answered with its own command's answer
(recorded by its own actor) once the transaction has committed; a failure answered, never hung
on."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from enrollment_ledger.adapters import answers
from enrollment_ledger.adapters.answers import answer_command
from enrollment_ledger.adapters.group_commit import GroupCommit
from enrollment_ledger.domain.ledger import Ledger

from ..conftest import application


def _queued(grouped: GroupCommit, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(grouped._queue) < count:
        assert time.monotonic() < deadline, "the callers did not queue"
        time.sleep(0.01)


def _callers(
    grouped: GroupCommit, objs: list[dict[str, Any]], before_release: Callable[[], None]
) -> list[dict[str, Any]]:
    """Each obj posted by its own thread (actor `clerk-K`) while the writer is held; the
    writer released once they are all queued behind the first (which leads, alone)."""
    found: dict[int, dict[str, Any]] = {}

    def call(k: int) -> None:
        found[k] = grouped.answer(objs[k], f"clerk-{k}")

    threads = [threading.Thread(target=call, args=(k,)) for k in range(len(objs))]
    with grouped.writer:
        threads[0].start()
        deadline = time.monotonic() + 10
        while not grouped._leading:  # the first took its own command, and waits for the writer
            assert time.monotonic() < deadline, "the first caller did not lead"
            time.sleep(0.01)
        for t in threads[1:]:
            t.start()
        _queued(grouped, len(objs) - 1)
        before_release()
    for t in threads:
        t.join(30)
    return [found[k] for k in range(len(objs))]


def _batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    sizes: list[int] = []
    batch = answers.answer_batch

    def counted(ledger: Ledger, objs: Any, *args: Any, **kwargs: Any) -> Any:
        sizes.append(len(objs))
        return batch(ledger, objs, *args, **kwargs)

    monkeypatch.setattr(answers, "answer_batch", counted)
    return sizes


def test_concurrent_commands_are_recorded_together_each_answered_as_its_own(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    grouped = GroupCommit(ledger, limit=32)
    sizes = _batches(monkeypatch)
    objs = [application(f"HG{k}", command_id=f"g{k}") for k in range(6)]
    objs[3] = {"command": "no_such_command", "command_id": "g3"}
    got = _callers(grouped, objs, lambda: None)
    assert sizes == [5]  # the first alone (it led before the others came), then the rest
    assert [a["command_id"] for a in got] == [f"g{k}" for k in range(6)]
    assert [a["ok"] for a in got] == [True, True, True, False, True, True]
    for k, answer in enumerate(got):
        if answer["ok"]:
            assert {e["recorded_by"] for e in answer["events"]} == {f"clerk-{k}"}
    # recorded: each again is answered as the repeat it is, with the same events
    for k, obj in enumerate(objs):
        if got[k]["ok"]:
            assert answer_command(ledger, obj, "other")["events"] == got[k]["events"]


def test_a_group_holds_at_most_its_limit(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    grouped = GroupCommit(ledger, limit=2)
    sizes = _batches(monkeypatch)
    objs = [application(f"HL{k}", command_id=f"l{k}") for k in range(6)]
    got = _callers(grouped, objs, lambda: None)
    assert all(a["ok"] for a in got)
    assert sizes == [2, 2]  # the first alone, then two pairs, the last alone


def test_a_group_that_fails_unexpectedly_answers_each_caller_an_internal_error(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    grouped = GroupCommit(ledger, limit=32)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("unexpected")

    objs = [application(f"HF{k}", command_id=f"f{k}") for k in range(4)]
    got = _callers(grouped, objs, lambda: monkeypatch.setattr(answers, "answer_batch", broken))
    assert got[0]["ok"]  # alone, before the failure
    assert [(a["ok"], a["error"]["code"], a["command_id"]) for a in got[1:]] == [
        (False, "internal_error", f"f{k}") for k in range(1, 4)
    ]
    # and the next caller is answered as usual
    assert grouped.answer(application("HF9", command_id="f9"), "clerk")["ok"]


def test_a_group_of_no_commands_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        GroupCommit(None, limit=0)  # type: ignore[arg-type]
