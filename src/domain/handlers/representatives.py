"""Use cases of a household's representatives (12.17, 12.03): designation and revocation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate

from .. import representatives
from ..commands import DesignateRepresentative, RevokeRepresentative

if TYPE_CHECKING:
    from .ports import LedgerPort


def designate_representative(
    ledger: LedgerPort, command: DesignateRepresentative
) -> list[Aggregate]:
    """12.17 (authorized) or 12.03 (Appeal Representative), for the household or one member."""
    household = ledger.household(command.household_id)
    representatives.designate(
        household,
        on=command.on,
        representative_id=command.representative_id,
        name=command.name,
        kind=command.kind,
        member_id=command.member_id,
        written_authorization_on=command.written_authorization_on,
    )
    return [household]


def revoke_representative(ledger: LedgerPort, command: RevokeRepresentative) -> list[Aggregate]:
    household = ledger.household(command.household_id)
    representatives.revoke(household, on=command.on, representative_id=command.representative_id)
    return [household]
