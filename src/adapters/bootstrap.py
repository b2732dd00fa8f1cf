"""The composition root: builds the ledger from a store URL (nothing is created at import)."""

from __future__ import annotations

import os
from pathlib import Path

from ..domain.ledger import Ledger
from ..domain.policy import DEFAULT_POLICY, PolicyBook

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


def build_ledger(store_url: str | None = None, policy: PolicyBook = DEFAULT_POLICY) -> Ledger:
    url = resolve_store_url(store_url)
    env = {
        "PERSISTENCE_MODULE": "enrollment_ledger.adapters.store.factory:Factory",
        "SQLALCHEMY_URL": url,
    }
    return Ledger(env=env, policy=policy)
