"""Errors of the export area."""

from __future__ import annotations

from ..errors import AeonError


class ExportError(AeonError):
    """An adapter cannot be converted, merged, quantized or sent to Ollama; nothing was left behind."""


class ExportCheckError(ExportError):
    """An export was written but failed its checks; the file was deleted."""

    def __init__(self, message: str, *, hint: str | None = None, failures: list[str] | None = None) -> None:
        self.failures = list(failures or [])
        super().__init__(message, hint=hint)
