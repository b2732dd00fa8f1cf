"""`wire.dumps_bytes` (pydantic's serializer, which the relay uses for every message and answer)
writes the very bytes `wire.dumps(...).encode()` writes, for every wire value: each event type's
recorded example, answers and any plain JSON value (text of any code point, control characters
and quotes included, integers of any size, booleans, null, nesting)."""

from __future__ import annotations

import json
from typing import Any

from enrollment_ledger.adapters.event_schema import EXAMPLES_FILE
from enrollment_ledger.adapters.wire import dumps, dumps_bytes, error_answer
from hypothesis import given
from hypothesis import strategies as st

WIRE_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


@given(WIRE_VALUES)
def test_the_bytes_are_those_of_dumps_for_any_wire_value(value: Any) -> None:
    assert dumps_bytes(value) == dumps(value).encode()


def test_the_bytes_of_every_event_types_example_are_those_of_dumps() -> None:
    examples: dict[str, dict[str, Any]] = json.loads(EXAMPLES_FILE.read_text())
    assert len(examples) > 50
    for example in examples.values():
        assert dumps_bytes(example) == dumps(example).encode()


def test_text_the_json_module_escapes_is_escaped_the_same() -> None:
    tricky = {"q": '"\\/\b\f\n\r\t\x00\x1f\x7f', "u": "é\u2028\u2029😀", "k\n": [10**30, -1]}
    assert dumps_bytes(tricky) == dumps(tricky).encode()
    assert (
        dumps_bytes(error_answer("bad_input", "x"))
        == dumps(error_answer("bad_input", "x")).encode()
    )


def test_a_float_with_a_small_exponent_is_where_the_two_differ() -> None:
    """The documented exception (no wire value is a float): `1e-07` against `1e-7`, both JSON."""
    assert dumps(1e-07) == "1e-07"
    assert dumps_bytes(1e-07) == b"1e-7"
    assert json.loads(dumps_bytes(1e-07)) == json.loads(dumps(1e-07))
