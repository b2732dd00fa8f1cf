"""Column types of the ledger's own tables (the recorder's, the relay's, the read models')."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Integer


def bigint() -> Any:
    """A 64-bit integer column (a store position, milliseconds): BIGINT on PostgreSQL, INTEGER
    on SQLite (whose INTEGER already holds 64 bits)."""
    return BigInteger().with_variant(Integer(), "sqlite")
