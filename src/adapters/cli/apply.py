"""`enrollment-ledger apply FILE|-`: JSON Lines of commands in, one JSON answer per line out."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import IO, Any, NamedTuple

from ...domain.ledger import Ledger
from ..answers import answer_batch, answer_command
from ..commands import DuplicateKey, decode_json
from ..wire import dumps, error_answer

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


def answer_line(
    ledger: Ledger, raw: bytes | None, actor: str | None = None
) -> dict[str, Any] | None:
    """Answer one line, recorded by `actor` (see `answer_command`); None for a blank line."""
    decoded = decode_line(raw)
    if decoded is None or isinstance(decoded, Refused):
        return None if decoded is None else decoded.answer
    return answer_command(ledger, decoded.value, actor)


class Refused(NamedTuple):
    """A line answered without the ledger (too long, not UTF-8, not JSON)."""

    answer: dict[str, Any]


class Decoded(NamedTuple):
    value: Any


def decode_line(raw: bytes | None) -> Decoded | Refused | None:
    """A line's JSON value, its refusal, or None for a blank line."""
    if raw is None:
        return Refused(
            error_answer("line_too_long", f"a command line is limited to {MAX_LINE_BYTES} bytes")
        )
    try:
        text = raw.decode("utf-8").strip(" \t\r\n")
    except UnicodeDecodeError:
        return Refused(error_answer("invalid_json", "the line is not UTF-8 text"))
    if not text:
        return None
    try:
        return Decoded(decode_json(text))
    except DuplicateKey as e:
        return Refused(error_answer("invalid_json", str(e)))
    except (ValueError, RecursionError):
        return Refused(error_answer("invalid_json", "the line is not a JSON object"))


def run_apply(
    ledger: Ledger, stream: IO[bytes], out: IO[str], actor: str | None = None, batch: int = 1
) -> int:
    """Answer every line in order. `batch` > 1: up to that many lines' commands in one
    transaction (`answer_batch`: each command atomic in a savepoint), their answers printed
    once it has committed."""
    if batch > 1:
        return _run_batched(ledger, stream, out, actor, batch)
    rejected = False
    for raw in read_lines(stream):
        answer = answer_line(ledger, raw, actor)
        if answer is None:
            continue
        rejected = rejected or not answer["ok"]
        out.write(dumps(answer) + "\n")
        out.flush()
    return 1 if rejected else 0


def _run_batched(
    ledger: Ledger, stream: IO[bytes], out: IO[str], actor: str | None, batch: int
) -> int:
    rejected = False
    pending: list[Decoded | Refused] = []
    commands = 0

    def flush() -> None:
        nonlocal rejected, commands
        objs = [d.value if isinstance(d, Decoded) else None for d in pending]
        answered = answer_batch(ledger, objs, actor)
        for decoded, answer in zip(pending, answered, strict=True):
            shown = decoded.answer if isinstance(decoded, Refused) else answer
            rejected = rejected or not shown["ok"]
            out.write(dumps(shown) + "\n")
        out.flush()
        pending.clear()
        commands = 0

    for raw in read_lines(stream):
        decoded = decode_line(raw)
        if decoded is None:
            continue
        pending.append(decoded)
        commands += isinstance(decoded, Decoded)
        if commands >= batch:
            flush()
    if pending:
        flush()
    return 1 if rejected else 0


def open_input(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    return open(path, "rb")
