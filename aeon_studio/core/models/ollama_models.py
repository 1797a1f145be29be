"""Register a model Ollama already has: its GGUF blob is used in place, never copied."""

from __future__ import annotations

from pathlib import Path

from ..ollama.library import find_ollama_model
from .registry import ModelInfo, ModelRegistry


def add_ollama_model(name: str, *, registry: ModelRegistry | None = None, models_dir: Path | None = None,
                     display: str | None = None) -> ModelInfo:
    """Register Ollama's ``name`` (``qwen2.5:0.5b``) as an ``ollama`` model; the same blob twice is one model.

    Raises:
        NotFoundError: Ollama has no such model.
        ModelError: its blob is not a GGUF, or is damaged (checked completely before anything is stored).
    """
    registry = registry or ModelRegistry()
    model = find_ollama_model(name, models_dir)
    known = registry.find(path=model.blob.resolve())
    if known is not None:
        return known
    return registry.add(model.blob, display or model.name, source="ollama",
                        origin={"ollama": model.name, "digest": model.digest})
