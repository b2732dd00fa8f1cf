"""The `enrollment-ledger` command line."""
