"""The `serve` and `tokens` subcommands (the HTTP API). Only argparse is imported here; FastAPI,
uvicorn and the tokens table are imported when one of them runs."""

from __future__ import annotations

import argparse
import copy
import errno
import json
import socket
import sys
from typing import IO, Any

from ..failures import EdgeError, InvalidOption, Refused
from ..group_commit import GROUP_LIMIT
from .options import (
    MAX_BATCH,
    actor_name,
    add_cache_option,
    add_count_option,
    add_json_option,
    identifier,
)

ROLES = ("operator", "appeals", "compliance", "downstream")
MAX_EXPIRY_DAYS = 36_500


def _port(text: str) -> int:
    value = int(text)
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError("must be a port number, 1 to 65535")
    return value


def _days(text: str) -> int:
    """An argparse type: a whole number of days, 1 to MAX_EXPIRY_DAYS (100 years)."""
    value = int(text)
    if not 1 <= value <= MAX_EXPIRY_DAYS:
        raise argparse.ArgumentTypeError(f"must be a whole number of days, 1 to {MAX_EXPIRY_DAYS}")
    return value


def add_http_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    serve = sub.add_parser(
        "serve",
        parents=[common],
        help="serve the HTTP API (uvicorn)",
        description="Serve the commands and queries over HTTP with bearer tokens and roles "
        "(operator, appeals, compliance, downstream). Create tokens with `tokens create`.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="(default: 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8000, help="(default: 8000)")
    add_count_option(
        serve,
        "--batch",
        "commands",
        MAX_BATCH,
        1,
        "record a POSTed array up to N commands per transaction, each command atomic (default: 1)",
    )
    add_count_option(
        serve,
        "--group",
        "commands",
        MAX_BATCH,
        GROUP_LIMIT,
        "record the single commands of concurrent requests together, up to N per transaction, "
        "each atomic and answered once its transaction has committed (1: a transaction per "
        f"request; default: {GROUP_LIMIT})",
    )
    add_cache_option(serve)

    tokens = sub.add_parser(
        "tokens",
        parents=[common],
        help="create, revoke and list the HTTP API's bearer tokens",
        description="Tokens are stored only as SHA-256 hashes; a token is shown once, when it "
        "is created.",
    )
    # `--store` is accepted after the action too, without resetting one given before it
    actions = tokens.add_subparsers(dest="tokens_action", required=True)
    create = actions.add_parser("create", parents=[common], help="create a token")
    create.add_argument("--role", required=True, choices=ROLES, help="what the token may do")
    create.add_argument(
        "--label",
        required=True,
        metavar="NAME",
        type=actor_name("--label"),
        help="who uses the token: the commands sent with it are recorded by this name",
    )
    create.add_argument(
        "--expires-in",
        metavar="DAYS",
        type=_days,
        default=None,
        help="the token is refused (401) that many days after it is created (default: never)",
    )
    add_json_option(create, 'print {"token", "role", "id", "label", "expires_at"}')
    revoke = actions.add_parser("revoke", parents=[common], help="revoke a token")
    revoke.add_argument(
        "token",
        type=identifier("TOKEN"),
        help="the token, or its id (as `create` and `list` print it)",
    )
    add_json_option(revoke, "print the result as JSON")
    listing = actions.add_parser(
        "list",
        parents=[common],
        help="list tokens: id, label, role, created, expires, last used, revoked (never a token)",
    )
    add_json_option(listing, "print JSON lines")


def run_http(args: argparse.Namespace, *, create: bool = False) -> int:
    """`serve` and `tokens`; only `tokens create` may create the store (`create`): the server
    and the other token actions need an existing one (`unknown_store`)."""
    from ..bootstrap import build_ledger

    cache = args.cache if args.subcommand == "serve" else None  # the tokens keep none
    ledger = build_ledger(args.store, create=create, cache_size=cache)
    try:
        if args.subcommand == "serve":
            return serve(ledger, args.host, args.port, args.batch, args.group)
        return run_tokens(ledger, args, sys.stdout)
    finally:
        ledger.close()


def serve(ledger: Any, host: str, port: int, batch: int = 1, group: int = GROUP_LIMIT) -> int:
    """Serve until stopped. A missing http extra, like a store error, is answered by the command
    line's one mapping (`failures.failure_of`): `missing_dependency`."""
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from ...runtime.collection import freeze_start_up
    from ..http.app import ACCESS_LOGGER, create_app

    check_address(host, port)
    log_config = copy.deepcopy(LOGGING_CONFIG)
    log_config["loggers"][ACCESS_LOGGER] = {
        "handlers": ["default"],
        "level": "INFO",
        "propagate": False,
    }
    app = create_app(ledger, batch=batch, group=group)
    freeze_start_up()
    try:
        uvicorn.run(
            app,
            host=host,
            port=port,
            access_log=False,  # it would log query strings; the app logs route templates instead
            log_config=log_config,
            server_header=False,
        )
    except SystemExit as e:  # uvicorn's own start-up failure (its exit status 3), logged by it
        if e.code not in (0, None):
            raise EdgeError(
                "the HTTP server could not start (see its log)", "server_failed"
            ) from None
    return 0


def check_address(host: str, port: int) -> None:
    """Refuse, before the server starts, an address it could not listen on (uvicorn would log
    an OS error and exit with its own status)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (OSError, UnicodeError):
        raise InvalidOption(f"--host {host[:60]!r} is not an address of this machine") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise EdgeError(f"{host}:{port} is already in use", "address_in_use") from None
            raise EdgeError(
                f"the server cannot listen on {host}:{port} ({e.strerror})", "address_unavailable"
            ) from None


def run_tokens(ledger: Any, args: argparse.Namespace, out: IO[str]) -> int:
    from ..http.auth import AmbiguousTokenId, Role, TokenStore

    store = TokenStore.for_ledger(ledger)
    if args.tokens_action == "create":
        issued = store.create(Role(args.role), args.label, args.expires_in)
        if args.json:
            out.write(json.dumps(issued.as_json()) + "\n")
        else:
            expires = issued.as_json()["expires_at"] or "never"
            out.write(
                f"token:   {issued.token}\nrole:    {issued.role.value}\nlabel:   {issued.label}\n"
                f"id:      {issued.id}\nexpires: {expires}\n"
                "The token is shown only now; the store keeps its hash. Commands sent with it "
                f"are recorded by {issued.label!r}. "
                f"Revoke it with `enrollment-ledger tokens revoke {issued.id}`.\n"
            )
        return 0
    if args.tokens_action == "revoke":
        try:
            info = store.revoke(args.token)
        except AmbiguousTokenId as e:
            raise Refused(str(e), "ambiguous_token_id") from None
        if info is None:
            raise Refused("no token has that value or id", "unknown_token")
        if args.json:
            out.write(json.dumps({"ok": True, **info.as_json()}) + "\n")
        else:
            out.write(f"revoked {info.id} ({info.role}) at {info.revoked_at}\n")
        return 0
    tokens = store.all_tokens()
    if args.json:
        for token in tokens:
            out.write(json.dumps(token.as_json()) + "\n")
        return 0
    out.write(token_table(tokens))
    return 0


TOKEN_COLUMNS = ("id", "label", "role", "created", "expires", "last used", "revoked")


def token_table(tokens: list[Any]) -> str:
    """The tokens as an aligned text table, one row each (never a token: its id only);
    instants to the minute, in UTC."""
    rows = [
        [
            token.id,
            token.label if token.label is not None else "(none)",
            token.role,
            _minute(token.created_at),
            _minute(token.expires_at) or "never",
            _minute(token.last_used_at) or "never",
            _minute(token.revoked_at) or "no",
        ]
        for token in tokens
    ]
    widths = [max(len(r[i]) for r in [list(TOKEN_COLUMNS), *rows]) for i in range(7)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [list(TOKEN_COLUMNS), *rows]
    ]
    return "\n".join(lines) + "\n"


def _minute(instant: Any) -> str:
    if instant is None:
        return ""
    return str(instant.strftime("%Y-%m-%d %H:%MZ"))
