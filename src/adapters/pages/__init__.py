"""The hearing page and the household's timeline page: one self-contained HTML document each
(inline CSS and SVG, a print stylesheet, nothing fetched), rendered with Jinja2 (autoescaping on)
from the templates shipped with the package; and the what-if replay they offer."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from ...domain.ledger import Ledger
from .drawing import drawing
from .model import hearing_model, timeline_model
from .what_if import parse_facts, what_if_answer

__all__ = ["hearing_page", "parse_facts", "timeline_page", "what_if_answer"]


@lru_cache(maxsize=1)
def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(
        loader=PackageLoader("enrollment_ledger.adapters.pages", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def hearing_page(
    ledger: Ledger,
    appeal_id: str,
    what_if: dict[str, Any] | None = None,
    as_of: date | None = None,
) -> str:
    """The hearing page of `appeal_id`, with a what-if's answer (ok or an error) when given;
    `as_of`: the hearing's date (`hearing_model`)."""
    model = hearing_model(ledger, appeal_id, as_of)
    drawings = [drawing(p) for p in model["pictures"]]
    page: str = (
        _environment()
        .get_template("hearing.html.j2")
        .render(m=model, drawings=drawings, what_if=what_if)
    )
    return page


def timeline_page(ledger: Ledger, household_id: str) -> str:
    """The household's timeline page: the picture of each enrollment and every event."""
    model = timeline_model(ledger, household_id)
    drawings = [drawing(p) for p in model["pictures"]]
    page: str = _environment().get_template("timeline.html.j2").render(m=model, drawings=drawings)
    return page
