"""Member data on the wire: what the relay does with the fields `domain/member_data.py` classifies
as member data (birth dates, income, household composition, grounds, findings, names, ...).

- `omit` (the default): the fields are removed from the message's `data` (and the envelope's
  `effective_on` or `citation` when it is a member's date or ground); the value's `member_data` says
  `{"mode": "omitted", "fields": [...]}` and the headers `ce_memberdata: omitted`,
  `ce_memberdatafields: a,b,c`.
- `include` with a topic key: the fields are removed the same way and published encrypted:
  `{"mode": "encrypted", "fields", "algorithm": "AES-256-GCM", "key_id", "nonce",
  "ciphertext"}`, the ciphertext being the part of the event left out, as JSON:
  `{"data": {field: value, ...}}`, with the envelope's `effective_on` or `citation` beside `data`
  when they were left out, sealed with AES-256-GCM under the topic key, with the event's id as
  associated data (a ciphertext moved onto another event does not open). Merging it back into
  the event (`decrypt_member_data`, `{**event, **part, "data": {**event.data, **part.data}}`)
  gives the event as `apply` printed it.
- `include` without a topic key: from an unencrypted store, the fields stay in clear
  (`mode: included`); from an encrypted store this is refused (`topic_key_required`): member data
  never leaves an encrypted store in clear.

An event with no member data carries no `member_data` and no such headers. A topic key is 32
random bytes, base64 (`enrollment-ledger keygen --topic`), kept in a file (`--topic-key-file`);
its id (`key_id`) is the first 16 hex digits of SHA-256 of "enrollment-ledger topic key\\n" and
the key, so a consumer can tell which key a message needs without the key being shown."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from ...domain.member_data import ENVELOPE_DATE, ENVELOPE_FIELDS, member_fields
from ..failures import EdgeError, MissingFile, NotAFile

ALGORITHM = "AES-256-GCM"
NONCE_BYTES = 12


class MemberDataMode(StrEnum):
    OMIT = "omit"
    INCLUDE = "include"


class InvalidTopicKey(EdgeError):
    """The topic key file does not hold base64 of 32 bytes."""

    code = "invalid_topic_key"


class TopicKeyRequired(EdgeError):
    """`--member-data include` from an encrypted store without a topic key."""

    code = "topic_key_required"


class UndecryptableMemberData(EdgeError):
    """A message's member data does not open with the key given (another key, or changed)."""

    code = "wrong_topic_key"


@dataclass(frozen=True)
class TopicKey:
    secret: bytes

    @property
    def key_id(self) -> str:
        return hashlib.sha256(b"enrollment-ledger topic key\n" + self.secret).hexdigest()[:16]


def new_topic_key() -> str:
    """A new topic key: base64 of 32 random bytes."""
    return base64.b64encode(os.urandom(32)).decode()


def topic_key(text: str) -> TopicKey:
    try:
        secret = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        secret = b""
    if len(secret) != 32:
        raise InvalidTopicKey(
            "the topic key is not base64 of 32 bytes (make one with `enrollment-ledger keygen "
            "--topic`)"
        )
    return TopicKey(secret)


def read_topic_key(path: str) -> TopicKey:
    file = Path(path)
    if file.is_dir():
        raise NotAFile(f"--topic-key-file names a folder ({path}), not a file")
    if not file.exists():
        raise MissingFile(f"--topic-key-file: no such file ({path})")
    try:
        text = file.read_text(encoding="ascii")
    except (UnicodeDecodeError, OSError):
        text = ""
    return topic_key(text)


def _aead(key: TopicKey) -> Any:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key.secret)


@dataclass(frozen=True)
class MemberDataPolicy:
    """What the relay does with each event's member data (see the module's docstring)."""

    mode: MemberDataMode = MemberDataMode.OMIT
    key: TopicKey | None = None

    def apply(self, rendered: dict[str, Any]) -> dict[str, Any]:
        """The event as published: `rendered` (as `apply` prints it) with its member data
        omitted, encrypted or included, and `member_data` saying which."""
        fields = _sorted_member_fields(str(rendered["type"]))
        if not fields:
            return rendered
        if self.mode is MemberDataMode.INCLUDE and self.key is None:
            return {**rendered, "member_data": {"mode": "included", "fields": fields}}
        data = dict(rendered["data"])
        taken = {name: data.pop(name) for name in fields if name in data}
        published = {**rendered, "data": data}
        for name in ENVELOPE_FIELDS.intersection(fields):
            taken.setdefault(name, published.pop(name, None))
        if self.mode is MemberDataMode.OMIT or self.key is None:
            published["member_data"] = {"mode": "omitted", "fields": fields}
            return published
        nonce = os.urandom(NONCE_BYTES)
        envelope = {k: taken.pop(k) for k in ENVELOPE_FIELDS.intersection(fields) if k in taken}
        if ENVELOPE_DATE in envelope:  # `data` repeats the effective date
            taken[ENVELOPE_DATE] = envelope[ENVELOPE_DATE]
        sealed_part = {**envelope, "data": taken}
        plaintext = json.dumps(sealed_part, sort_keys=True, separators=(",", ":")).encode()
        sealed = _aead(self.key).encrypt(nonce, plaintext, str(rendered["id"]).encode())
        published["member_data"] = {
            "mode": "encrypted",
            "fields": fields,
            "algorithm": ALGORITHM,
            "key_id": self.key.key_id,
            "nonce": base64.b64encode(nonce).decode(),
            "ciphertext": base64.b64encode(sealed).decode(),
        }
        return published


def _sorted_member_fields(event_type: str) -> list[str]:
    """`sorted(member_fields(event_type))`, sorted once per type (a fresh list for each event:
    the published value holds it)."""
    return list(_sorted_once(event_type))


@cache
def _sorted_once(event_type: str) -> tuple[str, ...]:
    return tuple(sorted(member_fields(event_type)))


OMIT = MemberDataPolicy()
"""The default: member data left out."""


def member_data_policy(mode: str, key: TopicKey | None, store_encrypted: bool) -> MemberDataPolicy:
    """The relay's policy, refusing `include` from an encrypted store without a topic key."""
    chosen = MemberDataMode(mode)
    if chosen is MemberDataMode.INCLUDE and key is None and store_encrypted:
        raise TopicKeyRequired(
            "the store is encrypted: --member-data include publishes member data only encrypted "
            "with a topic key (--topic-key-file FILE; make one with `enrollment-ledger keygen "
            "--topic`)"
        )
    return MemberDataPolicy(chosen, key if chosen is MemberDataMode.INCLUDE else None)


def decrypt_member_data(value: dict[str, Any], key: TopicKey) -> dict[str, Any]:
    """A published event with its encrypted member data put back (`member_data` then says
    `decrypted`); any other event as it is."""
    sealed = value.get("member_data")
    if not isinstance(sealed, dict) or sealed.get("mode") != "encrypted":
        return value
    from cryptography.exceptions import InvalidTag

    try:
        plaintext = _aead(key).decrypt(
            base64.b64decode(sealed["nonce"]),
            base64.b64decode(sealed["ciphertext"]),
            str(value["id"]).encode(),
        )
    except (InvalidTag, KeyError, ValueError, binascii.Error):
        raise UndecryptableMemberData(
            f"event {value.get('id')}: its member data does not open with topic key "
            f"{key.key_id} (it was sealed with {sealed.get('key_id')})"
        ) from None
    part: dict[str, Any] = json.loads(plaintext)
    opened = {**value, **part, "data": {**value["data"], **part["data"]}}
    opened["member_data"] = {"mode": "decrypted", "fields": sealed["fields"]}
    return opened
