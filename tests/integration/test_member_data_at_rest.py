"""The read models of an encrypted store hold no member data in clear: each projection table
(src/projections) keeps ids, dates of coverage and billing, amounts, statuses, reason codes and
citations, never a field `domain/member_data.py` classifies as member data. Searched for in the
SQLite file's raw bytes and in every projection table's rows, after the scenarios of the event
examples (applications with birth dates and incomes, a change, a hardship waiver's grounds, an
appeal's grounds, a representative's name, a death, a finding of fraud, an employer's roster)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from enrollment_ledger.adapters.bootstrap import build_ledger, new_cipher_key
from enrollment_ledger.domain.member_data import member_fields
from enrollment_ledger.projections import runner
from sqlalchemy import select

from .event_example_scenarios import run_scenario, scenarios

SCENARIOS = [
    "a household's story",
    "a representative and a re-hearing",
    "a death during an appeal",
    "a termination for fraud",
    "hardship-waiver.jsonl",
    "appeal-patriots-day.jsonl",
    "an employer appeal and an employee's own end",
]


def leaves(value: Any) -> set[str]:
    """Every string and number inside a value, as text."""
    if isinstance(value, dict):
        return set().union(*(leaves(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(leaves(v) for v in value)) if value else set()
    return set() if value is None or isinstance(value, bool) else {str(value)}


def member_texts(events: list[dict[str, Any]]) -> set[str]:
    """What the events say of members and nothing of the ledger says too: the values of their
    member data fields (of six characters or more) that no ledger field or envelope holds."""
    members: set[str] = set()
    ledger: set[str] = set()
    for event in events:
        fields = member_fields(event["type"])
        for name, value in event["data"].items():
            (members if name in fields else ledger).update(leaves(value))
        envelope = {k: v for k, v in event.items() if k != "data" and k not in fields}
        ledger.update(leaves(envelope))
    return {text for text in members - ledger if len(text) >= 6}


def projection_rows(store: str) -> str:
    ledger = build_ledger(store, create=False)
    try:
        runner.run(ledger)
        engine = ledger.recorder.datastore.engine  # type: ignore[attr-defined]
        with engine.connect() as connection:
            return "\n".join(
                repr(tuple(row))
                for projection in runner.select_projections(None)
                for table in projection.tables
                for row in connection.execute(select(table))
            )
    finally:
        ledger.close()


def stored_bytes(folder: Path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(folder.glob("*.db*")))


@pytest.mark.parametrize("name", SCENARIOS)
def test_an_encrypted_stores_projections_and_file_hold_no_member_data_in_clear(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEDGER_CIPHER_KEY", new_cipher_key())
    events = run_scenario(tmp_path, name, scenarios()[name])
    texts = member_texts(events)
    store = f"sqlite:///{next(tmp_path.glob('*.db'))}"

    rows = projection_rows(store)

    assert texts, "the scenario records member data to look for"
    assert rows, "the projections hold rows to search"
    assert sorted(t for t in texts if t in rows) == []
    raw = stored_bytes(tmp_path)
    assert sorted(t for t in texts if t.encode() in raw) == []


def test_the_same_search_finds_the_member_data_of_an_unencrypted_store(tmp_path: Path) -> None:
    """The control: without a key the events table holds them in clear, and the search sees it."""
    events = run_scenario(tmp_path, SCENARIOS[0], scenarios()[SCENARIOS[0]])
    texts = member_texts(events)
    projection_rows(f"sqlite:///{next(tmp_path.glob('*.db'))}")

    raw = stored_bytes(tmp_path)

    known = {"1980-01-01", "40000.00", "my income was counted twice", "utility_shutoff"}
    assert known <= texts
    assert sorted(t for t in known if t.encode() not in raw) == []
