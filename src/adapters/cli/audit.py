"""`enrollment-ledger verify [--json] [--digest FILE]` and `enrollment-ledger digest [--json]`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import IO, Any

from rich.console import Console
from rich.markup import escape

from ...domain.ledger import Ledger
from ..audit import InvalidDigest, VerifyResult, digest, verify
from ..audit import Progress as ProgressCallback
from ..audit.signing import SigningKey
from .progress import Update, progress_bars


def run_audit(ledger: Ledger, args: argparse.Namespace) -> int:
    from ..audit.signing import signing_key_from_env

    key = signing_key_from_env()
    if args.subcommand == "verify":
        return run_verify(
            ledger,
            as_json=args.json,
            digest_file=args.digest,
            public_keys=_pinned(args.public_key),
            signing_key=key,
        )
    return run_digest(ledger, as_json=args.json, signing_key=key)


def _pinned(public_key: str | None) -> list[bytes]:
    if public_key is None:
        return []
    from ..audit.proof_check import ProofError, parse_public_key
    from .proofs import InvalidPublicKey, key_text

    try:
        return [parse_public_key(key_text(public_key))]
    except ProofError as e:
        raise InvalidPublicKey(f"--public-key: {e}") from None


def run_verify(
    ledger: Ledger,
    *,
    as_json: bool,
    digest_file: str | None,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
    public_keys: Sequence[bytes] = (),
    signing_key: SigningKey | None = None,
) -> int:
    """Exit 0 when the chain is intact (and extends the digest), 1 when not; a digest that is
    not one raises InvalidDigest (the command line's one mapping answers it, exit 2). A digest's
    signature is checked with `public_keys` (pinned: the digest must be signed), else, when it
    is signed, with the configured signing key, else with the key it names."""
    out = out or sys.stdout
    err = err or sys.stderr
    expected: dict[str, Any] | None = None
    if digest_file is not None:
        with open(digest_file, encoding="utf-8") as f:
            try:
                expected = json.load(f)
            except (ValueError, RecursionError):
                raise InvalidDigest(f"{digest_file} is not JSON") from None
    if not public_keys and signing_key is not None and expected and expected.get("signature"):
        public_keys = [signing_key.public_key]
    with progress_bars(err, elapsed=True) as bars:
        progress = None if bars is None else _verifying(bars)
        result = verify(ledger, expected, progress, public_keys=public_keys)
    if as_json:
        out.write(json.dumps(result.as_json()) + "\n")
    else:
        _print_summary(Console(file=out, soft_wrap=True), result, expected)
    return 0 if result.ok else 1


def run_digest(
    ledger: Ledger,
    *,
    as_json: bool,
    out: IO[str] | None = None,
    signing_key: SigningKey | None = None,
) -> int:
    out = out or sys.stdout
    head = digest(ledger, signing_key)
    if as_json:
        out.write(json.dumps(head) + "\n")
        return 0
    console = Console(file=out, soft_wrap=True, highlight=False)
    console.print(f"chain head: position {head['position']}, {head['events']} events")
    console.print(f"hash: {head['hash']}")
    console.print(f"tree: {head['tree_size']} events, root {head['root']}")
    if head["signature"] is not None:
        console.print(f"signed by key {head['key_id']} (public key {head['public_key']})")
    else:
        console.print("not signed (set LEDGER_SIGNING_KEY; keygen --signing makes one)")
    console.print(
        "Keep it outside the store (enrollment-ledger digest --json > head.json); later "
        "enrollment-ledger verify --digest head.json proves the store still extends it."
    )
    return 0


def _print_summary(console: Console, result: VerifyResult, expected: dict[str, Any] | None) -> None:
    if result.ok:
        console.print(
            f"[green]chain intact[/]: {result.events_checked} events checked, "
            f"head at position {result.head_position} ({result.head_hash})",
            highlight=False,
        )
        if expected is not None:
            console.print(
                f"the store extends the digest at position {expected['position']}",
                highlight=False,
            )
        return
    console.print(
        f"[red]chain broken at position {result.first_bad_position}[/]: "
        f"{escape(result.reason or '')}; {result.events_checked} events checked before it",
        highlight=False,
    )


def _verifying(bars: Update) -> ProgressCallback:
    def update(checked: int, total: int) -> None:
        bars("verifying", checked, total)

    return update
