"""The read routes of the small-group program and of the cross-member read models (issue 18):
an employer's timeline, a group enrollment's coverage and balance (the same answers as
`/enrollments/{id}/...`, for a small group's id only), and `terminations` and `delinquent`, which
list individuals' enrollments and small groups' alike (a group's termination with every employee
it ended, for carrier reconciliation).

Each answers what the command line's query of the same name answers, and each cross-member route
first catches its read model up, as the command line does. Roles: those of the non-group reads
(`TIMELINE`, `COVERAGE`, `BALANCE`; `TERMINATIONS` and `DELINQUENT` are the cross-member forms of
coverage and balance, and have their roles).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from ...domain.errors import LedgerError, UnknownEnrollment
from ...domain.ledger import Ledger
from ...projections import runner
from ...projections.delinquency import NAME as DELINQUENCY
from ...projections.delinquency import delinquent_on
from ...projections.terminations import BY_COLUMNS, terminations_between
from ...projections.terminations import NAME as TERMINATIONS
from ...projections.tracking import RebuildPending
from .. import queries
from .auth import Action, Grant
from .errors import ApiError

Allow = Callable[[Action], Callable[..., Grant]]
"""`create_app`'s dependency factory: the grant of a token whose role may do the action."""

Read = Callable[[Callable[[], Any]], Any]
"""`app._read`: a query's answer, or its coded failure as an `ApiError`."""

DateParam = Annotated[str, Query(description="a date YYYY-MM-DD", examples=["2026-07-01"])]


def reads_router(
    ledger: Ledger, allow: Allow, read: Read, errors: dict[int | str, Any]
) -> APIRouter:
    """The routes, for one ledger (`errors`: the OpenAPI description of the error answers)."""
    router = APIRouter()

    @router.get(
        "/employers/{employer_id}/timeline",
        dependencies=[Depends(allow(Action.TIMELINE))],
        responses=errors,
        summary="Every event of an employer, its group enrollments (its employees' coverage) "
        "and its appeals",
    )
    def get_employer_timeline(employer_id: str) -> Any:
        return read(lambda: queries.employer_timeline(ledger, employer_id))

    @router.get(
        "/group-enrollments/{group_enrollment_id}/coverage",
        dependencies=[Depends(allow(Action.COVERAGE))],
        responses=errors,
        summary="A small group's coverage with each employee's spans",
    )
    def get_group_coverage(
        group_enrollment_id: str, as_of: Annotated[str | None, Query()] = None
    ) -> Any:
        day = _day("as_of", as_of) if as_of is not None else None
        return read(lambda: _group(queries.coverage(ledger, group_enrollment_id, day)))

    @router.get(
        "/group-enrollments/{group_enrollment_id}/balance",
        dependencies=[Depends(allow(Action.BALANCE))],
        responses=errors,
        summary="A small group's premiums by month, with the employees each month bills",
    )
    def get_group_balance(
        group_enrollment_id: str, as_of: Annotated[str | None, Query()] = None
    ) -> Any:
        day = _day("as_of", as_of) if as_of is not None else None
        return read(lambda: _group(queries.balance(ledger, group_enrollment_id, day)))

    @router.get(
        "/terminations",
        dependencies=[Depends(allow(Action.TERMINATIONS))],
        responses=errors,
        summary="Terminations decided (or ending, by=end_on) between two dates, for carrier "
        "reconciliation: a small group's with every employee it ended",
    )
    def get_terminations(
        start: Annotated[str, Query(alias="from", description="YYYY-MM-DD")],
        end: Annotated[str, Query(alias="to", description="YYYY-MM-DD")],
        by: Annotated[str, Query(description="decided_on or end_on")] = "decided_on",
    ) -> Any:
        first, last = _day("from", start), _day("to", end)
        if last < first:
            raise ApiError("invalid_date", "to cannot be before from")
        if by not in BY_COLUMNS:
            raise ApiError("invalid_field", f"by must be one of {', '.join(BY_COLUMNS)}")

        def answer() -> dict[str, Any]:
            _catch_up(ledger, TERMINATIONS)
            rows = terminations_between(ledger, first, last, by)
            return {"from": start, "to": end, "by": by, "terminations": rows}

        return read(answer)

    @router.get(
        "/delinquent",
        dependencies=[Depends(allow(Action.DELINQUENT))],
        responses=errors,
        summary="Every enrollment (an individual's or a small group's) in a grace period on a day",
    )
    def get_delinquent(as_of: DateParam) -> Any:
        day = _day("as_of", as_of)

        def answer() -> dict[str, Any]:
            _catch_up(ledger, DELINQUENCY)
            return {"as_of": day.isoformat(), "delinquent": delinquent_on(ledger, day)}

        return read(answer)

    return router


def _group(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer when it is a small group's; an individual's id is not a group enrollment."""
    if "group_enrollment_id" not in answer:
        raise UnknownEnrollment(
            f"{answer.get('enrollment_id')!r} is an individual's enrollment, not a small "
            "group's: ask /enrollments/{id}"
        )
    return answer


_CATCH_UP = threading.Lock()
"""One catch-up at a time (each would only repeat the other's batches)."""


def _catch_up(ledger: Ledger, name: str) -> None:
    """The read model brought up to the store's head (as the command line's query does)."""
    try:
        with _CATCH_UP:
            runner.run(ledger, [name])
    except RebuildPending as e:
        raise LedgerError(str(e), "rebuild_pending") from None


def _day(name: str, text_value: str) -> date:
    try:
        return date.fromisoformat(text_value)
    except ValueError:
        raise ApiError("invalid_date", f"{name} must be a date YYYY-MM-DD") from None
