"""The composition root: builds the ledger from a store URL (nothing is created at import).

`StoreKeyError` is the failures module's, kept importable from here."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import sqlite3
from pathlib import Path

from ..domain.ledger import Ledger
from ..domain.parameters import PolicyBook
from ..domain.policy import DEFAULT_POLICY
from .failures import MissingFile, NotAFile, StoreKeyError
from .store.opening import normalise_store_url, require_sqlite_store, sqlite_file
from .store.sqlite_reader import SqliteEventReader

__all__ = [
    "StoreKeyError",
    "build_ledger",
    "cipher_key",
    "new_cipher_key",
    "open_sqlite_reader",
    "resolve_store_url",
]

DEFAULT_STORE_URL = "sqlite:///./ledger.db"
STORE_URL_ENV = "LEDGER_STORE_URL"


def resolve_store_url(store_url: str | None = None) -> str:
    """`--store URL`, else `LEDGER_STORE_URL`, else an SQLite file `./ledger.db`; normalised
    (PostgreSQL through psycopg 3) and checked (`invalid_store_url`)."""
    url = store_url if store_url is not None else os.environ.get(STORE_URL_ENV) or DEFAULT_STORE_URL
    return normalise_store_url(url)


AGGREGATE_CACHE_SIZE = 20_000
CIPHER_KEY_ENV = "LEDGER_CIPHER_KEY"
CIPHER_KEY_FILE_ENV = "LEDGER_CIPHER_KEY_FILE"
_KEY_CHECK = b"enrollment-ledger cipher key check"


def cipher_key(explicit: str | None = None) -> str | None:
    """The AES key (base64 of 16, 24 or 32 bytes): given, `LEDGER_CIPHER_KEY`, or the contents of
    the file named by `LEDGER_CIPHER_KEY_FILE`; None for an unencrypted store."""
    if explicit:
        return explicit.strip()
    if os.environ.get(CIPHER_KEY_ENV):
        return os.environ[CIPHER_KEY_ENV].strip()
    key_file = os.environ.get(CIPHER_KEY_FILE_ENV)
    if key_file:
        return _read_key_file(Path(key_file))
    return None


def _read_key_file(path: Path) -> str:
    if path.is_dir():
        raise NotAFile(f"{CIPHER_KEY_FILE_ENV} names a folder ({path}), not a key file")
    if not path.exists():
        raise MissingFile(f"{CIPHER_KEY_FILE_ENV} names {path}, which does not exist")
    try:
        return path.read_bytes().decode("ascii").strip()
    except UnicodeDecodeError:
        raise StoreKeyError(f"the key file {path} does not hold a base64 key") from None


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
    if not raw:
        raise StoreKeyError("the cipher key is empty")
    if len(raw) not in (16, 24, 32):
        raise StoreKeyError("the cipher key must be 16, 24 or 32 bytes (base64-encoded)")
    return "aes-gcm:" + hashlib.sha256(_KEY_CHECK + raw).hexdigest()[:16]


def build_ledger(
    store_url: str | None = None,
    policy: PolicyBook = DEFAULT_POLICY,
    key: str | None = None,
    *,
    audit_only: bool = False,
    create: bool = True,
    cache_size: int | None = None,
) -> Ledger:
    """The ledger on the store at `store_url`. Event payloads are encrypted at rest (AES-GCM, the
    eventsourcing library's cipher) when a key is given; a store remembers a fingerprint of its
    key, so a wrong or missing key is a clear error, never garbage. `audit_only` opens an
    encrypted store without its key, for `verify` and `digest`, which read only stored bytes.
    `create=False` (every reader) refuses a store that does not exist yet (`UnknownStore`)
    instead of creating an empty one; the URL and the key are checked before anything is opened.
    `cache_size`: the most aggregates kept in memory between commands (`AGGREGATE_CACHE_SIZE` by
    default; `apply --cache`, `serve --cache`)."""
    url = resolve_store_url(store_url)
    secret = cipher_key(key)
    fingerprint = _fingerprint(secret)
    path = sqlite_file(url)
    if path is not None:
        require_sqlite_store(path, create=create)
    settings = {
        "PERSISTENCE_MODULE": "enrollment_ledger.adapters.store.factory:Factory",
        "SQLALCHEMY_URL": url,
        # Aggregates are cached between commands and fast-forwarded from the store on each use
        # (so other processes' writes are seen); commands work on deep copies.
        "AGGREGATE_CACHE_MAXSIZE": str(cache_size or AGGREGATE_CACHE_SIZE),
        "STORE_MUST_EXIST": "no" if create else "yes",
        "CIPHER_TOPIC": "" if secret is None else "eventsourcing.cryptography:AESCipher",
        "CIPHER_KEY": secret or "",
        "COMPRESSOR_TOPIC": "",
    }
    ledger = Ledger(env=pinned(settings), policy=policy)
    try:
        stored = ledger.recorder.set_meta_once("cipher", fingerprint)  # type: ignore[attr-defined]
        if not (audit_only and secret is None):
            check_store_key(stored, fingerprint, secret)
    except BaseException:
        ledger.close()
        raise
    return ledger


def pinned(settings: dict[str, str]) -> dict[str, str]:
    """The settings also under the application's prefix: the eventsourcing library reads
    `LEDGER_<KEY>` before `<KEY>`, from the process environment too, so `LEDGER_CIPHER_KEY` (the
    user's key, unstripped, or empty while the key comes from `LEDGER_CIPHER_KEY_FILE`) would
    otherwise override the checked key."""
    return {**settings, **{f"LEDGER_{key}": value for key, value in settings.items()}}


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
    """A read-only event reader for an existing SQLite store (None for other stores, and for a
    store older than the ledger's settings table: `build_ledger` opens those); the URL, the
    store's existence and its key are checked as `build_ledger(create=False)` checks them."""
    url = resolve_store_url(store_url)
    path = sqlite_file(url)
    if path is None or "?" in url:
        return None
    secret = cipher_key()
    fingerprint = _fingerprint(secret)
    require_sqlite_store(path, create=False)
    reader = SqliteEventReader(path, secret)
    try:
        stored = reader.meta("cipher")
    except sqlite3.OperationalError:
        reader.close()
        return None
    try:
        check_store_key(stored, fingerprint, secret)
    except StoreKeyError:
        reader.close()
        raise
    return reader
