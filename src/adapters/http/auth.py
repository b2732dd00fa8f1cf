"""Bearer tokens and roles for the HTTP API.

A token is `secrets.token_urlsafe(32)` that does not begin with "-" (`new_token`: it is given on the
command line, `tokens revoke TOKEN`), shown once when it is created; the store keeps only its
SHA-256 hash (`ledger_api_tokens`, in the ledger's own database, written with SQLAlchemy Core and
bound parameters). A request's token is hashed and looked up by that hash, then the stored hash is
compared in constant time. A token's short id (the first 12 hex digits of its hash) names it for
`tokens revoke` and `tokens list` and in the server's log without revealing it.

A token carries a label: who uses it. Commands sent with it are recorded by that label (their
events' `recorded_by`). A token may expire (`--expires-in DAYS`): from then on it is refused like
a revoked one (401). Its last use is kept to the minute (`LAST_USED_RESOLUTION`: at most one write
a minute per token, not one per request). A token made before labels were kept has none: its
commands are recorded by `token-<id>`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
    Text,
    insert,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError
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
    WHAT_IF = "what_if"
    VERIFY = "verify"
    DIGEST = "digest"
    PROOF = "proof"
    SCHEMA = "schema"
    TERMINATIONS = "terminations"
    DELINQUENT = "delinquent"


ALL_ROLES = frozenset(Role)

PERMISSIONS: Mapping[Action, frozenset[Role]] = {
    Action.COMMANDS: frozenset({Role.OPERATOR}),
    Action.COVERAGE: frozenset({Role.OPERATOR, Role.APPEALS, Role.DOWNSTREAM}),
    Action.BALANCE: frozenset({Role.OPERATOR, Role.APPEALS, Role.DOWNSTREAM}),
    Action.TIMELINE: frozenset({Role.OPERATOR, Role.APPEALS, Role.COMPLIANCE}),
    Action.HEARING: frozenset({Role.OPERATOR, Role.APPEALS}),
    Action.WHAT_IF: frozenset({Role.OPERATOR, Role.APPEALS}),
    Action.VERIFY: frozenset({Role.OPERATOR, Role.COMPLIANCE}),
    Action.DIGEST: frozenset({Role.OPERATOR, Role.COMPLIANCE}),
    Action.PROOF: frozenset({Role.OPERATOR, Role.COMPLIANCE}),
    Action.SCHEMA: ALL_ROLES,
    # the cross-member forms of coverage and balance, with their roles
    Action.TERMINATIONS: frozenset({Role.OPERATOR, Role.APPEALS, Role.DOWNSTREAM}),
    Action.DELINQUENT: frozenset({Role.OPERATOR, Role.APPEALS, Role.DOWNSTREAM}),
}
"""Which roles may do what: `operator` everything; `appeals` reads, hearing packets and
timelines; `compliance` verify, digest, proofs and timelines; `downstream` coverage and
balance (and their cross-member forms, terminations and delinquent)."""

metadata = MetaData()
tokens_table = Table(
    "ledger_api_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("role", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("label", Text(), nullable=True),
    Column("expires_at", DateTime(timezone=True), nullable=True),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
)
_ADDED_COLUMNS = (
    ("label", "TEXT"),
    ("expires_at", "TIMESTAMP"),
    ("last_used_at", "TIMESTAMP"),
)
"""Columns a tokens table made before them gets when the store is opened (NULL in old rows)."""
_ADDED_COLUMN_TYPES = {"postgresql": {"TIMESTAMP": "TIMESTAMP WITH TIME ZONE"}}

LAST_USED_RESOLUTION = timedelta(minutes=1)

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


def new_token(draw: Callable[[], str] = lambda: secrets.token_urlsafe(32)) -> str:
    """A new secret token (`draw`), drawn again while it begins with "-": such a token given on
    the command line (`tokens revoke TOKEN`) would be read as an option. One draw in 64 is
    redrawn; a token keeps 256 bits of randomness less a fraction of one."""
    token = draw()
    while token.startswith("-"):
        token = draw()
    return token


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _utc(value: datetime | None) -> datetime | None:
    """A stored instant as an aware UTC one (SQLite gives back naive UTC instants)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _iso(value: datetime | None) -> str | None:
    instant = _utc(value)
    return None if instant is None else instant.isoformat()


def unlabelled_actor(token_id: str) -> str:
    """Who a token made before labels were kept records commands as."""
    return f"token-{token_id}"


@dataclass(frozen=True)
class IssuedToken:
    token: str
    role: Role
    id: str
    label: str
    expires_at: datetime | None = None

    def as_json(self) -> dict[str, str | None]:
        return {
            "token": self.token,
            "role": self.role.value,
            "id": self.id,
            "label": self.label,
            "expires_at": _iso(self.expires_at),
        }


@dataclass(frozen=True)
class Grant:
    """What a live token grants: its id (for the log), its role, and the actor its commands are
    recorded by (its label)."""

    id: str
    role: Role
    actor: str


@dataclass(frozen=True)
class TokenInfo:
    id: str
    role: str
    created_at: datetime
    revoked_at: datetime | None
    label: str | None = None
    expires_at: datetime | None = None
    last_used_at: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "role": self.role,
            "created_at": _iso(self.created_at),
            "expires_at": _iso(self.expires_at),
            "last_used_at": _iso(self.last_used_at),
            "revoked_at": _iso(self.revoked_at),
        }


class AmbiguousTokenId(ValueError):
    """A short id that names more than one token."""


class TokenStore:
    """The tokens' hashes, in `ledger_api_tokens` on the ledger's engine."""

    def __init__(self, engine: Engine, clock: Clock = _now) -> None:
        self.engine = engine
        self.clock = clock

    @classmethod
    def for_ledger(cls, ledger: Ledger, clock: Clock = _now) -> TokenStore:
        store = cls(ledger_engine(ledger), clock)
        store.create_table()
        return store

    def create_table(self) -> None:
        """The table, and the columns a table made before them lacks (another process adding
        the same column at the same moment is no failure)."""
        with self.engine.begin() as conn:
            conn.execute(CreateTable(tokens_table, if_not_exists=True))
        for column, column_type in _ADDED_COLUMNS:
            if column in self._columns():
                continue
            try:
                with self.engine.begin() as conn:
                    sql_type = _ADDED_COLUMN_TYPES.get(conn.dialect.name, {}).get(
                        column_type, column_type
                    )
                    name = conn.dialect.identifier_preparer.format_table(tokens_table)
                    conn.execute(text(f"ALTER TABLE {name} ADD COLUMN {column} {sql_type}"))
            except DBAPIError:
                if column not in self._columns():
                    raise

    def _columns(self) -> set[str]:
        with self.engine.connect() as conn:
            return {c["name"] for c in inspect(conn).get_columns(tokens_table.name)}

    def create(self, role: Role, label: str, expires_in_days: int | None = None) -> IssuedToken:
        """A new token for `label` (who will use it; checked by the caller), expiring
        `expires_in_days` days from now when given."""
        token = new_token()
        digest = hash_token(token)
        now = self.clock()
        expires_at = None if expires_in_days is None else now + timedelta(days=expires_in_days)
        with self.engine.begin() as conn:
            conn.execute(
                insert(tokens_table).values(
                    token_hash=digest,
                    role=role.value,
                    created_at=now,
                    label=label,
                    expires_at=expires_at,
                )
            )
        return IssuedToken(
            token=token, role=role, id=digest[:SHORT_ID_LENGTH], label=label, expires_at=expires_at
        )

    def grant_of(self, token: str) -> Grant | None:
        """What a live token grants; None for an unknown, revoked or expired one. Its last use
        is kept (at most once a minute)."""
        digest = hash_token(token)
        table = tokens_table
        with self.engine.connect() as conn:
            row = conn.execute(
                select(
                    table.c.token_hash,
                    table.c.role,
                    table.c.revoked_at,
                    table.c.label,
                    table.c.expires_at,
                    table.c.last_used_at,
                )
                .where(table.c.token_hash == digest)
                .limit(1)
            ).first()
        if row is None or row[2] is not None:
            return None
        if not hmac.compare_digest(str(row[0]).encode(), digest.encode()):
            return None  # pragma: no cover - the lookup was by this very hash
        now = self.clock()
        expires_at = _utc(row[4])
        if expires_at is not None and now >= expires_at:
            return None
        try:
            role = Role(row[1])
        except ValueError:
            return None
        self._note_use(digest, _utc(row[5]), now)
        short_id = digest[:SHORT_ID_LENGTH]
        actor = str(row[3]) if row[3] is not None else unlabelled_actor(short_id)
        return Grant(id=short_id, role=role, actor=actor)

    def role_of(self, token: str) -> Role | None:
        """The role of a live token; None for an unknown, revoked or expired one."""
        grant = self.grant_of(token)
        return None if grant is None else grant.role

    def _note_use(self, digest: str, last_used_at: datetime | None, now: datetime) -> None:
        """Keep `now` as the token's last use unless one within the last minute is kept (one
        conditional statement: requests at the same moment write it once)."""
        if last_used_at is not None and now - last_used_at < LAST_USED_RESOLUTION:
            return
        table = tokens_table
        with self.engine.begin() as conn:
            conn.execute(
                update(table)
                .where(
                    table.c.token_hash == digest,
                    or_(
                        table.c.last_used_at.is_(None),
                        table.c.last_used_at <= now - LAST_USED_RESOLUTION,
                    ),
                )
                .values(last_used_at=now)
            )

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
                .values(revoked_at=self.clock())
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
        created_at=_utc(row["created_at"]) or row["created_at"],
        revoked_at=_utc(row["revoked_at"]),
        label=None if row["label"] is None else str(row["label"]),
        expires_at=_utc(row["expires_at"]),
        last_used_at=_utc(row["last_used_at"]),
    )


def ledger_engine(ledger: Ledger) -> Engine:
    datastore = getattr(ledger.recorder, "datastore", None)
    engine = getattr(datastore, "engine", None)
    if not isinstance(engine, Engine):
        raise RuntimeError("the ledger's store has no SQLAlchemy engine")
    return engine
