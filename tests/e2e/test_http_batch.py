"""`serve --batch N`: a POSTed array is recorded up to N commands per transaction, each command
atomic, and answered as the same commands applied one by one are."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import run_apply

from .test_http_api import create_tokens, running_server, scenario_commands


def shape(answer: dict[str, Any]) -> tuple[Any, ...]:
    """What an answer says, without the instants it was recorded at."""
    if not answer["ok"]:
        return (False, answer["error"]["code"], answer.get("command_id"))
    return (
        True,
        answer["command_id"],
        [(e["type"], e["aggregate_id"], e["version"], e["data"]) for e in answer["events"]],
    )


def test_an_array_posted_to_a_batching_server_is_answered_and_recorded_as_one_by_one(
    tmp_path: Path,
) -> None:
    commands = [c | {"command_id": f"c{i}"} for i, c in enumerate(scenario_commands("HB", "EB"))]
    commands.insert(
        2,
        {
            "command": "determine_eligibility",
            "on": "2025-12-01",
            "household_id": "nobody",
            "command_id": "refused",
        },
    )
    commands.append(commands[0])  # a repeat, in the same array
    with running_server(tmp_path / "served", args=("--batch", "3")) as server:
        (token,) = create_tokens(server.store, ["operator"], server.cwd)
        reply = server.request("POST", "/commands", token=token["token"], body=commands)
    assert reply.status == 200
    ledger = build_ledger(f"sqlite:///{tmp_path / 'one.db'}", create=True)
    out = io.StringIO()
    try:
        lines = "\n".join(json.dumps(c) for c in commands).encode()
        run_apply(ledger, io.BytesIO(lines), out, token["label"])
    finally:
        ledger.close()
    one_by_one = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [shape(a) for a in reply.body] == [shape(a) for a in one_by_one]
    assert [a["ok"] for a in reply.body].count(False) == 1
    assert reply.body[-1]["events"] == reply.body[0]["events"]  # the repeat: its first events


def test_concurrent_single_commands_to_a_grouping_server_are_answered_as_one_by_one(
    tmp_path: Path,
) -> None:
    """`serve --group N`: clients posting one command at a time, side by side, each for its own
    household; the commands are recorded together as they arrive, and each client is answered
    what the same commands applied one by one answer (household by household), the store whole."""
    import threading

    households = [(f"HG{k}", f"EG{k}") for k in range(8)]
    streams = {h: scenario_commands(h, e) for h, e in households}
    for h, commands in streams.items():
        for i, command in enumerate(commands):
            command["command_id"] = f"{h}-{i}"
    got: dict[str, list[Any]] = {}
    with running_server(tmp_path / "served", args=("--group", "8")) as server:
        token, auditor = create_tokens(server.store, ["operator", "compliance"], server.cwd)

        def client(household: str) -> None:
            got[household] = [
                server.request("POST", "/commands", token=token["token"], body=c).body
                for c in streams[household]
            ]

        threads = [threading.Thread(target=client, args=(h,)) for h, _ in households]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        verified = server.request("GET", "/verify", token=auditor["token"])
    ledger = build_ledger(f"sqlite:///{tmp_path / 'one.db'}", create=True)
    out = io.StringIO()
    try:
        lines = "\n".join(json.dumps(c) for h, _ in households for c in streams[h]).encode()
        run_apply(ledger, io.BytesIO(lines), out, token["label"])
    finally:
        ledger.close()
    one_by_one = iter(json.loads(line) for line in out.getvalue().splitlines())
    for h, _ in households:
        expected = [shape(next(one_by_one)) for _ in streams[h]]
        assert [shape(a) for a in got[h]] == expected, h
    assert all(a["ok"] for answers in got.values() for a in answers)
    assert verified.status == 200 and verified.body["ok"], verified.body
