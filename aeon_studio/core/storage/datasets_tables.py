"""SQLModel tables of the datasets area: datasets, their examples and preference pairs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from .tables import utcnow


class Dataset(SQLModel, table=True):
    """A named training set (``name`` is what the CLI and the training area use)."""

    __tablename__ = "dataset"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    description: str = ""
    kind: str = "sft"  # what it was built for: "sft" (examples), "chats" (examples + pairs), "identity"
    eval_percent: int = 10
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Example(SQLModel, table=True):
    """One conversation ``{"messages": [...]}`` of a dataset. ``content_hash`` decides the split and removes
    exact duplicates (unique per dataset). Turns may call tools (OpenAI ``tool_calls`` and ``tool`` turns; the
    definitions are in ``tools``)."""

    __tablename__ = "dataset_example"
    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True, ondelete="CASCADE")
    messages: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    source: str = ""  # "chats" | "identity" | "import" | …
    source_ref: str = ""  # file:line, or conversation/message ids
    domain: str = "general"
    content_hash: str = Field(index=True)
    split: str = "train"  # "train" | "eval"
    rating: int | None = None
    tokens: int = 0
    edited: bool = False
    #: KTO label (schema 5): ``True`` desirable, ``False`` undesirable (never an SFT target), ``None`` unlabelled.
    label: bool | None = Field(default=None, index=True)
    #: OpenAI tool definitions the conversation's tool calls refer to (schema 5); ``None`` without tools.
    tools: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    __table_args__ = (UniqueConstraint("dataset_id", "content_hash"),)


class PreferencePair(SQLModel, table=True):
    """A DPO pair: ``prompt`` (messages up to the user's turn), the ``chosen`` and the ``rejected`` reply."""

    __tablename__ = "dataset_pair"
    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True, ondelete="CASCADE")
    prompt: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    chosen: str
    rejected: str
    reason: str = ""  # "edit" | "picked" | "rating"
    source_ref: str = ""
    content_hash: str = Field(index=True)
    split: str = "train"
    created_at: datetime = Field(default_factory=utcnow)
    __table_args__ = (UniqueConstraint("dataset_id", "content_hash"),)


class ExampleEdit(SQLModel, table=True):
    """History of a user's edit of an example (the messages before the change)."""

    __tablename__ = "dataset_example_edit"
    id: int | None = Field(default=None, primary_key=True)
    example_id: int = Field(index=True)
    before: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class DatasetPassage(SQLModel, table=True):
    """A passage of an imported document (TXT/MD/PDF), kept for memory and for question generation."""

    __tablename__ = "dataset_passage"
    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True, ondelete="CASCADE")
    ref: str = ""  # "manual.pdf:p3", "notes.md:12"
    text: str
    content_hash: str = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow)
    __table_args__ = (UniqueConstraint("dataset_id", "content_hash"),)


class DatasetCandidate(SQLModel, table=True):
    """A question/answer pair generated from a passage, waiting for the user's review.

    ``status``: ``pending`` → ``accepted`` (then ``example_id`` points at the example it became) or ``rejected``.
    """

    __tablename__ = "dataset_candidate"
    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True, ondelete="CASCADE")
    question: str
    answer: str
    passage_ref: str = ""
    passage: str = ""
    model_id: str = ""
    status: str = Field(default="pending", index=True)
    example_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
