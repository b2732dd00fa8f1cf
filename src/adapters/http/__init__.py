"""The HTTP API (`enrollment-ledger serve`): a FastAPI app over the same command path and queries
as the command line, with bearer tokens and roles. Nothing is created at import: `create_app`
builds the app for a ledger; `auth.TokenStore` keeps the tokens' hashes in the ledger's store."""

from __future__ import annotations
