"""The eventsourcing persistence module for the ledger (`PERSISTENCE_MODULE` points here)."""

from __future__ import annotations

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory

from .recorder import LedgerRecorder


class Factory(SQLAlchemyFactory):
    application_recorder_class = LedgerRecorder

    def application_recorder(self) -> ApplicationRecorder:
        recorder: ApplicationRecorder = super().application_recorder()
        return recorder
