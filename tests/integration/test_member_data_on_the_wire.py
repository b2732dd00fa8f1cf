"""Member data on the real (Tansu) broker: absent from Kafka by default; with
`--member-data include` from an encrypted store, present only encrypted with the topic key, and
decrypted by the consumer that holds it; never in clear from an encrypted store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from enrollment_ledger.adapters.bootstrap import new_cipher_key
from enrollment_ledger.adapters.cli.main import main
from enrollment_ledger.adapters.kafka.member_data import (
    MemberDataMode,
    MemberDataPolicy,
    decrypt_member_data,
    new_topic_key,
    topic_key,
)
from enrollment_ledger.domain.member_data import member_fields

from .kafka_helpers import create_topic, first_deliveries, headers_of, read_topic, seed_stories
from .test_kafka_relay import relay_once, relay_position

MEMBER_DATA = [b"1980-01-01", b"40000.00", b"41000.00", b"counted twice", b"utility_shutoff"]
"""What the stories record of their members: a birth date, two incomes, an appeal's grounds,
a hardship ground."""


def raw(record: Any) -> bytes:
    return record.value + b"".join(value for _, value in record.headers)


def found(records: list[Any]) -> set[bytes]:
    return {text for text in MEMBER_DATA for record in records if text in raw(record)}


@pytest.fixture
def encrypted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_CIPHER_KEY", new_cipher_key())


def without_mode(value: dict[str, Any]) -> dict[str, Any]:
    return {name: v for name, v in value.items() if name != "member_data"}


def test_by_default_no_member_data_reaches_kafka_and_each_message_names_what_was_left_out(
    store_url: str, kafka_bootstrap: str, topic: str
) -> None:
    events = seed_stories(store_url, range(2))
    assert {text for text in MEMBER_DATA if text in json.dumps(events).encode()} == set(MEMBER_DATA)
    create_topic(kafka_bootstrap, topic)

    relay_once(store_url, kafka_bootstrap, topic)

    records = first_deliveries(read_topic(kafka_bootstrap, topic, len(events)))
    assert len(records) == len(events)
    assert found(records) == set()
    for record in records:
        value, headers = json.loads(record.value), headers_of(record)
        fields = sorted(member_fields(value["type"]))
        if fields:
            assert value["member_data"] == {"mode": "omitted", "fields": fields}
            assert headers["ce_memberdata"] == "omitted"
            assert headers["ce_memberdatafields"] == ",".join(fields)
            assert not set(fields) & set(value["data"])
        else:
            assert "member_data" not in value and "ce_memberdata" not in headers


def test_from_an_encrypted_store_include_publishes_member_data_only_encrypted_with_the_topic_key(
    store_url: str, kafka_bootstrap: str, topic: str, encrypted: None
) -> None:
    events = seed_stories(store_url, range(2))
    key = topic_key(new_topic_key())
    create_topic(kafka_bootstrap, topic)

    relay_once(
        store_url, kafka_bootstrap, topic, member_data=MemberDataPolicy(MemberDataMode.INCLUDE, key)
    )

    records = first_deliveries(read_topic(kafka_bootstrap, topic, len(events)))
    assert len(records) == len(events)
    assert found(records) == set()
    by_id = {e["id"]: e for e in events}
    sealed = 0
    for record in records:
        value = json.loads(record.value)
        if member_fields(value["type"]):
            assert value["member_data"]["mode"] == "encrypted"
            assert headers_of(record)["ce_memberdata"] == "encrypted"
            sealed += 1
        assert without_mode(decrypt_member_data(value, key)) == by_id[value["id"]]
    assert sealed >= 4 * 2


def test_the_consume_command_decrypts_member_data_with_the_topic_key_and_only_with_it(
    store_url: str,
    kafka_bootstrap: str,
    topic: str,
    encrypted: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    events = seed_stories(store_url, range(1))
    key_file = tmp_path / "topic.key"
    key_file.write_text(new_topic_key() + "\n")
    create_topic(kafka_bootstrap, topic, partitions=1)
    relay = ["relay", "--store", store_url, "--kafka", kafka_bootstrap, "--topic", topic]
    include = ["--member-data", "include", "--topic-key-file", str(key_file)]
    assert main([*relay, "--until-caught-up", *include]) == 0
    capsys.readouterr()
    consume = ["consume", "--kafka", kafka_bootstrap, "--topic", topic, "--timeout", "30"]
    wanted = ["--max-messages", str(len(events))]

    assert main([*consume, "--group", f"{topic}-sealed", *wanted]) == 0
    sealed = capsys.readouterr().out
    with_key = ["--group", f"{topic}-open", "--topic-key-file", str(key_file), *wanted]
    assert main([*consume, *with_key]) == 0
    opened = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    assert not [text for text in MEMBER_DATA if text in sealed.encode()]
    assert [without_mode(e) for e in opened] == events


def test_include_from_an_encrypted_store_without_a_topic_key_is_refused_and_publishes_nothing(
    store_url: str,
    kafka_bootstrap: str,
    topic: str,
    encrypted: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed_stories(store_url, range(1))
    relay = ["relay", "--store", store_url, "--kafka", kafka_bootstrap, "--topic", topic]

    assert main([*relay, "--until-caught-up", "--member-data", "include"]) == 2

    answer = json.loads(capsys.readouterr().out)
    assert answer["error"]["code"] == "topic_key_required"
    assert relay_position(store_url, topic) == 0
