"""`bench.event_digest`: the same commands give the same digest in another store, and a changed
event changes it (the tool that checks an optimisation records what the code before it did)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from bench.event_digest import digest_of_store, year_digest
from bench.population import SIMULATED_TODAY_ENV


def test_the_same_year_gives_the_same_digest_and_a_changed_event_another(tmp_path: Path) -> None:
    today = os.environ.get(SIMULATED_TODAY_ENV)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = year_digest(6, seed=3, batch=10, folder=tmp_path / "a")
    again = year_digest(6, seed=3, batch=1, folder=tmp_path / "b")
    assert first == again  # record instants differ between the runs; the digest does not
    assert os.environ.get(SIMULATED_TODAY_ENV) == today  # the suite's day left as it was
    assert first["refused"] == 0 and first["events"] > first["commands"] > 0
    assert first["types"]["InvoiceIssued"] > 0

    store = tmp_path / "b" / "ledger.db"
    connection = sqlite3.connect(store)
    position, state = connection.execute(
        "SELECT id, state FROM ledger_events WHERE topic LIKE '%InvoiceIssued' LIMIT 1"
    ).fetchone()
    changed = json.loads(state)
    changed["on"] = {"_type_": "date_iso", "_data_": "2026-01-02"}
    connection.execute(
        "UPDATE ledger_events SET state = ? WHERE id = ?", (json.dumps(changed).encode(), position)
    )
    connection.commit()
    connection.close()
    assert digest_of_store(store)[0] != first["digest"]
