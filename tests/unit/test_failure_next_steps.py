"""The command line's readable failures (issue 19): one line with the code, the message and what
to do next, from the one failure mapping (`adapters.failures`)."""

from __future__ import annotations

import importlib

import pytest
from enrollment_ledger.adapters import failures
from enrollment_ledger.adapters.failures import NEXT_STEPS, EdgeError, Failure, next_step

MODULES_WITH_FAILURES = (
    "enrollment_ledger.adapters.actors",
    "enrollment_ledger.adapters.audit.proofs",
    "enrollment_ledger.adapters.audit.signing",
    "enrollment_ledger.adapters.cli.proofs",
)
"""The modules that define failures of their own (coded `EdgeError`s)."""


def edge_error_codes() -> set[str]:
    for module in MODULES_WITH_FAILURES:
        importlib.import_module(module)
    found: set[str] = set()
    pending = list(EdgeError.__subclasses__())
    while pending:
        kind = pending.pop()
        pending.extend(kind.__subclasses__())
        found.add(kind.code)
    return found - {EdgeError.code}


@pytest.mark.parametrize("code", sorted(edge_error_codes()))
def test_every_edge_failure_has_its_own_next_step(code: str) -> None:
    assert code in NEXT_STEPS


def test_a_code_without_a_step_of_its_own_points_to_the_subcommand_s_help() -> None:
    assert "--help" in next_step("something_new")
    assert next_step("unknown_store") != next_step("something_new")


def test_a_readable_failure_is_one_line_with_its_code_message_and_next_step() -> None:
    failure = Failure("store_error", "the store failed:\n  disk I/O error.", failures.NOT_RUN)
    line = failure.readable()
    assert "\n" not in line
    assert line == (
        f"error store_error: the store failed: disk I/O error. Next: {next_step('store_error')}."
    )


def test_the_json_body_of_a_failure_is_unchanged() -> None:
    failure = Failure("unknown_token", "no token has that value or id", failures.REFUSED)
    assert failure.body() == {
        "ok": False,
        "error": {"code": "unknown_token", "message": "no token has that value or id"},
    }
