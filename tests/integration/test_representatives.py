"""12.17 (authorized representatives) and 12.03 (Appeal Representatives) through the ledger's
command path: designation and revocation on the household, an appeal filed by one for a member,
refusals that record nothing and never show the representative's name, and the hearing packet."""

from __future__ import annotations

from typing import Any

import pytest
from enrollment_ledger.adapters import queries
from enrollment_ledger.domain.ledger import Ledger

from ..conftest import Apply, count_events, event_types, only
from ..scenarios import household_commands

NAMES = ("Zelda Quillfeather", "Yusuf Brightwater")


def run(apply: Apply, *commands: dict[str, Any]) -> list[dict[str, Any]]:
    answers = [apply(c) for c in commands]
    for answer in answers:
        assert answer["ok"], answer
    return answers


def designate(
    representative_id: str = "R1",
    *,
    on: str = "2026-01-10",
    name: str = NAMES[0],
    kind: str = "appeal",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "command": "designate_representative",
        "on": on,
        "household_id": "H1",
        "representative_id": representative_id,
        "name": name,
        "kind": kind,
        "written_authorization_on": "2026-01-08",
        **extra,
    }


def revoke(representative_id: str = "R1", on: str = "2026-01-15") -> dict[str, Any]:
    return {
        "command": "revoke_representative",
        "on": on,
        "household_id": "H1",
        "representative_id": representative_id,
    }


def determined(apply: Apply) -> str:
    answers = run(apply, *household_commands())
    return str(only(answers[1], "EligibilityDetermined")["id"])


def file_appeal(appealed: str, on: str = "2026-01-20", **extra: Any) -> dict[str, Any]:
    return {
        "command": "file_appeal",
        "on": on,
        "appeal_id": "A1",
        "household_id": "H1",
        "appealed_event_id": appealed,
        "grounds": "my income was counted twice",
        **extra,
    }


def test_a_designation_is_recorded_on_the_household_with_its_clause(apply: Apply) -> None:
    determined(apply)
    answer = apply(designate(member_id="M1"))
    event = only(answer, "RepresentativeDesignated")
    assert event["citation"] == "956 CMR 12.03 (Appeal Representative)"
    assert event["data"]["member_id"] == "M1"
    assert event["data"]["written_authorization_on"] == "2026-01-08"
    authorized = only(apply(designate("R2", kind="authorized")), "RepresentativeDesignated")
    assert authorized["citation"] == "956 CMR 12.17"


def test_an_appeal_filed_by_a_representative_names_it_and_the_appellant(
    apply: Apply, ledger: Ledger
) -> None:
    appealed = determined(apply)
    run(apply, designate(member_id="M1"), designate("R2", name=NAMES[1], kind="authorized"))
    answer = apply(file_appeal(appealed, filed_by="R1", appellant_member_id="M1"))
    assert event_types(answer) == ["AppealLinked", "AppealFiled", "AppealFiledFor"]
    filed_for = only(answer, "AppealFiledFor")
    assert filed_for["data"] == {
        "appellant_member_id": "M1",
        "filed_by": "R1",
        "filed_by_kind": "appeal",
        "on": "2026-01-20",
        "effective_on": "2026-01-20",
        "policy_version": "2026.1",
    }
    packet = queries.hearing(ledger, "A1")
    assert packet["appeal"]["appellant_member_id"] == "M1"
    assert packet["appeal"]["filed_by"]["name"] == NAMES[0]
    assert [r["representative_id"] for r in packet["representatives"]] == ["R1", "R2"]


def test_an_appeal_filed_by_the_appellant_records_no_representative(
    apply: Apply, ledger: Ledger
) -> None:
    appealed = determined(apply)
    answer = apply(file_appeal(appealed))
    assert event_types(answer) == ["AppealLinked", "AppealFiled"]
    packet = queries.hearing(ledger, "A1")
    assert packet["appeal"]["filed_by"] is None
    assert packet["representatives"] == []


def test_a_representative_revoked_before_the_filing_cannot_file(
    apply: Apply, ledger: Ledger
) -> None:
    appealed = determined(apply)
    run(apply, designate(), revoke(on="2026-01-15"))
    before = count_events(ledger)
    refused = apply(file_appeal(appealed, filed_by="R1"))
    assert refused["error"]["code"] == "invalid_state"
    assert "revoked on 2026-01-15" in refused["error"]["message"]
    assert count_events(ledger) == before


def test_a_representative_revoked_after_the_filing_stays_its_filer_and_leaves_the_list(
    apply: Apply, ledger: Ledger
) -> None:
    appealed = determined(apply)
    run(apply, designate(), file_appeal(appealed, filed_by="R1"), revoke(on="2026-01-25"))
    packet = queries.hearing(ledger, "A1")
    assert packet["appeal"]["filed_by"]["representative_id"] == "R1"
    assert packet["appeal"]["filed_by"]["revoked_on"] == "2026-01-25"
    assert packet["representatives"] == []


@pytest.mark.parametrize(
    ("setup", "command", "code"),
    [
        pytest.param([], file_appeal("{appealed}", filed_by="R9"), "unknown_representative", id="an unknown representative files: unknown_representative"),
        pytest.param([designate(member_id="M1")], file_appeal("{appealed}", filed_by="R1"), "representative_out_of_scope", id="a member's representative files for the household: out of scope"),
        pytest.param([designate(on="2026-01-21")], file_appeal("{appealed}", filed_by="R1"), "invalid_state", id="designated after the filing date: invalid_state"),
        pytest.param([], file_appeal("{appealed}", appellant_member_id="M7"), "invalid_field", id="an appellant who is no member: invalid_field"),
        pytest.param([designate()], designate(), "duplicate_representative", id="the same representative_id twice: duplicate_representative"),
        pytest.param([], designate(member_id="M7"), "invalid_field", id="a representative of no member: invalid_field"),
        pytest.param([], designate(written_authorization_on="2026-01-11"), "invalid_field", id="an authorization dated after the designation: invalid_field"),
        pytest.param([], designate(kind="guardian"), "invalid_field", id="a kind the contract does not name: invalid_field"),
        pytest.param([], designate(name=""), "invalid_field", id="an empty name: invalid_field"),
        pytest.param([], revoke("R9"), "unknown_representative", id="revoking an unknown representative: unknown_representative"),
        pytest.param([designate(), revoke()], revoke(on="2026-01-16"), "invalid_state", id="revoking twice: invalid_state"),
        pytest.param([designate()], revoke(on="2026-01-09"), "invalid_field", id="revoked before its designation: invalid_field"),
    ],
)  # fmt: skip
def test_a_refused_representative_command_records_nothing_and_never_shows_a_name(
    apply: Apply,
    ledger: Ledger,
    setup: list[dict[str, Any]],
    command: dict[str, Any],
    code: str,
) -> None:
    appealed = determined(apply)
    run(apply, *setup)
    if command.get("appealed_event_id") == "{appealed}":
        command = {**command, "appealed_event_id": appealed}
    before = count_events(ledger)
    answer = apply(command)
    assert answer["error"]["code"] == code
    assert count_events(ledger) == before
    assert not any(name in answer["error"]["message"] for name in NAMES)


def test_a_representatives_name_appears_in_no_answer_but_its_own_events(apply: Apply) -> None:
    """The name is recorded in the designation (and shown in the hearing packet); the answers to
    the other commands, accepted or refused, never carry it."""
    appealed = determined(apply)
    answers = [
        apply(designate(member_id="M1")),
        apply(file_appeal(appealed, filed_by="R1", appellant_member_id="M1")),
        apply(file_appeal(appealed, filed_by="R1", appeal_id="A2")),
        apply(revoke(on="2026-01-25")),
        apply(revoke(on="2026-01-26")),
    ]
    assert NAMES[0] in str(answers[0])
    for answer in answers[1:]:
        assert NAMES[0] not in str(answer)
