"""Issue 15 over HTTP: a real `enrollment-ledger serve` answers the new refusals with the
contract's body and a status that says what went wrong: 409 for a reused command id or a
repeated payment reference, 400 for a date after the day of recording, duplicate JSON keys or a
number for money."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from enrollment_ledger.adapters.http.errors import status_for
from enrollment_ledger.adapters.record_day import RECORD_ZONE, SIMULATED_TODAY_ENV

from ..conftest import application
from ..scenarios import household_commands, pay, select
from .test_http_api import Reply, Server, assert_error_only, create_tokens, running_server


class Api:
    def __init__(self, server: Server, token: str) -> None:
        self.server = server
        self.token = token

    def post(self, body: Any = None, raw: bytes | None = None) -> Reply:
        if raw is not None:
            return self.server.request("POST", "/commands", token=self.token, raw=raw)
        return self.server.request("POST", "/commands", token=self.token, body=body)


def start(stack: ExitStack, folder: Path, simulated_today: str | None) -> Api:
    """A server whose process sees `LEDGER_SIMULATED_TODAY` as given (None: unset)."""
    with pytest.MonkeyPatch.context() as environment:
        if simulated_today is None:
            environment.delenv(SIMULATED_TODAY_ENV, raising=False)
        else:
            environment.setenv(SIMULATED_TODAY_ENV, simulated_today)
        server = stack.enter_context(running_server(folder))
        (token,) = create_tokens(server.store, ["operator"], folder)
    return Api(server, token["token"])


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Api]]:
    with ExitStack() as stack:
        yield {
            "wall clock": start(stack, tmp_path_factory.mktemp("wall"), None),
            "simulated": start(stack, tmp_path_factory.mktemp("simulated"), "2026-12-31"),
        }


def test_by_the_wall_clock_tomorrow_is_a_400_future_date_and_today_a_200(
    servers: dict[str, Api],
) -> None:
    api = servers["wall clock"]
    today = datetime.now(RECORD_ZONE).date()
    tomorrow = application("H1", on=(today + timedelta(days=1)).isoformat(), plan_year=2027)
    assert_error_only(api.post(tomorrow), 400, "future_date")
    reply = api.post(application("H2", on=today.isoformat(), plan_year=2027))
    assert reply.status == 200, reply.body


def test_by_the_simulated_today_the_next_day_is_a_400_and_that_day_a_200(
    servers: dict[str, Api],
) -> None:
    api = servers["simulated"]
    assert_error_only(
        api.post(application("S1", on="2027-01-01", plan_year=2027)), 400, ("future_date")
    )
    reply = api.post(application("S2", on="2026-12-31", plan_year=2027))
    assert reply.status == 200, reply.body


def test_a_reused_command_id_and_a_repeated_reference_are_409s(servers: dict[str, Api]) -> None:
    api = servers["simulated"]
    for command in [*household_commands("R1"), select("ER1", household_id="R1")]:
        assert api.post(command).status == 200
    payment = {**pay("2026-01-20", "150.00", "http-r1", "ER1"), "command_id": "hp1"}
    first = api.post(payment)
    assert first.status == 200, first.body
    assert api.post(payment).body == first.body
    again = api.post({**payment, "command_id": "hp2"})
    assert (again.status, again.body["events"]) == (200, first.body["events"])
    other = {**pay("2026-02-20", "150.00", "http-r2", "ER1"), "command_id": "hp1"}
    reused = api.post(other)
    assert reused.status == 409
    assert reused.body["error"]["code"] == "command_id_reused"
    assert reused.body["command_id"] == "hp1"
    assert_error_only(
        api.post(pay("2026-02-20", "75.00", "http-r1", "ER1")), 409, ("duplicate_reference")
    )


def test_duplicate_keys_and_numbers_for_money_are_400s(servers: dict[str, Api]) -> None:
    api = servers["simulated"]
    raw = b'{"command": "determine_eligibility", "on": "2026-01-05", "household_id": "H1", '
    assert_error_only(api.post(raw=raw + b'"household_id": "H2"}'), 400, "invalid_json")
    nested = [{"command": "determine_eligibility", "on": "2026-01-05", "household_id": "H1"}]
    body = repr(nested).replace("'", '"').replace('"H1"}', '"H1", "on": "2026-01-06"}')
    assert_error_only(api.post(raw=body.encode()), 400, "invalid_json")
    assert_error_only(api.post({**application("N1"), "annual_magi": 30000}), 400, ("invalid_field"))


def test_an_invalid_simulated_today_answers_a_coded_server_error(tmp_path: Path) -> None:
    with ExitStack() as stack:
        api = start(stack, tmp_path, "31/12/2026")
        reply = api.post(application())
        assert_error_only(reply, 500, "invalid_simulated_today")


def test_each_new_code_has_its_status() -> None:
    assert status_for("command_id_reused") == 409
    assert status_for("duplicate_reference") == 409
    assert status_for("future_date") == 400
    assert status_for("invalid_simulated_today") == 500


def test_a_lone_surrogate_escape_is_a_400(servers: dict[str, Api]) -> None:
    """Half a surrogate pair escaped in the body (`\\ud800`) is not Unicode text: 400
    `invalid_json`, not a 500 when the answer could not be written as UTF-8."""
    api = servers["simulated"]
    raw = json.dumps(application("HS", command_id="s1")).replace('"s1"', '"s\\ud800"')
    assert "\\ud800" in raw
    assert_error_only(api.post(raw=raw.encode()), 400, "invalid_json")
    assert_error_only(api.post(raw=f"[{raw}]".encode()), 400, "invalid_json")
