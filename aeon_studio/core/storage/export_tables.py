"""SQLModel tables of the export area: one row per finished export (GGUF or Ollama)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from .tables import utcnow


class ExportRow(SQLModel, table=True):
    """An export that passed its checks (failed ones are deleted and not recorded)."""

    __tablename__ = "export"
    id: int | None = Field(default=None, primary_key=True)
    adapter_id: str | None = Field(default=None, index=True)
    base_model_id: str = ""
    kind: str  # "lora" | "merged" | "ollama"
    quant: str | None = None
    path: str
    size: int = 0
    ok: bool = True
    checks: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    created_at: datetime = Field(default_factory=utcnow)
