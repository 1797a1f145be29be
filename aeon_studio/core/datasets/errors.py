"""The error type of the datasets area."""

from __future__ import annotations

from ..errors import AeonError


class DatasetError(AeonError):
    """A dataset, a record or an export cannot be read, built or written; nothing the user had was changed."""
