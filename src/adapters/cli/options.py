"""Options shared by the subcommands, as people type them: `--store` and `--json` before or after
the subcommand, and date options checked when they are read (`invalid_date` naming the option,
never Python's own words). Only argparse and the failures module are imported here."""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from datetime import date, datetime

from ..failures import InvalidDate, InvalidOption

STORE_HELP = (
    "SQLAlchemy URL of the event store (default: $LEDGER_STORE_URL or sqlite:///./ledger.db)"
)


def package_version() -> str:
    """The installed distribution's version (importlib.metadata is imported only here: it costs
    a query process tens of milliseconds)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as distribution_version

    try:
        return distribution_version("enrollment-ledger")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree, not installed
        return "unknown"


ACTOR_HELP = (
    "who records the commands, kept with their events as recorded_by (default: $LEDGER_ACTOR "
    "or the operating-system user)"
)


def add_global_options(parser: argparse.ArgumentParser) -> None:
    """`--store`, `--actor` and `--json` before the subcommand; `--version`."""
    parser.add_argument("--version", action=_Version)
    parser.add_argument("--store", metavar="URL", default=None, help=STORE_HELP)
    parser.add_argument(
        "--actor", metavar="NAME", type=actor_name("--actor"), default=None, help=ACTOR_HELP
    )
    parser.add_argument(
        "--json",
        dest="global_json",
        action="store_true",
        help="print JSON (for the subcommands that have --json)",
    )


class _Version(argparse.Action):
    """`--version`: the installed package's version (looked up only when asked)."""

    def __init__(self, option_strings: list[str], dest: str, **_: object) -> None:
        super().__init__(
            option_strings,
            dest=argparse.SUPPRESS,
            default=argparse.SUPPRESS,
            nargs=0,
            help="print the version and exit",
        )

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        print(f"{parser.prog} {package_version()}")
        parser.exit()


def store_option() -> argparse.ArgumentParser:
    """The parent of every subcommand that opens the store: `--store` after the subcommand,
    without resetting one given before it (argparse copies a subcommand's defaults over the
    options given before it, so this one has none)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", metavar="URL", default=argparse.SUPPRESS, help=STORE_HELP)
    return common


def actor_option() -> argparse.ArgumentParser:
    """The parent of the subcommands that record commands: `--actor` after the subcommand,
    without resetting one given before it (as `store_option`)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--actor",
        metavar="NAME",
        type=actor_name("--actor"),
        default=argparse.SUPPRESS,
        help=ACTOR_HELP,
    )
    return common


def actor_name(option: str) -> Callable[[str], str]:
    """An argparse type: a fit actor name, else `invalid_field` naming `option` (see
    `adapters.actors`)."""

    def parse(text: str) -> str:
        from ..actors import check_actor

        return check_actor(text, option)

    return parse


def add_json_option(parser: argparse.ArgumentParser, text: str = "print JSON") -> None:
    parser.add_argument("--json", action="store_true", help=text)


def add_as_of_option(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    """`--as-of DATE`: the business date the question is asked as of."""
    parser.add_argument(
        "--as-of",
        metavar="DATE",
        type=business_date("--as-of"),
        required=required,
        default=None,
        help="business date",
    )


def add_known_at_option(parser: argparse.ArgumentParser) -> None:
    """`--known-at INSTANT`: what the ledger knew at that record time."""
    parser.add_argument(
        "--known-at",
        metavar="INSTANT",
        type=instant("--known-at"),
        default=None,
        help="record time (ISO 8601 + offset)",
    )


def settle_global_json(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """A `--json` before the subcommand counts as one after it, where the subcommand has it."""
    if not getattr(args, "global_json", False):
        return
    if not hasattr(args, "json"):
        words = [args.subcommand, *(getattr(args, a, None) for a in _NESTED_ACTIONS)]
        name = " ".join(w for w in words if isinstance(w, str))
        parser.error(f"--json does not apply to `{name}`")
    args.json = True


_NESTED_ACTIONS = ("projections_action", "tokens_action")


MAX_COUNT = 1_000_000_000
MAX_SECONDS = 10_000_000


def whole_number_of(option: str, unit: str, most: int) -> Callable[[str], int]:
    """An argparse type: a whole number of `unit`, 1 to `most`; else `invalid_field` naming the
    option (as a date option's `invalid_date`), never argparse's usage text."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if not 1 <= value <= most:
            raise InvalidOption(
                f"{option}: {_shown(text)} is not a whole number of {unit} from 1 to {most:,}"
            )
        return value

    return parse


MAX_BATCH = 10_000
"""The most commands a transaction may hold (`--batch`, `--group`)."""

MAX_CACHE = 10_000_000
"""The most aggregates `--cache` may keep in memory."""


def add_count_option(
    parser: argparse.ArgumentParser,
    option: str,
    unit: str,
    most: int,
    default: int | None,
    help: str,
) -> None:
    """`option N`: a whole number of `unit`, 1 to `most` (`whole_number_of`)."""
    parser.add_argument(
        option, type=whole_number_of(option, unit, most), default=default, metavar="N", help=help
    )


def add_cache_option(parser: argparse.ArgumentParser) -> None:
    """`--cache N` of the commands that record (`apply`, `serve`)."""
    add_count_option(
        parser,
        "--cache",
        "aggregates",
        MAX_CACHE,
        None,
        "keep up to N aggregates in memory between commands (default: 20,000; about 13 KB an "
        "enrollment): a bulk load whose commands touch more aggregates than that reads and folds "
        "them again from the store",
    )


def seconds_of(option: str) -> Callable[[str], float]:
    """An argparse type: a finite number of seconds above 0 and at most MAX_SECONDS; else
    `invalid_field` naming the option (`whole_number_of`), never argparse's usage text."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and 0 < value <= MAX_SECONDS):
            raise InvalidOption(
                f"{option}: {_shown(text)} is not a number of seconds above 0 and at most "
                f"{MAX_SECONDS:,}"
            )
        return value

    return parse


def add_seconds_option(
    parser: argparse.ArgumentParser, option: str, default: float | None, help: str
) -> None:
    """`option S`: a number of seconds above 0 (`seconds_of`)."""
    parser.add_argument(option, type=seconds_of(option), default=default, metavar="S", help=help)


_HOST_PORT = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):([0-9]{1,5})$")


def bootstrap_servers(text: str) -> str:
    """An argparse type: Kafka bootstrap servers, HOST:PORT[,HOST:PORT...]."""
    for server in text.split(","):
        match = _HOST_PORT.match(server.strip())
        if match is None or not 0 < int(match.group(2)) < 65536:
            raise argparse.ArgumentTypeError(f"{server.strip()[:60]!r} is not HOST:PORT")
    return text


def business_date(option: str) -> Callable[[str], date]:
    """An argparse type: an ISO date (YYYY-MM-DD), else `invalid_date` naming `option`."""

    def parse(text: str) -> date:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise InvalidDate(f"{option}: {_shown(text)} is not a date (YYYY-MM-DD)") from None

    return parse


def instant(option: str) -> Callable[[str], datetime]:
    """An argparse type: an ISO 8601 instant with an offset, else `invalid_date`."""

    def parse(text: str) -> datetime:
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            value = None
        if value is None or value.tzinfo is None:
            raise InvalidDate(
                f"{option}: {_shown(text)} is not an instant with an offset "
                "(ISO 8601, e.g. 2026-06-01T00:00:00+00:00)"
            )
        return value

    return parse


def identifier(name: str) -> Callable[[str], str]:
    """An argparse type for an id argument: text (an argument that is not UTF-8 is refused
    `invalid_field`, as a command's field would be)."""

    def parse(text: str) -> str:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidOption(f"{name} is not UTF-8 text") from None
        return text

    return parse


def _shown(text: str) -> str:
    """The value as typed, quoted and cut short (a hostile value may be long or unprintable)."""
    clipped = text if len(text) <= 40 else text[:40] + "…"
    return repr(clipped)
