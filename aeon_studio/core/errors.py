"""Error types shared by the core. Every message says what, where and what to do."""

from __future__ import annotations


class AeonError(Exception):
    """Base class: ``str(err)`` is a complete, user-facing message."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(f"{message}\n{hint}" if hint else message)


class StorageError(AeonError):
    """The database cannot be opened, read or written."""


class SchemaTooNewError(StorageError):
    """The database was written by a newer version of Aeon Studio."""


class ValidationError(AeonError):
    """A value given by the user is out of range or malformed; nothing was stored."""


class NotFoundError(AeonError):
    """A persona, conversation, message, model… that does not exist."""


class ModelError(AeonError):
    """A model file is missing, truncated, or not a usable GGUF."""
