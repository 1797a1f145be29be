"""SQLModel tables of the foundation: personas, conversations, messages, ratings, surveys, models.

Feature areas (datasets, training, memory…) define their tables in their own
modules and import them from :func:`aeon_studio.core.storage.engine._load_tables`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class PersonaRow(SQLModel, table=True):
    """A custom persona, or the user's edit of a built-in one (same key)."""

    __tablename__ = "persona"
    key: str = Field(primary_key=True)
    name: str
    description: str = ""
    system_prompt: str = ""
    temperature: float = 0.7
    top_p: float = 0.95
    max_tokens: int = 512
    adapter_id: str | None = None
    memory_enabled: bool = True
    #: Names of datasets added to the persona's retrain (schema 2).
    datasets: list[str] = Field(default_factory=list,
                                sa_column=Column(JSON, nullable=False, default=list, server_default="[]"))
    builtin: bool = False
    updated_at: datetime = Field(default_factory=utcnow)


class Conversation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = ""
    persona_key: str = "casual"
    model_id: str = ""
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class Message(SQLModel, table=True):
    """One turn. Assistant replies that answer the same prompt share ``group_id``
    (regenerations and edits); exactly one of a group is ``active`` — the version
    the user kept, which is what the model sees as history."""

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True, ondelete="CASCADE")
    role: str  # "system" | "user" | "assistant"
    content: str
    created_at: datetime = Field(default_factory=utcnow)
    persona_key: str | None = None
    model_id: str | None = None
    adapter_id: str | None = None
    group_id: int | None = Field(default=None, index=True)
    regenerates_id: int | None = None  # the reply this one regenerates
    edited_from_id: int | None = None  # the original this one corrects
    active: bool = True
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))


class Rating(SQLModel, table=True):
    """Likert 1–5 on an assistant reply; one per reply, changeable."""

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True, ondelete="CASCADE")
    likert: int
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    __table_args__ = (UniqueConstraint("message_id"),)


class SurveyAnswer(SQLModel, table=True):
    """Usability (1–7) or NPS (0–10) answer."""

    __tablename__ = "survey_answer"
    id: int | None = Field(default=None, primary_key=True)
    kind: str  # "usability" | "nps"
    value: int
    created_at: datetime = Field(default_factory=utcnow)


class ModelEntry(SQLModel, table=True):
    """A local GGUF file the user added to the registry."""

    __tablename__ = "model_entry"
    id: str = Field(primary_key=True)
    name: str
    path: str
    added_at: datetime = Field(default_factory=utcnow)


class ModelOrigin(SQLModel, table=True):
    """Where a registered model came from (``hub``, ``ollama``, ``file``) and what its GGUF says.

    A table of its own (not columns on ``model_entry``) so no migration is needed: ``create_all`` adds it, and a
    model added before it existed has no row here and counts as a ``file``. ``detail`` holds the origin
    (repo, file, revision, sha256 / Ollama name and digest) and the GGUF facts read once at registration
    (size, architecture, context length, whether a chat template is present)."""

    __tablename__ = "model_origin"
    model_id: str = Field(primary_key=True, foreign_key="model_entry.id", ondelete="CASCADE")
    source: str = "file"
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))


class AdapterBinding(SQLModel, table=True):
    """One change of the adapter a persona answers with (schema 3): ``adapter_id`` None = the base model.

    Written whenever an adapter is bound or unbound, so the chat can offer "back to the previous version"."""

    __tablename__ = "adapter_binding"
    id: int | None = Field(default=None, primary_key=True)
    persona_key: str = Field(index=True)
    adapter_id: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
