"""The HTTP API as a client meets it: a real `enrollment-ledger serve` (uvicorn) on a free loopback
port, tokens made with the `tokens` command, plain HTTP requests (urllib)."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from enrollment_ledger.adapters.audit.proof_check import check_proof
from enrollment_ledger.adapters.audit.signing import new_signing_key, parse_signing_key
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.main import main
from enrollment_ledger.domain.events import aggregate_uuid, event_id

from ..answers import last_answer
from ..conftest import member
from ..scenarios import household_commands, pay, schedule, select
from ..servers import free_port

CLI = [sys.executable, "-m", "enrollment_ledger.adapters.cli.main"]
SIGNING_KEY = new_signing_key()
FIRST_EVENT_ID = event_id(aggregate_uuid("household", "H1"), 1)
MAGI = "41234.56"
BIRTH_DATE = "1961-07-13"
NO_BODY = object()


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


@dataclass
class Server:
    base: str
    host: str
    port: int
    store: str
    log: Path
    cwd: Path

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: Any = NO_BODY,
        raw: bytes | None = None,
        content_type: str | None = "application/json",
        query: dict[str, str] | None = None,
        authorization: str | None = None,
    ) -> Reply:
        url = self.base + path + ("?" + urllib.parse.urlencode(query) if query else "")
        data = raw if raw is not None else None if body is NO_BODY else json.dumps(body).encode()
        headers: dict[str, str] = {}
        if data is not None and content_type is not None:
            headers["Content-Type"] = content_type
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if authorization is not None:
            headers["Authorization"] = authorization
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return Reply(response.status, json.loads(response.read()), dict(response.headers))
        except urllib.error.HTTPError as e:
            return Reply(e.code, json.loads(e.read()), dict(e.headers))

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def label_of(role: str, index: int) -> str:
    """The label `create_tokens` gives the token it makes `index`-th, for `role`."""
    return f"{role} desk {index}"


def create_tokens(store: str, roles: list[str], cwd: Path) -> list[dict[str, str]]:
    """`tokens create --role ROLE --label LABEL --json`, one process per role, run side by side
    (labels from `label_of`)."""
    processes = [
        subprocess.Popen(
            [
                *CLI,
                "tokens",
                "create",
                "--role",
                role,
                "--label",
                label_of(role, index),
                "--json",
                "--store",
                store,
            ],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index, role in enumerate(roles)
    ]
    issued = []
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        issued.append(json.loads(out))
    return issued


@contextmanager
def running_server(
    folder: Path, env: dict[str, str] | None = None, args: tuple[str, ...] = ()
) -> Iterator[Server]:
    folder.mkdir(parents=True, exist_ok=True)
    store = f"sqlite:///{folder / 'ledger.db'}"
    # `serve` reads an existing store and never creates one (issue 15): `apply` creates it.
    created = subprocess.run(
        [*CLI, "apply", "-", "--store", store],
        cwd=folder,
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert created.returncode == 0, created.stdout + created.stderr
    port = free_port()
    log = folder / "server.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port), "--store", store, *args],
            cwd=folder,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        server = Server(f"http://127.0.0.1:{port}", "127.0.0.1", port, store, log, folder)
        try:
            _wait_for_health(server, process)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_health(server: Server, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {server.log_text()}")
        try:
            if server.request("GET", "/health").status == 200:
                return
        except (urllib.error.URLError, ConnectionError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"no /health after 20 s: {server.log_text()}")
        time.sleep(0.05)


@dataclass
class Fixture:
    server: Server
    tokens: dict[str, str]
    revoked: list[str]
    answers: list[dict[str, Any]]


def scenario_commands(household_id: str = "H1", enrollment_id: str = "E1") -> list[dict[str, Any]]:
    commands = household_commands(household_id, magi=MAGI)
    commands[0]["members"] = [member("M1", birth_date=BIRTH_DATE)]
    return [
        *commands,
        select(enrollment_id, household_id=household_id),
        pay("2026-01-12", "150.00", f"REF-{enrollment_id}", enrollment_id),
    ]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fixture]:
    folder = tmp_path_factory.mktemp("http")
    with running_server(folder, {"LEDGER_SIGNING_KEY": SIGNING_KEY}) as server:
        roles = ["operator", "appeals", "compliance", "downstream", "operator"]
        issued = create_tokens(server.store, roles, folder)
        revoked = issued[4]
        revoke = cli("tokens", "revoke", revoked["id"], "--store", server.store, cwd=folder)
        assert revoke.returncode == 0, revoke.stdout + revoke.stderr
        tokens = {t["role"]: t["token"] for t in issued[:4]}
        answers = []
        for index, command in enumerate(scenario_commands()):
            reply = server.request(
                "POST",
                "/commands",
                token=tokens["operator"],
                body={**command, "command_id": f"c{index}"},
            )
            assert reply.status == 200, reply.body
            answers.append(reply.body)
        determination = next(
            e for e in answers[1]["events"] if e["type"] == "EligibilityDetermined"
        )
        appeal = {
            "command": "file_appeal",
            "command_id": "appeal-1",
            "on": "2026-01-20",
            "appeal_id": "A1",
            "household_id": "H1",
            "appealed_event_id": determination["id"],
            "grounds": "my income was counted twice",
        }
        reply = server.request("POST", "/commands", token=tokens["operator"], body=appeal)
        assert reply.status == 200, reply.body
        answers.append(reply.body)
        yield Fixture(server, tokens, [revoked["token"]], answers)


ROUTES: list[tuple[str, str]] = [
    ("POST", "/commands"),
    ("GET", "/enrollments/E1/coverage"),
    ("GET", "/enrollments/E1/balance"),
    ("GET", "/households/H1/timeline"),
    ("GET", "/appeals/A1/hearing"),
    ("GET", "/verify"),
    ("GET", "/digest"),
    ("GET", f"/events/{FIRST_EVENT_ID}/proof"),
    ("GET", "/proofs/consistency?from=1"),
    ("GET", "/terminations?from=2026-01-01&to=2026-12-31"),
    ("GET", "/delinquent?as_of=2026-03-01"),
    ("GET", "/openapi.json"),
]
ALLOWED: dict[str, set[str]] = {
    "operator": {path for _, path in ROUTES},
    "appeals": {
        "/enrollments/E1/coverage",
        "/enrollments/E1/balance",
        "/households/H1/timeline",
        "/appeals/A1/hearing",
        "/terminations?from=2026-01-01&to=2026-12-31",
        "/delinquent?as_of=2026-03-01",
        "/openapi.json",
    },
    "compliance": {
        "/households/H1/timeline",
        "/verify",
        "/digest",
        f"/events/{FIRST_EVENT_ID}/proof",
        "/proofs/consistency?from=1",
        "/openapi.json",
    },
    "downstream": {
        "/enrollments/E1/coverage",
        "/enrollments/E1/balance",
        "/terminations?from=2026-01-01&to=2026-12-31",
        "/delinquent?as_of=2026-03-01",
        "/openapi.json",
    },
}
REPLAYED = {"command": "run_schedule", "command_id": "c0", "on": "2026-01-02", "through": "x"}


def assert_error_only(reply: Reply, status: int, code: str) -> None:
    assert reply.status == status, reply.body
    assert reply.body == {
        "ok": False,
        "error": {"code": code, "message": reply.body["error"]["message"]},
    }
    assert isinstance(reply.body["error"]["message"], str) and reply.body["error"]["message"]


def test_health_answers_without_a_token(api: Fixture) -> None:
    reply = api.server.request("GET", "/health")
    assert reply.status == 200
    assert reply.body == {"ok": True, "status": "ok"}


@pytest.mark.parametrize("credential", ["none", "unknown", "revoked", "basic"])
def test_every_route_refuses_a_missing_unknown_or_revoked_token_with_401_and_no_data(
    api: Fixture, credential: str
) -> None:
    token = {
        "none": None,
        "unknown": "not-a-token-anyone-was-given",
        "revoked": api.revoked[0],
        "basic": None,
    }[credential]
    authorization = "Basic b3BlcmF0b3I6b3BlcmF0b3I=" if credential == "basic" else None
    for method, path in ROUTES:
        body = REPLAYED if method == "POST" else NO_BODY
        reply = api.server.request(
            method, path, token=token, body=body, authorization=authorization
        )
        assert_error_only(reply, 401, "unauthorized")
        assert reply.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("role", ["operator", "appeals", "compliance", "downstream"])
def test_each_role_reaches_exactly_the_routes_of_its_role_and_gets_403_and_no_data_elsewhere(
    api: Fixture, role: str
) -> None:
    for method, path in ROUTES:
        # the replay of command c0 answers its first events and records nothing new
        body = {**scenario_commands()[0], "command_id": "c0"} if method == "POST" else NO_BODY
        reply = api.server.request(method, path, token=api.tokens[role], body=body)
        if path in ALLOWED[role]:
            assert reply.status == 200, (role, path, reply.body)
            assert reply.body != {} and "error" not in reply.body
        else:
            assert_error_only(reply, 403, "forbidden")


def test_a_replayed_command_answers_its_first_events_over_http(api: Fixture) -> None:
    command = {**scenario_commands()[0], "command_id": "c0"}
    reply = api.server.request("POST", "/commands", token=api.tokens["operator"], body=command)
    assert reply.status == 200
    assert reply.body == api.answers[0]


def test_an_array_of_commands_gets_200_and_one_answer_per_command_in_order(api: Fixture) -> None:
    replay = {**scenario_commands()[0], "command_id": "c0"}
    body = [replay, {"command": "no_such_command", "on": "2026-01-02"}, 7]
    reply = api.server.request("POST", "/commands", token=api.tokens["operator"], body=body)
    assert reply.status == 200
    assert [a["ok"] for a in reply.body] == [True, False, False]
    assert reply.body[0] == api.answers[0]
    assert reply.body[1]["error"]["code"] == "unknown_command"
    assert reply.body[2]["error"]["code"] == "invalid_command"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"{not json", "invalid_json"),
        (b"", "invalid_json"),
        (b"\xff\xfe{}", "invalid_json"),
        (b'{"on": "2026-01-02"}', "missing_field"),
        (b'{"command": "no_such_command", "on": "2026-01-02"}', "unknown_command"),
        (
            b'{"command": "determine_eligibility", "on": "2026-02-30", "household_id": "H1"}',
            "invalid_date",
        ),
    ],
)
def test_a_malformed_command_is_a_400_with_the_contract_error(
    api: Fixture, raw: bytes, code: str
) -> None:
    reply = api.server.request("POST", "/commands", token=api.tokens["operator"], raw=raw)
    assert_error_only(reply, 400, code)


def test_a_command_for_an_unknown_household_is_a_404(api: Fixture) -> None:
    command = {"command": "determine_eligibility", "on": "2026-01-05", "household_id": "NOPE"}
    reply = api.server.request("POST", "/commands", token=api.tokens["operator"], body=command)
    assert_error_only(reply, 404, "unknown_household")


def test_selecting_an_enrollment_id_twice_is_a_409_duplicate_enrollment(api: Fixture) -> None:
    command = select("E1", on="2026-01-11")
    reply = api.server.request("POST", "/commands", token=api.tokens["operator"], body=command)
    assert_error_only(reply, 409, "duplicate_enrollment")


def test_a_refusal_under_the_regulation_is_a_422(api: Fixture) -> None:
    command = select("E2", on="2026-06-01")
    reply = api.server.request("POST", "/commands", token=api.tokens["operator"], body=command)
    assert_error_only(reply, 422, "outside_enrollment_period")
    assert "12.10(1)" in reply.body["error"]["message"]


def post_raw(api: Fixture, headers: dict[str, str], payload: bytes) -> tuple[int, Any]:
    """POST /commands with exactly these headers and bytes (sent in one piece, so the server has
    them all before it answers and closes)."""
    connection = http.client.HTTPConnection(api.server.host, api.server.port, timeout=30)
    try:
        connection.putrequest("POST", "/commands")
        connection.putheader("Authorization", f"Bearer {api.tokens['operator']}")
        connection.putheader("Content-Type", "application/json")
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        connection.send(payload)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_a_body_declared_over_one_mebibyte_is_a_413_before_it_is_sent(api: Fixture) -> None:
    status, body = post_raw(api, {"Content-Length": str(1_048_577)}, b"")
    assert status == 413
    assert body == {
        "ok": False,
        "error": {"code": "payload_too_large", "message": body["error"]["message"]},
    }


def test_a_streamed_body_over_one_mebibyte_is_a_413(api: Fixture) -> None:
    chunk = b" " * 65_536
    exactly_the_limit = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(16))
    payload = exactly_the_limit + b"1\r\n \r\n0\r\n\r\n"  # one byte too many, no length
    status, body = post_raw(api, {"Transfer-Encoding": "chunked"}, payload)
    assert status == 413
    assert body["error"]["code"] == "payload_too_large"


def test_a_command_not_sent_as_application_json_is_a_415(api: Fixture) -> None:
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        reply = api.server.request(
            "POST",
            "/commands",
            token=api.tokens["operator"],
            raw=json.dumps(REPLAYED).encode(),
            content_type=content_type,
        )
        assert_error_only(reply, 415, "unsupported_media_type")


def test_unknown_routes_and_wrong_methods_answer_with_the_contract_body(api: Fixture) -> None:
    token = api.tokens["operator"]
    assert_error_only(api.server.request("GET", "/nowhere", token=token), 404, "not_found")
    assert_error_only(api.server.request("GET", "/docs", token=token), 404, "not_found")
    reply = api.server.request("DELETE", "/enrollments/E1/coverage", token=token)
    assert_error_only(reply, 405, "method_not_allowed")
    reply = api.server.request("GET", "/verify", token=token, query={"position": "many"})
    assert_error_only(reply, 400, "invalid_field")
    assert "many" not in reply.body["error"]["message"]


def test_coverage_and_balance_answer_the_contract_with_as_of_and_known_at(api: Fixture) -> None:
    token = api.tokens["downstream"]
    coverage = api.server.request("GET", "/enrollments/E1/coverage", token=token)
    assert coverage.status == 200
    assert coverage.body["enrollment_id"] == "E1"
    assert coverage.body["status"] == "active"
    assert coverage.body["spans"][0]["start_on"] == "2026-02-01"

    before = api.server.request(
        "GET", "/enrollments/E1/coverage", token=token, query={"as_of": "2026-01-11"}
    )
    assert before.status == 200
    assert before.body["status"] == "pending_binder"

    long_ago = {"known_at": "2000-01-01T00:00:00+00:00"}
    reply = api.server.request("GET", "/enrollments/E1/coverage", token=token, query=long_ago)
    assert_error_only(reply, 404, "unknown_enrollment")

    balance = api.server.request(
        "GET", "/enrollments/E1/balance", token=token, query={"as_of": "2026-01-31"}
    )
    assert balance.status == 200
    assert balance.body["enrollment_id"] == "E1"
    first = balance.body["months"][0]
    assert (first["month"], first["billed"], first["paid"], first["outstanding"]) == (
        "2026-02",
        "150.00",
        "150.00",
        "0.00",
    )
    missing = api.server.request("GET", "/enrollments/NOPE/balance", token=token)
    assert_error_only(missing, 404, "unknown_enrollment")


def test_bad_as_of_and_known_at_values_are_400s(api: Fixture) -> None:
    token = api.tokens["operator"]
    reply = api.server.request(
        "GET", "/enrollments/E1/coverage", token=token, query={"as_of": "2026-13-01"}
    )
    assert_error_only(reply, 400, "invalid_date")
    naive = {"known_at": "2026-06-01T00:00:00"}
    reply = api.server.request("GET", "/households/H1/timeline", token=token, query=naive)
    assert_error_only(reply, 400, "invalid_field")


def test_the_timeline_lists_the_households_events_for_compliance(api: Fixture) -> None:
    reply = api.server.request("GET", "/households/H1/timeline", token=api.tokens["compliance"])
    assert reply.status == 200
    types = [e["type"] for e in reply.body["events"]]
    assert types[:2] == ["HouseholdOpened", "ApplicationSubmitted"]
    assert "EligibilityDetermined" in types and "PlanSelected" in types
    recorded = {e["id"] for a in api.answers for e in a["events"]}
    assert {e["id"] for e in reply.body["events"]} == recorded
    missing = api.server.request("GET", "/households/NOPE/timeline", token=api.tokens["compliance"])
    assert_error_only(missing, 404, "unknown_household")


def test_the_hearing_packet_names_the_appealed_determination_for_the_appeals_unit(
    api: Fixture,
) -> None:
    reply = api.server.request("GET", "/appeals/A1/hearing", token=api.tokens["appeals"])
    assert reply.status == 200
    determination = next(
        e for e in api.answers[1]["events"] if e["type"] == "EligibilityDetermined"
    )
    assert reply.body["appeal_id"] == "A1"
    assert reply.body["appealed_event"]["id"] == determination["id"]
    assert reply.body["recomputed"]["matches"] is True
    missing = api.server.request("GET", "/appeals/NOPE/hearing", token=api.tokens["appeals"])
    assert_error_only(missing, 404, "unknown_appeal")


def test_verify_and_digest_certify_the_chain_for_compliance(api: Fixture) -> None:
    token = api.tokens["compliance"]
    head = api.server.request("GET", "/digest", token=token)
    assert head.status == 200
    events = sum(len(a["events"]) for a in api.answers)
    assert head.body["events"] == events and len(head.body["hash"]) == 64

    verified = api.server.request("GET", "/verify", token=token)
    assert verified.status == 200
    assert verified.body["ok"] is True
    assert verified.body["first_bad_position"] is None
    assert verified.body["events_checked"] >= events

    digest = {k: str(v) for k, v in head.body.items()}
    extends = api.server.request("GET", "/verify", token=token, query=digest)
    assert extends.status == 200 and extends.body["ok"] is True
    forged = {**digest, "hash": "0" * 63 + "1"}
    rewritten = api.server.request("GET", "/verify", token=token, query=forged)
    assert rewritten.status == 200
    assert rewritten.body["ok"] is False
    assert rewritten.body["first_bad_position"] == head.body["position"]
    bad = api.server.request("GET", "/verify", token=token, query={**digest, "hash": "xyz"})
    assert_error_only(bad, 400, "invalid_digest")


def test_compliance_gets_signed_proofs_that_check_offline_with_the_pinned_key(
    api: Fixture,
) -> None:
    token = api.tokens["compliance"]
    pinned = [parse_signing_key(SIGNING_KEY).public_key]
    head = api.server.request("GET", "/digest", token=token).body
    assert head["signature"] is not None and head["tree_size"] == head["events"]

    proof = api.server.request("GET", f"/events/{FIRST_EVENT_ID}/proof", token=token)
    assert proof.status == 200, proof.body
    assert proof.body["leaf_index"] == 0 and proof.body["head"]["root"] == head["root"]
    assert check_proof(proof.body, pinned)["event"]["id"] == FIRST_EVENT_ID
    earlier = api.server.request(
        "GET", f"/events/{FIRST_EVENT_ID}/proof", token=token, query={"tree_size": "2"}
    )
    assert earlier.body["head"]["tree_size"] == 2 and check_proof(earlier.body, pinned)["ok"]

    consistency = api.server.request(
        "GET", "/proofs/consistency", token=token, query={"from": "3", "to": "5"}
    )
    assert consistency.status == 200, consistency.body
    assert (consistency.body["old"]["tree_size"], consistency.body["new"]["tree_size"]) == (3, 5)
    assert check_proof(consistency.body, pinned)["ok"]
    now = api.server.request("GET", "/proofs/consistency", token=token, query={"from": "3"})
    assert now.body["new"]["root"] == head["root"] and check_proof(now.body, pinned)["ok"]


@pytest.mark.parametrize(
    ("path", "query", "status", "code"),
    [
        ("/events/00000000-0000-0000-0000-000000000000/proof", None, 404, "unknown_event"),
        ("/events/not-an-id/proof", None, 400, "invalid_field"),
        (f"/events/{FIRST_EVENT_ID}/proof", {"tree_size": "100000"}, 400, "invalid_field"),
        ("/proofs/consistency", None, 400, "invalid_field"),
        ("/proofs/consistency", {"from": "-1"}, 400, "invalid_field"),
        ("/proofs/consistency", {"from": "100000"}, 400, "invalid_field"),
        ("/proofs/consistency", {"from": "4", "to": "2"}, 400, "invalid_field"),
    ],
)
def test_a_proof_of_nothing_is_a_coded_error(
    api: Fixture, path: str, query: dict[str, str] | None, status: int, code: str
) -> None:
    reply = api.server.request("GET", path, token=api.tokens["compliance"], query=query)
    assert_error_only(reply, status, code)


def test_the_openapi_document_lists_every_route_and_the_bearer_scheme(api: Fixture) -> None:
    reply = api.server.request("GET", "/openapi.json", token=api.tokens["downstream"])
    assert reply.status == 200
    assert set(reply.body["paths"]) == {
        "/commands",
        "/enrollments/{enrollment_id}/coverage",
        "/enrollments/{enrollment_id}/balance",
        "/households/{household_id}/timeline",
        "/appeals/{appeal_id}/hearing",
        "/appeals/{appeal_id}/hearing.html",
        "/appeals/{appeal_id}/what-if",
        "/households/{household_id}/timeline.html",
        "/verify",
        "/digest",
        "/events/{event_id}/proof",
        "/proofs/consistency",
        "/employers/{employer_id}/timeline",
        "/group-enrollments/{group_enrollment_id}/coverage",
        "/group-enrollments/{group_enrollment_id}/balance",
        "/terminations",
        "/delinquent",
        "/health",
    }
    assert reply.body["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    post = reply.body["paths"]["/commands"]["post"]
    assert "application/json" in post["requestBody"]["content"]
    assert {"400", "401", "403", "404", "409", "413", "415", "422"} <= set(post["responses"])


def test_tokens_are_stored_only_as_their_sha256_hashes(api: Fixture) -> None:
    engine = sa.create_engine(api.server.store)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT token_hash, role, revoked_at FROM ledger_api_tokens")
            ).all()
    finally:
        engine.dispose()
    stored = {row[0]: (row[1], row[2]) for row in rows}
    for role, token in api.tokens.items():
        assert stored[hashlib.sha256(token.encode()).hexdigest()] == (role, None)
    for token in api.revoked:
        assert stored[hashlib.sha256(token.encode()).hexdigest()][1] is not None
    everything = repr(rows)
    assert not any(token in everything for token in [*api.tokens.values(), *api.revoked])


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def test_a_token_revoked_while_the_server_runs_is_refused_from_the_next_request(
    api: Fixture, capsys: pytest.CaptureFixture[str]
) -> None:
    store = api.server.store
    code, out = run_main(
        capsys,
        "tokens",
        "create",
        "--role",
        "downstream",
        "--label",
        "reporting",
        "--json",
        "--store",
        store,
    )
    assert code == 0
    token = json.loads(out)["token"]
    assert api.server.request("GET", "/enrollments/E1/coverage", token=token).status == 200

    code, out = run_main(capsys, "tokens", "--store", store, "revoke", token, "--json")
    assert code == 0
    assert json.loads(out)["revoked_at"] is not None
    reply = api.server.request("GET", "/enrollments/E1/coverage", token=token)
    assert_error_only(reply, 401, "unauthorized")

    code, out = run_main(capsys, "tokens", "revoke", "never-issued", "--store", store)
    assert code == 1
    assert last_answer(out)["error"]["code"] == "unknown_token"
    code, out = run_main(capsys, "tokens", "list", "--json", "--store", store)
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert sorted(r["role"] for r in rows if r["revoked_at"] is None) == sorted(api.tokens)
    assert not any(t in out for t in [token, *api.tokens.values(), *api.revoked])


def test_the_server_log_names_routes_but_never_member_data_or_query_strings(api: Fixture) -> None:
    query = {"as_of": "2026-03-15", "known_at": "2026-11-01T00:00:00+00:00"}
    api.server.request("GET", "/enrollments/E1/coverage", token=api.tokens["operator"], query=query)
    time.sleep(0.2)
    log = api.server.log_text()
    assert "POST /commands 200" in log
    assert "GET /enrollments/{enrollment_id}/coverage 200" in log
    assert "GET /health 200" in log
    for secret in (
        BIRTH_DATE,
        MAGI,
        "41234",
        "2026-03-15",
        "as_of",
        "known_at",
        "/enrollments/E1/",
        "/households/H1/",
        "counted twice",
    ):
        assert secret not in log, secret
    for token in api.tokens.values():
        assert token not in log


LOG_LINE = re.compile(
    r"(?P<instant>\d{4}-\d{2}-\d{2}T\S+) token=(?P<token_id>[0-9a-f]{12}|-) "
    r"(?P<method>[A-Z]+) (?P<route>\S+) (?P<status>\d{3}) (?P<ms>\d+\.\d)ms$"
)


def log_lines(server: Server) -> list[dict[str, str]]:
    """The access log's lines, parsed (anything else the server logs is left out)."""
    found = (LOG_LINE.search(line) for line in server.log_text().splitlines())
    return [match.groupdict() for match in found if match is not None]


def token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:12]


def test_the_server_log_line_names_the_instant_token_id_method_route_status_and_duration(
    api: Fixture,
) -> None:
    operator, compliance = api.tokens["operator"], api.tokens["compliance"]
    api.server.request("GET", "/households/H1/timeline", token=compliance)
    api.server.request("GET", "/enrollments/E1/balance", token="not-a-token")
    time.sleep(0.2)
    lines = log_lines(api.server)
    seen = {(line["token_id"], line["method"], line["route"], line["status"]) for line in lines}
    assert (token_id(operator), "POST", "/commands", "200") in seen
    assert (token_id(compliance), "GET", "/households/{household_id}/timeline", "200") in seen
    assert ("-", "GET", "/enrollments/{enrollment_id}/balance", "401") in seen
    assert ("-", "GET", "/health", "200") in seen
    for line in lines:
        assert datetime.fromisoformat(line["instant"]).tzinfo is not None
        assert float(line["ms"]) >= 0
    log = api.server.log_text()
    assert not any(token in log for token in [*api.tokens.values(), *api.revoked])


def test_commands_over_http_are_recorded_by_the_tokens_label(api: Fixture) -> None:
    label = label_of("operator", 0)
    answered = {e["id"]: e["recorded_by"] for a in api.answers for e in a["events"]}
    assert set(answered.values()) == {label}
    reply = api.server.request("GET", "/households/H1/timeline", token=api.tokens["compliance"])
    assert reply.status == 200
    assert {e["id"]: e["recorded_by"] for e in reply.body["events"]} == answered
    packet = api.server.request("GET", "/appeals/A1/hearing", token=api.tokens["appeals"]).body
    assert packet["appealed_event"]["recorded_by"] == label


def test_an_expired_token_is_refused_with_401_like_a_revoked_one(
    api: Fixture, capsys: pytest.CaptureFixture[str]
) -> None:
    store = api.server.store
    code, out = run_main(
        capsys,
        "tokens",
        "create",
        "--role",
        "downstream",
        "--label",
        "quarterly report",
        "--expires-in",
        "1",
        "--json",
        "--store",
        store,
    )
    assert code == 0
    issued = json.loads(out)
    expires_at = datetime.fromisoformat(issued["expires_at"])
    assert timedelta(hours=23) < expires_at - datetime.now(UTC) <= timedelta(days=1)
    assert (
        api.server.request("GET", "/enrollments/E1/coverage", token=issued["token"]).status == 200
    )

    # a day goes by: the expiry instant is now behind us
    engine = sa.create_engine(store)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE ledger_api_tokens SET expires_at = :t WHERE token_hash = :h"),
                {
                    "t": datetime.now(UTC) - timedelta(seconds=1),
                    "h": hashlib.sha256(issued["token"].encode()).hexdigest(),
                },
            )
    finally:
        engine.dispose()
    for method, path in ROUTES:
        body = REPLAYED if method == "POST" else NO_BODY
        reply = api.server.request(method, path, token=issued["token"], body=body)
        assert_error_only(reply, 401, "unauthorized")
        assert reply.headers["www-authenticate"].startswith("Bearer")


def test_tokens_list_shows_label_role_created_expires_last_used_and_revoked(
    api: Fixture, capsys: pytest.CaptureFixture[str]
) -> None:
    api.server.request("GET", "/digest", token=api.tokens["compliance"])
    code, out = run_main(capsys, "tokens", "list", "--json", "--store", api.server.store)
    assert code == 0
    rows = {row["id"]: row for row in map(json.loads, out.splitlines())}
    compliance = rows[token_id(api.tokens["compliance"])]
    assert compliance["label"] == label_of("compliance", 2)
    assert compliance["role"] == "compliance"
    assert compliance["last_used_at"] is not None and compliance["revoked_at"] is None
    assert datetime.fromisoformat(compliance["created_at"]) <= datetime.fromisoformat(
        compliance["last_used_at"]
    )
    assert compliance["expires_at"] is None
    revoked = rows[token_id(api.revoked[0])]
    assert revoked["revoked_at"] is not None and revoked["last_used_at"] is None

    code, table = run_main(capsys, "tokens", "list", "--store", api.server.store)
    assert code == 0
    header, *body = table.splitlines()
    assert header.split() == [
        "id",
        "label",
        "role",
        "created",
        "expires",
        "last",
        "used",
        "revoked",
    ]
    line = next(row for row in body if row.startswith(compliance["id"]))
    assert label_of("compliance", 2) in line and "never" in line
    assert not any(t in table + out for t in [*api.tokens.values(), *api.revoked])


def strip_recorded_at(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_recorded_at(v) for k, v in value.items() if k != "recorded_at"}
    if isinstance(value, list):
        return [strip_recorded_at(v) for v in value]
    return value


def test_the_same_scenario_through_http_and_through_apply_gives_the_same_events_and_answers(
    tmp_path: Path,
) -> None:
    commands = [*scenario_commands("HP", "EP"), schedule("2026-03-01")]
    lines = "".join(json.dumps(c) + "\n" for c in commands)
    apply_folder = tmp_path / "apply"
    apply_folder.mkdir()
    apply_store = f"sqlite:///{apply_folder / 'ledger.db'}"
    applied = subprocess.Popen(
        # recorded by the same name as the HTTP token's label: the same answers, actor included
        [*CLI, "apply", "-", "--store", apply_store, "--actor", label_of("operator", 0)],
        cwd=apply_folder,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    http_folder = tmp_path / "http"
    http_folder.mkdir()
    (operator,) = create_tokens(f"sqlite:///{http_folder / 'ledger.db'}", ["operator"], http_folder)
    with running_server(http_folder) as server:
        reply = server.request("POST", "/commands", token=operator["token"], body=commands)
        assert reply.status == 200
        coverage = server.request("GET", "/enrollments/EP/coverage", token=operator["token"])
        balance = server.request("GET", "/enrollments/EP/balance", token=operator["token"])
    out, err = applied.communicate(lines, timeout=60)
    assert applied.returncode == 0, err
    from_apply = [json.loads(line) for line in out.splitlines()]

    assert [a["ok"] for a in reply.body] == [True] * len(commands)
    types = [e["type"] for a in reply.body for e in a["events"]]
    assert {"EligibilityDetermined", "PlanSelected", "CoverageEffectuated", "InvoiceIssued"} <= set(
        types
    )
    assert strip_recorded_at(reply.body) == strip_recorded_at(from_apply)

    cli_coverage = cli("coverage", "EP", "--json", "--store", apply_store, cwd=apply_folder)
    cli_balance = cli("balance", "EP", "--json", "--store", apply_store, cwd=apply_folder)
    assert coverage.status == 200 and balance.status == 200
    assert coverage.body == json.loads(cli_coverage.stdout)
    assert balance.body == json.loads(cli_balance.stdout)


def test_the_query_commands_never_import_fastapi_or_uvicorn(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    build_ledger(store).close()  # a reader needs an existing store (issue 15)
    program = (
        "import sys\n"
        "from enrollment_ledger.adapters.cli.main import main\n"
        f"code = main(['coverage', 'E1', '--json', '--store', {store!r}])\n"
        "print(sorted(m for m in ('fastapi', 'uvicorn', 'starlette') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"
    assert json.loads(result.stdout.splitlines()[0])["error"]["code"] == "unknown_enrollment"
