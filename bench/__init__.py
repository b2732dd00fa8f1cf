"""The benchmark of issue 10: a synthetic exchange's year, measured against the bare libraries.

Not part of the installed package: run it from the repository root (`python -m bench.run`) or
through `enrollment-ledger bench`, which imports it from the current directory.
"""
