"""The HTTP API's tokens in their table (a real SQLite store): a token's label is who its commands
are recorded by; a token is refused from the instant it expires; its last use is kept to the
minute; a tokens table made before labels and expiry gets the columns and keeps its tokens. On
SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from enrollment_ledger.adapters.bootstrap import resolve_store_url
from enrollment_ledger.adapters.http.auth import Role, TokenStore

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, store_url: str) -> Iterator[sa.Engine]:
    url = store_url if request.param == "sqlite" else request.getfixturevalue("pg_store_url")
    engine = sa.create_engine(resolve_store_url(url))
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tokens(engine: sa.Engine, clock: Clock) -> TokenStore:
    store = TokenStore(engine, clock)
    store.create_table()
    return store


def test_a_tokens_grant_names_its_label_as_the_actor(tokens: TokenStore) -> None:
    issued = tokens.create(Role.OPERATOR, "intake desk")
    grant = tokens.grant_of(issued.token)
    assert grant is not None
    assert (grant.id, grant.role, grant.actor) == (issued.id, Role.OPERATOR, "intake desk")


@pytest.mark.parametrize(
    ("after", "live"),
    [
        (timedelta(0), True),
        (timedelta(days=2, seconds=-1), True),
        (timedelta(days=2), False),
        (timedelta(days=400), False),
    ],
    ids=["at creation", "a second before expiry", "at expiry", "long after"],
)
def test_a_token_is_refused_from_the_instant_it_expires(
    tokens: TokenStore, clock: Clock, after: timedelta, live: bool
) -> None:
    issued = tokens.create(Role.DOWNSTREAM, "reporting", expires_in_days=2)
    assert issued.expires_at == T0 + timedelta(days=2)
    clock.now = T0 + after
    assert (tokens.grant_of(issued.token) is not None) is live
    assert (tokens.role_of(issued.token) is not None) is live


def test_a_token_without_an_expiry_does_not_expire(tokens: TokenStore, clock: Clock) -> None:
    issued = tokens.create(Role.APPEALS, "appeals unit")
    clock.now = T0 + timedelta(days=36_500)
    assert tokens.role_of(issued.token) == Role.APPEALS


def test_the_last_use_is_kept_to_the_minute(tokens: TokenStore, clock: Clock) -> None:
    issued = tokens.create(Role.COMPLIANCE, "auditor")
    (info,) = tokens.all_tokens()
    assert info.last_used_at is None

    clock.now = T0 + timedelta(minutes=5)
    assert tokens.grant_of(issued.token) is not None
    clock.now = T0 + timedelta(minutes=5, seconds=59)
    assert tokens.grant_of(issued.token) is not None
    (info,) = tokens.all_tokens()
    assert info.last_used_at == T0 + timedelta(minutes=5)  # one write a minute, not per request

    clock.now = T0 + timedelta(minutes=6)
    assert tokens.grant_of(issued.token) is not None
    (info,) = tokens.all_tokens()
    assert info.last_used_at == T0 + timedelta(minutes=6)


def test_a_refused_token_is_not_marked_used(tokens: TokenStore, clock: Clock) -> None:
    issued = tokens.create(Role.OPERATOR, "night shift", expires_in_days=1)
    clock.now = T0 + timedelta(days=1)
    assert tokens.grant_of(issued.token) is None
    revoked = tokens.create(Role.OPERATOR, "day shift")
    tokens.revoke(revoked.id)
    assert tokens.grant_of(revoked.token) is None
    assert [t.last_used_at for t in tokens.all_tokens()] == [None, None]


def test_the_listing_shows_label_role_created_expires_last_used_and_revoked(
    tokens: TokenStore, clock: Clock
) -> None:
    kept = tokens.create(Role.OPERATOR, "intake desk", expires_in_days=30)
    clock.now = T0 + timedelta(hours=1)
    gone = tokens.create(Role.DOWNSTREAM, "old reporting")
    assert tokens.grant_of(kept.token) is not None
    tokens.revoke(gone.token)
    listed = [t.as_json() for t in tokens.all_tokens()]
    assert listed == [
        {
            "id": kept.id,
            "label": "intake desk",
            "role": "operator",
            "created_at": T0.isoformat(),
            "expires_at": (T0 + timedelta(days=30)).isoformat(),
            "last_used_at": clock.now.isoformat(),
            "revoked_at": None,
        },
        {
            "id": gone.id,
            "label": "old reporting",
            "role": "downstream",
            "created_at": clock.now.isoformat(),
            "expires_at": None,
            "last_used_at": None,
            "revoked_at": clock.now.isoformat(),
        },
    ]


def test_a_tokens_table_made_before_labels_gets_the_columns_and_keeps_its_tokens(
    engine: sa.Engine, clock: Clock
) -> None:
    token = "an-old-token-made-before-labels"
    digest = hashlib.sha256(token.encode()).hexdigest()
    instant = "TIMESTAMP WITH TIME ZONE" if engine.dialect.name == "postgresql" else "DATETIME"
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE ledger_api_tokens (token_hash VARCHAR(64) PRIMARY KEY, "
                f"role VARCHAR(32) NOT NULL, created_at {instant} NOT NULL, revoked_at {instant})"
            )
        )
        conn.execute(
            sa.text("INSERT INTO ledger_api_tokens VALUES (:h, 'operator', :t, NULL)"),
            {"h": digest, "t": datetime(2025, 6, 1, 12, tzinfo=UTC)},
        )
    tokens = TokenStore(engine, clock)
    tokens.create_table()
    tokens.create_table()  # a later opening finds the columns there
    grant = tokens.grant_of(token)
    assert grant is not None
    assert grant.actor == f"token-{digest[:12]}"
    (info,) = tokens.all_tokens()
    assert (info.label, info.expires_at, info.last_used_at) == (None, None, T0)
