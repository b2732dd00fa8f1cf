"""Where an appeal stands, shared by the sections of the Appeal aggregate."""

from __future__ import annotations

from enum import StrEnum

from ..rules import appeals as rules


class AppealStatus(StrEnum):
    """Where an appeal stands."""

    PENDING = "pending"
    DISMISSED = "dismissed"
    DECIDED = "decided"
    REHEARING = "rehearing"


CLOSED_WITHOUT_DECISION = frozenset({rules.AppealOutcome.DISMISSED, rules.AppealOutcome.WITHDRAWN})
