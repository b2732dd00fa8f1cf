"""`enrollment-ledger apply FILE|-`: JSON Lines of commands in, one JSON answer per line out."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import IO, Any

from ...domain.ledger import Ledger
from ..answers import answer_command
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
    return answer_command(ledger, obj)


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
