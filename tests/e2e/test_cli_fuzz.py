"""Every subcommand as a real process under hostile arguments, environment values and files
(issue 15): never a traceback, never a Python exception's own words, an exit status in the
documented set (0 done, 1 refused, 2 not run) and, when an error is printed, the contract's error
body with a documented code (never `internal_error`).

The cost is bounded: a fixed list of the cases seen in the issue (run three at a time) and a small
hypothesis sample (each example is one process start, about half a second). Subcommands that
would run on (a server, a relay or a consumer waiting for a broker, `projections run --follow`)
are only given what makes them stop: a broken store, a malformed broker address, a folder for a
file."""

from __future__ import annotations

import base64
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from enrollment_ledger.adapters.bootstrap import build_ledger, new_cipher_key
from enrollment_ledger.adapters.cli.apply import answer_line
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..answers import answer_of, last_answer
from ..conftest import application
from ..scenarios import household_commands, pay, schedule, select

CLI = [sys.executable, "-m", "enrollment_ledger.adapters.cli.main"]
EXIT_STATUSES = {0, 1, 2}
NOT_RUN_CODES = {
    "unknown_store",
    "invalid_store_url",
    "store_unavailable",
    "store_error",
    "wrong_key",
    "not_a_file",
    "not_found",
    "permission_denied",
    "io_error",
    "invalid_date",
    "invalid_field",
    "invalid_digest",
    "invalid_signing_key",
    "invalid_proof",
    "invalid_public_key",
    "unknown_projection",
    "rebuild_pending",
    "missing_dependency",
}
"""The codes of exit status 2 (nothing was done)."""
PYTHON_WORDS = re.compile(
    r"Traceback|\b[A-Z][A-Za-z]*(Error|Exception|Warning):|Invalid isoformat string|"
    r"invalid literal for|\[Errno|binascii|sqlalchemy\.exc|psycopg\.|sqlite3\.|"
    r"Background on this error|NoneType|object has no attribute|internal error"
)
"""What a Python exception or a library's own failure would show (argparse's usage errors,
`error: argument --x: invalid int value`, are the command line's words, not these)."""
LEDGER_VARIABLES = (
    "LEDGER_STORE_URL",
    "LEDGER_CIPHER_KEY",
    "LEDGER_CIPHER_KEY_FILE",
    "LEDGER_SIMULATED_TODAY",
    "LEDGER_ACTOR",
    "LEDGER_SIGNING_KEY",
    "LEDGER_SIGNING_KEY_FILE",
)
Arg = str | bytes


@dataclass(frozen=True)
class World:
    """Files a hostile user may point the command line at."""

    folder: Path
    key: str

    def path(self, name: str) -> str:
        return str(self.folder / name)

    def url(self, name: str) -> str:
        return f"sqlite:///{self.folder / name}"

    @property
    def store(self) -> str:
        return self.url("store.db")

    @property
    def usable_stores(self) -> list[str]:
        return [self.store, self.url("encrypted.db")]

    @property
    def broken_stores(self) -> list[str]:
        return [
            self.url("missing.db"),
            self.url("folder"),
            self.url("empty.db"),
            self.url("text.txt"),
            self.url("other.db"),
            self.url("nowhere/ledger.db"),
            "sqlite://",
            "bogus://x",
            "mysql://u:p@localhost/db",
            "postgresql://u:p@127.0.0.1:1/db",
            "postgresql://u:p@host:notaport/db",
            "postgresql://u:p@host",
            "",
            " ",
            "sqlite:relative.db",
        ]

    @property
    def files(self) -> list[str]:
        return [
            self.path(name)
            for name in (
                "commands.jsonl",
                "hostile.jsonl",
                "binary.bin",
                "empty.db",
                "text.txt",
                "folder",
                "missing.jsonl",
                "digest.json",
                "store.db",
            )
        ] + ["-", "/dev/null"]

    @property
    def key_files(self) -> list[str]:
        return [self.path(n) for n in ("key.txt", "badkey.txt", "binary.bin", "folder", "none")]


def _fill(url: str, key: str | None = None) -> None:
    ledger = build_ledger(url, key=key)
    try:
        lines = [*household_commands(), select(), pay("2026-01-20", "150.00", "b")]
        lines.append(schedule("2026-04-30"))
        for command in lines:
            answer = answer_line(ledger, json.dumps(command).encode())
            assert answer is not None and answer["ok"], answer
    finally:
        ledger.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = tmp_path_factory.mktemp("hostile")
    key = new_cipher_key()
    found = World(folder, key)
    _fill(found.store)
    _fill(found.url("encrypted.db"), key)
    (folder / "folder").mkdir()
    (folder / "empty.db").touch()
    (folder / "text.txt").write_text("not a database\n")
    (folder / "binary.bin").write_bytes(bytes(range(256)) * 8)
    other = sqlite3.connect(folder / "other.db")
    other.execute("CREATE TABLE notes (text TEXT)")
    other.commit()
    other.close()
    (folder / "key.txt").write_text(key + "\n")
    (folder / "badkey.txt").write_text("garbage\n")
    (folder / "commands.jsonl").write_text(json.dumps(application("HX")) + "\n")
    (folder / "hostile.jsonl").write_bytes(b'{"command": 1}\n\xff\xfe\n{"a": [[[[[[\n{}\n')
    (folder / "digest.json").write_text('{"position": "ten"}')
    return found


def run(world: World, argv: Sequence[Arg], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in LEDGER_VARIABLES}
    with tempfile.TemporaryDirectory(dir=world.folder) as cwd:
        try:
            return subprocess.run(
                [*CLI, *argv],
                cwd=cwd,
                env={**base, **env},
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                errors="replace",
                timeout=60,
                check=False,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"the command line did not stop: {argv!r} with {env!r}")


def json_lines(text: str) -> Iterator[dict[str, Any]]:
    """The answers printed: JSON lines, and readable error lines as the error body they stand
    for (`tests.answers.answer_of`)."""
    for line in text.splitlines():
        try:
            value = answer_of(line)
        except ValueError:
            continue
        if value:
            yield value


def assert_answered_cleanly(result: subprocess.CompletedProcess[str], what: object) -> None:
    shown = f"{what!r}\nexit {result.returncode}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    assert result.returncode in EXIT_STATUSES, shown
    assert PYTHON_WORDS.search(result.stdout) is None, shown
    assert PYTHON_WORDS.search(result.stderr) is None, shown
    refusals = [a for a in json_lines(result.stdout) if a.get("ok") is False]
    for verdict in (a for a in refusals if "error" not in a):
        # a check that did not pass (verify, verify-proof): its verdict and reason, exit 1
        assert "reason" in verdict and result.returncode == 1, shown
    errors = [a["error"] for a in refusals if "error" in a]
    for error in errors:
        assert set(error) == {"code", "message"}, shown
        assert re.fullmatch(r"[a-z_]+", error["code"]), shown
        assert error["code"] != "internal_error", shown
    if result.returncode == 2:
        # nothing was done: a usage error from argparse, or one coded error
        if errors:
            assert errors[-1]["code"] in NOT_RUN_CODES, shown
        else:
            assert "usage:" in result.stderr or "error:" in result.stderr, shown


# -- the cases seen in the issue -----------------------------------------------------------------


def seen_cases(world: World) -> list[tuple[list[Arg], dict[str, str], str]]:
    wrong_size = base64.b64encode(b"ten bytes!").decode()
    closed = "postgresql://u:p@127.0.0.1:1/db"
    cases: list[tuple[list[Arg], dict[str, str], str]] = [
        (["verify"], {}, "unknown_store"),
        (["verify", "--json"], {}, "unknown_store"),
        (["coverage", "E1", "--store", world.store], {"LEDGER_CIPHER_KEY": "garbage"}, "wrong_key"),
        (
            ["coverage", "E1", "--store", world.store],
            {"LEDGER_CIPHER_KEY": wrong_size},
            "wrong_key",
        ),
        (["timeline", "H1", "--store", world.store], {"LEDGER_CIPHER_KEY": "garbage"}, "wrong_key"),
        (["apply", "-", "--store", world.store], {"LEDGER_CIPHER_KEY": wrong_size}, "wrong_key"),
        (["apply", world.path("folder"), "--store", world.store], {}, "not_a_file"),
        (["apply", world.path("folder")], {}, "not_a_file"),
        (["coverage", "E1", "--as-of", "nope", "--store", world.store], {}, "invalid_date"),
        (["delinquent", "--as-of", "2026-02-30", "--store", world.store], {}, "invalid_date"),
        (["coverage", "E1"], {"LEDGER_STORE_URL": "bogus://x"}, "invalid_store_url"),
        (["serve"], {"LEDGER_STORE_URL": world.url("missing.db")}, "unknown_store"),
        (
            ["digest", "--store", world.store],
            {"LEDGER_SIGNING_KEY": "garbage"},
            "invalid_signing_key",
        ),
        (
            ["prove", "E1", "--store", world.store],
            {"LEDGER_SIGNING_KEY": wrong_size},
            "invalid_signing_key",
        ),
        (["verify-proof", world.path("text.txt"), "--public-key", world.key], {}, "invalid_proof"),
    ]
    for command in (["coverage", "E1"], ["apply", "-"], ["verify"]):
        cases.append(([*command, "--store", closed], {}, "store_unavailable"))
        cases.append(([*command, "--store", "bogus://x"], {}, "invalid_store_url"))
    return cases


def test_the_cases_seen_in_the_issue_answer_their_codes_as_processes(world: World) -> None:
    cases = seen_cases(world)
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda case: run(world, case[0], case[1]), cases))

    for (argv, env, code), result in zip(cases, results, strict=True):
        assert_answered_cleanly(result, (argv, env))
        assert result.returncode == 2, (argv, env, result.stdout)
        assert last_answer(result.stdout)["error"]["code"] == code, (argv, env)


# -- a hypothesis sample of hostile command lines ------------------------------------------------

hostile_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=24,
)
hostile_bytes = st.binary(min_size=1, max_size=8).filter(lambda b: b"\x00" not in b)
dates = st.one_of(
    st.sampled_from(["2026-03-01", "2026-02-30", "nope", "", "-1", "2026-13-01", "99999-01-01"]),
    hostile_text,
)
instants = st.one_of(
    st.sampled_from(
        ["2026-06-01T00:00:00+00:00", "2026-06-01T00:00", "2026-06-01", "2026-06-01T25:00Z"]
    ),
    hostile_text,
)
ids = st.one_of(
    st.sampled_from(["E1", "H1", "A1", " ", "-", "x" * 300]), hostile_text, hostile_bytes
)
numbers = st.one_of(
    st.sampled_from(["0", "-1", "1", "nan", "inf", "1e400", "99999999999999999999", "x", ""]),
    hostile_text,
)


def environments(world: World) -> st.SearchStrategy[dict[str, str]]:
    wrong_size = base64.b64encode(b"ten bytes!").decode()
    values = {
        "LEDGER_STORE_URL": st.sampled_from([*world.usable_stores, *world.broken_stores]),
        "LEDGER_CIPHER_KEY": st.one_of(
            st.sampled_from(["garbage", wrong_size, world.key, f"  {world.key}  ", ""]),
            hostile_text,
        ),
        "LEDGER_CIPHER_KEY_FILE": st.sampled_from(world.key_files),
        "LEDGER_SIMULATED_TODAY": st.one_of(dates),
        "LEDGER_ACTOR": hostile_text,
        "LEDGER_SIGNING_KEY": st.one_of(
            st.sampled_from(["garbage", wrong_size, world.key, ""]), hostile_text
        ),
        "LEDGER_SIGNING_KEY_FILE": st.sampled_from(world.key_files),
    }
    return st.fixed_dictionaries({}, optional=values)


def command_lines(world: World) -> st.SearchStrategy[list[Arg]]:
    """A subcommand with hostile arguments and a store given before it, after it, or not at all
    (then the environment's, or ./ledger.db in an empty folder)."""
    stores = st.one_of(st.sampled_from([*world.usable_stores, *world.broken_stores]), hostile_text)
    broken = st.sampled_from(world.broken_stores)
    files = st.one_of(st.sampled_from(world.files), hostile_text, hostile_bytes)
    flag = st.sampled_from([[], ["--json"]])

    def optional(option: str, values: st.SearchStrategy[Arg]) -> st.SearchStrategy[list[Arg]]:
        return st.one_of(st.just([]), values.map(lambda v: [option, v]))

    def joined(*parts: st.SearchStrategy[list[Arg]]) -> st.SearchStrategy[list[Arg]]:
        return st.tuples(*parts).map(lambda ps: [a for p in ps for a in p])

    def words(*words: Arg) -> st.SearchStrategy[list[Arg]]:
        return st.just(list(words))

    stoppable = {  # these would otherwise run on: given a broken store, they stop
        "serve": joined(words("serve", "--port", "1"), broken.map(lambda s: ["--store", s])),
        "relay": joined(
            words("relay", "--until-caught-up"),
            st.sampled_from([["--kafka", "127.0.0.1:1"], ["--kafka", "nohost"], ["--kafka", ":"]]),
            broken.map(lambda s: ["--store", s]),
            optional("--batch-size", numbers),
            optional("--lease-seconds", numbers),
        ),
        "consume": joined(
            words("consume"),
            st.sampled_from(
                [["--kafka", "x"], ["--kafka", "127.0.0.1:1", "--seen", str(world.folder)]]
            ),
            optional("--max-messages", numbers),
            optional("--timeout", numbers),
        ),
    }
    runs_and_stops = {
        "apply": joined(words("apply"), files.map(lambda f: [f])),
        "coverage": joined(
            words("coverage"),
            ids.map(lambda i: [i]),
            optional("--as-of", dates),
            optional("--known-at", instants),
            flag,
        ),
        "balance": joined(
            words("balance"), ids.map(lambda i: [i]), optional("--as-of", dates), flag
        ),
        "timeline": joined(
            words("timeline"), ids.map(lambda i: [i]), optional("--known-at", instants), flag
        ),
        "hearing": joined(words("hearing"), ids.map(lambda i: [i]), flag),
        "verify": joined(words("verify"), optional("--digest", files), flag),
        "digest": joined(words("digest"), flag),
        "projections": joined(
            words("projections"),
            st.one_of(
                words("status"),
                joined(
                    words("run"),
                    optional("--batch-size", numbers),
                    optional("--poll-seconds", numbers),
                ),
                joined(words("rebuild"), st.one_of(st.just([]), ids.map(lambda i: [i]))),
            ),
        ),
        "terminations": joined(
            words("terminations"),
            dates.map(lambda d: ["--from", d]),
            dates.map(lambda d: ["--to", d]),
            st.sampled_from([[], ["--by", "end_on"], ["--by", "nope"]]),
            flag,
        ),
        "delinquent": joined(words("delinquent"), dates.map(lambda d: ["--as-of", d]), flag),
        "tokens": joined(
            words("tokens"),
            st.one_of(
                joined(
                    words("create"),
                    st.sampled_from(
                        [
                            ["--role", "operator", "--label", "fuzz"],
                            ["--role", "operator"],
                            ["--role", "root", "--label", "fuzz"],
                            [],
                        ]
                    ),
                ),
                joined(words("revoke"), ids.map(lambda i: [i])),
                words("list"),
            ),
        ),
        "schema": words("schema"),
        "keygen": st.sampled_from([["keygen"], ["keygen", "--signing"], ["keygen", "--public"]]),
        "prove": joined(
            words("prove"),
            st.one_of(st.just([]), ids.map(lambda i: [i])),
            optional("--consistency", files),
            optional("--digest", files),
            flag,
        ),
        "verify-proof": joined(
            words("verify-proof"),
            files.map(lambda f: [f]),
            optional("--public-key", st.one_of(ids, st.just(world.key))),
            optional("--digest", files),
            flag,
        ),
        "bench": joined(words("bench"), optional("--households", numbers)),
    }

    def with_store(argv: list[Arg], where: str, store: str) -> list[Arg]:
        if where == "before":
            return ["--store", store, *argv]
        if where == "after":
            return [*argv, "--store", store]
        return argv

    free = st.sampled_from(sorted(runs_and_stops)).flatmap(lambda name: runs_and_stops[name])
    placed = st.tuples(free, st.sampled_from(["before", "after", "none"]), stores).map(
        lambda t: with_store(*t)
    )
    bounded = st.sampled_from(sorted(stoppable)).flatmap(lambda name: stoppable[name])
    return st.one_of(placed, placed, placed, bounded)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_no_hostile_command_line_gets_a_traceback_or_an_undocumented_exit(
    world: World, data: st.DataObject
) -> None:
    argv = data.draw(command_lines(world), label="argv")
    env = data.draw(environments(world), label="env")

    result = run(world, argv, env)

    assert_answered_cleanly(result, (argv, env))
