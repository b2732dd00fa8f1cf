"""Rules of 956 CMR 12.00, one module per section, each a small pure function with its citation."""
