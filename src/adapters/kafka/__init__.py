"""Downstream over Kafka: the relay that publishes the store's events as CloudEvents, and an
example consumer. kafka-python is imported only inside these code paths (the `kafka` extra)."""
