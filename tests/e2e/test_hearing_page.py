"""The hearing page and the what-if replay as an officer meets them: the premium FAQ's worked
example appealed and reversed, applied with the real command line, then `hearing --html`,
`hearing --what-if`, and the pages and the what-if over a real `serve`."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .hearing_scenario import (
    APPEAL_ID,
    APPEALED_EVENT_ID,
    GROUNDS,
    HOUSEHOLD_ID,
    REPRESENTATIVE,
    as_jsonl,
    faq_appealed_and_reversed,
)
from .test_http_api import Server, create_tokens, running_server

CLI = [sys.executable, "-m", "enrollment_ledger.adapters.cli.main"]
CORRECTED_INCOME = {"annual_magi": "25000.00"}


def cli(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def apply_case(cwd: Path, store: str | None = None) -> None:
    extra = ["--store", store] if store else []
    applied = cli("apply", "-", *extra, cwd=cwd, stdin=as_jsonl(faq_appealed_and_reversed()))
    answers = [json.loads(line) for line in applied.stdout.splitlines()]
    assert applied.returncode == 0 and all(a["ok"] for a in answers), applied.stdout


def visible_text(page: str) -> str:
    """The page's text without tags, entities decoded, spaces collapsed."""
    without_style = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", without_style)).split())


def store_snapshot(cwd: Path) -> tuple[str, str]:
    """The chain's head and the household's whole timeline: any event recorded changes both."""
    digest = cli("digest", "--json", cwd=cwd)
    timeline = cli("timeline", HOUSEHOLD_ID, "--json", cwd=cwd)
    assert digest.returncode == 0 and timeline.returncode == 0, digest.stdout + timeline.stdout
    return digest.stdout, timeline.stdout


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hearing-case")
    apply_case(folder)
    return folder


@pytest.fixture(scope="module")
def as_applied(case: Path) -> tuple[str, str]:
    """The case's snapshot as applied, taken once: a test that must record nothing compares the
    store after it with this (anything recorded by any test before it shows too)."""
    return store_snapshot(case)


def test_the_hearing_page_written_to_a_file_shows_every_item_an_officer_reads(
    case: Path, tmp_path: Path
) -> None:
    out = tmp_path / "hearing.html"
    written = cli("hearing", APPEAL_ID, "--html", str(out), cwd=case)
    assert written.returncode == 0, written.stdout + written.stderr
    page = out.read_text(encoding="utf-8")
    text = visible_text(page)
    for expected in (
        "member FAQ-1 of household H-FAQ",  # the appellant
        REPRESENTATIVE,  # the representative who filed
        GROUNDS,
        "Received 2026-01-20",
        "2026-02-09",  # the 12.14 deadline
        "receipt is presumed 5 days after the date on the notice: 2026-01-10",
        "timely: received on 2026-01-20, on or before the deadline 2026-02-09",
        "not dismissed",
        "ConnectorCare, plan type 3A, 223.64% FPL, effective 2026-02-01",  # the action in words
        "$35000.00",  # the income held when it decided
        "$15650 for this household",  # the FPL amount used
        "3A 250% FPL",  # the band
        "Policy version 2026.1: the same decision as recorded",  # recomputed then and today
        "outcome: reversed",  # the decision
        "annual MAGI of $28000.00",  # the corrected determination
        "No re-hearing ordered",
    ):
        assert expected in text, expected
    timeline = json.loads(cli("timeline", HOUSEHOLD_ID, "--json", cwd=case).stdout)
    for event in timeline["events"]:
        assert event["id"] in page
    assert "<svg" in page and 'data-state="grace"' in page and 'data-state="reinstated"' in page
    assert APPEALED_EVENT_ID in page


def test_the_page_written_for_a_hearing_date_recomputes_with_the_policy_in_force_that_day(
    case: Path, tmp_path: Path
) -> None:
    dated, today = tmp_path / "dated.html", tmp_path / "today.html"
    written = cli("hearing", APPEAL_ID, "--html", str(dated), "--as-of", "2026-06-15", cwd=case)
    assert written.returncode == 0, written.stdout + written.stderr
    assert cli("hearing", APPEAL_ID, "--html", str(today), cwd=case).returncode == 0
    assert "With the policy version in force on 2026-06-15" in visible_text(
        dated.read_text(encoding="utf-8")
    )
    assert "With today's policy version" in visible_text(today.read_text(encoding="utf-8"))


def test_the_page_is_self_contained_with_a_print_stylesheet(case: Path, tmp_path: Path) -> None:
    out = tmp_path / "hearing.html"
    assert cli("hearing", APPEAL_ID, "--html", str(out), cwd=case).returncode == 0
    page = out.read_text(encoding="utf-8")
    assert "@media print" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<link" not in page and "<script" not in page
    assert GROUNDS in visible_text(page)


def test_a_what_if_with_a_corrected_income_names_the_plan_type_and_premium_months_that_change(
    case: Path, as_applied: tuple[str, str], tmp_path: Path
) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(CORRECTED_INCOME))
    answer = json.loads(
        cli("hearing", APPEAL_ID, "--what-if", str(facts), "--json", cwd=case).stdout
    )
    assert store_snapshot(case) == as_applied
    assert answer["ok"] and answer["recorded"] is False
    assert "nothing was recorded" in answer["note"]
    changed = {(d["field"], d["recorded"], d["would_be"]) for d in answer["differences"]}
    assert ("plan_type", "3A", "2B") in changed
    months = [(m["month"], m["plan_type_would_be"]) for m in answer["premium_months"]]
    assert months == [(f"2026-{n:02d}", "2B") for n in range(2, 8)]
    readable = cli("hearing", APPEAL_ID, "--what-if", str(facts), cwd=case).stdout
    assert "plan_type 3A -> 2B" in readable and "E-FAQ 2026-04" in readable


def test_a_what_if_with_the_facts_held_then_changes_nothing(case: Path, tmp_path: Path) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text("{}")
    answer = json.loads(
        cli("hearing", APPEAL_ID, "--what-if", str(facts), "--json", cwd=case).stdout
    )
    assert (answer["matches"], answer["differences"], answer["premium_months"]) == (True, [], [])


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ('{"annual_magi": 25000}', "invalid_field"),
        ('{"household_size": 0}', "invalid_field"),
        ('{"income": "1.00"}', "invalid_field"),
        ("{", "invalid_json"),
        ('{"policy_version": "1999.9"}', "no_policy_parameters"),
    ],
)
def test_bad_what_if_facts_are_refused_with_a_code_and_record_nothing(
    case: Path, as_applied: tuple[str, str], tmp_path: Path, content: str, code: str
) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text(content)
    refused = cli("hearing", APPEAL_ID, "--what-if", str(facts), "--json", cwd=case)
    assert json.loads(refused.stdout)["error"]["code"] == code
    assert refused.returncode in (1, 2) and "Traceback" not in refused.stderr
    assert store_snapshot(case) == as_applied


# ---- over HTTP -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("hearing-served")
    with running_server(folder) as server:
        apply_case(folder, server.store)
        roles = ["operator", "appeals", "compliance", "downstream"]
        issued = create_tokens(server.store, roles, folder)
        yield server, {role: t["token"] for role, t in zip(roles, issued, strict=True)}


def fetch(
    server: Server,
    method: str,
    path: str,
    *,
    token: str | None = None,
    cookie: str | None = None,
    body: bytes | None = None,
    content_type: str | None = None,
) -> tuple[int, str, str]:
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if cookie:
        headers["Cookie"] = f"ledger_token={cookie}"
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(server.base + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers["content-type"], response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers["content-type"], e.read().decode()


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (f"/appeals/{APPEAL_ID}/hearing.html", {"operator", "appeals"}),
        (f"/households/{HOUSEHOLD_ID}/timeline.html", {"operator", "appeals", "compliance"}),
    ],
)
def test_the_pages_are_served_to_the_roles_that_may_read_them(
    served: tuple[Server, dict[str, str]], path: str, allowed: set[str]
) -> None:
    server, tokens = served
    for role, token in tokens.items():
        status, content_type, body = fetch(server, "GET", path, token=token)
        if role in allowed:
            assert (status, content_type.split(";")[0]) == (200, "text/html"), role
            assert "<svg" in body
        else:
            assert (status, json.loads(body)["error"]["code"]) == (403, "forbidden"), role
    status, _, body = fetch(server, "GET", path)
    assert (status, json.loads(body)["error"]["code"]) == (401, "unauthorized")


def test_a_browser_sends_the_token_in_a_cookie_for_the_pages_only(
    served: tuple[Server, dict[str, str]],
) -> None:
    server, tokens = served
    page = fetch(server, "GET", f"/appeals/{APPEAL_ID}/hearing.html", cookie=tokens["appeals"])
    assert page[0] == 200
    packet = fetch(server, "GET", f"/appeals/{APPEAL_ID}/hearing", cookie=tokens["appeals"])
    assert packet[0] == 401


def test_an_unknown_appeal_page_is_the_contracts_404(
    served: tuple[Server, dict[str, str]],
) -> None:
    server, tokens = served
    status, _, body = fetch(server, "GET", "/appeals/A-NONE/hearing.html", token=tokens["appeals"])
    assert (status, json.loads(body)["error"]["code"]) == (404, "unknown_appeal")


def test_the_page_served_for_a_hearing_date_recomputes_with_that_days_policy(
    served: tuple[Server, dict[str, str]],
) -> None:
    server, tokens = served
    path = f"/appeals/{APPEAL_ID}/hearing.html"
    status, _, body = fetch(server, "GET", path + "?as_of=2026-06-15", token=tokens["appeals"])
    assert status == 200 and "With the policy version in force on 2026-06-15" in body
    status, _, body = fetch(server, "GET", path + "?as_of=15-06-2026", token=tokens["appeals"])
    assert (status, json.loads(body)["error"]["code"]) == (400, "invalid_date")


def test_the_what_if_posted_as_json_answers_the_differences_and_records_nothing(
    served: tuple[Server, dict[str, str]],
) -> None:
    server, tokens = served
    before = fetch(server, "GET", f"/households/{HOUSEHOLD_ID}/timeline", token=tokens["operator"])
    status, _, body = fetch(
        server,
        "POST",
        f"/appeals/{APPEAL_ID}/what-if",
        token=tokens["appeals"],
        body=json.dumps(CORRECTED_INCOME).encode(),
        content_type="application/json",
    )
    answer: dict[str, Any] = json.loads(body)
    assert status == 200 and answer["recorded"] is False
    assert {"field": "plan_type", "recorded": "3A", "would_be": "2B", "member_id": "FAQ-1"} in (
        answer["differences"]
    )
    after = fetch(server, "GET", f"/households/{HOUSEHOLD_ID}/timeline", token=tokens["operator"])
    assert after == before
    refused = fetch(
        server,
        "POST",
        f"/appeals/{APPEAL_ID}/what-if",
        token=tokens["compliance"],
        body=b"{}",
        content_type="application/json",
    )
    assert refused[0] == 403


def test_the_pages_form_posts_the_what_if_and_gets_the_page_with_the_differences(
    served: tuple[Server, dict[str, str]],
) -> None:
    server, tokens = served
    status, content_type, page = fetch(
        server,
        "POST",
        f"/appeals/{APPEAL_ID}/what-if",
        cookie=tokens["appeals"],
        body=b"annual_magi=25000.00&household_size=&policy_version=&members=",
        content_type="application/x-www-form-urlencoded",
    )
    assert (status, content_type.split(";")[0]) == (200, "text/html")
    text = visible_text(page)
    assert "nothing was recorded" in text
    assert "FAQ-1 plan_type 3A 2B" in text
    bad = fetch(
        server,
        "POST",
        f"/appeals/{APPEAL_ID}/what-if",
        cookie=tokens["appeals"],
        body=b"annual_magi=lots",
        content_type="application/x-www-form-urlencoded",
    )
    assert bad[0] == 400 and "invalid_field" in visible_text(bad[2])
