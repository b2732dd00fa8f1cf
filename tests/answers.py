"""Reading the command line's answers in tests: a JSON line, or the readable error line printed
without --json (`error CODE: MESSAGE. Next: STEP.`), both as the contract's error body."""

from __future__ import annotations

import json
import re
from typing import Any

READABLE_ERROR = re.compile(r"error (?P<code>[a-z_]+): (?P<message>.*)\. Next: (?P<next>.+)\.")
"""The one line a failure prints without --json: its code, its message, what to do next."""


def answer_of(line: str) -> dict[str, Any]:
    """A JSON answer as printed; a readable error line as the error body it stands for, with
    its next step beside it (`next`); {} for anything else."""
    line = line.strip()
    if line.startswith("{"):
        value = json.loads(line)
        return value if isinstance(value, dict) else {}
    readable = READABLE_ERROR.fullmatch(line)
    if readable is None:
        return {}
    return {
        "ok": False,
        "error": {"code": readable["code"], "message": readable["message"]},
        "next": readable["next"],
    }


def last_answer(output: str) -> dict[str, Any]:
    """The answer on the last line of `output` ({} when there is none)."""
    lines = output.splitlines()
    return answer_of(lines[-1]) if lines else {}
