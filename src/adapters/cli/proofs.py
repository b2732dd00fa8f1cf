"""`enrollment-ledger prove EVENT_ID [--digest FILE]`, `prove --consistency OLD [--digest NEW]`
(from the store) and `verify-proof FILE --public-key KEY [--digest KEPT]` (offline, no store)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import IO, Any

from ...domain.ledger import Ledger
from ..failures import EdgeError, InvalidOption
from .options import add_json_option, identifier


class InvalidProof(EdgeError):
    """The proof file is not JSON (a JSON proof that does not hold is an answer: ok false)."""

    code = "invalid_proof"


class InvalidPublicKey(EdgeError):
    code = "invalid_public_key"


def add_proof_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    prove = sub.add_parser(
        "prove",
        parents=[common],
        help="prove one event (or that the store extends a digest) against a signed tree head",
    )
    prove.add_argument("event_id", nargs="?", type=identifier("EVENT_ID"), help="an event's id")
    prove.add_argument(
        "--consistency",
        metavar="OLD_DIGEST",
        default=None,
        help="prove that the store (or --digest NEW) extends this earlier digest",
    )
    prove.add_argument(
        "--digest",
        metavar="FILE",
        default=None,
        help="the head to prove against (a digest kept earlier; default: the current head)",
    )
    add_json_option(prove, "print the proof as one line of JSON")

    check = sub.add_parser(
        "verify-proof", help="check a proof offline, against a public key you pinned"
    )
    check.add_argument("file", help="a proof printed by `prove --json`")
    check.add_argument(
        "--public-key",
        metavar="KEY",
        action="append",
        default=[],
        help="the ledger's Ed25519 public key (base64, or a file holding it); repeatable",
    )
    check.add_argument(
        "--digest",
        metavar="FILE",
        action="append",
        default=[],
        help="a digest you kept: a head equal to it needs no signature; repeatable",
    )
    add_json_option(check, "print the result as JSON")


def run_prove(ledger: Ledger, args: argparse.Namespace, out: IO[str] | None = None) -> int:
    from ..audit.proofs import consistency_proof, inclusion_proof
    from ..audit.signing import signing_key_from_env

    out = out or sys.stdout
    if (args.event_id is None) == (args.consistency is None):
        raise InvalidOption("give either EVENT_ID or --consistency OLD_DIGEST")
    key = signing_key_from_env()
    given = read_digest(args.digest) if args.digest is not None else None
    if args.consistency is not None:
        proof = consistency_proof(ledger, read_digest(args.consistency), key, given)
    else:
        proof = inclusion_proof(ledger, args.event_id, key, given)
    out.write(json.dumps(proof, indent=None if args.json else 2) + "\n")
    return 0


def run_verify_proof(args: argparse.Namespace, out: IO[str] | None = None) -> int:
    """Exit 0 when the proof holds, 1 when it does not (its answer says why), 2 when the file is
    not a proof or a key is not one."""
    from ..audit.proof_check import ProofError, check_proof, parse_public_key

    out = out or sys.stdout
    pinned: list[bytes] = []
    for text in args.public_key:
        try:
            pinned.append(parse_public_key(key_text(text)))
        except ProofError as e:
            raise InvalidPublicKey(f"--public-key: {e}") from None
    kept = [read_digest(name) for name in args.digest]
    if not pinned and not kept:
        raise InvalidOption(
            "give --public-key KEY (the ledger's key, pinned beforehand) or --digest FILE "
            "(a digest you kept): the key inside a proof is never trusted alone"
        )
    proof = _read_json(args.file, InvalidProof, "a proof")
    try:
        result: dict[str, Any] = check_proof(proof, pinned, kept)
    except ProofError as e:
        result = {"ok": False, "reason": str(e)}
    if args.json:
        out.write(json.dumps(result) + "\n")
    else:
        out.write(_summary(result) + "\n")
    return 0 if result["ok"] else 1


def read_digest(name: str) -> dict[str, Any]:
    from ..audit.verify import InvalidDigest

    return _read_json(name, InvalidDigest, "a digest")


def _read_json(name: str, error: type[Exception], what: str) -> dict[str, Any]:
    with open(name, encoding="utf-8") as f:
        try:
            value = json.load(f)
        except (ValueError, RecursionError):
            raise error(f"{name} is not JSON") from None
    if not isinstance(value, dict):
        raise error(f"{name} is not {what} (a JSON object)")
    return value


def key_text(text: str) -> str:
    """A key given as itself, or as the name of a file holding it."""
    try:
        is_file = len(text) < 4096 and Path(text).is_file()
    except (OSError, ValueError):  # a key is no file name (too long, unprintable)
        is_file = False
    if not is_file:
        return text
    try:
        return Path(text).read_bytes().decode("ascii")
    except UnicodeDecodeError:
        raise InvalidPublicKey(f"{text} does not hold a base64 key") from None


def _summary(result: dict[str, Any]) -> str:
    if not result["ok"]:
        return f"the proof does not hold: {result['reason']}"
    trust = "; ".join(result["trust"])
    if result["proof"] == "inclusion":
        event = result["event"]
        return (
            f"the proof holds: event {event['id']} (position {event['position']}) is leaf "
            f"{result['leaf_index']} of the tree; {trust}"
        )
    return (
        f"the proof holds: the tree of {result['new_size']} events extends the tree of "
        f"{result['old_size']}; {trust}"
    )
