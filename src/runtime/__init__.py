"""What the long-running loops of the read models and the adapters share, and nothing of the
ledger: garbage collection tuned for batch work, bounded backoff through a store outage, stopping
on SIGTERM/SIGINT, and the column types of the ledger's own tables. Both outer layers import it;
it imports neither of them, nor the domain.
"""
