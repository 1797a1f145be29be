"""Domain routing of each persona: whether it picks an adapter per message by domain, and which adapter.

A table of its own (like ``persona_backend``): ``create_all`` adds it to an existing database, so the schema
version stays as it is.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from .tables import utcnow


class PersonaRoutingRow(SQLModel, table=True):
    """The domain → adapter map of one persona (a custom one, or a built-in the user edited)."""

    __tablename__ = "persona_routing"
    persona_key: str = Field(primary_key=True)
    #: Each user message picks the adapter of its domain (see :mod:`aeon_studio.core.chat.routing`).
    route_by_domain: bool = False
    #: ``{"technical": "tecnico-v3", "general": "tecnico-v2"}``: domain → adapter id.
    domain_adapters: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    updated_at: datetime = Field(default_factory=utcnow)
