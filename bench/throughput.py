"""The ledger's own bulk path and its HTTP server under load, for `bench.run`'s phases.

- `bulk_apply`: the commands as `enrollment-ledger apply FILE --batch N` records them (in this
  process: `run_apply` over the encoded lines), timed whole; `bulk_load` the same, its answers
  counted as they are written, not kept (a load of a million commands).
- `timed_in_a_fresh_process`: one command answered by a new process on a built store, as a
  scheduler starts the monthly run (nothing of the load in its memory, a cold aggregate cache);
  `rehearsed_in_a_fresh_process` the same, stopped at its commit and rolled back (the store left
  as it was), so that one store gives the run more than one reading.
- `http_load`: a real `enrollment-ledger serve` process on a store, and a bounded pool of client
  threads on loopback, each posting its own households' commands one request at a time (a
  keep-alive connection per client) for a fixed time; latencies, statuses and answers kept.
"""

from __future__ import annotations

import http.client
import io
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .population import DETERMINATION_PLACEHOLDER, Command, Driver
from .probe import peak_rss_mb


def resolved_lines(commands: Sequence[Command], appealed: dict[str, str]) -> list[bytes]:
    """The commands as JSON lines, each appeal naming the determination the run one by one
    found for it (a batch answers only once it commits, so a file must name it already)."""
    lines = []
    for command in commands:
        if command.get("appealed_event_id") == DETERMINATION_PLACEHOLDER:
            found = appealed.get(command["command_id"], "missing")
            command = {**command, "appealed_event_id": found}
        lines.append(Driver.encode(command))
    return lines


def _timed_apply(ledger: Any, lines: Sequence[bytes], batch: int, out: io.StringIO) -> float:
    """Seconds to apply the lines `batch` commands per transaction, the answers written to
    `out`."""
    from enrollment_ledger.adapters.cli.apply import run_apply

    stream = io.BytesIO(b"\n".join(lines) + b"\n")
    started = time.perf_counter()
    run_apply(ledger, stream, out, None, batch)
    return time.perf_counter() - started


def bulk_apply(ledger: Any, lines: Sequence[bytes], batch: int) -> tuple[float, list[Any]]:
    """Seconds to apply the lines `batch` commands per transaction, and the answers."""
    out = io.StringIO()
    seconds = _timed_apply(ledger, lines, batch, out)
    return seconds, [json.loads(line) for line in out.getvalue().splitlines()]


class _Tally(io.StringIO):
    """An output that counts the answers written to it, and refused ones, keeping none."""

    def __init__(self) -> None:
        super().__init__()
        self.answers = 0
        self.refused = 0
        self._partial = ""

    def write(self, s: str) -> int:
        *lines, self._partial = (self._partial + s).split("\n")
        for line in lines:
            self.answers += 1
            self.refused += not json.loads(line)["ok"]
        return len(s)


def bulk_load(ledger: Any, lines: Sequence[bytes], batch: int) -> tuple[float, int, int]:
    """Seconds to apply the lines `batch` commands per transaction, how many were answered, and
    how many of them refused."""
    out = _Tally()
    seconds = _timed_apply(ledger, lines, batch, out)
    return seconds, out.answers, out.refused


@dataclass(frozen=True)
class FreshRun:
    """One command timed in a fresh process: its seconds, its answer's outcome (the error code
    of a refusal), the events it recorded, the process's peak RSS, and the seconds spent in
    each of the functions of PHASES (cumulative: a phase called inside another is in both)."""

    seconds: float
    ok: bool
    error: str | None
    events: int
    peak_rss_mb: float
    phases: dict[str, float] = field(default_factory=dict)
    committed: bool = True  # False: a rehearsal, rolled back at its commit (its events: saved)


PHASES: list[tuple[str, str, str]] = [
    # (phase, where: the store's recorder, the ledger or the answers module, function)
    ("index", "recorder", "due_through"),  # the schedule index's ids due
    ("loads", "ledger", "load_enrollments"),  # their events read, decoded and folded
    ("loads.read", "recorder", "select_after"),  # of which the store's read
    ("late_decisions", "ledger", "_take_late_decisions"),
    ("save", "ledger", "save"),  # the events mapped, inserted, chained (not yet committed)
    ("index_dates", "recorder", "set_next_due"),  # the enrollments' next due dates
    ("deferred_rows", "recorder", "_write_deferred"),  # links, tree, dates, log: at the commit
    ("answer", "answers", "ok_answer"),
]
"""What a run in a fresh process is timed by, function by function: what is left of its
seconds is the handler's decisions, the transaction's begin and commit, and the rest."""


def _timed_phases(ledger: Any) -> dict[str, float]:
    """Each function of PHASES wrapped, in this process only, to add its seconds to its phase
    (a few calls a run: the wrappers cost nothing next to what they time)."""
    from enrollment_ledger.adapters import answers

    seconds = dict.fromkeys((phase for phase, _, _ in PHASES), 0.0)
    owners = {"recorder": ledger.recorder, "ledger": ledger, "answers": answers}
    for phase, where, name in PHASES:
        original = getattr(owners[where], name)

        def timed(*args: Any, _original: Any = original, _phase: str = phase, **kw: Any) -> Any:
            started = time.perf_counter()
            try:
                return _original(*args, **kw)
            finally:
                seconds[_phase] += time.perf_counter() - started

        setattr(owners[where], name, timed)
    return seconds


class StoppedAtCommit(BaseException):
    """Raised, in a rehearsal's process, when its outermost transaction is about to commit (every
    row written, nothing committed): the transaction rolls back. A BaseException, as a
    KeyboardInterrupt is: no answer path turns it into a refusal."""

    def __init__(self, at: float) -> None:
        super().__init__(at)
        self.at = at


def _stop_at_commit(ledger: Any) -> list[int]:
    """In this process only: the store's unit of work raises StoppedAtCommit where it would
    commit (`_Unit.finish`, after the rows deferred to the commit are written); the events the
    ledger saves are counted in the list returned."""
    from enrollment_ledger.adapters.store import recorder

    saved: list[int] = []
    save = ledger.save

    def counted(*aggregates: Any, **kwargs: Any) -> Any:
        recordings = save(*aggregates, **kwargs)
        saved.append(len(recordings))
        return recordings

    def finish(unit: Any) -> None:
        finish_unit(unit)
        raise StoppedAtCommit(time.perf_counter())

    finish_unit = recorder._Unit.finish
    ledger.save = counted
    recorder._Unit.finish = finish  # type: ignore[method-assign]
    return saved


def _answer_timed(url: str, line: bytes, rehearse: bool = False) -> FreshRun:
    from enrollment_ledger.adapters.bootstrap import build_ledger
    from enrollment_ledger.adapters.cli.apply import answer_line

    ledger = build_ledger(url)
    try:
        phases = _timed_phases(ledger)
        saved = _stop_at_commit(ledger) if rehearse else []
        started = time.perf_counter()
        try:
            answer = answer_line(ledger, line)
            ended = time.perf_counter()
            committed = True
        except StoppedAtCommit as stopped:  # a rehearsal, rolled back: its events, those saved
            answer, ended, committed = None, stopped.at, False
    finally:
        ledger.close()
    peak = peak_rss_mb()  # VmHWM: ru_maxrss would be the spawning loader's peak, kept across exec
    ok, error, events = True, None, sum(saved)
    if committed:
        assert answer is not None
        ok, events = answer["ok"], len(answer.get("events", ()))
        error = None if ok else str(answer["error"]["code"])
    return FreshRun(
        seconds=ended - started,
        ok=ok,
        error=error,
        events=events,
        peak_rss_mb=peak,
        phases={k: round(v, 6) for k, v in phases.items()},
        committed=committed,
    )


def _in_a_fresh_process(url: str, line: bytes, rehearse: bool) -> FreshRun:
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        return pool.submit(_answer_timed, url, line, rehearse).result()


def timed_in_a_fresh_process(url: str, line: bytes) -> FreshRun:
    """`line`'s command answered (`answer_line`, the `apply` path) by a new interpreter (spawned,
    not forked: nothing of this process's heap) on the store at `url`, timed from its first
    read to its answer (the interpreter's start and the store's opening are not in it)."""
    return _in_a_fresh_process(url, line, rehearse=False)


def rehearsed_in_a_fresh_process(url: str, line: bytes) -> FreshRun:
    """`line`'s command as `timed_in_a_fresh_process` runs it, stopped where its transaction
    would commit and rolled back: timed from its first read to that point (without the commit
    and the answer), its events those it saved, and the store left as it was (on PostgreSQL,
    the rolled-back rows are dead tuples and their ids are not used again). A command refused
    before its commit is answered as `timed_in_a_fresh_process` answers it."""
    return _in_a_fresh_process(url, line, rehearse=True)


# ---- HTTP load ---------------------------------------------------------------------------------


@dataclass
class LoadResult:
    seconds: float = 0.0
    requests: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    answered_events: int = 0
    accepted: int = 0
    failures: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli() -> list[str]:
    script = Path(sys.executable).parent / "enrollment-ledger"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "enrollment_ledger.adapters.cli.main"]


def http_load(
    url: str,
    households: Sequence[Sequence[bytes]],
    clients: int,
    seconds: float,
    work: Path,
    serve_options: Sequence[str] = (),
) -> LoadResult:
    """Serve the store at `url` in its own process (`serve` with `serve_options`) and post the
    households' commands from `clients` threads (each client its own households, in order)
    until `seconds` have passed or every command was posted; the server is stopped after."""
    cli = _cli()
    subprocess.run([*cli, "apply", "-", "--store", url], input=b"", check=True, timeout=120)
    issued = subprocess.run(
        [
            *cli,
            "tokens",
            "create",
            "--role",
            "operator",
            "--label",
            "load",
            "--json",
            *["--store", url],
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    token = json.loads(issued.stdout)["token"]
    port = _free_port()
    log = (work / "serve.log").open("wb")
    server = subprocess.Popen(
        [*cli, "serve", "--host", "127.0.0.1", "--port", str(port), "--store", url, *serve_options],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=os.environ.copy(),
    )
    try:
        _wait_for(port, server)
        return _drive(port, token, households, clients, seconds)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server stopped while starting")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health")
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not answer /health within 60 s")


def _drive(
    port: int, token: str, households: Sequence[Sequence[bytes]], clients: int, seconds: float
) -> LoadResult:
    result = LoadResult()
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    shares = [list(households[i::clients]) for i in range(clients)]
    started = time.perf_counter()
    stop_at = started + seconds

    def client(share: list[Sequence[bytes]]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        events = accepted = 0
        try:
            for commands in share:
                for body in commands:
                    if time.perf_counter() >= stop_at:
                        return
                    t0 = time.perf_counter()
                    connection.request("POST", "/commands", body=body, headers=headers)
                    response = connection.getresponse()
                    payload = response.read()
                    latencies.append((time.perf_counter() - t0) * 1000)
                    statuses[response.status] = statuses.get(response.status, 0) + 1
                    if response.status == 200:
                        answer = json.loads(payload)
                        accepted += 1
                        events += len(answer.get("events", []))
        except Exception as e:  # a client that fails is counted, never silent
            with lock:
                result.failures.append(repr(e))
        finally:
            connection.close()
            with lock:
                result.latencies_ms.extend(latencies)
                for status, count in statuses.items():
                    result.statuses[status] = result.statuses.get(status, 0) + count
                result.answered_events += events
                result.accepted += accepted

    threads = [threading.Thread(target=client, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    result.requests = len(result.latencies_ms)
    return result
