"""The small-group program over HTTP as a client meets it: a real `enrollment-ledger serve` on a
loopback port, an employer's group applied through `POST /commands`, then the employer's timeline,
the group's coverage and balance, and the cross-member `terminations` and `delinquent`, each with
the roles of its non-group counterpart."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ..group_scenarios import paid_through_may
from ..scenarios import schedule
from .test_http_api import Server, assert_error_only, create_tokens, running_server

ROLES = ("operator", "appeals", "compliance", "downstream")
TERMINATIONS = "/terminations?from=2026-07-01&to=2026-07-31"
ROUTES_BY_ROLE: dict[str, set[str]] = {
    "operator": {
        "/employers/ACME/timeline",
        "/group-enrollments/G1/coverage",
        "/group-enrollments/G1/balance",
        TERMINATIONS,
        "/delinquent?as_of=2026-06-15",
    },
    "appeals": {
        "/employers/ACME/timeline",
        "/group-enrollments/G1/coverage",
        "/group-enrollments/G1/balance",
        TERMINATIONS,
        "/delinquent?as_of=2026-06-15",
    },
    "compliance": {"/employers/ACME/timeline"},
    "downstream": {
        "/group-enrollments/G1/coverage",
        "/group-enrollments/G1/balance",
        TERMINATIONS,
        "/delinquent?as_of=2026-06-15",
    },
}
EVERY_ROUTE = set().union(*ROUTES_BY_ROLE.values())


@dataclass
class GroupApi:
    server: Server
    tokens: dict[str, str]
    answers: list[dict[str, Any]]

    def get(self, path: str, role: str = "operator") -> Any:
        return self.server.request("GET", path, token=self.tokens[role])


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GroupApi]:
    """ACME's group G1 paid through May, June missed, unpaid by its payment date of 10 July, terminated back to 31 May on 11 July."""
    folder: Path = tmp_path_factory.mktemp("http-group")
    with running_server(folder) as server:
        issued = create_tokens(server.store, list(ROLES), folder)
        tokens = {t["role"]: t["token"] for t in issued}
        commands = [*paid_through_may(), schedule("2026-07-31")]
        reply = server.request("POST", "/commands", token=tokens["operator"], body=commands)
        assert reply.status == 200 and all(a["ok"] for a in reply.body), reply.body
        yield GroupApi(server, tokens, reply.body)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_the_group_routes_of_its_non_group_counterparts_only(
    api: GroupApi, role: str
) -> None:
    for path in sorted(EVERY_ROUTE):
        reply = api.get(path, role)
        if path in ROUTES_BY_ROLE[role]:
            assert reply.status == 200, (role, path, reply.body)
            assert "error" not in reply.body
        else:
            assert_error_only(reply, 403, "forbidden")


def test_the_employers_timeline_lists_the_employer_its_group_and_its_employees(
    api: GroupApi,
) -> None:
    reply = api.get("/employers/ACME/timeline", "compliance")
    assert reply.status == 200
    types = [e["type"] for e in reply.body["events"]]
    assert types[:2] == ["EmployerOpened", "EmployerApplicationSubmitted"]
    assert {"GroupPlanSelected", "EmployeeEnrolled", "TerminationNoticeIssued"} <= set(types)
    recorded = {e["id"] for a in api.answers for e in a["events"]}
    assert {e["id"] for e in reply.body["events"]} == recorded
    assert_error_only(api.get("/employers/NOPE/timeline"), 404, "unknown_household")


def test_a_groups_coverage_and_balance_show_each_employee(api: GroupApi) -> None:
    coverage = api.get("/group-enrollments/G1/coverage", "downstream")
    assert coverage.status == 200
    assert coverage.body["status"] == "terminated"
    assert [e["employee_id"] for e in coverage.body["employees"]] == ["EMP-1", "EMP-2"]
    assert coverage.body == api.get("/enrollments/G1/coverage").body
    before = api.get("/group-enrollments/G1/coverage?as_of=2026-06-15").body
    assert before["status"] == "delinquent"
    balance = api.get("/group-enrollments/G1/balance", "downstream")
    assert balance.status == 200
    may = next(m for m in balance.body["months"] if m["month"] == "2026-05")
    assert [e["employee_id"] for e in may["employees"]] == ["EMP-1", "EMP-2"]
    assert_error_only(api.get("/group-enrollments/NOPE/coverage"), 404, "unknown_enrollment")
    assert_error_only(api.get("/group-enrollments/G1/balance?as_of=June"), 400, "invalid_date")


def test_terminations_list_the_groups_termination_with_every_employee_for_the_carrier(
    api: GroupApi,
) -> None:
    reply = api.get(TERMINATIONS, "downstream")
    assert reply.status == 200
    (terminated,) = reply.body["terminations"]
    assert (terminated["enrollment_id"], terminated["household_id"]) == ("G1", "ACME")
    assert (terminated["end_on"], terminated["decided_on"]) == ("2026-05-31", "2026-07-11")
    assert terminated["citation"] == "956 CMR 12.12(12)"
    assert terminated["employees"] == [
        {"employee_id": "EMP-1", "member_ids": ["EMP-1"]},
        {"employee_id": "EMP-2", "member_ids": ["EMP-2", "EMP-2-C"]},
    ]
    by_end = api.get("/terminations?from=2026-05-31&to=2026-05-31&by=end_on").body
    assert by_end["terminations"] == reply.body["terminations"]
    assert api.get("/terminations?from=2026-01-01&to=2026-06-30").body["terminations"] == []
    backwards = api.get("/terminations?from=2026-07-31&to=2026-07-01")
    assert_error_only(backwards, 400, "invalid_date")
    assert_error_only(api.get(TERMINATIONS + "&by=nothing"), 400, "invalid_field")


def test_delinquent_lists_the_group_in_its_grace_period_under_the_employers_id(
    api: GroupApi,
) -> None:
    reply = api.get("/delinquent?as_of=2026-06-15", "downstream")
    assert reply.status == 200
    (grace,) = reply.body["delinquent"]
    assert (grace["enrollment_id"], grace["household_id"]) == ("G1", "ACME")
    assert grace["first_unpaid_month"] == "2026-06"
    assert api.get("/delinquent?as_of=2026-07-15").body["delinquent"] == []
    assert_error_only(api.get("/delinquent"), 400, "invalid_field")  # as_of is required


def test_a_termination_for_fraud_ending_after_its_decision_is_a_400_and_records_nothing(
    api: GroupApi,
) -> None:
    before = api.get("/employers/ACME/timeline").body["events"]
    command = {
        "command": "terminate_group_for_fraud",
        "on": "2026-07-20",
        "group_enrollment_id": "G1",
        "effective_on": "2026-07-21",
        "finding": "a roster of people who never worked there",
    }
    reply = api.server.request("POST", "/commands", token=api.tokens["operator"], body=command)
    assert_error_only(reply, 400, "invalid_field")
    assert "effective_on" in reply.body["error"]["message"]
    assert api.get("/employers/ACME/timeline").body["events"] == before
