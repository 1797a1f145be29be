"""SQLModel tables of the training area: training runs and the adapters they produce."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from .tables import utcnow


class AdapterRow(SQLModel, table=True):
    """A trained LoRA adapter (a PEFT folder), usable in chat once converted to a llama.cpp LoRA GGUF.

    ``id`` is a readable slug (e.g. ``casual-20261122-1705``). A persona binds an
    adapter through ``PersonaRow.adapter_id``. ``status``: ``"ready"`` (usable), ``"rejected"`` (failed its
    llama.cpp checks: never usable) or ``"not-promoted"`` (usable, but the gate kept the previous one; it
    can be promoted by hand). The version fields (schema 4) tie it into its persona's history."""

    __tablename__ = "adapter"
    id: str = Field(primary_key=True)
    name: str
    base_model_id: str  # registry id of the base GGUF model
    path: str  # PEFT adapter folder (adapter_config.json, adapter_model.safetensors, tokenizer…)
    gguf_path: str | None = None  # llama.cpp LoRA GGUF, written by the export area
    run_id: str | None = Field(default=None, index=True)
    dataset_name: str | None = None
    method: str = "sft"
    spec: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    metrics: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    status: str = "ready"
    created_at: datetime = Field(default_factory=utcnow)
    #: The persona it was trained for (schema 4).
    persona_key: str | None = Field(default=None, index=True)
    #: The adapter active for the persona when it was trained; None: the base model.
    parent_id: str | None = None
    #: Hash of the dataset snapshot it was trained on.
    dataset_hash: str | None = None
    #: The :class:`~.evaluation_tables.EvaluationRow` that judged it.
    evaluation_id: int | None = None
    #: ``{"promoted": bool | None, "reasons": [str], "by": "gate" | "user"}``; empty until judged.
    verdict: dict[str, Any] = Field(default_factory=dict,
                                    sa_column=Column(JSON, nullable=False, default=dict, server_default="{}"))


class TrainingRun(SQLModel, table=True):
    """One training job: its frozen spec, status and metrics. Files live in ``runs_dir/<id>/``."""

    __tablename__ = "training_run"
    id: str = Field(primary_key=True)
    dataset_name: str | None = None
    base_model: str
    method: str = "sft"
    preset: str = "quick"
    status: str = Field(default="queued", index=True)  # queued, running, done, failed, cancelled
    persona_key: str | None = None
    spec: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    metrics: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    error: str | None = None
    adapter_id: str | None = None
    pid: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
