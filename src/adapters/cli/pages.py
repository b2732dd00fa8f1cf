"""`hearing APPEAL_ID --html FILE` (the hearing page written to a file) and `hearing APPEAL_ID
--what-if FACTS.json` (the appealed determination recomputed with corrected facts; nothing is
recorded): JSON with --json, readable lines without."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from ...domain.errors import LedgerError
from ...domain.ledger import Ledger
from ..commands import DuplicateKey, decode_json
from ..failures import EdgeError


def run_hearing_page(
    ledger: Ledger,
    appeal_id: str,
    html: str | None,
    what_if: str | None,
    as_json: bool,
    as_of: date | None = None,
) -> int:
    from ..pages import hearing_page, what_if_answer

    answer = what_if_answer(ledger, appeal_id, read_facts(what_if)) if what_if else None
    if html is not None:
        Path(html).write_text(hearing_page(ledger, appeal_id, answer, as_of), encoding="utf-8")
    if as_json:
        out: dict[str, Any] = answer if answer is not None else {"ok": True}
        if html is not None:
            out = {**out, "html": html}
        print(json.dumps(out))
        return 0
    if answer is not None:
        print_what_if(answer)
    if html is not None:
        print(f"the hearing page of appeal {appeal_id} is written to {html}")
    return 0


def read_facts(path: str) -> Any:
    """The what-if's facts file: one JSON object of valid facts (a bad file, or a bad field in
    it, is a coded failure with exit 2: nothing was done)."""
    from ..pages import parse_facts

    raw = Path(path).read_bytes()
    try:
        facts = decode_json(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, DuplicateKey, RecursionError):
        raise EdgeError(f"{path} is not one JSON object of facts", "invalid_json") from None
    try:
        parse_facts(facts)
    except LedgerError as e:
        raise EdgeError(f"{path}: {e.message}", e.code) from None
    return facts


def print_what_if(answer: dict[str, Any]) -> None:
    print(f"What if, appeal {answer['appeal_id']}, policy version {answer['policy_version']}")
    print(f"  {answer['note']}")
    given = "; ".join(f"{k} = {json.dumps(v)}" for k, v in answer["facts"].items())
    print(f"  facts given: {given or 'none (the facts held then)'}")
    if not answer["differences"]:
        print("  the same decision as recorded")
    for d in answer["differences"]:
        print(f"  member {d['member_id']}: {d['field']} {d['recorded']} -> {d['would_be']}")
    months = answer["premium_months"]
    if months:
        print("  premium months affected:")
    for m in months:
        minimum = ""
        if m["minimum_premium_recorded"] or m["minimum_premium_would_be"]:
            minimum = (
                f", minimum premium {m['minimum_premium_recorded'] or '-'} -> "
                f"{m['minimum_premium_would_be'] or '-'}"
            )
        print(
            f"    {m['enrollment_id']} {m['month']}: billed {m['billed']}, member "
            f"{m['member_id']} plan type {m['plan_type_recorded'] or '-'} -> "
            f"{m['plan_type_would_be'] or '-'}{minimum}"
        )
