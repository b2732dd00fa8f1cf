"""The tree-head signing key: where it is read from, what a malformed one answers, and the exact
bytes a head's Ed25519 signature covers (what an auditor re-implements)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from enrollment_ledger.adapters.audit.proof_check import head_message, key_id
from enrollment_ledger.adapters.audit.signing import (
    InvalidSigningKey,
    new_signing_key,
    parse_signing_key,
    signing_key_from_env,
)
from enrollment_ledger.adapters.failures import MissingFile, NotAFile, failure_of

HEAD = {
    "position": 7,
    "hash": "ab" * 32,
    "events": 7,
    "tree_size": 7,
    "root": "cd" * 32,
}


def test_a_new_key_is_32_random_bytes_in_base64() -> None:
    first, second = new_signing_key(), new_signing_key()
    assert len(base64.b64decode(first, validate=True)) == 32
    assert first != second


def test_a_signed_head_carries_the_public_key_its_id_and_a_signature_over_five_lines() -> None:
    key = parse_signing_key(new_signing_key())
    signed = key.sign_head(HEAD)
    assert head_message(HEAD) == (
        b"enrollment-ledger signed tree head v1\ntree_size=7\nroot=" + b"cd" * 32 + b"\n"
        b"position=7\nchain_hash=" + b"ab" * 32 + b"\n"
    )
    public = base64.b64decode(signed["public_key"])
    assert signed["key_id"] == key_id(public) == key.key_id and len(key.key_id) == 16
    Ed25519PublicKey.from_public_bytes(public).verify(
        base64.b64decode(signed["signature"]), head_message(HEAD)
    )
    assert {k: signed[k] for k in HEAD} == HEAD


def test_a_pem_ed25519_key_is_the_same_key_as_its_raw_bytes() -> None:
    raw = new_signing_key()
    key = parse_signing_key(raw)
    pem = key.private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    assert parse_signing_key(pem).public_key == key.public_key


@pytest.mark.parametrize(
    "text",
    [
        "not base64!",
        base64.b64encode(b"31 bytes, one short of a key!!").decode(),
        base64.b64encode(b"33 bytes: one byte more than a key").decode(),
        "",
        "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----",
    ],
)
def test_a_malformed_key_is_invalid_signing_key(text: str) -> None:
    with pytest.raises(InvalidSigningKey) as refused:
        parse_signing_key(text)
    failure = failure_of(refused.value)
    assert failure is not None
    assert (failure.code, failure.exit_status) == ("invalid_signing_key", 2)


def test_a_key_of_another_algorithm_is_refused() -> None:
    pem = (
        generate_private_key(SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    with pytest.raises(InvalidSigningKey, match="Ed25519"):
        parse_signing_key(pem)


def test_the_key_comes_from_the_variable_then_the_file_then_nowhere(tmp_path: Path) -> None:
    in_variable, in_file = new_signing_key(), new_signing_key()
    key_file = tmp_path / "signing.key"
    key_file.write_text(in_file + "\n")
    both = {"LEDGER_SIGNING_KEY": in_variable, "LEDGER_SIGNING_KEY_FILE": str(key_file)}
    from_variable = signing_key_from_env(both)
    assert from_variable is not None
    assert from_variable.public_key == parse_signing_key(in_variable).public_key
    from_file = signing_key_from_env({"LEDGER_SIGNING_KEY_FILE": str(key_file)})
    assert from_file is not None
    assert from_file.public_key == parse_signing_key(in_file).public_key
    assert signing_key_from_env({}) is None


def test_a_missing_or_folder_key_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(MissingFile):
        signing_key_from_env({"LEDGER_SIGNING_KEY_FILE": str(tmp_path / "none")})
    with pytest.raises(NotAFile):
        signing_key_from_env({"LEDGER_SIGNING_KEY_FILE": str(tmp_path)})
    binary = tmp_path / "binary.key"
    binary.write_bytes(b"\xff\xfe")
    with pytest.raises(InvalidSigningKey):
        signing_key_from_env({"LEDGER_SIGNING_KEY_FILE": str(binary)})
