"""The event store: eventsourcing + eventsourcing-sqlalchemy, with the ledger's own tables
(command log, hash chain, schedule index) written in the same transaction as the events."""
