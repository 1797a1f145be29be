"""Where each persona sends its prompts: the chat backends it answers through, in fallback order.

A table of its own (not columns of ``persona``): ``create_all`` adds it to an existing database, so the schema
version stays as it is. API keys are never stored here; they live in the system keyring.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from .tables import utcnow


class PersonaBackendRow(SQLModel, table=True):
    """The chat backends of one persona (a custom one, or a built-in the user edited)."""

    __tablename__ = "persona_backend"
    persona_key: str = Field(primary_key=True)
    #: ``[{"kind": "ollama", "model": "qwen2.5:1.5b", "url": ""}, ...]``: the first answers, the others are the
    #: fallback order. Empty: the embedded llama.cpp engine.
    backends: list[dict[str, Any]] = Field(default_factory=list,
                                           sa_column=Column(JSON, nullable=False, default=list))
    #: Recalled memory notes go only into prompts of backends on this computer.
    memory_local_only: bool = True
    updated_at: datetime = Field(default_factory=utcnow)
