"""The ledger's Ed25519 signing key for tree heads (`cryptography`).

The key is 32 raw bytes, base64-encoded (what `keygen --signing` prints), or an Ed25519 private
key in PEM (PKCS #8): from `LEDGER_SIGNING_KEY`, else the file named by
`LEDGER_SIGNING_KEY_FILE`. Without either the ledger signs nothing (its heads carry null
signatures). A malformed key is `invalid_signing_key`, never a traceback.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..failures import EdgeError, MissingFile, NotAFile
from .proof_check import head_message, key_id

SIGNING_KEY_ENV = "LEDGER_SIGNING_KEY"
SIGNING_KEY_FILE_ENV = "LEDGER_SIGNING_KEY_FILE"


class InvalidSigningKey(EdgeError):
    code = "invalid_signing_key"


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey

    @property
    def public_key(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    def public_json(self) -> dict[str, str]:
        return {"public_key": base64.b64encode(self.public_key).decode(), "key_id": self.key_id}

    def sign_head(self, head: Mapping[str, Any]) -> dict[str, Any]:
        """The head with its signature, the public key and its id."""
        signature = self.private.sign(head_message(head))
        return {**head, **self.public_json(), "signature": base64.b64encode(signature).decode()}


def unsigned(head: Mapping[str, Any]) -> dict[str, Any]:
    return {**head, "public_key": None, "key_id": None, "signature": None}


def new_signing_key() -> str:
    """A new Ed25519 private key: base64 of its 32 raw bytes."""
    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return base64.b64encode(raw).decode()


def parse_signing_key(text: str, source: str = SIGNING_KEY_ENV) -> SigningKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(text.encode(), password=None)
        except (ValueError, TypeError):
            raise InvalidSigningKey(f"{source} is not an unencrypted PEM private key") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise InvalidSigningKey(f"{source} is not an Ed25519 key")
        return SigningKey(key)
    try:
        raw = base64.b64decode(text.encode(), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidSigningKey(f"{source} is not base64 (keygen --signing makes one)") from None
    if len(raw) != 32:
        raise InvalidSigningKey(f"{source} must be 32 bytes, base64-encoded (keygen --signing)")
    return SigningKey(Ed25519PrivateKey.from_private_bytes(raw))


def signing_key_from_env(environ: Mapping[str, str] | None = None) -> SigningKey | None:
    """`LEDGER_SIGNING_KEY`, else the contents of `LEDGER_SIGNING_KEY_FILE`, else None."""
    env = os.environ if environ is None else environ
    if env.get(SIGNING_KEY_ENV):
        return parse_signing_key(env[SIGNING_KEY_ENV])
    name = env.get(SIGNING_KEY_FILE_ENV)
    if not name:
        return None
    path = Path(name)
    if path.is_dir():
        raise NotAFile(f"{SIGNING_KEY_FILE_ENV} names a folder ({path}), not a key file")
    if not path.exists():
        raise MissingFile(f"{SIGNING_KEY_FILE_ENV} names {path}, which does not exist")
    try:
        text = path.read_bytes().decode("ascii")
    except UnicodeDecodeError:
        raise InvalidSigningKey(f"the key file {path} does not hold a base64 key") from None
    return parse_signing_key(text, SIGNING_KEY_FILE_ENV)
