"""The ledger on PostgreSQL 16 (a real server from `pgserver`): the same commands give the same
answers as on SQLite, and concurrent `apply` processes neither lose nor duplicate an event."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from enrollment_ledger.adapters.audit.verify import verify
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.domain.events import event_uuid

from ..conftest import application, member
from ..group_scenarios import determine, employer_application, paid_through_may
from ..scenarios import schedule
from .kafka_helpers import household_commands


def without_recorded_at(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_recorded_at(v) for k, v in value.items() if k != "recorded_at"}
    if isinstance(value, list):
        return [without_recorded_at(v) for v in value]
    return value


def scenario() -> list[dict[str, Any] | str]:
    return [
        application("H1", magi="30000.00", command_id="c1"),
        {"command": "determine_eligibility", "on": "2025-12-05", "household_id": "H1"},
        application(
            "H2",
            size=3,
            magi="41000.00",
            members=[member("P1"), member("P2", resident=False), member("K1", aptc_eligible=False)],
        ),
        {"command": "determine_eligibility", "on": "2025-12-20", "household_id": "H2"},
        {
            "command": "report_change",
            "on": "2026-02-20",
            "household_id": "H1",
            "annual_magi": "80000.00",
        },
        {
            "command": "report_change",
            "on": "2026-03-10",
            "household_id": "H2",
            "household_size": 4,
            "members": [member("P1"), member("P2"), member("K1"), member("K2")],
        },
        application("H1", magi="30000.00", command_id="c1"),  # replayed: the first answer
        {"command": "determine_eligibility", "on": "2025-12-05", "household_id": "nobody"},
        {"command": "report_change", "on": "2026-01-05", "household_id": "H1"},
        application("H3", plan_year=2031),  # no policy parameters for 2031: refused
        {"command": "determine_eligibility", "on": "2030-12-01", "household_id": "H3"},
        application("H4", magi="not money"),
        "{not json",
        *small_group(),
    ]


SMALL_GROUP_OK = 11


def small_group() -> list[dict[str, Any]]:
    """A small employer's group, paid through May, then delinquent and terminated for
    non-payment with a notice to every enrolled employee (12.12(11)-(12)); and an employer of
    51 employees, determined not eligible (12.04(4)(a)1): 11 commands accepted, and a plan
    selection without its fields refused."""
    return [
        *paid_through_may(),
        schedule("2026-07-31"),
        employer_application("BIGCO", employee_count=51),
        determine("BIGCO"),
        {"command": "select_group_plan", "on": "2026-02-05", "employer_id": "BIGCO"},
    ]


def answers(store_url: str) -> tuple[list[dict[str, Any]], list[tuple[str, int, str]]]:
    ledger = build_ledger(store_url)
    try:
        result = []
        for command in scenario():
            raw = command if isinstance(command, str) else json.dumps(command)
            answer = answer_line(ledger, raw.encode())
            assert answer is not None
            result.append(answer)
        log = [
            (str(n.originator_id), n.originator_version, n.topic)
            for n in ledger.recorder.select_notifications(start=1, limit=10_000)
        ]
    finally:
        ledger.close()
    return result, log


def test_the_same_commands_give_identical_answers_on_sqlite_and_postgresql(
    store_url: str, pg_store_url: str
) -> None:
    on_sqlite, sqlite_log = answers(store_url)
    on_postgres, postgres_log = answers(pg_store_url)

    assert without_recorded_at(on_postgres) == without_recorded_at(on_sqlite)
    assert postgres_log == sqlite_log
    assert sum(a["ok"] for a in on_sqlite) == 7 + SMALL_GROUP_OK
    assert on_sqlite[9]["error"]["code"] == "no_policy_parameters"
    assert on_sqlite[6]["events"] == on_sqlite[0]["events"]
    group_events = {e["type"] for a in on_sqlite[13:] if a["ok"] for e in a["events"]}
    assert {"CoverageTerminated", "TerminationNoticeIssued"} <= group_events
    assert on_sqlite[-1]["error"]["code"] == "missing_field"


def test_small_group_read_models_are_the_same_on_sqlite_and_postgresql(
    store_url: str, pg_store_url: str
) -> None:
    """The projections run over the small group's records give the same answers on both
    stores: the group's coverage and balance, its termination with each employee, and the
    employer's timeline."""
    from enrollment_ledger.adapters import queries
    from enrollment_ledger.projections import runner
    from enrollment_ledger.projections.terminations import terminations_between

    def projected(url: str) -> dict[str, Any]:
        answers(url)
        ledger = build_ledger(url)
        try:
            runner.run(ledger, batch_size=17)
            return {
                "coverage": queries.coverage(ledger, "G1"),
                "balance": queries.balance(ledger, "G1"),
                "terminations": [
                    {k: v for k, v in row.items() if k not in ("event_id", "position")}
                    for row in terminations_between(ledger, date(2026, 1, 1), date(2026, 12, 31))
                ],
                "timeline": [
                    (e["type"], e["on"]) for e in queries.timeline(ledger, "ACME")["events"]
                ],
            }
        finally:
            ledger.close()

    on_sqlite, on_postgres = projected(store_url), projected(pg_store_url)
    assert on_postgres == on_sqlite
    (terminated,) = on_sqlite["terminations"]
    assert terminated["household_id"] == "ACME"
    assert [e["employee_id"] for e in terminated["employees"]] == ["EMP-1", "EMP-2"]
    assert on_sqlite["coverage"]["status"] == "terminated"


def apply_process(store_url: str, path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "enrollment_ledger.adapters.cli.main",
            "apply",
            str(path),
            "--store",
            store_url,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def write_commands(path: Path, commands: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(c) + "\n" for c in commands))
    return path


def interleave(commands: list[dict[str, Any]], extra: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`extra` spread evenly through `commands`."""
    step = max(1, len(commands) // (len(extra) + 1))
    result = list(commands)
    for n, command in enumerate(extra, start=1):
        result.insert(n * step + n - 1, command)
    return result


def test_concurrent_apply_processes_on_postgresql_lose_and_duplicate_no_event(
    pg_store_url: str, tmp_path: Path
) -> None:
    build_ledger(pg_store_url).close()  # the tables exist before the writers start
    shared_changes = [
        {
            "command": "report_change",
            "on": "2026-02-20",
            "household_id": "SHARED",
            "annual_magi": f"{30000 + i}.00",
            "command_id": f"shared-{i}",
        }
        for i in range(15)
    ]
    seed_shared = build_ledger(pg_store_url)
    try:
        for command in household_commands(0, prefix="SHARED")[:2]:
            command["household_id"] = "SHARED"
            assert (answer_line(seed_shared, json.dumps(command).encode()) or {})["ok"]
        shared_before = seed_shared.recorder.max_notification_id() or 0
    finally:
        seed_shared.close()
    files = [
        write_commands(
            tmp_path / f"writer{w}.jsonl",
            interleave(
                [c for i in range(25) for c in household_commands(i, prefix=f"W{w}-")],
                shared_changes[w::2],
            ),
        )
        for w in (0, 1)
    ]

    processes = [apply_process(pg_store_url, path) for path in files]
    outputs = [p.communicate(timeout=120) for p in processes]

    all_answers = [json.loads(line) for out, _ in outputs for line in out.splitlines()]
    assert len(all_answers) == 2 * (25 * 3) + len(shared_changes)
    rejected = [a for a in all_answers if not a["ok"]]
    assert all(a["error"]["code"] == "conflict" for a in rejected), rejected
    assert all(a["command_id"].startswith("shared-") for a in rejected), rejected
    answered_ids = [e["id"] for a in all_answers if a["ok"] for e in a["events"]]
    assert len(answered_ids) == len(set(answered_ids))

    ledger = build_ledger(pg_store_url)
    try:
        stored = ledger.recorder.select_notifications(start=shared_before + 1, limit=100_000)
        stored_ids = [str(event_uuid(n.originator_id, n.originator_version)) for n in stored]
        versions: dict[str, list[int]] = {}
        for n in ledger.recorder.select_notifications(start=1, limit=100_000):
            versions.setdefault(str(n.originator_id), []).append(n.originator_version)
        # Concurrent writers still chain every event to the one before it (issue 6).
        assert verify(ledger).ok
    finally:
        ledger.close()
    assert sorted(stored_ids) == sorted(answered_ids)
    assert [n.id for n in stored] == sorted(n.id for n in stored)
    assert all(v == list(range(1, len(v) + 1)) for v in versions.values())
