"""Bearer tokens and roles for the HTTP API.

A token is `secrets.token_urlsafe(32)`, shown once when it is created; the store keeps only its
SHA-256 hash (`ledger_api_tokens`, in the ledger's own database, written with SQLAlchemy Core and
bound parameters). A request's token is hashed and looked up by that hash, then the stored hash is
compared in constant time. A token's short id (the first 12 hex digits of its hash) names it for
`tokens revoke` and `tokens list` without revealing it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    MetaData,
    RowMapping,
    String,
    Table,
    insert,
    select,
    update,
)
from sqlalchemy.schema import CreateTable

from ...domain.ledger import Ledger

SHORT_ID_LENGTH = 12
_SHORT_ID = re.compile(r"^[0-9a-f]{8,64}$")


class Role(StrEnum):
    OPERATOR = "operator"
    APPEALS = "appeals"
    COMPLIANCE = "compliance"
    DOWNSTREAM = "downstream"


class Action(StrEnum):
    """What a route does, for the permission table."""

    COMMANDS = "commands"
    COVERAGE = "coverage"
    BALANCE = "balance"
    TIMELINE = "timeline"
    HEARING = "hearing"
    VERIFY = "verify"
    DIGEST = "digest"
    PROOF = "proof"
    SCHEMA = "schema"


ALL_ROLES = frozenset(Role)

PERMISSIONS: Mapping[Action, frozenset[Role]] = {
    Action.COMMANDS: frozenset({Role.OPERATOR}),
    Action.COVERAGE: frozenset({Role.OPERATOR, Role.APPEALS, Role.DOWNSTREAM}),
    Action.BALANCE: frozenset({Role.OPERATOR, Role.APPEALS, Role.DOWNSTREAM}),
    Action.TIMELINE: frozenset({Role.OPERATOR, Role.APPEALS, Role.COMPLIANCE}),
    Action.HEARING: frozenset({Role.OPERATOR, Role.APPEALS}),
    Action.VERIFY: frozenset({Role.OPERATOR, Role.COMPLIANCE}),
    Action.DIGEST: frozenset({Role.OPERATOR, Role.COMPLIANCE}),
    Action.PROOF: frozenset({Role.OPERATOR, Role.COMPLIANCE}),
    Action.SCHEMA: ALL_ROLES,
}
"""Which roles may do what: `operator` everything; `appeals` reads, hearing packets and
timelines; `compliance` verify, digest, proofs and timelines; `downstream` coverage and
balance."""

metadata = MetaData()
tokens_table = Table(
    "ledger_api_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("role", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: str
    role: Role
    id: str

    def as_json(self) -> dict[str, str]:
        return {"token": self.token, "role": self.role.value, "id": self.id}


@dataclass(frozen=True)
class TokenInfo:
    id: str
    role: str
    created_at: datetime
    revoked_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "role": self.role,
            "created_at": self.created_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


class AmbiguousTokenId(ValueError):
    """A short id that names more than one token."""


class TokenStore:
    """The tokens' hashes, in `ledger_api_tokens` on the ledger's engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def for_ledger(cls, ledger: Ledger) -> TokenStore:
        store = cls(ledger_engine(ledger))
        store.create_table()
        return store

    def create_table(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(CreateTable(tokens_table, if_not_exists=True))

    def create(self, role: Role) -> IssuedToken:
        token = secrets.token_urlsafe(32)
        digest = hash_token(token)
        with self.engine.begin() as conn:
            conn.execute(
                insert(tokens_table).values(
                    token_hash=digest, role=role.value, created_at=datetime.now(UTC)
                )
            )
        return IssuedToken(token=token, role=role, id=digest[:SHORT_ID_LENGTH])

    def role_of(self, token: str) -> Role | None:
        """The role of a live token; None for an unknown or revoked one."""
        digest = hash_token(token)
        with self.engine.connect() as conn:
            row = conn.execute(
                select(tokens_table.c.token_hash, tokens_table.c.role, tokens_table.c.revoked_at)
                .where(tokens_table.c.token_hash == digest)
                .limit(1)
            ).first()
        if row is None or row[2] is not None:
            return None
        if not hmac.compare_digest(str(row[0]).encode(), digest.encode()):
            return None  # pragma: no cover - the lookup was by this very hash
        try:
            return Role(row[1])
        except ValueError:
            return None

    def revoke(self, token_or_id: str) -> TokenInfo | None:
        """Revoke a token given itself or its short id; None when none matches. Revoking a
        revoked token keeps its first revocation time. Raises AmbiguousTokenId."""
        digest = self._find(token_or_id)
        if digest is None:
            return None
        with self.engine.begin() as conn:
            conn.execute(
                update(tokens_table)
                .where(tokens_table.c.token_hash == digest, tokens_table.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
            row = conn.execute(
                select(tokens_table).where(tokens_table.c.token_hash == digest)
            ).one()
        return _info(row._mapping)

    def all_tokens(self) -> list[TokenInfo]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(tokens_table).order_by(tokens_table.c.created_at)).all()
        return [_info(row._mapping) for row in rows]

    def _find(self, token_or_id: str) -> str | None:
        digest = hash_token(token_or_id)
        with self.engine.connect() as conn:
            found = conn.execute(
                select(tokens_table.c.token_hash).where(tokens_table.c.token_hash == digest)
            ).first()
            if found is not None:
                return digest
            short_id = token_or_id.strip().lower()
            if not _SHORT_ID.match(short_id):
                return None
            rows = conn.execute(
                select(tokens_table.c.token_hash)
                .where(tokens_table.c.token_hash.startswith(short_id, autoescape=True))
                .limit(2)
            ).all()
        if len(rows) > 1:
            raise AmbiguousTokenId(f"{short_id} names more than one token; give more digits")
        return str(rows[0][0]) if rows else None


def _info(row: RowMapping) -> TokenInfo:
    return TokenInfo(
        id=str(row["token_hash"])[:SHORT_ID_LENGTH],
        role=str(row["role"]),
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )


def ledger_engine(ledger: Ledger) -> Engine:
    datastore = getattr(ledger.recorder, "datastore", None)
    engine = getattr(datastore, "engine", None)
    if not isinstance(engine, Engine):
        raise RuntimeError("the ledger's store has no SQLAlchemy engine")
    return engine
