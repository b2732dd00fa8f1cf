"""I/O at the edges: the event store, the command line (and later Kafka and HTTP)."""
