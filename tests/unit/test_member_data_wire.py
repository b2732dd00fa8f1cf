"""What the relay does with an event's member data (src/adapters/kafka/member_data.py): left out
by default and said so, sealed with the topic key on request (opened only with that key, only on
that event), never in clear from an encrypted store."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from enrollment_ledger.adapters.cli.main import main
from enrollment_ledger.adapters.kafka.cloudevent import to_record
from enrollment_ledger.adapters.kafka.member_data import (
    OMIT,
    InvalidTopicKey,
    MemberDataMode,
    MemberDataPolicy,
    TopicKeyRequired,
    UndecryptableMemberData,
    decrypt_member_data,
    member_data_policy,
    new_topic_key,
    read_topic_key,
    topic_key,
)

APPLICATION: dict[str, Any] = {
    "id": "6f1c1a52-3d0e-5c1b-9a53-1f4e3b3c0a01",
    "type": "ApplicationSubmitted",
    "aggregate_id": "b06b9b2b-3abb-5462-b953-b4788dd8aab0",
    "version": 2,
    "on": "2026-01-02",
    "effective_on": "2026-01-02",
    "recorded_at": "2026-01-02T10:00:00+00:00",
    "recorded_by": "intake desk 3",
    "citation": None,
    "policy_version": None,
    "data": {
        "plan_year": 2026,
        "household_size": 2,
        "annual_magi": "48213.00",
        "members": [{"member_id": "M1", "birth_date": "1971-09-14"}],
        "renewal": False,
        "on": "2026-01-02",
        "effective_on": "2026-01-02",
        "policy_version": None,
    },
}
DEATH: dict[str, Any] = {
    **APPLICATION,
    "type": "DeathRecorded",
    "effective_on": "2026-02-10",
    "data": {
        "member_id": "M1",
        "died_on": "2026-02-10",
        "on": "2026-02-15",
        "effective_on": "2026-02-10",
        "policy_version": None,
    },
}
INVOICE: dict[str, Any] = {
    **APPLICATION,
    "type": "InvoiceIssued",
    "data": {"month": "2026-02", "amount": "150.00", "on": "2026-01-10"},
}
KEY = topic_key(new_topic_key())


def in_clear(published: dict[str, Any]) -> bytes:
    record = to_record(published, "H1")
    return record.value + b"".join(value for _, value in record.headers)


def test_by_default_member_data_is_left_out_and_the_message_says_which() -> None:
    published = OMIT.apply(APPLICATION)
    assert published["member_data"] == {
        "mode": "omitted",
        "fields": ["annual_magi", "household_size", "members"],
    }
    assert set(published["data"]) == {
        "plan_year",
        "renewal",
        "on",
        "effective_on",
        "policy_version",
    }
    assert b"48213" not in in_clear(published) and b"1971-09-14" not in in_clear(published)
    headers = dict(to_record(published, "H1").headers)
    assert headers["ce_memberdata"] == b"omitted"
    assert headers["ce_memberdatafields"] == b"annual_magi,household_size,members"


def test_an_event_without_member_data_is_published_as_apply_prints_it() -> None:
    assert OMIT.apply(INVOICE) == INVOICE
    assert "ce_memberdata" not in dict(to_record(OMIT.apply(INVOICE), "H1").headers)


def test_a_death_date_leaves_the_envelope_and_its_header_too() -> None:
    published = OMIT.apply(DEATH)
    assert "effective_on" not in published and "effective_on" not in published["data"]
    assert b"2026-02-10" not in in_clear(published)
    assert "ce_effectiveon" not in dict(to_record(published, "H1").headers)


def test_included_with_a_topic_key_it_is_sealed_and_opens_with_that_key_only() -> None:
    policy = MemberDataPolicy(MemberDataMode.INCLUDE, KEY)
    published = policy.apply(DEATH)
    assert published["member_data"]["mode"] == "encrypted"
    assert published["member_data"]["key_id"] == KEY.key_id
    assert b"2026-02-10" not in in_clear(published)
    opened = decrypt_member_data(json.loads(to_record(published, "H1").value), KEY)
    assert {k: v for k, v in opened.items() if k != "member_data"} == DEATH
    assert opened["member_data"] == {"mode": "decrypted", "fields": ["died_on", "effective_on"]}
    with pytest.raises(UndecryptableMemberData):
        decrypt_member_data(published, topic_key(new_topic_key()))


def test_sealed_member_data_moved_onto_another_event_or_changed_does_not_open() -> None:
    published = MemberDataPolicy(MemberDataMode.INCLUDE, KEY).apply(APPLICATION)
    moved = {**copy.deepcopy(published), "id": "00000000-0000-5000-8000-000000000000"}
    changed = copy.deepcopy(published)
    sealed = bytearray(base64.b64decode(changed["member_data"]["ciphertext"]))
    sealed[0] ^= 1
    changed["member_data"]["ciphertext"] = base64.b64encode(bytes(sealed)).decode()
    assert decrypt_member_data(published, KEY)["data"]["annual_magi"] == "48213.00"
    for forged in (moved, changed):
        with pytest.raises(UndecryptableMemberData):
            decrypt_member_data(forged, KEY)


def test_include_from_an_encrypted_store_needs_a_topic_key() -> None:
    with pytest.raises(TopicKeyRequired):
        member_data_policy("include", None, store_encrypted=True)
    assert member_data_policy("include", KEY, store_encrypted=True).key == KEY
    clear = member_data_policy("include", None, store_encrypted=False)
    assert clear.apply(APPLICATION)["data"]["annual_magi"] == "48213.00"
    assert clear.apply(APPLICATION)["member_data"]["mode"] == "included"
    assert member_data_policy("omit", None, store_encrypted=True) == OMIT


def test_keygen_topic_prints_a_key_the_relay_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keygen", "--topic"]) == 0
    path = tmp_path / "topic.key"
    path.write_text(capsys.readouterr().out)
    assert len(read_topic_key(str(path)).secret) == 32


@pytest.mark.parametrize("text", ["", "not base64!", base64.b64encode(b"short").decode()])
def test_a_topic_key_that_is_not_32_bytes_of_base64_is_a_coded_error(text: str) -> None:
    with pytest.raises(InvalidTopicKey):
        topic_key(text)


def test_a_hardship_grounds_clause_leaves_the_envelope_and_comes_back_there_decrypted() -> None:
    request = {
        **APPLICATION,
        "type": "HardshipWaiverRequested",
        "citation": "956 CMR 12.12(7)(a)2",
        "data": {
            "request_id": "E1#waiver-1",
            "grounds": ["utility_shutoff"],
            "grounds_clauses": ["956 CMR 12.12(7)(a)2"],
            "on": "2026-01-02",
            "effective_on": "2026-01-02",
            "policy_version": "2026.1",
        },
    }
    omitted = OMIT.apply(request)
    assert "citation" not in omitted
    assert "ce_citation" not in dict(to_record(omitted, "H1").headers)
    assert b"12.12(7)(a)2" not in in_clear(omitted)
    sealed = MemberDataPolicy(MemberDataMode.INCLUDE, KEY).apply(request)
    opened = decrypt_member_data(sealed, KEY)
    assert {k: v for k, v in opened.items() if k != "member_data"} == request
