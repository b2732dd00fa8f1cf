"""Progress bars for the command line's long work (`apply FILE`, `verify`, `projections run` and
`rebuild`): rich bars on standard error, one per named task, drawn only when standard error is a
terminal. A pipe or a file gets nothing: the answers on standard output are for machines, and a
person watching a terminal sees how far the work has gone. rich is imported only when a bar is
drawn."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

Update = Callable[[str, int, "int | None"], None]
"""`update(task, completed, total)`: the named task's bar (created on its first update) at
`completed` of `total` (None: not known)."""


@contextmanager
def progress_bars(
    err: IO[str], *, percent: bool = False, elapsed: bool = False
) -> Iterator[Update | None]:
    """Bars on `err` when it is a terminal (removed when the work is done), else None. Each bar
    shows `completed/total` (`percent`: the share done, for a count such as bytes that means
    little to a reader) and, with `elapsed`, the time taken so far."""
    if not err.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns: list[ProgressColumn] = [
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn() if percent else MofNCompleteColumn(),
    ]
    if elapsed:
        columns.append(TimeElapsedColumn())
    # standard output is left alone (rich would otherwise take it over while the bars are drawn
    # and print what is written to it on `err`): `apply` prints its answers there meanwhile
    with Progress(
        *columns,
        console=Console(file=err),
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
    ) as bars:
        tasks: dict[str, Any] = {}

        def update(task: str, completed: int, total: int | None) -> None:
            if task not in tasks:
                tasks[task] = bars.add_task(task, total=total)
            bars.update(tasks[task], completed=completed, total=total)

        yield update
