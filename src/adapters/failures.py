"""What can go wrong at the ledger's edges (the store, its key, files, options, the broker), and
the one mapping from an exception to the contract's error code and the command line's exit status.

The command line (`cli/main.py`) and the HTTP server's start-up (`serve`) answer every failure
through `failure_of`: no subcommand catches and words its own errors. Exit statuses:

- 0: done;
- 1: the command ran and the answer is no (a rejected command, a broken chain, a broker that does
  not acknowledge, a relay lease held by another relay);
- 2: nothing was done: the arguments, the files, the store or its key are not what is needed.

Nothing here imports SQLAlchemy, Kafka or the projections at module level: an exception of theirs
can only exist once its module was imported, so the mapping looks them up in `sys.modules`.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from dataclasses import dataclass
from typing import Any

from ..domain.errors import LedgerError

REFUSED = 1
NOT_RUN = 2


class EdgeError(Exception):
    """A coded failure at the ledger's edges; nothing was recorded."""

    code = "edge_error"
    exit_status = NOT_RUN

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class UnknownStore(EdgeError):
    """A reader pointed at a store that does not exist (a missing file, an empty database)."""

    code = "unknown_store"


class InvalidStoreUrl(EdgeError):
    code = "invalid_store_url"


class StoreUnavailable(EdgeError):
    code = "store_unavailable"


class StoreKeyError(EdgeError):
    """The cipher key is malformed, or not the one the store was written with."""

    code = "wrong_key"


class NotAFile(EdgeError):
    code = "not_a_file"


class NotAFolder(EdgeError):
    """A file given where a folder is needed (`schema --out FILE`)."""

    code = "not_a_folder"


class MissingFile(EdgeError):
    code = "not_found"


class InvalidDate(EdgeError):
    """A date or instant option that is not one (the message names the option)."""

    code = "invalid_date"


class InvalidOption(EdgeError):
    code = "invalid_field"


class MissingDependency(EdgeError):
    code = "missing_dependency"


class LeaseHeld(EdgeError):
    """Another relay holds the lease on the topic (and is alive: it keeps renewing it)."""

    code = "lease_held"
    exit_status = REFUSED


class BrokerUnavailable(EdgeError):
    code = "broker_unavailable"
    exit_status = REFUSED


class Refused(EdgeError):
    """A coded refusal at the edges: the command ran and the answer is no (an unknown token)."""

    exit_status = REFUSED


class BrokerError(EdgeError):
    """The broker did not acknowledge a batch (the relay's position was not advanced)."""

    code = "broker_error"
    exit_status = REFUSED


@dataclass(frozen=True)
class Failure:
    code: str
    message: str
    exit_status: int

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": {"code": self.code, "message": self.message}}

    def readable(self) -> str:
        """One line for a person: the code, the message and what to do next."""
        message = " ".join(self.message.split()).rstrip(".")
        return f"error {self.code}: {message}. Next: {next_step(self.code)}."


_SCHEMA_STEP = "run `enrollment-ledger schema` to see the commands and their fields"
_HELP_STEP = "run `enrollment-ledger SUBCOMMAND --help` to see the options and their forms"

NEXT_STEPS: dict[str, str] = {
    "unknown_store": "give --store (or LEDGER_STORE_URL) of an existing store, or create one "
    "with `enrollment-ledger apply FILE`",
    "invalid_store_url": "give --store as sqlite:///FILE or "
    "postgresql://USER:PASSWORD@HOST[:PORT]/DATABASE",
    "store_unavailable": "check that the store's server is running and reachable, then run the "
    "command again",
    "store_error": "run `enrollment-ledger verify` to check the store, then run the command again",
    "wrong_key": "set LEDGER_CIPHER_KEY to the key the store was written with",
    "not_a_file": "give the path of a file, not of a folder",
    "not_a_folder": "give the path of a folder (a missing one is created)",
    "not_found": "check the file's path",
    "permission_denied": "check the file's permissions, or run as a user who may use it",
    "io_error": "check the disk and the path, then run the command again",
    "invalid_date": "give dates as YYYY-MM-DD and instants as ISO 8601 with an offset "
    "(2026-06-01T12:00:00-04:00)",
    "invalid_field": _HELP_STEP,
    "invalid_simulated_today": "set LEDGER_SIMULATED_TODAY to a date YYYY-MM-DD, or unset it",
    "missing_dependency": "install the extra the message names, then run the command again",
    "unknown_projection": "run `enrollment-ledger projections status` to see the projections' "
    "names",
    "rebuild_pending": "run `enrollment-ledger projections rebuild NAME` to finish the rebuild",
    "invalid_digest": "give the file `enrollment-ledger digest --json` printed",
    "digest_not_extended": "the store no longer extends that digest: run `enrollment-ledger "
    "verify` and keep its answer for an audit",
    "invalid_proof": "give the file `enrollment-ledger prove --json` printed",
    "event_after_head": "prove against a later digest (`enrollment-ledger digest --json`), or "
    "omit --digest",
    "broken_tree": "run `enrollment-ledger verify`: the store's tables were changed",
    "invalid_public_key": "give the public key `enrollment-ledger keygen --public` printed "
    "(base64)",
    "invalid_signing_key": "set LEDGER_SIGNING_KEY to a key `enrollment-ledger keygen "
    "--signing` printed",
    "topic_key_required": "give --topic-key-file with a key `enrollment-ledger keygen --topic` "
    "made (member data leaves an encrypted store only encrypted), or publish with "
    "--member-data omit",
    "invalid_topic_key": "give --topic-key-file a key `enrollment-ledger keygen --topic` made",
    "wrong_topic_key": "give --topic-key-file the topic key the relay published with",
    "lease_held": "another relay publishes this topic: stop it, or let its lease expire "
    "(--lease-seconds) and run the relay again",
    "broker_unavailable": "check that Kafka answers at the --kafka address, then run the "
    "command again",
    "broker_error": "check the broker, then run the relay again: it resumes from the last "
    "position the broker acknowledged",
    "address_in_use": "choose another --port, or stop the program listening there",
    "address_unavailable": "choose an address of this machine with --host",
    "server_failed": "read the server's log on standard error, then start it again",
    "unknown_household": "check the household id (the ids are those given in the commands)",
    "unknown_enrollment": "check the enrollment id: `enrollment-ledger timeline HOUSEHOLD_ID` "
    "lists a household's enrollments",
    "unknown_appeal": "check the appeal id: `enrollment-ledger timeline HOUSEHOLD_ID` lists a "
    "household's appeals",
    "unknown_employer": "check the employer id (the ids are those given in the commands)",
    "unknown_event": "check the event id: `enrollment-ledger timeline HOUSEHOLD_ID --wide` "
    "shows the events' full ids",
    "unknown_token": "run `enrollment-ledger tokens list` to see the tokens' ids",
    "ambiguous_token_id": "give more characters of the id (`enrollment-ledger tokens list`), "
    "or the token itself",
    "internal_error": "run the command again; if it fails again, report it with the last line "
    "of its standard error",
    "invalid_json": _SCHEMA_STEP,
    "invalid_command": _SCHEMA_STEP,
    "unknown_command": _SCHEMA_STEP,
    "missing_field": _SCHEMA_STEP,
}
"""What to do next after each failure, said once for the command line's readable answers."""


def next_step(code: str) -> str:
    """The next step after a failure coded `code` (the subcommand's --help when none is named)."""
    return NEXT_STEPS.get(code, _HELP_STEP)


OPTIONAL_PACKAGES = {
    "psycopg": "postgres",
    "kafka": "kafka",
    "fastapi": "http",
    "uvicorn": "http",
    "starlette": "http",
}
"""Packages of the optional extras (a missing one is `missing_dependency`, naming its extra)."""


def failure_of(error: BaseException) -> Failure | None:
    """The coded failure for `error`; None for an exception nobody expected (an internal error)."""
    if isinstance(error, EdgeError):
        return Failure(error.code, error.message, error.exit_status)
    if isinstance(error, LedgerError):
        return Failure(error.code, error.message, REFUSED)
    known = _library_failure(error)
    if known is not None:
        return known
    if isinstance(error, ModuleNotFoundError):
        root = (error.name or "").split(".")[0]
        if root in OPTIONAL_PACKAGES:
            extra = OPTIONAL_PACKAGES[root]
            return Failure(
                "missing_dependency",
                f"{root} is not installed: pip install 'enrollment-ledger[{extra}]'",
                NOT_RUN,
            )
        return None
    if isinstance(error, OSError) and error.filename is not None:
        return _file_failure(error)
    return None


def _file_failure(error: OSError) -> Failure:
    name = str(error.filename)
    if isinstance(error, FileNotFoundError):
        return Failure("not_found", f"no such file: {name}", NOT_RUN)
    if isinstance(error, IsADirectoryError):
        return Failure("not_a_file", f"{name} is a directory, not a file", NOT_RUN)
    if isinstance(error, NotADirectoryError):
        return Failure("not_found", f"no such file: {name} (a part of it is not a folder)", NOT_RUN)
    if isinstance(error, PermissionError):
        return Failure("permission_denied", f"{name}: permission denied", NOT_RUN)
    return Failure("io_error", f"{name} cannot be read or written ({error.strerror})", NOT_RUN)


def _library_failure(error: BaseException) -> Failure | None:
    """Store errors (SQLAlchemy, the eventsourcing library, sqlite3) and broker errors."""
    if isinstance(error, sqlite3.Error):
        return _sqlite_failure(error)
    sa_exc = sys.modules.get("sqlalchemy.exc")
    if sa_exc is not None and isinstance(error, sa_exc.ArgumentError):
        return Failure("invalid_store_url", "the store URL is not one SQLAlchemy can open", NOT_RUN)
    code = store_failure_code(error)
    if code == "store_unavailable":
        return Failure(code, f"the store cannot be reached: {reason_of(error)}", NOT_RUN)
    if code is not None:
        return Failure(code, f"the store failed: {reason_of(error)}", NOT_RUN)
    kafka_errors = sys.modules.get("kafka.errors")
    if kafka_errors is not None and isinstance(error, kafka_errors.KafkaError):
        return Failure("broker_error", f"the broker failed: {type(error).__name__}", REFUSED)
    return _projection_failure(error)


_STORE_LIBRARIES = (
    ("sqlalchemy.exc", "SQLAlchemyError"),
    ("eventsourcing.persistence", "PersistenceError"),
)
"""The store's libraries and their base error; each names its driver's unreachable-server
errors `OperationalError` and `InterfaceError` (PEP 249's names)."""


def store_failure_code(error: BaseException) -> str | None:
    """`store_unavailable` when the store's library says the store cannot be reached (an
    operational or interface error), `store_error` for its other errors, None for an error that
    is not the store's."""
    for module_name, base in _STORE_LIBRARIES:
        module = sys.modules.get(module_name)
        if module is not None and isinstance(error, getattr(module, base)):
            unreachable = isinstance(error, module.OperationalError | module.InterfaceError)
            return "store_unavailable" if unreachable else "store_error"
    return None


def _sqlite_failure(error: sqlite3.Error) -> Failure:
    if isinstance(error, sqlite3.OperationalError):
        return Failure(
            "store_unavailable", f"the SQLite store cannot be read: {reason_of(error)}", NOT_RUN
        )
    return Failure("store_error", f"the SQLite store failed: {reason_of(error)}", NOT_RUN)


_PACKAGE = __name__.rsplit(".", 2)[0]  # enrollment_ledger


def _projection_failure(error: BaseException) -> Failure | None:
    runner = sys.modules.get(f"{_PACKAGE}.projections.runner")
    if runner is not None and isinstance(error, runner.UnknownProjection):
        return Failure("unknown_projection", str(error), NOT_RUN)
    tracking = sys.modules.get(f"{_PACKAGE}.projections.tracking")
    if tracking is not None and isinstance(error, tracking.RebuildPending):
        return Failure("rebuild_pending", str(error), NOT_RUN)
    audit = sys.modules.get(f"{_PACKAGE}.adapters.audit.verify")
    if audit is not None and isinstance(error, audit.InvalidDigest):
        return Failure("invalid_digest", str(error), NOT_RUN)
    return None


_PASSWORD = re.compile(r"(://[^:/@\s]*):[^@\s]*@")


def redact(url: str) -> str:
    """A store URL fit to show: its password replaced by ***."""
    return _PASSWORD.sub(r"\1:***@", url)


def reason_of(error: BaseException) -> str:
    """The first line of the driver's own reason (the DBAPI error under SQLAlchemy's wrapper),
    without SQLAlchemy's statement dump or background link, and without a password."""
    original = getattr(error, "orig", None)
    source = original if isinstance(original, BaseException) else error
    lines = [line.strip() for line in str(source).splitlines() if line.strip()]
    text = lines[0] if lines else type(source).__name__
    text = re.sub(r"^\([\w.]+\)\s*", "", text)  # "(psycopg.OperationalError) ..."
    return redact(text)[:300]
