"""The FastAPI app: the contract's commands and queries over HTTP, behind bearer tokens and roles.

`POST /commands` answers exactly as `enrollment-ledger apply` does (both through `answers`),
recorded by the label of the request's token; single commands of concurrent requests are
recorded together, each atomic and answered once committed (`group_commit`). The reads call the
same queries as the command line. Every error, FastAPI's own included, uses the contract's body
`{"ok": false, "error": {"code", "message"}}` with the status of `errors.STATUS_BY_CODE`. The
access log names, per request, the instant, the token's id (never the token), the method, the
route's template, the status and the duration only: no query string, no path value, no body, no
member data.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Annotated, Any, cast

from eventsourcing.persistence import PersistenceError
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ...domain.errors import LedgerError
from ...domain.ledger import Ledger
from .. import queries
from ..answers import answer_batch
from ..audit import InvalidDigest, digest, verify
from ..audit.signing import SigningKey, signing_key_from_env
from ..commands import RefusedJson, decode_json
from ..failures import EdgeError, failure_of
from ..group_commit import GROUP_LIMIT, GroupCommit
from ..pages.routes import TOKEN_COOKIE, install_page_routes
from .auth import PERMISSIONS, Action, Grant, TokenStore, ledger_engine
from .errors import ApiError, error_body, status_for
from .reads import reads_router

MAX_BODY_BYTES = 1_048_576
ACCESS_LOGGER = "enrollment_ledger.http.access"
TOKEN_ID_SCOPE_KEY = "enrollment_ledger.token_id"
"""Where a request's authorization leaves the token's short id for the access log."""
GRANT_SCOPE_KEY = "enrollment_ledger.grant"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_CODE_BY_STATUS = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}
_OFFSET_AFTER_SPACE = re.compile(r" (\d{2}:?\d{2})$")


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    """The contract's error answer."""

    ok: bool = False
    error: ErrorDetail


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {"model": ErrorBody, "description": "the contract's error body"}
        for status in statuses
    }


_COMMAND_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["command", "on"],
    "properties": {
        "command": {"type": "string", "description": "e.g. submit_application, select_plan"},
        "command_id": {"type": "string", "description": "replaying it answers the first events"},
        "on": {"type": "string", "format": "date", "description": "the business date"},
    },
    "additionalProperties": True,
    "description": "one command of the contract (`enrollment-ledger schema` gives each one's "
    "fields)",
}
_COMMANDS_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"oneOf": [_COMMAND_SCHEMA, {"type": "array", "items": _COMMAND_SCHEMA}]}
            }
        },
    }
}

AsOf = Annotated[
    str | None,
    Query(description="business date YYYY-MM-DD: what was in force then", examples=["2026-04-30"]),
]
KnownAt = Annotated[
    str | None,
    Query(
        description="record time, ISO 8601 with an offset: what the ledger knew then",
        examples=["2026-06-01T00:00:00+00:00"],
    ),
]

# the scheme's description for the OpenAPI document (module level: FastAPI resolves the
# dependency's string annotations in this module's namespace)
_BEARER = HTTPBearer(
    auto_error=False,
    description="a token from `enrollment-ledger tokens create --role ROLE --label NAME`",
)


def create_app(
    ledger: Ledger,
    *,
    tokens: TokenStore | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
    signing_key: SigningKey | None = None,
    batch: int = 1,
    group: int = GROUP_LIMIT,
) -> FastAPI:
    """The app for one ledger (creates the tokens table when it is missing); tree heads are
    signed with `signing_key`, by default the configured one (`LEDGER_SIGNING_KEY`). An array of
    commands is recorded up to `batch` commands per transaction (`answer_batch`); the single
    commands of concurrent requests together, up to `group` per transaction (`GroupCommit`)."""
    token_store = tokens if tokens is not None else TokenStore.for_ledger(ledger)
    key = signing_key if signing_key is not None else signing_key_from_env()
    grouped = GroupCommit(ledger, group)
    command_lock = grouped.writer

    def allow(action: Action, cookie: bool = False) -> Callable[..., Grant]:
        """The route's authorization: a bearer token (or, for the pages, `cookie`, the token in
        the `ledger_token` cookie a browser sends) whose role may do `action`."""
        roles = PERMISSIONS[action]

        def authorize(
            request: Request,
            credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)],
        ) -> Grant:
            if credentials is None and cookie and request.cookies.get(TOKEN_COOKIE):
                credentials = HTTPAuthorizationCredentials(
                    scheme="Bearer", credentials=request.cookies[TOKEN_COOKIE]
                )
            if credentials is None:
                raise ApiError(
                    "unauthorized",
                    "a bearer token is required (Authorization: Bearer TOKEN)",
                    headers={"WWW-Authenticate": "Bearer"},
                )
            grant = token_store.grant_of(credentials.credentials)
            if grant is None:
                raise ApiError(
                    "unauthorized",
                    "the token is unknown, revoked or expired",
                    headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )
            request.scope[TOKEN_ID_SCOPE_KEY] = grant.id  # for the access log
            request.scope[GRANT_SCOPE_KEY] = grant  # for the route
            if grant.role not in roles:
                raise ApiError(
                    "forbidden", f"the {grant.role.value} role may not use {action.value}"
                )
            return grant

        return authorize

    app = FastAPI(
        title="enrollment-ledger",
        version=_version(),
        description="The enrollment ledger's contract over HTTP (956 CMR 12.00). Answers and "
        "errors are the contract's; roles: operator, appeals, compliance, downstream.",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    _install_error_handlers(app)
    app.add_middleware(AccessLog)

    def answer_all(objs: list[Any], actor: str) -> list[dict[str, Any]]:
        if batch <= 1:
            return [grouped.answer(obj, actor) for obj in objs]
        answers: list[dict[str, Any]] = []
        for start in range(0, len(objs), batch):
            with command_lock:
                answers.extend(answer_batch(ledger, objs[start : start + batch], actor))
        return answers

    @app.post(
        "/commands",
        dependencies=[Depends(allow(Action.COMMANDS))],
        openapi_extra=_COMMANDS_BODY,
        responses=_errors(400, 401, 403, 404, 409, 413, 415, 422, 503),
        summary="Apply one command or an array of them (the answers of `apply`)",
    )
    async def post_commands(request: Request) -> JSONResponse:
        """One command answers with its answer (200, or the status of its error code); an array
        answers with the list of answers, one per command, in order (200). The commands are
        recorded by the token's label."""
        grant = cast(Grant, request.scope[GRANT_SCOPE_KEY])  # left by the route's dependency
        _require_json(request)
        payload = _parse_json(await _read_body(request, max_body_bytes))
        if isinstance(payload, list):
            return JSONResponse(await run_in_threadpool(answer_all, payload, grant.actor))
        single = await run_in_threadpool(grouped.answer, payload, grant.actor)
        status = 200 if single["ok"] else status_for(single["error"]["code"])
        return JSONResponse(single, status_code=status)

    @app.get(
        "/enrollments/{enrollment_id}/coverage",
        dependencies=[Depends(allow(Action.COVERAGE))],
        responses=_errors(400, 401, 403, 404, 503),
        summary="Coverage spans and status of an enrollment",
    )
    def get_coverage(enrollment_id: str, as_of: AsOf = None, known_at: KnownAt = None) -> Any:
        day, instant = _day(as_of), _instant(known_at)
        return _read(lambda: queries.coverage(ledger, enrollment_id, day, instant))

    @app.get(
        "/enrollments/{enrollment_id}/balance",
        dependencies=[Depends(allow(Action.BALANCE))],
        responses=_errors(400, 401, 403, 404, 503),
        summary="Billed, paid, waived and outstanding premiums by month; credit and refund due",
    )
    def get_balance(enrollment_id: str, as_of: AsOf = None, known_at: KnownAt = None) -> Any:
        day, instant = _day(as_of), _instant(known_at)
        return _read(lambda: queries.balance(ledger, enrollment_id, day, instant))

    @app.get(
        "/households/{household_id}/timeline",
        dependencies=[Depends(allow(Action.TIMELINE))],
        responses=_errors(400, 401, 403, 404, 503),
        summary="Every event of a household, its enrollments, waivers and appeals",
    )
    def get_timeline(household_id: str, known_at: KnownAt = None) -> Any:
        instant = _instant(known_at)
        return _read(lambda: queries.timeline(ledger, household_id, instant))

    @app.get(
        "/appeals/{appeal_id}/hearing",
        dependencies=[Depends(allow(Action.HEARING))],
        responses=_errors(401, 403, 404, 503),
        summary="The hearing packet of an appeal",
    )
    def get_hearing(appeal_id: str, as_of: AsOf = None) -> Any:
        day = _day(as_of)  # the hearing's date: the policy in force then is recomputed with
        return _read(lambda: queries.hearing(ledger, appeal_id, day))

    install_page_routes(
        app,
        ledger,
        allow,
        Action,
        _read,
        lambda request: _read_body(request, max_body_bytes),
        _parse_json,
        ApiError,
        _day,
    )

    @app.get(
        "/verify",
        dependencies=[Depends(allow(Action.VERIFY))],
        responses=_errors(400, 401, 403, 503),
        summary="Re-check the hash chain (optionally against a digest kept outside the store)",
    )
    def get_verify(
        position: Annotated[int | None, Query(description="a digest's position")] = None,
        hash: Annotated[str | None, Query(description="a digest's hash (64 hex digits)")] = None,
        events: Annotated[int | None, Query(description="a digest's event count")] = None,
    ) -> Any:
        """`{"ok", "events_checked", "first_bad_position", "reason"}`, 200 whether the chain is
        intact or not; with `position` and `hash`, the chain must also pass through that head."""
        expected: dict[str, object] | None = None
        if position is not None or hash is not None or events is not None:
            expected = {"position": position, "hash": hash, "events": events}
        try:
            return _read(lambda: verify(ledger, expected).as_json())
        except InvalidDigest as e:
            raise ApiError("invalid_digest", str(e)) from None

    @app.get(
        "/digest",
        dependencies=[Depends(allow(Action.DIGEST))],
        responses=_errors(401, 403, 503),
        summary="The hash chain's head, to keep outside the store",
    )
    def get_digest() -> Any:
        return _read(lambda: digest(ledger, key))

    @app.get(
        "/events/{event_id}/proof",
        dependencies=[Depends(allow(Action.PROOF))],
        responses=_errors(400, 401, 403, 404, 503),
        summary="The inclusion proof of one event against the signed tree head",
    )
    def get_event_proof(
        event_id: str,
        tree_size: Annotated[
            int | None, Query(ge=0, description="an earlier head's tree size (default: now)")
        ] = None,
    ) -> Any:
        """`{"proof": "inclusion", "event", "leaf_index", "leaf", "path", "head"}`: what
        `prove EVENT_ID --json` prints; `verify-proof` checks it offline."""
        from ..audit.proofs import inclusion_proof, tree_head

        def prove() -> Any:
            head = None if tree_size is None else tree_head(ledger, key, tree_size)
            return inclusion_proof(ledger, event_id, key, head)

        return _read_proof(prove)

    @app.get(
        "/proofs/consistency",
        dependencies=[Depends(allow(Action.PROOF))],
        responses=_errors(400, 401, 403, 503),
        summary="The consistency proof that the tree now (or at `to`) extends the tree at `from`",
    )
    def get_consistency_proof(
        from_size: Annotated[
            int, Query(alias="from", ge=0, description="the older head's tree size")
        ],
        to: Annotated[
            int | None, Query(ge=0, description="the newer head's tree size (default: now)")
        ] = None,
    ) -> Any:
        """`{"proof": "consistency", "old", "new", "path"}`, both heads signed now."""
        from ..audit.proofs import consistency_between

        return _read_proof(lambda: consistency_between(ledger, key, from_size, to))

    app.include_router(reads_router(ledger, allow, _read, _errors(400, 401, 403, 404, 503)))

    @app.get("/health", summary="Liveness and store reachability (no token needed)")
    def get_health() -> Any:
        try:
            with ledger_engine(ledger).connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            raise ApiError("store_error", "the store does not answer") from None
        return {"ok": True, "status": "ok"}

    @app.get("/openapi.json", include_in_schema=False, dependencies=[Depends(allow(Action.SCHEMA))])
    def get_openapi() -> Any:
        return app.openapi()

    return app


def _read(query: Callable[[], Any]) -> Any:
    try:
        return query()
    except LedgerError as e:
        raise ApiError(e.code, e.message) from None
    except (PersistenceError, SQLAlchemyError) as e:
        failure = failure_of(e)  # the command line's mapping: store_unavailable or store_error
        code = failure.code if failure is not None else "store_error"
        raise ApiError(
            code,
            "the store does not answer"
            if code == "store_unavailable"
            else f"the store failed: {type(e).__name__}",
        ) from None


def _read_proof(query: Callable[[], Any]) -> Any:
    """A proof's read: the coded failures of the store and of the proof (an unknown event, a
    tree size out of range) with their statuses."""
    try:
        return _read(query)
    except EdgeError as e:
        raise ApiError(e.code, e.message) from None


def _day(text_value: str | None) -> date | None:
    if text_value is None:
        return None
    try:
        return date.fromisoformat(text_value)
    except ValueError:
        raise ApiError("invalid_date", "as_of must be a date YYYY-MM-DD") from None


def _instant(text_value: str | None) -> datetime | None:
    if text_value is None:
        return None
    # an unencoded "+" in a query string arrives as a space: "...T00:00:00 00:00"
    text_value = _OFFSET_AFTER_SPACE.sub(r"+\1", text_value.strip())
    try:
        instant = datetime.fromisoformat(text_value)
    except ValueError:
        raise ApiError("invalid_field", "known_at must be an ISO 8601 instant") from None
    if instant.tzinfo is None:
        raise ApiError(
            "invalid_field",
            "known_at needs an offset, e.g. 2026-06-01T00:00:00+00:00 (encode + as %2B)",
        )
    return instant


def _require_json(request: Request) -> None:
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise ApiError("unsupported_media_type", "send commands as Content-Type: application/json")


async def _read_body(request: Request, limit: int) -> bytes:
    too_large = ApiError("payload_too_large", f"a request body is limited to {limit} bytes")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_json(raw: bytes) -> Any:
    try:
        return decode_json(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiError("invalid_json", "the body is not UTF-8 text") from None
    except RefusedJson as e:
        raise ApiError("invalid_json", str(e)) from None
    except (ValueError, RecursionError):
        raise ApiError("invalid_json", "the body is not a JSON object or array") from None


def _install_error_handlers(app: FastAPI) -> None:
    async def api_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return JSONResponse(
            error_body(exc.code, exc.message), status_code=exc.status, headers=exc.headers
        )

    async def http_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = _CODE_BY_STATUS.get(exc.status_code, "http_error")
        message = {
            404: "no such route",
            405: "this route does not take that method",
        }.get(exc.status_code, str(exc.detail))
        return JSONResponse(
            error_body(code, message), status_code=exc.status_code, headers=exc.headers
        )

    async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        # location and reason only: never the input, which may be member data
        problems = [
            f"{'.'.join(str(part) for part in error.get('loc', ()))}: {error.get('msg', 'invalid')}"
            for error in exc.errors()
        ]
        return JSONResponse(error_body("invalid_field", "; ".join(problems)), status_code=400)

    async def internal_error(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(error_body("internal_error", "the server failed"), status_code=500)

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, internal_error)


class AccessLog:
    """Logs one line per request: `INSTANT token=ID METHOD /route/{template} STATUS DURATIONms`
    (the token's short id, `-` when the request had no valid one; never the token itself, a
    query string, a path's own values or a body; uvicorn's access log is turned off by
    `serve`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.logger = logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = getattr(scope.get("route"), "path", None)
            method = scope.get("method", "")
            token_id = scope.get(TOKEN_ID_SCOPE_KEY)
            self.logger.info(
                "%s token=%s %s %s %d %.1fms",
                datetime.now(UTC).isoformat(timespec="milliseconds"),
                token_id if isinstance(token_id, str) else "-",
                method if method in _METHODS else "OTHER",
                route if isinstance(route, str) else "(no route)",
                status,
                (time.perf_counter() - started) * 1000,
            )


def _version() -> str:
    try:
        return package_version("enrollment-ledger")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "0"
