"""Hostile and malformed input (issue 11): random JSON lines get exactly one answer each, never a
traceback or an internal error, and a rejected line changes nothing in the store."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from enrollment_ledger.adapters.audit.proofs import digest
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.adapters.commands import COMMANDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..scenarios import household_commands, pay, select

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.text(min_size=5000, max_size=6000, alphabet="xé😀"),
    st.sampled_from(
        ["2026-02-30", "2026-13-01", "0000-00-00", "1e9", "-0.01", "12.345", "NaN", "H1", "E1"]
    ),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = sorted({f for model in COMMANDS.values() for f in model.model_fields})


@st.composite
def hostile_lines(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(min_value=0, max_value=4))
    if kind == 0:
        return draw(st.binary(max_size=200))
    if kind == 1:
        return json.dumps(draw(JSON)).encode()
    base: dict[str, Any] = dict(
        draw(st.sampled_from([*household_commands(), select(), pay("2026-01-20", "150.00", "r")]))
    )
    base["command"] = draw(st.sampled_from([*COMMANDS, base["command"], "drop_tables"]))
    for field in draw(st.lists(st.sampled_from(FIELDS), max_size=3)):
        if draw(st.booleans()):
            base.pop(field, None)
        else:
            base[field] = draw(JSON)
    if kind == 3:
        depth = draw(st.integers(min_value=1, max_value=3000))
        closed = draw(st.booleans())
        return b"[" * depth + json.dumps(base).encode() + (b"]" * depth if closed else b"")
    return json.dumps(base).encode()


def count(ledger: Any) -> int:
    return int(ledger.recorder.max_notification_id() or 0)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(lines=st.lists(hostile_lines(), min_size=1, max_size=8))
def test_every_hostile_line_gets_one_answer_and_a_rejection_changes_nothing(
    lines: list[bytes],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        ledger = build_ledger(f"sqlite:///{Path(folder) / 'ledger.db'}")
        for command in [*household_commands(), select()]:
            assert answer_line(ledger, json.dumps(command).encode())["ok"]  # type: ignore[index]
        for line in lines:
            before = (count(ledger), digest(ledger))
            answer = answer_line(ledger, line)
            if answer is None:  # a blank line is not a command
                assert not line.strip()
                continue
            assert set(answer) >= {"ok"}
            if answer["ok"]:
                continue
            assert answer["error"]["code"] != "internal_error", (line[:200], answer)
            assert isinstance(answer["error"]["message"], str)
            assert "Traceback" not in answer["error"]["message"]
            assert (count(ledger), digest(ledger)) == before
        ledger.close()
