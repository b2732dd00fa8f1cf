"""Read models rebuilt from events."""
