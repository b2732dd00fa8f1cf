"""`enrollment-ledger verify` and `digest` as an auditor runs them: a real process, a real SQLite
file tampered with by plain SQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ..answers import last_answer
from ..conftest import application
from ..tamper import flip_bit, rechain, truncate_tail


def run_cli(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "enrollment_ledger.adapters.cli.main", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def make_store(tmp_path: Path) -> tuple[Path, str]:
    db = tmp_path / "audited.db"
    store = f"sqlite:///{db}"
    lines = []
    for household_id in ("H1", "H2"):
        lines.append(json.dumps(application(household_id)))
        lines.append(
            json.dumps(
                {
                    "command": "determine_eligibility",
                    "on": "2025-12-10",
                    "household_id": household_id,
                }
            )
        )
    applied = run_cli("apply", "-", "--store", store, cwd=tmp_path, stdin="\n".join(lines) + "\n")
    assert applied.returncode == 0, applied.stderr
    return db, store


def verify_json(tmp_path: Path, store: str, *extra: str) -> tuple[int, dict[str, object]]:
    result = run_cli("verify", "--json", "--store", store, *extra, cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr == ""  # no progress bar when standard error is not a terminal
    return result.returncode, json.loads(result.stdout)


def test_verify_answers_ok_json_and_exit_zero_on_an_untouched_store(tmp_path: Path) -> None:
    _, store = make_store(tmp_path)
    code, answer = verify_json(tmp_path, store)
    assert code == 0
    assert answer["ok"] is True
    assert answer["first_bad_position"] is None
    checked = answer["events_checked"]
    assert isinstance(checked, int) and checked >= 6


def test_verify_names_the_flipped_position_and_exits_one(tmp_path: Path) -> None:
    db, store = make_store(tmp_path)
    flip_bit(db, 3, "state", bit=5)
    code, answer = verify_json(tmp_path, store)
    assert code == 1
    assert answer["ok"] is False
    assert answer["first_bad_position"] == 3
    assert answer["events_checked"] == 2

    human = run_cli("verify", "--store", store, cwd=tmp_path)
    assert human.returncode == 1
    assert "chain broken at position 3" in human.stdout


def test_digest_then_verify_digest_catches_a_truncated_and_a_rechained_store(
    tmp_path: Path,
) -> None:
    db, store = make_store(tmp_path)
    printed = run_cli("digest", "--json", "--store", store, cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    head = json.loads(printed.stdout)
    assert set(head) == {
        "position",
        "hash",
        "events",
        "tree_size",
        "root",
        "public_key",
        "key_id",
        "signature",
    }
    assert len(head["hash"]) == len(head["root"]) == 64
    digest_file = tmp_path / "head.json"
    digest_file.write_text(printed.stdout)

    assert verify_json(tmp_path, store, "--digest", str(digest_file))[0] == 0

    flip_bit(db, 2)
    rechain(db)
    assert verify_json(tmp_path, store)[0] == 0
    code, answer = verify_json(tmp_path, store, "--digest", str(digest_file))
    assert code == 1
    assert answer["first_bad_position"] == head["position"]

    truncate_tail(db, 2)
    code, answer = verify_json(tmp_path, store, "--digest", str(digest_file))
    assert code == 1
    assert answer["first_bad_position"] == head["position"] - 1


def test_digest_without_json_shows_the_head_to_a_person(tmp_path: Path) -> None:
    _, store = make_store(tmp_path)
    head = json.loads(run_cli("digest", "--json", "--store", store, cwd=tmp_path).stdout)
    shown = run_cli("digest", "--store", store, cwd=tmp_path)
    assert shown.returncode == 0
    assert f"position {head['position']}" in shown.stdout
    assert head["hash"] in shown.stdout
    assert f"tree: {head['tree_size']} events, root {head['root']}" in shown.stdout
    intact = run_cli("verify", "--store", store, cwd=tmp_path)
    assert intact.returncode == 0
    assert "chain intact" in intact.stdout


def test_a_malformed_or_missing_digest_file_exits_two(tmp_path: Path) -> None:
    _, store = make_store(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text('{"position": "ten"}')
    result = run_cli("verify", "--json", "--digest", str(bad), "--store", store, cwd=tmp_path)
    assert result.returncode == 2
    assert json.loads(result.stdout)["error"]["code"] == "invalid_digest"

    missing = run_cli(
        "verify", "--digest", str(tmp_path / "nowhere.json"), "--store", store, cwd=tmp_path
    )
    assert missing.returncode == 2
    assert last_answer(missing.stdout)["error"]["code"] == "not_found"
