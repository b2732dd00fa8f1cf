"""`keygen --signing`, a signed `digest`, `prove` and `verify-proof` as an operator and an auditor
run them: real processes, a real SQLite store, a proof file handed over, and the checker run as a
lone copied script."""

from __future__ import annotations

import ast
import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from enrollment_ledger.adapters.audit import proof_check

from ..answers import last_answer
from ..conftest import application
from ..tamper import truncate_tail

CLI = [sys.executable, "-m", "enrollment_ledger.adapters.cli.main"]


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [*CLI, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def error_code(result: subprocess.CompletedProcess[str]) -> str:
    """The code of the failure printed, as JSON (--json) or as the readable line."""
    code: str = last_answer(result.stdout)["error"]["code"]
    return code


@pytest.fixture
def signing(tmp_path: Path) -> dict[str, str]:
    made = run("keygen", "--signing", cwd=tmp_path)
    assert made.returncode == 0
    private = made.stdout.strip()
    assert len(base64.b64decode(private, validate=True)) == 32
    env = {"LEDGER_SIGNING_KEY": private}
    public = run("keygen", "--public", cwd=tmp_path, env=env)
    assert public.returncode == 0, public.stdout
    return {**env, **json.loads(public.stdout)}


@pytest.fixture
def store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    lines = [json.dumps(application(h)) for h in ("H1", "H2", "H3")]
    applied = run("apply", "-", "--store", url, cwd=tmp_path, stdin="\n".join(lines) + "\n")
    assert applied.returncode == 0, applied.stdout
    return url


def first_event_ids(tmp_path: Path, store: str) -> list[str]:
    shown = run("timeline", "H2", "--json", "--store", store, cwd=tmp_path)
    return [e["id"] for e in json.loads(shown.stdout)["events"]]


def write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


def test_an_auditor_checks_one_event_with_only_the_proof_file_and_the_pinned_key(
    tmp_path: Path, store: str, signing: dict[str, str]
) -> None:
    env = {"LEDGER_SIGNING_KEY": signing["LEDGER_SIGNING_KEY"]}
    head = json.loads(run("digest", "--json", "--store", store, cwd=tmp_path, env=env).stdout)
    assert head["tree_size"] == head["events"] == 6
    assert (head["public_key"], head["key_id"]) == (signing["public_key"], signing["key_id"])

    event_id = first_event_ids(tmp_path, store)[1]
    proved = run("prove", event_id, "--json", "--store", store, cwd=tmp_path, env=env)
    assert proved.returncode == 0, proved.stdout
    proof_file = write(tmp_path / "proof.json", proved.stdout)
    assert json.loads(proved.stdout)["head"] == head

    checked = run("verify-proof", proof_file, "--public-key", signing["public_key"], cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout
    assert f"event {event_id} (position 4) is leaf 3" in checked.stdout
    as_json = run(
        "verify-proof", proof_file, "--public-key", signing["public_key"], "--json", cwd=tmp_path
    )
    assert json.loads(as_json.stdout)["event"]["id"] == event_id

    key_file = write(tmp_path / "ledger.pub", signing["public_key"] + "\n")
    assert run("verify-proof", proof_file, "--public-key", key_file, cwd=tmp_path).returncode == 0


def test_a_proof_checked_with_another_key_or_tampered_exits_one_with_its_reason(
    tmp_path: Path, store: str, signing: dict[str, str]
) -> None:
    env = {"LEDGER_SIGNING_KEY": signing["LEDGER_SIGNING_KEY"]}
    event_id = first_event_ids(tmp_path, store)[0]
    proof = json.loads(
        run("prove", event_id, "--json", "--store", store, cwd=tmp_path, env=env).stdout
    )
    proof_file = write(tmp_path / "proof.json", json.dumps(proof))
    other = run("keygen", "--signing", cwd=tmp_path).stdout.strip()
    other_public = json.loads(
        run("keygen", "--public", cwd=tmp_path, env={"LEDGER_SIGNING_KEY": other}).stdout
    )["public_key"]
    wrong_key = run("verify-proof", proof_file, "--public-key", other_public, cwd=tmp_path)
    assert wrong_key.returncode == 1
    assert "not signed by a key you pinned" in wrong_key.stdout

    forged = write(tmp_path / "forged.json", json.dumps({**proof, "leaf_index": 1}))
    refused = run(
        "verify-proof", forged, "--public-key", signing["public_key"], "--json", cwd=tmp_path
    )
    assert refused.returncode == 1
    assert json.loads(refused.stdout)["ok"] is False


def test_the_store_proves_it_extends_a_kept_digest_until_its_tail_is_truncated(
    tmp_path: Path, store: str, signing: dict[str, str]
) -> None:
    env = {"LEDGER_SIGNING_KEY": signing["LEDGER_SIGNING_KEY"]}
    kept = write(
        tmp_path / "head.json",
        run("digest", "--json", "--store", store, cwd=tmp_path, env=env).stdout,
    )
    more = json.dumps(application("H4")) + "\n"
    assert run("apply", "-", "--store", store, cwd=tmp_path, stdin=more).returncode == 0
    proved = run("prove", "--consistency", kept, "--json", "--store", store, cwd=tmp_path, env=env)
    assert proved.returncode == 0, proved.stdout
    proof_file = write(tmp_path / "consistency.json", proved.stdout)
    checked = run("verify-proof", proof_file, "--public-key", signing["public_key"], cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout
    assert "the tree of 8 events extends the tree of 6" in checked.stdout
    assert run("verify-proof", proof_file, "--digest", kept, cwd=tmp_path).returncode == 1

    verified = run("verify", "--json", "--digest", kept, "--public-key", signing["public_key"],
                   "--store", store, cwd=tmp_path)  # fmt: skip
    assert verified.returncode == 0, verified.stdout

    truncate_tail(tmp_path / "ledger.db", 3)
    refused = run("prove", "--consistency", kept, "--store", store, cwd=tmp_path, env=env)
    assert (refused.returncode, error_code(refused)) == (1, "digest_not_extended")


def test_the_checker_is_one_standard_library_module_that_runs_as_a_lone_script(
    tmp_path: Path, store: str, signing: dict[str, str]
) -> None:
    source = Path(proof_check.__file__)
    imported = {
        (node.module or "").split(".")[0] if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(source.read_text()))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported - set(sys.stdlib_module_names) == {"cryptography"}  # the signature only
    assert len(source.read_text().splitlines()) < 300

    env = {"LEDGER_SIGNING_KEY": signing["LEDGER_SIGNING_KEY"]}
    event_id = first_event_ids(tmp_path, store)[0]
    proved = run("prove", event_id, "--json", "--store", store, cwd=tmp_path, env=env)
    auditor = tmp_path / "auditor"
    auditor.mkdir()
    shutil.copy(source, auditor / "check.py")
    write(auditor / "proof.json", proved.stdout)
    lone = subprocess.run(
        [sys.executable, "-I", "check.py", "proof.json", "--public-key", signing["public_key"]],
        cwd=auditor,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert lone.returncode == 0, lone.stdout + lone.stderr
    assert json.loads(lone.stdout)["event"]["id"] == event_id


@pytest.mark.parametrize(
    ("args", "env", "code"),
    [
        (["digest"], {"LEDGER_SIGNING_KEY": "not base64!"}, "invalid_signing_key"),
        (["digest"], {"LEDGER_SIGNING_KEY": base64.b64encode(b"short").decode()}, "invalid_signing_key"),
        (["digest"], {"LEDGER_SIGNING_KEY_FILE": "/nowhere/key"}, "not_found"),
        (["prove", "00000000-0000-0000-0000-000000000000"], {}, "unknown_event"),
        (["prove", "not-an-id"], {}, "invalid_field"),
        (["prove"], {}, "invalid_field"),
        (["prove", "--consistency", "FILE"], {}, "invalid_digest"),
    ],
)  # fmt: skip
def test_bad_keys_ids_and_digests_get_coded_errors(
    tmp_path: Path, store: str, args: list[str], env: dict[str, str], code: str
) -> None:
    argv = [str(tmp_path / "text.txt") if a == "FILE" else a for a in args]
    (tmp_path / "text.txt").write_text("not json")
    result = run(*argv, "--store", store, cwd=tmp_path, env=env)
    assert result.returncode in (1, 2)
    assert error_code(result) == code


def test_verify_proof_without_a_trust_anchor_or_with_a_non_proof_is_not_run(
    tmp_path: Path,
) -> None:
    proof = write(tmp_path / "proof.json", "{}")
    no_anchor = run("verify-proof", proof, cwd=tmp_path)
    assert (no_anchor.returncode, error_code(no_anchor)) == (2, "invalid_field")
    bad_key = run("verify-proof", proof, "--public-key", "abc", cwd=tmp_path)
    assert (bad_key.returncode, error_code(bad_key)) == (2, "invalid_public_key")
    not_json = write(tmp_path / "not.json", "{")
    key = base64.b64encode(b"k" * 32).decode()
    garbled = run("verify-proof", not_json, "--public-key", key, cwd=tmp_path)
    assert (garbled.returncode, error_code(garbled)) == (2, "invalid_proof")
    empty: dict[str, Any] = json.loads(
        run("verify-proof", proof, "--public-key", key, "--json", cwd=tmp_path).stdout
    )
    assert empty["ok"] is False and "not an enrollment-ledger proof" in empty["reason"]
