"""`enrollment-ledger`: the console script. Subcommands import what they need lazily, so the
query path never imports Kafka, HTTP or server packages.

Every failure is answered here, through one mapping (`failures.failure_of`): one line on
standard output, the contract's error body with --json (and for `apply`, whose answers are JSON),
else the code, the message and what to do next (`failures.next_step`); and the exit status of
its kind (0 done, 1 refused, 2 not run). No traceback reaches the user."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from ..failures import Failure, failure_of
from .bench import add_bench_parsers
from .downstream import add_downstream_parsers
from .http import add_http_parsers
from .options import (
    MAX_BATCH,
    actor_option,
    add_as_of_option,
    add_cache_option,
    add_count_option,
    add_global_options,
    add_json_option,
    add_known_at_option,
    identifier,
    settle_global_json,
    store_option,
)
from .projections import add_projection_parsers
from .proofs import add_proof_parsers

if TYPE_CHECKING:
    from ...domain.ledger import Ledger

INTERRUPTED = 130

CREATES_THE_STORE = {("apply", None), ("tokens", "create")}
"""The only subcommands that create a store that does not exist yet; every other one is a reader
of an existing store (`unknown_store` otherwise), even those that write into it (projections,
the relay's position, revoking a token)."""


def _parser() -> argparse.ArgumentParser:
    common = store_option()
    parser = argparse.ArgumentParser(
        prog="enrollment-ledger",
        description="Event-sourced enrollment ledger for the Massachusetts Health Connector "
        "(956 CMR 12.00). --store, --actor and --json may be given before the subcommand or "
        "after it.",
    )
    add_global_options(parser)
    sub = parser.add_subparsers(dest="subcommand", required=True)

    apply = sub.add_parser(
        "apply", parents=[common, actor_option()], help="apply JSON Lines commands"
    )
    apply.add_argument("file", help="a JSON Lines file of commands, or - for standard input")
    add_count_option(
        apply,
        "--batch",
        "commands",
        MAX_BATCH,
        1,
        "up to N commands per transaction, each command atomic (a savepoint), their answers "
        "printed once it has committed (default: 1)",
    )
    add_cache_option(apply)

    verify = sub.add_parser("verify", parents=[common], help="re-check the store's hash chain")
    add_json_option(verify, "print the result as JSON")
    verify.add_argument(
        "--digest", metavar="FILE", default=None, help="a head printed earlier by `digest --json`"
    )
    verify.add_argument(
        "--public-key",
        metavar="KEY",
        default=None,
        help="check the digest's signature with this pinned Ed25519 public key (base64)",
    )
    digest = sub.add_parser(
        "digest", parents=[common], help="print the hash chain's head and the signed tree head"
    )
    add_json_option(digest, "print the head as JSON")

    for kind, key, text in (
        ("coverage", "enrollment_id", "coverage spans and status of an enrollment"),
        ("balance", "enrollment_id", "premiums by month, credit and refund due"),
        ("timeline", "household_id", "every event of a household, its enrollments and appeals"),
        ("hearing", "appeal_id", "the hearing packet of an appeal"),
    ):
        query = sub.add_parser(kind, parents=[common], help=text)
        query.add_argument(key, type=identifier(key.upper()))
        if kind in ("coverage", "balance", "hearing"):
            add_as_of_option(query)  # a hearing's: the date whose policy it recomputes with
        if kind != "hearing":
            add_known_at_option(query)
        else:
            query.add_argument(
                "--html", metavar="FILE", default=None, help="write the hearing page to FILE"
            )
            query.add_argument(
                "--what-if",
                metavar="FACTS.json",
                default=None,
                help="recompute the appealed determination with these facts (nothing is recorded)",
            )
        if kind == "timeline":
            query.add_argument(
                "--wide", action="store_true", help="show the events' whole ids (default: short)"
            )
        add_json_option(query)

    schema = sub.add_parser("schema", help="JSON Schema of every command and event")
    schema.add_argument(
        "--out",
        metavar="DIR",
        default=None,
        help="write one file per command, event type (versioned) and Kafka part into DIR",
    )
    keygen = sub.add_parser(
        "keygen",
        help="print a new AES-256 key for LEDGER_CIPHER_KEY (encryption at rest), or with "
        "--signing a new Ed25519 key for LEDGER_SIGNING_KEY (signed tree heads)",
    )
    keygen.add_argument(
        "--signing", action="store_true", help="an Ed25519 private key (base64) for signing"
    )
    keygen.add_argument(
        "--topic",
        action="store_true",
        help="a topic key (base64) for `relay --member-data include --topic-key-file`",
    )
    keygen.add_argument(
        "--public",
        action="store_true",
        help="print the public key (and its id) of the configured LEDGER_SIGNING_KEY instead",
    )
    add_proof_parsers(sub, common)
    add_downstream_parsers(sub, common)
    add_bench_parsers(sub, common)
    add_projection_parsers(sub, common)
    add_http_parsers(sub, common)
    return parser


ANSWERS_IN_JSON = {"apply", "schema", "relay", "consume"}
"""The subcommands whose answers are JSON whatever the options (`apply` answers JSON Lines, one
per command; `schema` the schemas, or a JSON line after --out; `relay` a JSON summary line;
`consume` a JSON line per event): their failures are the contract's error body too. Every other
subcommand answers a person unless --json is given, its failures included."""


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    as_json = wants_json(words)
    try:
        parser = _parser()
        args = parser.parse_args(words)
        settle_global_json(parser, args)
        as_json = bool(getattr(args, "json", False)) or args.subcommand in ANSWERS_IN_JSON
        return _dispatch(args)
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly
        return _reader_gone()
    except KeyboardInterrupt:
        return INTERRUPTED
    except Exception as e:
        try:
            return report(e, as_json=as_json)
        except BrokenPipeError:
            return _reader_gone()


_OPTIONS_WITH_VALUES = {"--store", "--actor"}


def wants_json(words: list[str]) -> bool:
    """Whether a failure found while the arguments are read (an option's value) is answered in
    JSON: --json is among them, or the subcommand answers in JSON (`ANSWERS_IN_JSON`)."""
    if "--json" in words:
        return True
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in _OPTIONS_WITH_VALUES:
            skip = True
        elif not word.startswith("-"):
            return word in ANSWERS_IN_JSON
    return False


def _reader_gone() -> int:
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1


def report(error: Exception, *, as_json: bool = True) -> int:
    """Print the failure for `error`, the contract's error body (`as_json`) or one readable line
    with the code, the message and what to do next, and return its exit status; an exception
    nobody expected is `internal_error`, its type named on standard error (never a traceback)."""
    failure = failure_of(error)
    if failure is None:
        print(f"enrollment-ledger: internal error {type(error).__name__}", file=sys.stderr)
        failure = Failure("internal_error", "the ledger could not complete the command", 1)
    print(json.dumps(failure.body()) if as_json else failure.readable(), flush=True)
    return failure.exit_status


def creates_store(args: argparse.Namespace) -> bool:
    action = getattr(args, "tokens_action", None)
    return (args.subcommand, action) in CREATES_THE_STORE


def _dispatch(args: argparse.Namespace) -> int:
    if args.subcommand == "keygen":
        return _keygen(args)
    if args.subcommand == "verify-proof":
        from .proofs import run_verify_proof

        return run_verify_proof(args)
    if args.subcommand == "schema":
        from .schema import print_schema

        return print_schema(args.out)
    if args.subcommand in ("relay", "consume"):
        from .downstream import run_downstream

        return run_downstream(args)
    if args.subcommand == "bench":
        from .bench import run_bench

        return run_bench(args)
    if args.subcommand in ("serve", "tokens"):
        from .http import run_http

        return run_http(args, create=creates_store(args))
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
    if args.subcommand == "apply":
        from .apply import open_input

        stream = open_input(args.file)  # a missing or unreadable file creates no store
        try:
            return _apply(args, stream)
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()
    from ..bootstrap import build_ledger

    ledger = build_ledger(
        args.store, audit_only=args.subcommand in ("verify", "digest", "prove"), create=False
    )
    try:
        return _read(ledger, args)
    finally:
        ledger.close()


def _keygen(args: argparse.Namespace) -> int:
    if args.public:
        from ..audit.signing import signing_key_from_env
        from ..failures import InvalidOption

        key = signing_key_from_env()
        if key is None:
            raise InvalidOption("no signing key: set LEDGER_SIGNING_KEY or LEDGER_SIGNING_KEY_FILE")
        print(json.dumps(key.public_json()))
        return 0
    if args.topic:
        from ..kafka.member_data import new_topic_key

        print(new_topic_key())
        return 0
    if args.signing:
        from ..audit.signing import new_signing_key

        print(new_signing_key())
        return 0
    from ..bootstrap import new_cipher_key

    print(new_cipher_key())
    return 0


def _apply(args: argparse.Namespace, stream: IO[bytes]) -> int:
    from ..actors import resolve_actor
    from ..bootstrap import build_ledger
    from .apply import applying, run_apply

    actor = resolve_actor(args.actor)  # a misnamed actor records nothing and creates no store
    ledger = build_ledger(args.store, create=True, cache_size=args.cache)
    try:
        with applying(sys.stderr, sys.stdout, args.file, stream) as progress:
            return run_apply(ledger, stream, sys.stdout, actor, args.batch, progress)
    finally:
        ledger.close()


def _read(ledger: Ledger, args: argparse.Namespace) -> int:
    if args.subcommand == "hearing" and (args.html or args.what_if):
        from .pages import run_hearing_page

        return run_hearing_page(
            ledger, args.appeal_id, args.html, args.what_if, args.json, args.as_of
        )
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
            wide=getattr(args, "wide", False),
        )
    if args.subcommand in ("projections", "terminations", "delinquent"):
        from .projections import run_projection_command

        return run_projection_command(ledger, args)
    if args.subcommand in ("verify", "digest"):
        from .audit import run_audit

        return run_audit(ledger, args)
    if args.subcommand == "prove":
        from .proofs import run_prove

        return run_prove(ledger, args)
    raise AssertionError(f"unhandled subcommand {args.subcommand}")  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
