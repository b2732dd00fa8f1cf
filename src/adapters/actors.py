"""Who submitted a command: its actor, kept with every event it records (`recorded_by`).

On the command line the actor is `--actor NAME`, else `LEDGER_ACTOR`, else the operating-system
user (`getpass.getuser()`; `uid-N` when the system names none). Over HTTP it is the label of the
bearer token (`tokens create --label NAME`). A name is checked wherever it comes from: 1 to
`MAX_ACTOR_LENGTH` characters, not blank, no control or format characters and no line or paragraph
separators (a name is printed in tables, logs and Kafka headers), else `invalid_field`.
"""

from __future__ import annotations

import getpass
import os
import unicodedata
from functools import cache

from .failures import InvalidOption

ACTOR_ENV = "LEDGER_ACTOR"
MAX_ACTOR_LENGTH = 100
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
"""Control, format, surrogate, private-use and unassigned characters; line and paragraph
separators."""


class InvalidActor(InvalidOption):
    """An actor name (or a token label) that is not a fit name: `invalid_field`."""


def check_actor(name: str, source: str = "--actor") -> str:
    """`name` when it is a fit actor name, else InvalidActor naming `source` (never echoing
    the characters that made it unfit)."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidActor(f"{source} must name who records the commands (it is empty)")
    if len(name) > MAX_ACTOR_LENGTH:
        raise InvalidActor(f"{source} is limited to {MAX_ACTOR_LENGTH} characters")
    if name != name.strip():
        raise InvalidActor(f"{source} may not begin or end with spaces")
    for character in name:
        if unicodedata.category(character) in _FORBIDDEN_CATEGORIES:
            raise InvalidActor(
                f"{source} may not contain control or format characters (U+{ord(character):04X})"
            )
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # pragma: no cover - surrogates are refused above
        raise InvalidActor(f"{source} is not UTF-8 text") from None
    return name


def resolve_actor(explicit: str | None = None) -> str:
    """`--actor` when given, else `LEDGER_ACTOR` when set (and not empty), else the
    operating-system user; checked."""
    if explicit is not None:
        return check_actor(explicit, "--actor")
    from_environment = os.environ.get(ACTOR_ENV)
    if from_environment:
        return check_actor(from_environment, ACTOR_ENV)
    return system_user()


@cache
def system_user() -> str:
    """The operating-system user's name, or `uid-N` when the system gives no fit one."""
    try:
        return check_actor(getpass.getuser(), "the operating-system user")
    except (OSError, KeyError, ImportError, InvalidActor):
        getuid = getattr(os, "getuid", None)
        return f"uid-{getuid()}" if getuid is not None else "unknown-user"
