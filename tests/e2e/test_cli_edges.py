"""The command line at its edges (issue 15): a reader never creates a store; a bad key, store
URL, file or date option is a coded error, never a traceback; global options work before the
subcommand. Most cases run `main` in-process (fast); the ones about a folder, standard input or
the console script run it as a process."""

from __future__ import annotations

import base64
import json
import os
import socket
import sqlite3
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from enrollment_ledger.adapters.bootstrap import build_ledger, new_cipher_key
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.adapters.cli.main import main

from ..answers import answer_of, last_answer
from ..conftest import application

CLI = [sys.executable, "-m", "enrollment_ledger.adapters.cli.main"]

READERS = [
    ["coverage", "E1"],
    ["balance", "E1", "--json"],
    ["timeline", "H1"],
    ["hearing", "A1", "--json"],
    ["verify"],
    ["verify", "--json"],
    ["digest", "--json"],
    ["projections", "status"],
    ["projections", "run"],
    ["projections", "rebuild"],
    ["terminations", "--from", "2026-01-01", "--to", "2026-12-31"],
    ["delinquent", "--as-of", "2026-03-01"],
    ["serve", "--port", "8765"],
    ["tokens", "list"],
    ["tokens", "revoke", "abc"],
    ["relay", "--kafka", "127.0.0.1:1", "--until-caught-up"],
]
"""Every subcommand that opens the store but may not create it."""


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    """The exit status and the answer `main` printed last, a JSON line or a readable error line
    ({} if none)."""
    code = main(list(args))
    return code, last_answer(capsys.readouterr().out)


def run_cli(
    *args: str, cwd: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


def a_store(folder: Path, *, key: str | None = None) -> str:
    """An SQLite store holding one household (H1)."""
    url = f"sqlite:///{folder / 'ledger.db'}"
    ledger = build_ledger(url, key=key)
    try:
        answer = answer_line(ledger, json.dumps(application()).encode())
        assert answer is not None and answer["ok"], answer
    finally:
        ledger.close()
    return url


def test_verify_in_a_folder_without_a_store_says_so_and_creates_none(tmp_path: Path) -> None:
    result = run_cli("verify", cwd=tmp_path)

    assert result.returncode == 2, result.stdout + result.stderr
    error = answer_of(result.stdout)["error"]
    assert error["code"] == "unknown_store"
    assert str(tmp_path / "ledger.db") in error["message"]
    assert "chain intact" not in result.stdout
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", READERS, ids=lambda a: " ".join(a[:2]))
def test_every_reader_refuses_a_missing_store_and_leaves_the_folder_empty(
    args: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEDGER_STORE_URL", raising=False)

    code, answer = run_main(capsys, *args)

    assert (code, answer["ok"], answer["error"]["code"]) == (2, False, "unknown_store")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["empty file", "another program's database", "a text file"])
@pytest.mark.parametrize("args", [["coverage", "E1"], ["verify"], ["projections", "status"]])
def test_a_reader_refuses_a_file_without_the_ledgers_tables_and_leaves_it_as_it_was(
    kind: str, args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "store.db"
    if kind == "empty file":
        path.touch()
    elif kind == "a text file":
        path.write_text("not a database\n")
    else:
        connection = sqlite3.connect(path)
        connection.execute("CREATE TABLE notes (text TEXT)")
        connection.commit()
        connection.close()
    before = path.read_bytes()

    code, answer = run_main(capsys, *args, "--store", f"sqlite:///{path}")

    assert (code, answer["error"]["code"]) == (2, "unknown_store")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.db"]


def test_apply_and_tokens_create_are_the_subcommands_that_create_a_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, args in (("applied.db", ["apply", "/dev/null"]), ("tokens.db", ["tokens", "create"])):
        extra = ["--role", "operator", "--label", "ops", "--json"] if args[0] == "tokens" else []
        assert main([*args, *extra, "--store", f"sqlite:///{tmp_path / name}"]) == 0
        capsys.readouterr()
        code, answer = run_main(
            capsys, "verify", "--json", "--store", f"sqlite:///{tmp_path / name}"
        )
        assert (code, answer["ok"]) == (0, True)


def wrong_size_key() -> str:
    return base64.b64encode(b"ten bytes!").decode()


@pytest.mark.parametrize(
    "args", [["coverage", "E1"], ["timeline", "H1"], ["verify"], ["apply", "/dev/null"]]
)
@pytest.mark.parametrize("key", ["garbage", "wrong size", "binary key file"])
def test_a_malformed_cipher_key_is_wrong_key_on_every_path(
    args: list[str],
    key: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store = a_store(tmp_path)
    if key == "binary key file":
        key_file = tmp_path / "key.bin"
        key_file.write_bytes(bytes(range(256)))
        monkeypatch.setenv("LEDGER_CIPHER_KEY_FILE", str(key_file))
    else:
        monkeypatch.setenv("LEDGER_CIPHER_KEY", "garbage" if key == "garbage" else wrong_size_key())

    code, answer = run_main(capsys, *args, "--store", store)

    assert (code, answer["error"]["code"]) == (2, "wrong_key")


def test_a_key_file_that_is_a_folder_or_missing_is_named_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = a_store(tmp_path)
    for key_file, expected in ((tmp_path, "not_a_file"), (tmp_path / "nowhere", "not_found")):
        monkeypatch.setenv("LEDGER_CIPHER_KEY_FILE", str(key_file))
        code, answer = run_main(capsys, "coverage", "E1", "--store", store)
        assert (code, answer["error"]["code"]) == (2, expected)
        assert "LEDGER_CIPHER_KEY_FILE" in answer["error"]["message"]


def test_a_key_given_in_a_file_is_used_even_when_the_key_variable_is_set_but_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = new_cipher_key()
    store = a_store(tmp_path, key=key)
    (tmp_path / "key.txt").write_text(key + "\n")
    monkeypatch.setenv("LEDGER_CIPHER_KEY", "")
    monkeypatch.setenv("LEDGER_CIPHER_KEY_FILE", str(tmp_path / "key.txt"))

    code, answer = run_main(capsys, "timeline", "H1", "--json", "--store", store)

    assert code == 0, answer
    assert answer["household_id"] == "H1"


@pytest.mark.parametrize(
    "url",
    [
        "bogus://x",
        "mysql://user:pw@host/db",
        "sqlite:relative.db",
        "postgresql://u:p@host:notaport/db",
        "postgresql://u:p@host:99999/db",
        "postgresql://u:p@host",
        "",
    ],
)
@pytest.mark.parametrize("args", [["coverage", "E1"], ["apply", "/dev/null"], ["verify"]])
def test_a_store_url_the_ledger_cannot_use_is_invalid_store_url(
    url: str,
    args: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)

    code, answer = run_main(capsys, *args, "--store", url)

    assert (code, answer["error"]["code"]) == (2, "invalid_store_url")
    assert ":p@" not in answer["error"]["message"]  # a password is never shown
    assert list(tmp_path.iterdir()) == []


def test_apply_of_a_folder_is_not_a_file_and_of_a_missing_file_not_found_creating_no_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "commands").mkdir()

    assert run_main(capsys, "apply", "commands")[1]["error"]["code"] == "not_a_file"
    assert run_main(capsys, "apply", "nowhere.jsonl")[1]["error"]["code"] == "not_found"
    assert [p.name for p in tmp_path.iterdir()] == ["commands"]


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["coverage", "E1", "--as-of", "{}"], "--as-of"),
        (["balance", "E1", "--as-of", "{}"], "--as-of"),
        (["coverage", "E1", "--known-at", "{}"], "--known-at"),
        (["timeline", "H1", "--known-at", "{}"], "--known-at"),
        (["terminations", "--from", "{}", "--to", "2026-12-31"], "--from"),
        (["terminations", "--from", "2026-01-01", "--to", "{}"], "--to"),
        (["delinquent", "--as-of", "{}"], "--as-of"),
    ],
)
@pytest.mark.parametrize("value", ["nope", "2026-13-01", "2026-02-30", ""])
def test_a_bad_date_option_is_invalid_date_naming_the_option(
    args: list[str],
    option: str,
    value: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store = a_store(tmp_path)

    code, answer = run_main(capsys, *[value if a == "{}" else a for a in args], "--store", store)

    assert (code, answer["error"]["code"]) == (2, "invalid_date")
    assert answer["error"]["message"].startswith(option)
    assert "isoformat" not in answer["error"]["message"]


def test_an_instant_without_an_offset_is_invalid_date_and_one_with_it_is_answered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = a_store(tmp_path)

    naive = run_main(capsys, "timeline", "H1", "--known-at", "2030-01-01T00:00", "--store", store)
    aware = run_main(
        capsys, "timeline", "H1", "--json", "--known-at", "2030-01-01T00:00-05:00", "--store", store
    )

    assert (naive[0], naive[1]["error"]["code"]) == (2, "invalid_date")
    assert "offset" in naive[1]["error"]["message"]
    assert (aware[0], aware[1]["household_id"]) == (0, "H1")


def test_to_before_from_is_invalid_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = a_store(tmp_path)

    code, answer = run_main(
        capsys, "terminations", "--from", "2026-02-01", "--to", "2026-01-01", "--store", store
    )

    assert (code, answer["error"]["code"]) == (2, "invalid_date")


def test_store_and_json_before_the_subcommand_work_as_after_it(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'chosen.db'}"
    applied = run_cli(
        "--store", store, "apply", "-", cwd=tmp_path, stdin=json.dumps(application()) + "\n"
    )
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert (tmp_path / "chosen.db").exists() and not (tmp_path / "ledger.db").exists()

    before = run_cli("--store", store, "--json", "timeline", "H1", cwd=tmp_path)
    after = run_cli("timeline", "H1", "--json", "--store", store, cwd=tmp_path)
    assert before.returncode == 0, before.stdout + before.stderr
    assert json.loads(before.stdout)["household_id"] == "H1"
    assert json.loads(before.stdout)["events"] == json.loads(after.stdout)["events"]


def test_the_store_given_after_the_subcommand_wins_over_the_one_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = a_store(tmp_path)
    missing = f"sqlite:///{tmp_path / 'missing.db'}"

    assert run_main(capsys, "--store", missing, "timeline", "H1", "--store", store)[0] == 0
    assert run_main(capsys, "--store", store, "timeline", "H1", "--store", missing)[0] == 2


def test_json_before_a_subcommand_without_it_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("--json", "apply", "-", cwd=tmp_path)

    assert result.returncode == 2
    assert "--json does not apply to `apply`" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_version_prints_the_installed_package_version(tmp_path: Path) -> None:
    result = run_cli("--version", cwd=tmp_path)

    assert result.returncode == 0
    assert result.stdout.strip() == f"enrollment-ledger {version('enrollment-ledger')}"


def test_serve_on_an_address_in_use_or_not_of_this_machine_says_so_before_starting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = a_store(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])

        in_use = run_main(capsys, "serve", "--port", port, "--store", store)

    unknown_host = run_main(capsys, "serve", "--host", "nowhere.invalid", "--store", store)

    assert (in_use[0], in_use[1]["error"]["code"]) == (2, "address_in_use")
    assert (unknown_host[0], unknown_host[1]["error"]["code"]) == (2, "invalid_field")
    assert "--host" in unknown_host[1]["error"]["message"]


COUNT = ("0", "-3", "1.5", "x", "", "nan")
SECONDS = ("0", "-3", "-0.5", "x", "", "nan", "inf")


@pytest.mark.parametrize(
    ("args", "option", "ending", "bad"),
    [
        (["apply", "-", "--batch", "{}"], "--batch", "from 1 to 10,000", (*COUNT, "10001")),
        (["apply", "-", "--cache", "{}"], "--cache", "from 1 to 10,000,000", (*COUNT, "10000001")),
        (["serve", "--batch", "{}"], "--batch", "from 1 to 10,000", (*COUNT, "10001")),
        (["serve", "--group", "{}"], "--group", "from 1 to 10,000", (*COUNT, "10001")),
        (["serve", "--cache", "{}"], "--cache", "from 1 to 10,000,000", (*COUNT, "10000001")),
        (
            ["projections", "run", "--batch-size", "{}"],
            "--batch-size",
            "from 1 to 1,000,000,000",
            (*COUNT, "1000000001"),
        ),
        (
            ["projections", "rebuild", "--batch-size", "{}"],
            "--batch-size",
            "from 1 to 1,000,000,000",
            (*COUNT, "1000000001"),
        ),
        (
            ["relay", "--batch-size", "{}"],
            "--batch-size",
            "from 1 to 1,000,000,000",
            (*COUNT, "1000000001"),
        ),
        (
            ["relay", "--coverage-every", "{}"],
            "--coverage-every",
            "from 1 to 1,000,000,000",
            (*COUNT, "1000000001"),
        ),
        (
            ["consume", "--max-messages", "{}"],
            "--max-messages",
            "from 1 to 1,000,000,000",
            (*COUNT, "1000000001"),
        ),
        (
            ["projections", "run", "--poll-seconds", "{}"],
            "--poll-seconds",
            "at most 10,000,000",
            (*SECONDS, "10000001"),
        ),
        (
            ["relay", "--lease-seconds", "{}"],
            "--lease-seconds",
            "at most 10,000,000",
            (*SECONDS, "10000001"),
        ),
        (["consume", "--timeout", "{}"], "--timeout", "at most 10,000,000", (*SECONDS, "1e9")),
    ],
)
def test_a_bad_count_or_seconds_option_is_invalid_field_naming_the_option_and_creates_no_store(
    args: list[str],
    option: str,
    ending: str,
    bad: tuple[str, ...],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every count and number of seconds of the CLI (the record commands', the projections',
    the relay's and the consumer's) answers a bad value with a coded error naming the option,
    in JSON with --json, not with argparse's usage text; nothing is created."""
    store = tmp_path / "ledger.db"

    for value in bad:
        code, answer = run_main(
            capsys,
            *[value if a == "{}" else a for a in args],
            "--store",
            f"sqlite:///{store}",
            "--json",
        )

        assert (code, answer["error"]["code"]) == (2, "invalid_field"), value
        assert answer["error"]["message"].startswith(f"{option}: {value!r} is not a "), value
        assert answer["error"]["message"].endswith(ending), value
        assert not store.exists()


@pytest.mark.parametrize(
    ("option", "value", "accepted"),
    [
        ("--batch", "10000", True),
        ("--batch", "10001", False),
        ("--cache", "10000000", True),
        ("--cache", "10000001", False),
    ],
)
def test_a_count_option_takes_up_to_its_most_and_not_one_more(
    option: str, value: str, accepted: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "commands.jsonl"
    source.write_text(json.dumps(application()) + "\n")

    code, answer = run_main(
        capsys, "apply", str(source), option, value, "--store", f"sqlite:///{tmp_path / 'l.db'}"
    )

    assert (code, answer["ok"]) == ((0, True) if accepted else (2, False))
