"""Build the backend a persona answers through from its settings (:class:`~aeon_studio.core.personas.Persona`)."""

from __future__ import annotations

from collections.abc import Callable

from ...personas import BackendConfig, Persona
from ..engine import ChatEngine
from .base import ChatBackend
from .embedded import EmbeddedBackend
from .fallback import FallbackBackend


def backend_from(config: BackendConfig, *, engine: Callable[[], ChatEngine], model_id: str) -> ChatBackend:
    """One backend from its settings; an OpenAI-compatible one gets its API key from the keyring here."""
    if config.kind == "ollama":
        from .ollama import OllamaBackend

        return OllamaBackend(config.model, config.url)
    if config.kind == "openai":
        from .keys import api_key_for
        from .openai import OpenAIBackend

        return OpenAIBackend(config.model, config.url, api_key=api_key_for(config.url))
    return EmbeddedBackend(engine, model_id)


def backend_for(persona: Persona, *, engine: Callable[[], ChatEngine], model_id: str) -> ChatBackend:
    """The backend ``persona`` answers through: its first backend, with a fallback order when it has several.

    Args:
        persona: Its ``backends`` (empty: the embedded engine).
        engine: Loads the embedded engine for the chat's model (only called if the embedded backend streams).
        model_id: The chat's model (registry id), used by the embedded backend.

    Raises:
        ValidationError: a server address is neither on this computer nor https.
    """
    backends = [backend_from(c, engine=engine, model_id=model_id) for c in persona.backends or [BackendConfig()]]
    return backends[0] if len(backends) == 1 else FallbackBackend(backends)
