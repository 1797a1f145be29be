"""Storage: the only writer of the database."""

from .engine import SCHEMA_VERSION, Database, close_all, get_database

__all__ = ["SCHEMA_VERSION", "Database", "close_all", "get_database"]
