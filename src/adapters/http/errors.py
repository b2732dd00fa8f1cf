"""The HTTP status of every error code, in one table, and the contract's error body."""

from __future__ import annotations

from typing import Any

STATUS_BY_CODE: dict[str, int] = {
    # the request itself is malformed
    "invalid_json": 400,
    "invalid_command": 400,
    "unknown_command": 400,
    "missing_field": 400,
    "invalid_field": 400,
    "invalid_date": 400,
    "invalid_digest": 400,
    "invalid_signing_key": 500,
    "future_date": 400,
    # who is asking
    "unauthorized": 401,
    "forbidden": 403,
    # what is asked for does not exist (and every other `unknown_*` code, see status_for)
    "not_found": 404,
    "unknown_event": 404,
    "method_not_allowed": 405,
    # the ledger's state forbids it
    "conflict": 409,
    "invalid_state": 409,
    "command_id_reused": 409,
    "duplicate_reference": 409,
    "event_after_head": 409,
    "digest_not_extended": 409,
    "broken_tree": 409,
    # the request's envelope
    "payload_too_large": 413,
    "line_too_long": 413,
    "unsupported_media_type": 415,
    # refusals under the regulation or the policy (the default for any other code, see status_for)
    "not_eligible": 422,
    "outside_enrollment_period": 422,
    "no_policy_parameters": 422,
    "no_application": 422,
    "waiver_not_available": 422,
    "no_pending_request": 422,
    "not_a_qualifying_event": 422,
    "rehearing_window_closed": 422,
    "rejected": 422,
    # the server
    "internal_error": 500,
    "invalid_simulated_today": 500,
    "store_error": 503,
    "store_unavailable": 503,
    "rebuild_pending": 503,  # a read model is being rebuilt: ask again once it is done
}
PREFIX_STATUS: tuple[tuple[str, int], ...] = (("unknown_", 404), ("duplicate_", 409))
DEFAULT_REFUSAL_STATUS = 422


def status_for(code: str) -> int:
    """The HTTP status of an error code: the table, then its prefix, else 422 (a refusal)."""
    if code in STATUS_BY_CODE:
        return STATUS_BY_CODE[code]
    for prefix, status in PREFIX_STATUS:
        if code.startswith(prefix):
            return status
    return DEFAULT_REFUSAL_STATUS


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message}}


class ApiError(Exception):
    """An error answered with the contract's body and the status of its code."""

    def __init__(self, code: str, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status_for(code)
        self.headers = headers
