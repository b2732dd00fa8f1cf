"""`enrollment-ledger`: the console script. Subcommands import what they need lazily, so the
query path never imports Kafka, HTTP or server packages."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from .bench import add_bench_parsers, run_bench
from .downstream import add_downstream_parsers, run_downstream
from .http import add_http_parsers, run_http
from .projections import add_projection_parsers


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--store",
        metavar="URL",
        default=None,
        help="SQLAlchemy URL of the event store (default: $LEDGER_STORE_URL or sqlite:///./ledger.db)",
    )
    parser = argparse.ArgumentParser(
        prog="enrollment-ledger",
        description="Event-sourced enrollment ledger for the Massachusetts Health Connector "
        "(956 CMR 12.00).",
    )
    sub = parser.add_subparsers(dest="subcommand", required=True)

    apply = sub.add_parser("apply", parents=[common], help="apply JSON Lines commands")
    apply.add_argument("file", help="a JSON Lines file of commands, or - for standard input")

    verify = sub.add_parser("verify", parents=[common], help="re-check the store's hash chain")
    verify.add_argument("--json", action="store_true", help="print the result as JSON")
    verify.add_argument(
        "--digest", metavar="FILE", default=None, help="a head printed earlier by `digest --json`"
    )
    digest = sub.add_parser("digest", parents=[common], help="print the hash chain's head")
    digest.add_argument("--json", action="store_true", help="print the head as JSON")

    for kind, key, text in (
        ("coverage", "enrollment_id", "coverage spans and status of an enrollment"),
        ("balance", "enrollment_id", "premiums by month, credit and refund due"),
        ("timeline", "household_id", "every event of a household, its enrollments and appeals"),
        ("hearing", "appeal_id", "the hearing packet of an appeal"),
    ):
        query = sub.add_parser(kind, parents=[common], help=text)
        query.add_argument(key)
        if kind in ("coverage", "balance"):
            query.add_argument("--as-of", metavar="DATE", default=None, help="business date")
        if kind != "hearing":
            query.add_argument(
                "--known-at",
                metavar="INSTANT",
                default=None,
                help="record time (ISO 8601 + offset)",
            )
        query.add_argument("--json", action="store_true", help="print JSON")

    sub.add_parser("schema", help="JSON Schema of every command and event")
    sub.add_parser(
        "keygen", help="print a new AES-256 key for LEDGER_CIPHER_KEY (encryption at rest)"
    )
    add_downstream_parsers(sub, common)
    add_bench_parsers(sub, common)
    add_projection_parsers(sub, common)
    add_http_parsers(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from ..bootstrap import StoreKeyError

    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except FileNotFoundError as e:
        print(json.dumps({"ok": False, "error": {"code": "not_found", "message": str(e)}}))
        return 2
    except StoreKeyError as e:
        print(json.dumps({"ok": False, "error": {"code": e.code, "message": str(e)}}))
        return 2
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _dispatch(args: argparse.Namespace) -> int:
    if args.subcommand == "keygen":
        from ..bootstrap import new_cipher_key

        print(new_cipher_key())
        return 0
    if args.subcommand == "schema":
        from .schema import print_schema

        return print_schema()
    if args.subcommand in ("relay", "consume"):
        return run_downstream(args)
    if args.subcommand == "bench":
        return run_bench(args)
    if args.subcommand in ("serve", "tokens"):
        return run_http(args)
    if args.subcommand in ("coverage", "balance"):
        from ..bootstrap import open_sqlite_reader

        reader = open_sqlite_reader(args.store)
        if reader is not None:  # an SQLite store: read its events without SQLAlchemy
            from .queries import run_enrollment_query

            try:
                return run_enrollment_query(
                    reader,
                    args.subcommand,
                    args.enrollment_id,
                    args.as_of,
                    args.known_at,
                    args.json,
                )
            finally:
                reader.close()
    from ..bootstrap import build_ledger

    ledger = build_ledger(args.store, audit_only=args.subcommand in ("verify", "digest"))
    if args.subcommand == "apply":
        from .apply import open_input, run_apply

        stream = open_input(args.file)
        try:
            return run_apply(ledger, stream, sys.stdout)
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()
    if args.subcommand in ("coverage", "balance", "timeline", "hearing"):
        from .queries import run_query

        key = {"timeline": "household_id", "hearing": "appeal_id"}.get(
            args.subcommand, "enrollment_id"
        )
        return run_query(
            ledger,
            args.subcommand,
            getattr(args, key),
            getattr(args, "as_of", None),
            getattr(args, "known_at", None),
            args.json,
        )
    if args.subcommand in ("projections", "terminations", "delinquent"):
        from .projections import run_projection_command

        return run_projection_command(ledger, args)
    if args.subcommand in ("verify", "digest"):
        from .audit import run_audit

        return run_audit(ledger, args)
    raise AssertionError(f"unhandled subcommand {args.subcommand}")  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
