"""`enrollment-ledger apply FILE|-`: JSON Lines of commands in, one JSON answer per line out."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any, NamedTuple

from ...domain.ledger import Ledger
from ...runtime.collection import batch_collection
from ..answers import answer_batch, answer_command
from ..commands import RefusedJson, decode_json
from ..wire import dumps, error_answer
from .progress import progress_bars

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
    except RefusedJson as e:
        return Refused(error_answer("invalid_json", str(e)))
    except (ValueError, RecursionError):
        return Refused(error_answer("invalid_json", "the line is not a JSON object"))


Read = Callable[[int], None]
"""`progress(consumed)`: the bytes of input read so far, after each answer (or batch) printed."""


def run_apply(
    ledger: Ledger,
    stream: IO[bytes],
    out: IO[str],
    actor: str | None = None,
    batch: int = 1,
    progress: Read | None = None,
) -> int:
    """Answer every line in order. `batch` > 1: up to that many lines' commands in one
    transaction (`answer_batch`: each command atomic in a savepoint), their answers printed
    once it has committed. `progress` is told how much of the input was read each time answers
    are printed."""
    with batch_collection():
        return _run_apply(ledger, stream, out, actor, batch, _reporter(stream, progress))


def _run_apply(
    ledger: Ledger,
    stream: IO[bytes],
    out: IO[str],
    actor: str | None,
    batch: int,
    report: Callable[[], None] | None,
) -> int:
    if batch > 1:
        return _run_batched(ledger, stream, out, actor, batch, report)
    rejected = False
    for raw in read_lines(stream):
        answer = answer_line(ledger, raw, actor)
        if answer is None:
            continue
        rejected = rejected or not answer["ok"]
        out.write(dumps(answer) + "\n")
        out.flush()
        if report is not None:
            report()
    return 1 if rejected else 0


def _reporter(stream: IO[bytes], progress: Read | None) -> Callable[[], None] | None:
    """What tells `progress` how many bytes of the stream were read (its position; 0 for a
    stream that cannot tell, such as a pipe, whose bar then shows no progress, only that work
    goes on); None without `progress`."""
    if progress is None:
        return None
    position: Callable[[], int] = stream.tell if stream.seekable() else lambda: 0
    return lambda: progress(position())


def _run_batched(
    ledger: Ledger,
    stream: IO[bytes],
    out: IO[str],
    actor: str | None,
    batch: int,
    report: Callable[[], None] | None = None,
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
        if report is not None:
            report()
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


@contextmanager
def applying(err: IO[str], out: IO[str], name: str, stream: IO[bytes]) -> Iterator[Read | None]:
    """`run_apply`'s progress as a bar on `err` named after the input, when `err` is a terminal
    and the answers go to a file or a pipe (answers printed on the terminal show the progress
    themselves): the bytes read of the file's size (standard input from a pipe: no size, the
    bar only shows that work goes on). None when no bar is drawn."""
    if out.isatty():
        yield None
        return
    total = _size(stream)
    label = "applying " + ("standard input" if name == "-" else name)
    with progress_bars(err, percent=True, elapsed=True) as bars:
        if bars is None:
            yield None
            return
        shown = bars

        def update(consumed: int) -> None:
            shown(label, consumed, total)

        yield update


def _size(stream: IO[bytes]) -> int | None:
    try:
        size = os.fstat(stream.fileno()).st_size
    except (OSError, ValueError):  # no file behind it (io.BytesIO), or a closed one
        return None
    return size if stream.seekable() and size > 0 else None


def open_input(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    return open(path, "rb")
