"""A list of rendered events as a table (`timeline`, the hearing packet's events): each event's
short id, dates, type, what it belongs to, its money and clause, and who recorded it."""

from __future__ import annotations

from typing import Any

from . import render

UNKNOWN_ACTOR = "(not recorded)"
"""Shown for an event recorded before the ledger kept who recorded it."""


def actor(recorded_by: str | None) -> str:
    """Who recorded an event, as rich prints it (a name is text, never markup)."""
    from rich.markup import escape

    return UNKNOWN_ACTOR if recorded_by is None else escape(recorded_by)


SHORT_ID = 8
"""The characters of an event id the timeline shows (all of them with --wide)."""

SUBJECTS = (
    ("appeal_id", "appeal"),
    ("group_enrollment_id", "group enrollment"),
    ("enrollment_id", "enrollment"),
    ("employer_id", "employer"),
    ("household_id", "household"),
)
"""What an aggregate is called, from the first of these its first event names."""


def subjects(events: list[dict[str, Any]]) -> dict[str, str]:
    """Each aggregate's name in the ledger's own ids (`enrollment E-FAQ`, `appeal A-AP`), from
    its first event among `events`."""
    named: dict[str, str] = {}
    for event in events:
        aggregate = event["aggregate_id"]
        if aggregate in named:
            continue
        for key, label in SUBJECTS:
            if event["data"].get(key):
                named[aggregate] = f"{label} {event['data'][key]}"
                break
    return named


TIMELINE_COLUMNS = ("id", "on", "type", "effective_on", "of", "amounts", "citation")
"""The timeline's columns; `citation` shows the clause, `956 CMR` said once in its header."""
LONGEST_TYPE = 32
"""The type column is as wide as the longest type shown, up to this (a longer one folds)."""
LONGEST_NAME_WORD = 16
MIN_TYPE = 12
MIN_SHARE = 10
"""On a narrow screen the type column narrows (to 12 at least) to leave 10 columns to each of
amounts and citation."""


def events_table(
    title: str, events: list[dict[str, Any]], *, wide: bool = False, width: int = render.WIDTH
) -> Any:
    """Rendered events (`wire.render_event`) as a table: the event's id (short, whole when
    `wide`), its date, type, effective date, what it belongs to (the enrollment, appeal or
    household by its id), the money it carries and its clause; and who recorded them, a
    `recorded_by` column when more than one actor did, else the caption `recorded by NAME`."""
    named = subjects(events)
    recorders = {event.get("recorded_by") for event in events}
    by_row = len(recorders) > 1
    caption = None if by_row or not events else f"recorded by {actor(recorders.pop())}"
    fixed = {
        "id": len(events[0]["id"]) if wide and events else SHORT_ID,
        "on": render.DATE_WIDTH,
        "effective_on": render.DATE_WIDTH,
        "of": max((len(w) for label in named.values() for w in label.split()), default=8),
    }
    if by_row:  # as wide as the longest word of a name (a name wraps between its words)
        names = [actor(name) for name in recorders]
        longest_word = max(len(word) for name in names for word in name.split())
        fixed["recorded_by"] = min(max(longest_word, len("recorded")), LONGEST_NAME_WORD)
    flexible = {"amounts": 1, "citation": 1}
    longest = max((len(event["type"]) for event in events), default=4)
    room = width - sum(fixed.values()) - render.GAP * 8 - MIN_SHARE * len(flexible)
    fixed["type"] = max(min(longest, LONGEST_TYPE, room), MIN_TYPE)
    table = render.table(
        title,
        (*TIMELINE_COLUMNS, "recorded_by") if by_row else TIMELINE_COLUMNS,
        caption=caption,
        widths=render.shares(width, fixed, flexible),
    )
    for event in events:
        cells = [
            event["id"] if wide else event["id"][:SHORT_ID],
            render.cell(event["on"]),
            event["type"],
            render.cell(event["effective_on"]),
            named.get(event["aggregate_id"], event["aggregate_id"][:SHORT_ID]),
            render.amounts(event["data"]),
            render.clause(event["citation"]),
        ]
        if by_row:
            cells.append(actor(event.get("recorded_by")))
        table.add_row(*cells)
    return table
