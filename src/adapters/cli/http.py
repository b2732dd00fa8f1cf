"""The `serve` and `tokens` subcommands (the HTTP API). Only argparse is imported here; FastAPI,
uvicorn and the tokens table are imported when one of them runs."""

from __future__ import annotations

import argparse
import copy
import json
import sys
from typing import IO, Any

ROLES = ("operator", "appeals", "compliance", "downstream")


def _port(text: str) -> int:
    value = int(text)
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError("must be a port number, 1 to 65535")
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

    tokens = sub.add_parser(
        "tokens",
        parents=[common],
        help="create, revoke and list the HTTP API's bearer tokens",
        description="Tokens are stored only as SHA-256 hashes; a token is shown once, when it "
        "is created.",
    )
    # `--store` is accepted after the action too, without resetting one given before it
    store_again = argparse.ArgumentParser(add_help=False)
    store_again.add_argument(
        "--store", metavar="URL", default=argparse.SUPPRESS, help="SQLAlchemy URL of the store"
    )
    actions = tokens.add_subparsers(dest="tokens_action", required=True)
    create = actions.add_parser("create", parents=[store_again], help="create a token")
    create.add_argument("--role", required=True, choices=ROLES, help="what the token may do")
    create.add_argument("--json", action="store_true", help='print {"token", "role", "id"}')
    revoke = actions.add_parser("revoke", parents=[store_again], help="revoke a token")
    revoke.add_argument("token", help="the token, or its id (as `create` and `list` print it)")
    revoke.add_argument("--json", action="store_true", help="print the result as JSON")
    listing = actions.add_parser("list", parents=[store_again], help="list tokens (ids only)")
    listing.add_argument("--json", action="store_true", help="print JSON lines")


def run_http(args: argparse.Namespace) -> int:
    from ..bootstrap import build_ledger

    ledger = build_ledger(args.store)
    try:
        if args.subcommand == "serve":
            return serve(ledger, args.host, args.port)
        return run_tokens(ledger, args, sys.stdout)
    finally:
        ledger.close()


def serve(ledger: Any, host: str, port: int) -> int:
    try:
        import uvicorn
        from uvicorn.config import LOGGING_CONFIG

        from ..http.app import ACCESS_LOGGER, create_app
    except ModuleNotFoundError as e:
        message = (
            f"{e.name} is missing: install the http extra (pip install 'enrollment-ledger[http]')"
        )
        print(
            json.dumps({"ok": False, "error": {"code": "missing_dependency", "message": message}})
        )
        return 2

    log_config = copy.deepcopy(LOGGING_CONFIG)
    log_config["loggers"][ACCESS_LOGGER] = {
        "handlers": ["default"],
        "level": "INFO",
        "propagate": False,
    }
    uvicorn.run(
        create_app(ledger),
        host=host,
        port=port,
        access_log=False,  # it would log query strings; the app logs route templates instead
        log_config=log_config,
        server_header=False,
    )
    return 0


def run_tokens(ledger: Any, args: argparse.Namespace, out: IO[str]) -> int:
    from ..http.auth import AmbiguousTokenId, Role, TokenStore

    store = TokenStore.for_ledger(ledger)
    if args.tokens_action == "create":
        issued = store.create(Role(args.role))
        if args.json:
            out.write(json.dumps(issued.as_json()) + "\n")
        else:
            out.write(
                f"token: {issued.token}\nrole:  {issued.role.value}\nid:    {issued.id}\n"
                "The token is shown only now; the store keeps its hash. "
                f"Revoke it with `enrollment-ledger tokens revoke {issued.id}`.\n"
            )
        return 0
    if args.tokens_action == "revoke":
        try:
            info = store.revoke(args.token)
        except AmbiguousTokenId as e:
            return _token_error(out, "ambiguous_token_id", str(e))
        if info is None:
            return _token_error(out, "unknown_token", "no token has that value or id")
        if args.json:
            out.write(json.dumps({"ok": True, **info.as_json()}) + "\n")
        else:
            out.write(f"revoked {info.id} ({info.role}) at {info.revoked_at}\n")
        return 0
    for token in store.all_tokens():
        if args.json:
            out.write(json.dumps(token.as_json()) + "\n")
        else:
            state = f"revoked {token.revoked_at}" if token.revoked_at else "live"
            out.write(f"{token.id}  {token.role:<10}  created {token.created_at}  {state}\n")
    return 0


def _token_error(out: IO[str], code: str, message: str) -> int:
    out.write(json.dumps({"ok": False, "error": {"code": code, "message": message}}) + "\n")
    return 1
