"""The README's "Consuming the ledger" consumer (examples/consume_ledger.py), run as a team runs
it, against the Tansu broker: every event once, read with the cloudevents SDK's Kafka binding,
each household's story in store order under its household key."""

from __future__ import annotations

import contextlib
import json
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from enrollment_ledger.adapters.bootstrap import new_cipher_key
from enrollment_ledger.adapters.kafka.member_data import (
    MemberDataMode,
    MemberDataPolicy,
    new_topic_key,
    read_topic_key,
)

from .kafka_helpers import create_topic, household_keys, published_by_default, seed_stories
from .test_kafka_relay import relay_once

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "consume_ledger.py"


def code_lines(path: Path) -> list[str]:
    """The lines that do something: no docstring, blank line, comment or import."""
    lines = path.read_text().splitlines()[1:]
    return [
        line for line in lines if line.strip() and not line.startswith(("import ", "from ", "#"))
    ]


DECRYPTING = re.compile(r"(?<![.\w])key\b|sealed|opened")
"""The lines that open member data: they name the topic key or the sealed member data."""


def test_the_example_consumer_is_ten_lines() -> None:
    """Reading the topic: every line but those that decrypt member data."""
    lines = code_lines(EXAMPLE)
    reading = [line for line in lines if not DECRYPTING.search(line.split("#")[0])]
    assert len(reading) <= 10 < len(lines)


def test_the_example_consumer_is_fourteen_lines_decryption_included() -> None:
    assert len(code_lines(EXAMPLE)) <= 14


def test_the_readme_shows_the_example_consumer_as_it_is() -> None:
    """The README's copy is the file itself, line for line (a change to one is a change to both)."""
    readme = (EXAMPLE.parents[1] / "README.md").read_text()
    assert "```python\n" + EXAMPLE.read_text() + "```" in readme


def lines_until(
    process: subprocess.Popen[str], count: int, timeout: float, settle: float = 3.0
) -> list[str]:
    """The lines the process prints until `count` came and `settle` more seconds passed (to
    catch any extra), or `timeout` seconds passed."""
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: [lines.put(line) for line in stdout], daemon=True).start()
    read: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(read) >= count:
            deadline = min(deadline, time.monotonic() + settle)
        with contextlib.suppress(queue.Empty):
            read.append(lines.get(timeout=0.2).rstrip("\n"))
    return read


def test_the_example_consumer_reads_every_event_once_in_store_order_per_household(
    store_url: str, kafka_bootstrap: str, topic: str
) -> None:
    events = seed_stories(store_url, range(4))
    create_topic(kafka_bootstrap, topic, partitions=3)
    relay_once(store_url, kafka_bootstrap, topic)

    process = subprocess.Popen(
        [sys.executable, str(EXAMPLE), kafka_bootstrap, topic],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:  # it runs until stopped, as a consumer does; joining the group takes a while
        lines = lines_until(process, len(events), timeout=90)
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=30)

    assert "Traceback" not in errors, errors
    printed: list[tuple[str, str, dict[str, Any]]] = []
    for line in lines:
        key, ce_type, data = line.split(" ", 2)
        printed.append((key, ce_type, json.loads(data)))
    assert sorted(e["id"] for _, _, e in printed) == sorted(e["id"] for e in events)
    keys = household_keys(events)
    for household in set(keys.values()):
        story = [e for e in events if keys[e["aggregate_id"]] == household]
        read = [(t, e) for k, t, e in printed if k == household]
        assert [e for _, e in read] == [published_by_default(e) for e in story]
        assert [t for t, _ in read] == [f"org.mahealthconnector.ledger.{e['type']}" for e in story]


def test_the_example_consumer_decrypts_member_data_with_the_topic_key(
    store_url: str,
    kafka_bootstrap: str,
    topic: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEDGER_CIPHER_KEY", new_cipher_key())
    events = seed_stories(store_url, range(1))
    key_file = tmp_path / "topic.key"
    key_file.write_text(new_topic_key())
    create_topic(kafka_bootstrap, topic, partitions=1)
    include = MemberDataPolicy(MemberDataMode.INCLUDE, read_topic_key(str(key_file)))
    relay_once(store_url, kafka_bootstrap, topic, member_data=include)

    process = subprocess.Popen(
        [sys.executable, str(EXAMPLE), kafka_bootstrap, topic, str(key_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = lines_until(process, len(events), timeout=90)
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=30)

    assert "Traceback" not in errors, errors
    printed = [json.loads(line.split(" ", 2)[2]) for line in lines]
    assert [{k: v for k, v in e.items() if k != "member_data"} for e in printed] == events
    assert any(e["member_data"]["mode"] == "encrypted" for e in printed if "member_data" in e)
