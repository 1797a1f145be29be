"""Error types of the memory area."""

from __future__ import annotations

from ..errors import AeonError, NotFoundError, ValidationError


class MemoryError(AeonError):  # noqa: A001 - the contract's name; always imported from this package
    """A memory cannot be stored, found, embedded or indexed."""


class MemoryNotFoundError(MemoryError, NotFoundError):
    """No memory item has this id (it may have been forgotten)."""


class MemoryInputError(MemoryError, ValidationError):
    """A text or file given by the user cannot be remembered; nothing was stored."""
