"""enrollment-ledger: an event-sourced ledger for the Massachusetts Health Connector (956 CMR 12.00)."""
