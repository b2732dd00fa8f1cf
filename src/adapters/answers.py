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
from datetime import UTC, datetime
from functools import partial
from typing import Any

from eventsourcing.persistence import PersistenceError
from sqlalchemy.exc import SQLAlchemyError

from ..domain.errors import LedgerError
from ..domain.ledger import Ledger
from .commands import ParsedCommand, parse_command
from .failures import store_failure_code
from .record_day import refuse_future_date
from .wire import error_answer, ok_answer

STORE_RETRY_DELAYS = (0.2, 0.5, 1.0)
"""Bounded backoff when the store is unreachable: a failed transaction recorded nothing, so the
command is simply tried again; after the last delay it is answered `store_unavailable`."""


def answer_command(ledger: Ledger, obj: Any) -> dict[str, Any]:
    """Run one decoded command object and answer it (its `command_id`, when it is text, is
    named in the answer even when the command is refused before it is parsed)."""
    named = obj.get("command_id") if isinstance(obj, dict) else None
    command_id = named if isinstance(named, str) else None
    try:
        command = parse_command(obj)
        command_id = command.command_id
        events = _execute_with_backoff(ledger, command)
    except LedgerError as e:
        return error_answer(e.code, e.message, command_id)
    except (PersistenceError, SQLAlchemyError) as e:
        code = store_failure_code(e) or "store_error"
        return error_answer(code, f"the store refused the command: {type(e).__name__}", command_id)
    except Exception as e:  # every command gets an answer, never a traceback
        print(f"enrollment-ledger: internal error {type(e).__name__}", file=sys.stderr)
        return error_answer(
            "internal_error", "the ledger could not process this command", command_id
        )
    return ok_answer(command_id, events)


def _execute_with_backoff(ledger: Ledger, command: ParsedCommand) -> list[Any]:
    for delay in (*STORE_RETRY_DELAYS, None):
        recorded_at = datetime.now(UTC)
        try:
            return ledger.execute(
                command.command,
                recorded_at=recorded_at,
                command_id=command.command_id,
                fingerprint=command.fingerprint,
                admit=partial(refuse_future_date, command.command.on, recorded_at),
            )
        except (PersistenceError, SQLAlchemyError) as e:
            if delay is None or store_failure_code(e) != "store_unavailable":
                raise
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
