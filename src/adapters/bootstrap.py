"""The composition root: builds the ledger from a store URL (nothing is created at import)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import sqlite3
from pathlib import Path

from ..domain.ledger import Ledger
from ..domain.policy import DEFAULT_POLICY, PolicyBook
from .store.sqlite_reader import SqliteEventReader, sqlite_path

DEFAULT_STORE_URL = "sqlite:///./ledger.db"
STORE_URL_ENV = "LEDGER_STORE_URL"


def resolve_store_url(store_url: str | None = None) -> str:
    """`--store URL`, else `LEDGER_STORE_URL`, else an SQLite file `./ledger.db`."""
    url = store_url or os.environ.get(STORE_URL_ENV) or DEFAULT_STORE_URL
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        path = Path(url[len("sqlite:///") :])
        if path.parent and not path.parent.exists():
            raise FileNotFoundError(f"the store's folder {path.parent} does not exist")
    return url


AGGREGATE_CACHE_SIZE = 20_000
CIPHER_KEY_ENV = "LEDGER_CIPHER_KEY"
CIPHER_KEY_FILE_ENV = "LEDGER_CIPHER_KEY_FILE"
_KEY_CHECK = b"enrollment-ledger cipher key check"


class StoreKeyError(Exception):
    """The store was written with encryption settings other than the ones given now."""

    code = "wrong_key"


def cipher_key(explicit: str | None = None) -> str | None:
    """The AES key (base64 of 16, 24 or 32 bytes): given, `LEDGER_CIPHER_KEY`, or the contents of
    the file named by `LEDGER_CIPHER_KEY_FILE`; None for an unencrypted store."""
    if explicit:
        return explicit.strip()
    if os.environ.get(CIPHER_KEY_ENV):
        return os.environ[CIPHER_KEY_ENV].strip()
    key_file = os.environ.get(CIPHER_KEY_FILE_ENV)
    if key_file:
        return Path(key_file).read_text(encoding="utf-8").strip()
    return None


def new_cipher_key() -> str:
    from eventsourcing.cryptography import AESCipher

    return AESCipher.create_key(32)


def _fingerprint(key: str | None) -> str:
    if key is None:
        return "none"
    try:
        raw = base64.b64decode(key.encode(), validate=True)
    except (binascii.Error, ValueError):
        raise StoreKeyError("the cipher key is not valid base64") from None
    if len(raw) not in (16, 24, 32):
        raise StoreKeyError("the cipher key must be 16, 24 or 32 bytes (base64-encoded)")
    return "aes-gcm:" + hashlib.sha256(_KEY_CHECK + raw).hexdigest()[:16]


def build_ledger(
    store_url: str | None = None,
    policy: PolicyBook = DEFAULT_POLICY,
    key: str | None = None,
    *,
    audit_only: bool = False,
) -> Ledger:
    """The ledger on the store at `store_url`. Event payloads are encrypted at rest (AES-GCM, the
    eventsourcing library's cipher) when a key is given; a store remembers a fingerprint of its
    key, so a wrong or missing key is a clear error, never garbage. `audit_only` opens an
    encrypted store without its key, for `verify` and `digest`, which read only stored bytes."""
    url = resolve_store_url(store_url)
    secret = cipher_key(key)
    fingerprint = _fingerprint(secret)
    env = {
        "PERSISTENCE_MODULE": "enrollment_ledger.adapters.store.factory:Factory",
        "SQLALCHEMY_URL": url,
        # Aggregates are cached between commands and fast-forwarded from the store on each use
        # (so other processes' writes are seen); commands work on deep copies.
        "AGGREGATE_CACHE_MAXSIZE": str(AGGREGATE_CACHE_SIZE),
    }
    if secret is not None:
        env["CIPHER_TOPIC"] = "eventsourcing.cryptography:AESCipher"
        env["CIPHER_KEY"] = secret
    ledger = Ledger(env=env, policy=policy)
    stored = ledger.recorder.set_meta_once("cipher", fingerprint)  # type: ignore[attr-defined]
    if not (audit_only and secret is None):
        try:
            check_store_key(stored, fingerprint, secret)
        except StoreKeyError:
            ledger.close()
            raise
    return ledger


def check_store_key(stored: str | None, fingerprint: str, secret: str | None) -> None:
    """Refuse a key other than the one the store was written with (or a missing one)."""
    if stored is None or stored == fingerprint:
        return
    if stored == "none":
        raise StoreKeyError("this store is not encrypted; run without a cipher key")
    if secret is None:
        raise StoreKeyError(
            "this store is encrypted: set LEDGER_CIPHER_KEY or LEDGER_CIPHER_KEY_FILE"
        )
    raise StoreKeyError("the cipher key does not match the one this store was written with")


def open_sqlite_reader(store_url: str | None) -> SqliteEventReader | None:
    """A read-only event reader for an existing SQLite store (None for other stores, or a file
    the ledger has not written yet); the store's key is checked as `build_ledger` checks it."""
    path = sqlite_path(resolve_store_url(store_url))
    if path is None:
        return None
    secret = cipher_key()
    try:
        reader = SqliteEventReader(path, secret)
        stored = reader.meta("cipher")
    except sqlite3.Error:
        return None
    try:
        check_store_key(stored, _fingerprint(secret), secret)
    except StoreKeyError:
        reader.close()
        raise
    return reader
