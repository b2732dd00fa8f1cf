"""The HTTP API under hostile input (issue 11), through a real uvicorn server: random bodies,
content types, paths, query values and headers get a clear 4xx (the contract's error body) or a
2xx, never a 5xx, and no data without the right token."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..integration.test_fuzz_apply import JSON, hostile_lines
from .test_http_api import Server, create_tokens, running_server


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str, str]]:
    folder: Path = tmp_path_factory.mktemp("http-fuzz")
    with running_server(folder) as server:
        operator, downstream = create_tokens(server.store, ["operator", "downstream"], folder)
        yield server, operator["token"], downstream["token"]


def assert_clean(status: int, body: object) -> None:
    assert status < 500, body
    if status >= 400:
        assert isinstance(body, dict) and body.get("ok") is False, body
        assert set(body["error"]) == {"code", "message"}, body
        assert "Traceback" not in body["error"]["message"]


FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(
    raw=st.one_of(hostile_lines(), st.builds(lambda v: json.dumps(v).encode(), JSON)),
    content_type=st.sampled_from(
        ["application/json", "text/plain", "application/json; charset=utf-8", "", "x/y;;;"]
    ),
)
def test_random_command_bodies_never_cause_a_server_error(
    served: tuple[Server, str, str], raw: bytes, content_type: str
) -> None:
    server, operator, _ = served
    reply = server.request(
        "POST", "/commands", token=operator, raw=raw, content_type=content_type or None
    )
    assert_clean(reply.status, reply.body)


@FUZZ
@given(
    kind=st.sampled_from(
        [
            "enrollments/{}/coverage",
            "enrollments/{}/balance",
            "households/{}/timeline",
            "appeals/{}/hearing",
        ]
    ),
    key=st.text(min_size=1, max_size=60),
    as_of=st.one_of(st.none(), st.text(max_size=30), st.sampled_from(["2026-02-30", "2026-05-01"])),
    known_at=st.one_of(st.none(), st.text(max_size=40), st.just("2026-06-01T00:00:00+00:00")),
)
def test_random_reads_never_cause_a_server_error(
    served: tuple[Server, str, str], kind: str, key: str, as_of: str | None, known_at: str | None
) -> None:
    server, operator, _ = served
    query = {k: v for k, v in (("as_of", as_of), ("known_at", known_at)) if v is not None}
    path = "/" + kind.format(urllib.parse.quote(key, safe=""))
    reply = server.request("GET", path, token=operator, query=query or None)
    assert_clean(reply.status, reply.body)


@FUZZ
@given(
    authorization=st.text(
        # Header values as HTTP allows them (visible characters, spaces and tabs); control
        # characters are refused by the HTTP server itself before the application sees them.
        alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="\x7f"),
        max_size=300,
    ).map(lambda h: h.strip(" \t"))
)
def test_abused_authorization_headers_get_401_and_no_data(
    served: tuple[Server, str, str], authorization: str
) -> None:
    server, _, _ = served
    reply = server.request("GET", "/households/H1/timeline", authorization=authorization)
    assert reply.status == 401, reply.body
    assert set(reply.body) == {"ok", "error"}
