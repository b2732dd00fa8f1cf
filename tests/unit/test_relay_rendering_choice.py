"""Where the relay renders by default, and the answers' last field added by the relay when it
sends them, byte for byte what encoding the whole value at once gives."""

from __future__ import annotations

from enrollment_ledger.adapters.kafka.cloudevent import KafkaRecord
from enrollment_ledger.adapters.kafka.current_state import with_follow_from
from enrollment_ledger.adapters.kafka.rendering import in_a_process
from enrollment_ledger.adapters.wire import dumps_bytes


def test_a_second_process_renders_only_with_a_second_cpu_and_a_store_it_can_open() -> None:
    assert in_a_process("sqlite:////tmp/ledger.db", cpus=2)
    assert not in_a_process("sqlite:////tmp/ledger.db", cpus=1)
    assert in_a_process("postgresql+psycopg://u@localhost/ledger", cpus=2)
    for in_memory in ("sqlite://", "sqlite:///:memory:", "sqlite:///file:x?mode=memory&uri=true"):
        assert not in_a_process(in_memory, cpus=4), in_memory


def test_follow_from_is_appended_as_the_whole_value_would_be_encoded() -> None:
    value = {
        "value_version": 1,
        "enrollment_id": "E-ü-1",
        "coverage": {"spans": [{"start_on": "2026-01-01", "end_on": None}], "paid": True},
        "balance": {"owed": "12.30", "months": []},
    }
    follow_from = {"store_position": 42, "offsets": {"0": 7, "2": 19}}
    record = KafkaRecord(b"E-1", dumps_bytes(value), [("content-type", b"application/json")])

    (completed,) = with_follow_from([record], follow_from)

    assert completed.value == dumps_bytes({**value, "follow_from": follow_from})
    assert (completed.key, completed.headers) == (record.key, record.headers)
    assert with_follow_from([], follow_from) == []
