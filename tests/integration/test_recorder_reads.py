"""The recorder's own reads and inserts (prebuilt statements, driver-typed columns) answer exactly
what the eventsourcing-sqlalchemy recorder they replace answers, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from enrollment_ledger.adapters.audit.verify import verify
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.store.recorder import LedgerRecorder
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder

from bench.population import Driver, population


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_reads_equal_the_library_recorders(
    kind: str, store_url: str, request: pytest.FixtureRequest
) -> None:
    url = store_url if kind == "sqlite" else request.getfixturevalue("pg_store_url")
    ledger = build_ledger(url)
    try:
        driver = Driver(ledger)
        for command in population(6, seed=3):  # run_schedule saves many events at once
            assert driver.apply(command)["ok"]
        recorder = ledger.recorder
        assert isinstance(recorder, LedgerRecorder)
        library = SQLAlchemyApplicationRecorder
        stored = library.select_notifications(recorder, start=1, limit=100_000)
        assert len(stored) > 100
        # the positions the insert returned are the stored ones: the chain over them verifies
        assert verify(ledger).ok
        assert recorder.read_notifications(0, 100_000) == stored
        assert recorder.read_notifications(10, 25, stop=30) == stored[10:30]
        for aggregate_id in list(dict.fromkeys(n.originator_id for n in stored))[:12]:
            for options in (
                {},
                {"gt": 1},
                {"lte": 2},
                {"gt": 1, "lte": 3},
                {"desc": True, "limit": 2},
                {"gt": 1, "desc": True},
            ):
                assert recorder.select_events(aggregate_id, **options) == library.select_events(
                    recorder, aggregate_id, **options
                )
        # several aggregates at once, each after its own version (0: all of its events), each
        # aggregate's in order
        some = list(dict.fromkeys(n.originator_id for n in stored))[:12]
        versions = {a: i % 3 for i, a in enumerate(some)}
        after: dict[object, list[tuple[int, bytes]]] = {a: [] for a in some}
        for e in recorder.select_after(versions):
            after[e.originator_id].append((e.originator_version, e.state))
        assert after == {
            a: [(e.originator_version, e.state) for e in library.select_events(recorder, a, gt=v)]
            for a, v in versions.items()
        }
        assert sum(len(events) for events in after.values()) > len(some)
    finally:
        ledger.close()
