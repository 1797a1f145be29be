"""Repository of the adapter-binding history: which adapter (or the base model) each persona used, in order."""

from __future__ import annotations

from sqlmodel import col, select

from .engine import Database
from .tables import AdapterBinding


def record_binding(db: Database, persona_key: str, adapter_id: str | None) -> AdapterBinding:
    """Note that ``persona_key`` now answers with ``adapter_id`` (None: the base model)."""
    with db.session() as s:
        row = AdapterBinding(persona_key=persona_key, adapter_id=adapter_id)
        s.add(row)
        s.flush()
        s.refresh(row)
        return row


def binding_history(db: Database, persona_key: str, limit: int = 200) -> list[AdapterBinding]:
    """The persona's bindings, newest first."""
    with db.session() as s:
        q = (select(AdapterBinding).where(AdapterBinding.persona_key == persona_key)
             .order_by(col(AdapterBinding.id).desc()).limit(limit))
        return list(s.exec(q).all())
