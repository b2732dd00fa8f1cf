"""Which store a URL names, and whether it exists, checked before anything opens it.

A reader (every subcommand but `apply` and `tokens create`) never creates a store: a missing
SQLite file, or a database without the ledger's tables, is `unknown_store`. SQLite files are
checked here with the standard library's `sqlite3`, read-only, because opening a missing file with
SQLAlchemy (or `sqlite3` in its default mode) creates it; a PostgreSQL database is checked by the
persistence factory (`factory.py`) on the engine the ledger uses. Nothing here imports SQLAlchemy
for an SQLite URL, so the query path stays light.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from ..failures import InvalidStoreUrl, MissingFile, NotAFile, UnknownStore, redact

EVENTS_TABLE = "ledger_events"
SQLITE_SCHEMES = ("sqlite", "sqlite+pysqlite")
POSTGRES_SCHEMES = ("postgres", "postgresql", "postgresql+psycopg")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
CREATED_BY = "`enrollment-ledger apply` creates a store"


def normalise_store_url(url: str) -> str:
    """The SQLAlchemy URL for `url` (PostgreSQL through psycopg 3), or InvalidStoreUrl for one the
    ledger cannot use: only SQLite (`sqlite:///FILE`) and PostgreSQL
    (`postgresql://USER:PASSWORD@HOST[:PORT]/DATABASE`)."""
    if not url.strip():
        raise InvalidStoreUrl("the store URL is empty")
    if "\x00" in url or any(c in url for c in "\r\n"):
        raise InvalidStoreUrl("the store URL contains a control character")
    match = _SCHEME.match(url)
    scheme = match.group(1).lower() if match else None
    if scheme in SQLITE_SCHEMES:
        rest = url[match.end() :] if match else ""
        if rest and not rest.startswith("/"):
            raise InvalidStoreUrl(
                f"{redact(url)} is not an SQLite URL: write sqlite:///FILE (three slashes)"
            )
        return url
    if scheme in POSTGRES_SCHEMES and match is not None:
        url = "postgresql+psycopg://" + url[match.end() :]
        _check_postgres_url(url)
        return url
    raise InvalidStoreUrl(
        f"{redact(url)} is not a store URL the ledger can use: sqlite:///FILE or "
        "postgresql://USER:PASSWORD@HOST[:PORT]/DATABASE"
    )


def _check_postgres_url(url: str) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
        port = parsed.port  # a malformed port is found only when read
    except (ArgumentError, ValueError):
        raise InvalidStoreUrl(f"{redact(url)} is not a well-formed PostgreSQL URL") from None
    if port is not None and not 0 < port < 65536:
        raise InvalidStoreUrl(f"{redact(url)}: the port must be 1 to 65535")
    if not parsed.database:
        raise InvalidStoreUrl(f"{redact(url)} names no database (…/DATABASE)")


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL (None for another store); `:memory:` and `sqlite://` are
    Path(":memory:")."""
    match = _SCHEME.match(url)
    if match is None or match.group(1).lower() not in SQLITE_SCHEMES:
        return None
    rest = url[match.end() :]
    if rest in ("", "/"):
        return Path(":memory:")
    name = rest[1:].split("?", 1)[0]
    return Path(name or ":memory:")


def require_sqlite_store(path: Path, *, create: bool) -> None:
    """Refuse an SQLite store that cannot be opened as asked: for a reader (`create=False`) a
    missing file, or a file without the ledger's tables, is `unknown_store`; for a writer only a
    path that is a folder, in a missing folder, or a file that is not an SQLite database."""
    if str(path) == ":memory:":
        if not create:
            raise UnknownStore(f"an in-memory store holds nothing to read; {CREATED_BY}")
        return
    if path.is_dir():
        raise NotAFile(f"the store {path} is a folder, not an SQLite file")
    if not path.exists():
        if not create:
            raise UnknownStore(f"there is no store at {path.absolute()}; {CREATED_BY}")
        if not path.parent.is_dir():
            raise MissingFile(f"the store's folder {path.parent.absolute()} does not exist")
        return
    tables = sqlite_tables(path)
    if not create and EVENTS_TABLE not in tables:
        raise UnknownStore(f"{path} holds no ledger (no {EVENTS_TABLE} table); {CREATED_BY}")


def read_only_uri(path: Path) -> str:
    """A `file:` URI opening `path` read-only (never creating it), whatever its characters."""
    return path.resolve().as_uri() + "?mode=ro"


def sqlite_tables(path: Path) -> set[str]:
    """The table names of an existing SQLite file, read-only; UnknownStore when it is not an
    SQLite database at all."""
    try:
        connection = sqlite3.connect(read_only_uri(path), uri=True)
    except sqlite3.Error as e:
        raise UnknownStore(f"{path} cannot be opened as an SQLite store ({e})") from None
    try:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.DatabaseError as e:
        if isinstance(e, sqlite3.OperationalError) and "locked" in str(e):
            raise
        raise UnknownStore(f"{path} is not a ledger store (not an SQLite database)") from None
    finally:
        connection.close()
    return {str(name) for (name,) in rows}
