"""Readers never create a store, on PostgreSQL too (issue 15): an empty database, or one that does
not exist, is `unknown_store`; an unreachable server is `store_unavailable`; `apply` creates the
tables and the readers then open them."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import sqlalchemy as sa
from enrollment_ledger.adapters.bootstrap import resolve_store_url

from ..answers import last_answer

CLI = [sys.executable, "-m", "enrollment_ledger.adapters.cli.main"]


def run_cli(*args: str, stdin: str = "") -> tuple[int, dict[str, Any], str]:
    """The exit status, the last answer printed (a JSON line or a readable error line; {} if
    none) and everything printed."""
    result = subprocess.run(
        [*CLI, *args], input=stdin, capture_output=True, text=True, timeout=120, check=False
    )
    return result.returncode, last_answer(result.stdout), result.stdout + result.stderr


def tables_of(url: str) -> list[str]:
    engine = sa.create_engine(resolve_store_url(url))
    try:
        return sorted(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_readers_on_an_empty_postgresql_database_answer_unknown_store_and_create_no_table(
    pg_store_url: str,
) -> None:
    for args in (["verify"], ["coverage", "E1", "--json"], ["projections", "status"]):
        code, answer, output = run_cli(*args, "--store", pg_store_url)
        assert code == 2, output
        assert answer["error"]["code"] == "unknown_store", output
        assert "Traceback" not in output
    assert tables_of(pg_store_url) == []

    code, _, output = run_cli("apply", "-", "--store", pg_store_url)
    assert code == 0, output
    assert "ledger_events" in tables_of(pg_store_url)
    code, answer, output = run_cli("verify", "--json", "--store", pg_store_url)
    assert code == 0, output
    assert (answer["ok"], answer["events_checked"]) == (True, 0)


def test_a_database_that_does_not_exist_is_unknown_store_and_a_closed_port_store_unavailable(
    pg_store_url: str,
) -> None:
    missing = sa.engine.make_url(pg_store_url).set(database="no_such_ledger_database")
    code, answer, output = run_cli(
        "coverage", "E1", "--store", missing.render_as_string(hide_password=False)
    )
    assert code == 2, output
    assert answer["error"]["code"] == "unknown_store", output

    closed = "postgresql://someone:s3cret@127.0.0.1:1/ledger"
    for args in (["coverage", "E1"], ["verify"], ["apply", "-"]):
        code, answer, output = run_cli(*args, "--store", closed)
        assert code == 2, output
        assert answer["error"]["code"] == "store_unavailable", output
        assert "s3cret" not in output
        assert "Traceback" not in output
