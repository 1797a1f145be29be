"""Readers of the input formats (logs, CSV, JSON/JSONL); each yields :class:`..records.Record` objects."""
