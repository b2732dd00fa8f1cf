"""Encryption at rest (issue 11): event payloads are encrypted with the eventsourcing library's
AES-GCM cipher; the hash chain covers the stored bytes, so `verify` needs no key; a wrong or
missing key is a clear error, never garbage."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from enrollment_ledger.adapters import queries
from enrollment_ledger.adapters.audit.verify import verify
from enrollment_ledger.adapters.bootstrap import StoreKeyError, build_ledger, new_cipher_key
from enrollment_ledger.adapters.cli.apply import answer_line

from ..scenarios import household_commands, pay, select

BIRTH_DATE = "1980-01-01"
INCOME = "40000.00"


def fill(store: str, key: str | None) -> None:
    ledger = build_ledger(store, key=key)
    for command in [*household_commands(magi=INCOME), select(), pay("2026-01-20", "150.00", "b")]:
        answer = answer_line(ledger, json.dumps(command).encode())
        assert answer is not None and answer["ok"], answer
    ledger.close()


def stored_states(path: Path) -> bytes:
    with sqlite3.connect(path) as connection:
        return b"".join(
            bytes(row[0]) for row in connection.execute("SELECT state FROM ledger_events")
        )


def test_payloads_are_unreadable_at_rest_and_readable_with_the_key(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    key = new_cipher_key()
    fill(f"sqlite:///{path}", key)
    raw = stored_states(path)
    assert BIRTH_DATE.encode() not in raw
    assert INCOME.encode() not in raw and b"40000" not in raw
    ledger = build_ledger(f"sqlite:///{path}", key=key)
    assert queries.coverage(ledger, "E1")["status"] == "active"
    ledger.close()


def test_an_unencrypted_store_holds_plain_payloads(tmp_path: Path) -> None:
    """The control: without a key the same scenario's income is visible in the stored bytes."""
    path = tmp_path / "ledger.db"
    fill(f"sqlite:///{path}", None)
    assert b"40000" in stored_states(path)


def test_verify_checks_an_encrypted_store_without_the_key(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    fill(f"sqlite:///{path}", new_cipher_key())
    ledger = build_ledger(f"sqlite:///{path}", audit_only=True)
    assert verify(ledger).ok
    ledger.close()


@pytest.mark.parametrize(
    ("written_with", "opened_with", "message"),
    [
        ("key", "other", "does not match"),
        ("key", None, "is encrypted"),
        (None, "key", "not encrypted"),
    ],
)
def test_a_wrong_or_missing_key_is_a_clear_error(
    tmp_path: Path, written_with: str | None, opened_with: str | None, message: str
) -> None:
    keys = {"key": new_cipher_key(), "other": new_cipher_key(), None: None}
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    fill(store, keys[written_with])
    with pytest.raises(StoreKeyError, match=message):
        build_ledger(store, key=keys[opened_with])


def test_the_cli_answers_a_wrong_key_with_an_error_not_garbage(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    fill(store, new_cipher_key())
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "enrollment_ledger.adapters.cli.main",
            "coverage",
            "E1",
            "--json",
            "--store",
            store,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "LEDGER_CIPHER_KEY": new_cipher_key()},
        check=False,
    )
    assert result.returncode == 2
    assert json.loads(result.stdout)["error"]["code"] == "wrong_key"
    assert "Traceback" not in result.stderr
