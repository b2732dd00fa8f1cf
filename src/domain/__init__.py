"""The domain: aggregates, events, rules of 956 CMR 12.00 and dated policy parameters.

Pure Python: no database, no broker, no HTTP, never the wall clock.
"""
