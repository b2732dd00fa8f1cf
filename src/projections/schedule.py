"""The schedule's index of next due dates, as a read model.

It is not projected here: the recorder keeps it (`ledger_schedule`, one row per enrollment with
its next due date) in the same transaction as the events that change it, because `run_schedule`
reads it to find what is due, so it must never lag. A second copy rebuilt from the notification
log could only lag behind that one. It is listed by `projections status` at the store's head
(lag 0, always), and `projections run` and `rebuild` leave it alone.
"""

from __future__ import annotations

from typing import Any

from ..domain.ledger import Ledger
from .tracking import head

NAME = "schedule"


def schedule_status(ledger: Ledger) -> dict[str, Any]:
    position = head(ledger)
    return {"name": NAME, "position": position, "head": position, "lag": 0, "state": "current"}
