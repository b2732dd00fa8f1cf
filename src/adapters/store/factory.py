"""The eventsourcing persistence module for the ledger (`PERSISTENCE_MODULE` points here)."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.utils import strtobool
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from ..failures import UnknownStore, redact
from .opening import CREATED_BY
from .recorder import LedgerRecorder

STORE_MUST_EXIST = "STORE_MUST_EXIST"
"""Set ("yes") by the readers: the store's events table must already be there."""


POOL_SIZE = 20
POOL_OVERFLOW = 20
"""A PostgreSQL store's connections kept open (and made beyond them at a peak, closed after).
SQLAlchemy's defaults (5 and 10) are below what `serve` runs at once (a token check and a read
per request thread, up to 40 threads): under 16 concurrent clients connections were opened and
closed per request, a new server process each on PostgreSQL, which made the latency's tail."""


class _Datastore(SQLAlchemyDatastore):
    """The library's datastore, with a pool sized for a server on PostgreSQL."""

    def __init__(self, *, url: str | None = None, **kwargs: Any) -> None:
        if url is not None and url.startswith("postgresql"):
            kwargs.setdefault("pool_size", POOL_SIZE)
            kwargs.setdefault("max_overflow", POOL_OVERFLOW)
        super().__init__(url=url, **kwargs)


class Factory(SQLAlchemyFactory):
    application_recorder_class = LedgerRecorder
    datastore_class = _Datastore

    def application_recorder(self) -> ApplicationRecorder:
        if strtobool(self.env.get(STORE_MUST_EXIST) or "no"):
            engine = self.datastore.engine
            if isinstance(engine, Engine):
                require_table(engine, (self.env.name.lower() or "stored") + "_events")
        recorder: ApplicationRecorder = super().application_recorder()
        return recorder


def require_table(engine: Engine, table: str) -> None:
    """UnknownStore when the database does not exist or has no `table`; the driver's errors
    (an unreachable server) go up as they are."""
    shown = redact(engine.url.render_as_string(hide_password=True))
    try:
        with engine.connect() as connection:
            exists = inspect(connection).has_table(table)
    except OperationalError as e:
        if _missing_database(e):
            raise UnknownStore(f"the database of {shown} does not exist; {CREATED_BY}") from None
        raise
    if not exists:
        raise UnknownStore(f"{shown} holds no ledger (no {table} table); {CREATED_BY}")


def _missing_database(error: OperationalError) -> bool:
    """PostgreSQL's invalid_catalog_name (3D000), by its code or, when the connection failed
    before a code was given, by its words."""
    original = error.orig
    if getattr(original, "sqlstate", None) == "3D000":
        return True
    text = str(original)
    return "database" in text and "does not exist" in text
