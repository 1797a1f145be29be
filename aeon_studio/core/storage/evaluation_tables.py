"""SQLModel tables of the evaluation area: golden prompts, stored evaluations, blind A/B arena matches.

Model references in these tables are ``"base"``, ``"active"`` (the persona's bound adapter, or the base
model when none) or an adapter id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from .tables import utcnow


class GoldenPrompt(SQLModel, table=True):
    """A question whose answer must (and must not) contain some texts.

    With ``regex`` every ``must``/``must_not`` entry is a Python regular expression matched
    case-insensitively; otherwise each is a case-insensitive substring.
    """

    __tablename__ = "golden_prompt"
    id: int | None = Field(default=None, primary_key=True)
    persona_key: str = Field(index=True)
    prompt: str
    must: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    must_not: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    regex: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class EvaluationRow(SQLModel, table=True):
    """One evaluation run: a candidate scored against another model on one frozen set.

    ``items`` lists exactly what was used (``{"id", "hash"}`` each), so two evaluations with the same
    ``eval_set_hash`` are comparable; ``report`` is ``Comparison.as_dict()``, ``verdict`` the gate's.
    """

    __tablename__ = "evaluation"
    id: int | None = Field(default=None, primary_key=True)
    persona_key: str | None = Field(default=None, index=True)
    candidate: str
    against: str
    eval_set_hash: str = ""
    items: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    report: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    verdict: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)


class ArenaMatch(SQLModel, table=True):
    """A blind A/B comparison: two models' replies to one prompt, and the user's vote once given.

    ``vote`` is ``"a"``, ``"b"``, ``"tie"`` or ``"both-bad"``; None until the user votes.
    """

    __tablename__ = "arena_match"
    id: str = Field(primary_key=True)  # short random id, typed by the user in the CLI
    persona_key: str | None = Field(default=None, index=True)
    prompt: str
    model_a: str
    model_b: str
    reply_a: str
    reply_b: str
    vote: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    voted_at: datetime | None = None
