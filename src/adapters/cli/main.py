"""`enrollment-ledger`: the console script. Subcommands import what they need lazily, so the
query path never imports Kafka, HTTP or server packages."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence


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

    sub.add_parser("schema", help="JSON Schema of every command and event")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except FileNotFoundError as e:
        print(json.dumps({"ok": False, "error": {"code": "not_found", "message": str(e)}}))
        return 2


def _dispatch(args: argparse.Namespace) -> int:
    if args.subcommand == "schema":
        from .schema import print_schema

        return print_schema()
    from ..bootstrap import build_ledger

    ledger = build_ledger(args.store)
    if args.subcommand == "apply":
        from .apply import open_input, run_apply

        stream = open_input(args.file)
        try:
            return run_apply(ledger, stream, sys.stdout)
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()
    raise AssertionError(f"unhandled subcommand {args.subcommand}")  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
