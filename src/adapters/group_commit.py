"""Group commit: the commands of concurrent callers (the HTTP server's request threads, each
with one command) recorded together, up to a limit per transaction.

The ledger records one transaction at a time (a writer lock, `GroupCommit.writer`, which the
server's arrays of commands take too). A caller whose command arrives while a transaction is
under way waits; when it ends, one of the waiting callers leads: it takes the commands queued
(in their order of arrival, at most `limit`) and records them as one batch (`answer_batch`:
each command atomic in a savepoint, every answer given only once the transaction has
committed), then hands each caller its answer. A lone command is recorded on its own
(`answer_command`), as without grouping. Under load the transaction's fixed costs (its commit
and its flush, the events table's lock, the side rows' statements) are paid once per group
instead of once per command, which is the point.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the command line reads GROUP_LIMIT without loading the ledger
    from ..domain.ledger import Ledger


GROUP_LIMIT = 32
"""The most single commands of concurrent requests recorded in one transaction (`serve
--group`)."""


class _Waiting:
    """A caller's command, and its answer once recorded."""

    __slots__ = ("actor", "answer", "obj")

    def __init__(self, obj: Any, actor: str | None) -> None:
        self.obj = obj
        self.actor = actor
        self.answer: dict[str, Any] | None = None


class GroupCommit:
    """Commands of concurrent callers recorded together, at most `limit` per transaction."""

    def __init__(self, ledger: Ledger, limit: int) -> None:
        if limit < 1:
            raise ValueError("a group holds at least one command")
        self.ledger = ledger
        self.limit = limit
        self.writer = threading.Lock()
        """Held while a transaction records: whoever else records on this ledger takes it."""
        self._changed = threading.Condition()
        self._queue: deque[_Waiting] = deque()
        self._leading = False

    def answer(self, obj: Any, actor: str | None) -> dict[str, Any]:
        """The answer to `obj`, recorded by `actor`, given once its transaction has committed."""
        mine = _Waiting(obj, actor)
        with self._changed:
            self._queue.append(mine)
        while True:
            with self._changed:
                while mine.answer is None and self._leading:
                    self._changed.wait()
                if mine.answer is not None:
                    return mine.answer
                self._leading = True
                group = [self._queue.popleft() for _ in range(min(self.limit, len(self._queue)))]
            answers: list[Any] | None = None
            try:
                answers = self._record(group)
            finally:
                with self._changed:
                    for waiting, answer in zip(group, answers or _unanswered(group), strict=True):
                        waiting.answer = answer
                    self._leading = False
                    self._changed.notify_all()

    def _record(self, group: list[_Waiting]) -> list[Any]:
        """The group's answers; an unexpected failure is each caller's internal error, never a
        traceback."""
        from .answers import answer_batch, answer_command, command_id_named, internal_error

        try:
            with self.writer:
                if len(group) == 1:
                    return [answer_command(self.ledger, group[0].obj, group[0].actor)]
                return answer_batch(
                    self.ledger, [w.obj for w in group], actors=[w.actor for w in group]
                )
        except Exception as e:
            return [internal_error(e, command_id_named(w.obj)) for w in group]


def _unanswered(group: list[_Waiting]) -> list[dict[str, Any]]:
    """A group whose leader was interrupted (not by an Exception): each its internal error."""
    from .answers import command_id_named, internal_error

    return [internal_error(RuntimeError("interrupted"), command_id_named(w.obj)) for w in group]
