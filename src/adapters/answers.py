"""One command object in, the contract's answer out: what `apply` prints for a line and what
`POST /commands` returns for a command. Both edges answer through here, so a command is parsed,
tried again through a store outage, and refused with the same code whichever way it came.

Every command gets an answer, never a traceback: a refusal of the ledger is its coded error, a
store that cannot be reached after the retries is `store_unavailable` (another store failure
`store_error`), and anything unexpected `internal_error` (its type named on standard error).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from functools import partial
from typing import Any

from eventsourcing.persistence import PersistenceError
from sqlalchemy.exc import SQLAlchemyError

from ..domain.commands import RunSchedule
from ..domain.errors import LedgerError
from ..domain.ledger import Ledger, Recording
from ..runtime.collection import batch_collection, paused_collection
from .actors import check_actor, resolve_actor
from .attribution import actors_of
from .commands import ParsedCommand, parse_command
from .failures import EdgeError, store_failure_code
from .record_day import refuse_future_date
from .wire import error_answer, ok_answer

STORE_RETRY_DELAYS = (0.2, 0.5, 1.0)
"""Bounded backoff when the store is unreachable: a failed transaction recorded nothing, so the
command is simply tried again; after the last delay it is answered `store_unavailable`."""


def answer_command(ledger: Ledger, obj: Any, actor: str | None = None) -> dict[str, Any]:
    """Run one decoded command object and answer it (its `command_id`, when it is text, is
    named in the answer even when the command is refused before it is parsed). `actor`, who
    submits it (the command line's `--actor`, the HTTP token's label; by default `LEDGER_ACTOR`
    or the operating-system user), is recorded with its events; a repeated command's events
    keep the actor of their first recording."""
    return _answer(ledger, obj, actor, _execute_with_backoff)


def record_instant() -> datetime:
    """The instant a command is recorded at: the wall clock, in UTC."""
    return datetime.now(UTC)


class BatchAborted(Exception):
    """A command of a batch met a store failure: the batch's transaction is given up."""


def answer_batch(
    ledger: Ledger,
    objs: Sequence[Any],
    actor: str | None = None,
    actors: Sequence[str | None] | None = None,
) -> list[Any]:
    """Answer decoded command objects (None: a line with nothing to answer, passed through)
    in one transaction: each command in a savepoint of it (a refused command rolls back alone
    and records nothing), all recorded together when the transaction commits, and answered only
    then. A store failure (the store unreachable, a failed commit) gives the whole batch up,
    recording none of it, and its commands are then answered one by one (`answer_command`, with
    its retries); so is a batch after a command's savepoint rolled back events it had inserted
    (a conflict), once the ledger's cached aggregates are dropped. Each command is recorded by
    `actor`, or by its own in `actors` (commands of several requests, `GroupCommit`)."""
    recorder: Any = ledger.recorder
    by = list(actors) if actors is not None else [actor] * len(objs)
    answers: list[Any] = []
    try:
        with recorder.batch(*_looked_up_keys(ledger, objs)) as batch:
            for obj, who in zip(objs, by, strict=True):
                answers.append(
                    None if obj is None else _answer(ledger, obj, who, _execute_in_batch)
                )
            if batch.rolled_back:
                raise BatchAborted("a command's savepoint rolled back its events")
    except (BatchAborted, PersistenceError, SQLAlchemyError):
        _drop_cached_aggregates(ledger)
        return [
            None if obj is None else answer_command(ledger, obj, who)
            for obj, who in zip(objs, by, strict=True)
        ]
    return answers


def _looked_up_keys(ledger: Ledger, objs: Sequence[Any]) -> tuple[list[str], list[str]]:
    """What a batch reads together when it begins: its commands' ids, and its payments'
    reference keys (`PaymentReferences.key`). A key that parsing would change is merely looked
    up again by its command."""
    dicts = [o for o in objs if isinstance(o, dict)]
    command_ids = [o["command_id"] for o in dicts if isinstance(o.get("command_id"), str)]
    references = [
        ledger.references.key(o["reference"])
        for o in dicts
        if o.get("command") == "record_payment" and isinstance(o.get("reference"), str)
    ]
    return command_ids, references


def _drop_cached_aggregates(ledger: Ledger) -> None:
    """Aggregates cached during a transaction that did not commit may hold its events."""
    cache = ledger.repository.cache
    if cache is not None and hasattr(cache, "clear"):
        cache.clear()


def _execute_in_batch(ledger: Ledger, command: ParsedCommand, recorded_by: str) -> Recording:
    """One try, in the batch's transaction: a store failure gives the batch up."""
    try:
        return _record_once(ledger, command, recorded_by)
    except (PersistenceError, SQLAlchemyError) as e:
        raise BatchAborted(type(e).__name__) from e


def _record_once(ledger: Ledger, command: ParsedCommand, recorded_by: str) -> Recording:
    """One attempt to record `command`, stamped with this instant (the future-date check reads
    the same instant)."""
    recorded_at = record_instant()
    return ledger.record(
        command.command,
        recorded_at=recorded_at,
        command_id=command.command_id,
        fingerprint=command.fingerprint,
        admit=partial(refuse_future_date, command.command.on, recorded_at),
        recorded_by=recorded_by,
    )


def _answer(
    ledger: Ledger,
    obj: Any,
    actor: str | None,
    execute: Callable[[Ledger, ParsedCommand, str], Recording],
) -> dict[str, Any]:
    command_id = command_id_named(obj)
    try:
        command = parse_command(obj)
        command_id = command.command_id
        recorded_by = check_actor(actor, "the actor") if actor is not None else resolve_actor()
        with batch_collection(), _collection_for(command):
            recording = execute(ledger, command, recorded_by)
            actors = (
                [recorded_by] * len(recording.events)
                if recording.fresh
                else actors_of(ledger, recording.events)
            )
            # rendered in the block: a monthly run's answer is every event it recorded, made
            # while what the run folded is still held
            answer = ok_answer(command_id, recording.events, actors)
    except BatchAborted:
        raise
    except LedgerError as e:
        return error_answer(e.code, e.message, command_id)
    except EdgeError as e:
        return error_answer(e.code, e.message, command_id)
    except (PersistenceError, SQLAlchemyError) as e:
        code = store_failure_code(e) or "store_error"
        return error_answer(code, f"the store refused the command: {type(e).__name__}", command_id)
    except Exception as e:  # every command gets an answer, never a traceback
        return internal_error(e, command_id)
    return answer


def command_id_named(obj: Any) -> str | None:
    """The `command_id` a command object names (None: none, or not a string)."""
    named = obj.get("command_id") if isinstance(obj, dict) else None
    return named if isinstance(named, str) else None


def internal_error(e: Exception, command_id: str | None) -> dict[str, Any]:
    """The answer to a command the ledger failed on unexpectedly: its type named on standard
    error, nothing of it in the answer."""
    print(f"enrollment-ledger: internal error {type(e).__name__}", file=sys.stderr)
    return error_answer("internal_error", "the ledger could not process this command", command_id)


def _collection_for(command: ParsedCommand) -> AbstractContextManager[None]:
    """A monthly run folds every enrollment due and holds them to its end: the collector is
    paused for it (`paused_collection`); any other command runs as it is."""
    return paused_collection() if isinstance(command.command, RunSchedule) else nullcontext()


def _execute_with_backoff(ledger: Ledger, command: ParsedCommand, recorded_by: str) -> Recording:
    for delay in (*STORE_RETRY_DELAYS, None):
        try:
            return _record_once(ledger, command, recorded_by)
        except (PersistenceError, SQLAlchemyError) as e:
            if delay is None or store_failure_code(e) != "store_unavailable":
                raise
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
