"""The pages over HTTP: `GET /appeals/{id}/hearing.html`, `GET /households/{id}/timeline.html` and
`POST /appeals/{id}/what-if` (a JSON body answers JSON; the page's form, URL-encoded, answers the
hearing page with the what-if shown). Errors keep the contract's JSON body and status.

A browser cannot send `Authorization: Bearer` with a link or a form: these routes also accept the
token in the `ledger_token` cookie (`TOKEN_COOKIE`). Only these: they record nothing, so a request
forged from another site could change nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import parse_qs

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from ...domain.errors import LedgerError
from ...domain.ledger import Ledger
from . import hearing_page, timeline_page, what_if_answer

TOKEN_COOKIE = "ledger_token"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"


def install_page_routes(
    app: FastAPI,
    ledger: Ledger,
    allow: Callable[..., Callable[..., Any]],
    actions: Any,
    read: Callable[[Callable[[], Any]], Any],
    body: Callable[[Request], Any],
    parse_json: Callable[[bytes], Any],
    error: Callable[[str, str], Exception],
    day: Callable[[str | None], date | None],
) -> None:
    """Add the page routes to `app`: `allow(action, cookie=True)` authorizes (header or cookie),
    `read` maps a query's refusals and store failures onto the contract's errors, `body` reads a
    request body within the size limit, `parse_json` decodes it, `error` makes an API error, `day`
    reads an `as_of` business date (the hearing's date; a bad one is `invalid_date`)."""

    @app.get(
        "/appeals/{appeal_id}/hearing.html",
        dependencies=[Depends(allow(actions.HEARING, cookie=True))],
        response_class=HTMLResponse,
        summary="The hearing page of an appeal (printable HTML with the picture of the case)",
    )
    def get_hearing_page(appeal_id: str, as_of: str | None = None) -> HTMLResponse:
        hearing_on = day(as_of)  # the hearing's date: the policy the decision is recomputed with
        return HTMLResponse(read(lambda: hearing_page(ledger, appeal_id, None, hearing_on)))

    @app.get(
        "/households/{household_id}/timeline.html",
        dependencies=[Depends(allow(actions.TIMELINE, cookie=True))],
        response_class=HTMLResponse,
        summary="The household's timeline page (printable HTML with the picture of each enrollment)",
    )
    def get_timeline_page(household_id: str) -> HTMLResponse:
        return HTMLResponse(read(lambda: timeline_page(ledger, household_id)))

    @app.post(
        "/appeals/{appeal_id}/what-if",
        dependencies=[Depends(allow(actions.WHAT_IF, cookie=True))],
        summary="Recompute the appealed determination with corrected facts; nothing is recorded",
    )
    async def post_what_if(appeal_id: str, request: Request) -> Any:
        raw = await body(request)
        media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_type == FORM_MEDIA_TYPE:
            facts = _form_facts(raw, error)
            answer = await run_in_threadpool(_what_if_or_error, ledger, appeal_id, facts)
            page = await run_in_threadpool(
                lambda: read(lambda: hearing_page(ledger, appeal_id, answer))
            )
            status = 200 if answer["ok"] else 400
            return HTMLResponse(page, status_code=status)
        if media_type != "application/json":
            raise error(
                "unsupported_media_type",
                "send the facts as application/json (or the page's form)",
            )
        facts = parse_json(raw)
        return JSONResponse(
            await run_in_threadpool(lambda: read(lambda: what_if_answer(ledger, appeal_id, facts)))
        )


def _what_if_or_error(ledger: Ledger, appeal_id: str, facts: Any) -> dict[str, Any]:
    """The what-if's answer, or its refusal as the contract's error body (shown on the page)."""
    try:
        return what_if_answer(ledger, appeal_id, facts)
    except LedgerError as e:
        if e.code.startswith("unknown_"):
            raise
        return {"ok": False, "error": {"code": e.code, "message": e.message}}


def _form_facts(raw: bytes, error: Callable[[str, str], Exception]) -> dict[str, Any]:
    """The form's fields as the what-if's facts: empty fields left out, `household_size` a
    number, `members` a JSON list."""
    try:
        fields = {k: v[-1].strip() for k, v in parse_qs(raw.decode("utf-8")).items()}
    except UnicodeDecodeError:
        raise error("invalid_json", "the form is not UTF-8 text") from None
    facts: dict[str, Any] = {k: v for k, v in fields.items() if v}
    if "household_size" in facts:
        size = facts["household_size"]
        facts["household_size"] = int(size) if size.isdigit() else size
    if "members" in facts:
        try:
            facts["members"] = json.loads(facts["members"])
        except ValueError:
            raise error("invalid_json", "members: a JSON list of members") from None
    return facts
