"""The ACD routing engine and the event types every other part speaks (standard library only)."""
