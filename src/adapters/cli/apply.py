"""`enrollment-ledger apply FILE|-`: JSON Lines of commands in, one JSON answer per line out."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from typing import IO, Any

from eventsourcing.persistence import InterfaceError, OperationalError, PersistenceError
from sqlalchemy import exc as sa_exc
from sqlalchemy.exc import SQLAlchemyError

from ...domain.errors import LedgerError
from ...domain.ledger import Ledger
from ..commands import DuplicateKey, ParsedCommand, decode_json, parse_command
from ..record_day import refuse_future_date
from ..wire import dumps, error_answer, ok_answer

MAX_LINE_BYTES = 1_048_576


def read_lines(stream: IO[bytes]) -> Iterator[bytes | None]:
    """Lines of at most MAX_LINE_BYTES; a longer line yields None (refused, never held whole)."""
    while True:
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while True:
                rest = stream.readline(MAX_LINE_BYTES)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
            continue
        yield line


def answer_line(ledger: Ledger, raw: bytes | None) -> dict[str, Any] | None:
    """Answer one line; None for a blank line."""
    if raw is None:
        return error_answer("line_too_long", f"a command line is limited to {MAX_LINE_BYTES} bytes")
    try:
        text = raw.decode("utf-8").strip(" \t\r\n")
    except UnicodeDecodeError:
        return error_answer("invalid_json", "the line is not UTF-8 text")
    if not text:
        return None
    try:
        obj = decode_json(text)
    except DuplicateKey as e:
        return error_answer("invalid_json", str(e))
    except (ValueError, RecursionError):
        return error_answer("invalid_json", "the line is not a JSON object")
    command_id = obj.get("command_id") if isinstance(obj, dict) else None
    command_id = command_id if isinstance(command_id, str) else None
    return answer_command(ledger, obj, command_id)


STORE_RETRY_DELAYS = (0.2, 0.5, 1.0)
"""Bounded backoff when the store is unreachable: a failed transaction recorded nothing, so the
command is simply tried again; after the last delay it is answered `store_unavailable`."""


def answer_command(ledger: Ledger, obj: Any, command_id: str | None) -> dict[str, Any]:
    try:
        command = parse_command(obj)
        command_id = command.command_id
        events = _execute_with_backoff(ledger, command)
    except LedgerError as e:
        return error_answer(e.code, e.message, command_id)
    except (PersistenceError, SQLAlchemyError) as e:
        code = "store_unavailable" if _unreachable(e) else "store_error"
        return error_answer(code, f"the store refused the command: {type(e).__name__}", command_id)
    except Exception as e:  # every line gets an answer, never a traceback
        print(f"enrollment-ledger: internal error {type(e).__name__}", file=sys.stderr)
        return error_answer(
            "internal_error", "the ledger could not process this command", command_id
        )
    return ok_answer(command_id, events)


def _unreachable(error: Exception) -> bool:
    return isinstance(
        error, OperationalError | InterfaceError | sa_exc.OperationalError | sa_exc.InterfaceError
    )


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
            if delay is None or not _unreachable(e):
                raise
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def run_apply(ledger: Ledger, stream: IO[bytes], out: IO[str]) -> int:
    rejected = False
    for raw in read_lines(stream):
        answer = answer_line(ledger, raw)
        if answer is None:
            continue
        rejected = rejected or not answer["ok"]
        out.write(dumps(answer) + "\n")
        out.flush()
    return 1 if rejected else 0


def open_input(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    return open(path, "rb")
