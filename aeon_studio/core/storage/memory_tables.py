"""SQLModel tables of the memory area: remembered facts, past exchanges and document passages.

SQLite is the source of truth; the FAISS index in ``settings.memory_dir`` is a cache that can
always be rebuilt from these rows. Each row keeps its embedding (float32 bytes) and the name of
the model that made it, so a rebuild only re-embeds rows made by another model.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from .tables import utcnow


class MemoryItemRow(SQLModel, table=True):
    """One memory: ``kind`` is "fact", "exchange" or "passage"."""

    __tablename__ = "memory_item"
    # Ids are never reused: a reply's stored sources name items by id, and a forgotten
    # item's id must not come to mean another memory.
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="fact", index=True)
    text: str
    source: str = ""  # human label: "you said, conversation 12", "notes.md, passage 3", "added by you"
    source_ref: str = Field(default="", index=True)  # document path, "conversation:12/message:40", ""
    persona_key: str | None = None
    doc_hash: str | None = None  # sha256 of the imported file (passages only)
    chunk_index: int | None = None  # passage number within its document, from 1
    embedding: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    embedding_model: str | None = None
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
