"""What each adapter version was last measured at: its side of the newest evaluation stored with it.

:func:`aeon_studio.core.evaluation.evaluate.evaluate` attaches every stored evaluation to the adapter rows it
measured (``AdapterRow.evaluation_id``), whichever side they were on. :func:`measurements` reads that back,
with what the evaluation was scored on (``eval_set_hash`` and its items), so a view can tell which versions
were measured on the same questions and are comparable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import col, select


@dataclass(frozen=True)
class Measurement:
    """One version's newest measurement.

    Attributes:
        evaluation_id: the stored ``EvaluationRow``.
        created_at: when it was measured.
        metrics: this version's ``ModelMetrics`` as a dict (without the replies).
        against: the model on the other side (``"base"`` or an adapter id; itself when both sides were it).
        against_metrics: the other side's metrics (without the replies).
        eval_set_hash: the fingerprint of the set both were scored on (equal hashes: comparable numbers).
        held_out: how many held-out examples the set had.
        golden: how many golden prompts the set had.
        verdict: the gate's verdict on this version in this evaluation (``{"promoted", "reasons"}``); None when
            not recorded or when this version was the one compared with.
    """

    evaluation_id: int
    created_at: datetime | None
    metrics: dict[str, Any]
    against: str
    against_metrics: dict[str, Any] = field(default_factory=dict)
    eval_set_hash: str = ""
    held_out: int = 0
    golden: int = 0
    verdict: dict[str, Any] | None = None


def _without_replies(metrics: Any) -> dict[str, Any]:
    out = dict(metrics or {})
    out.pop("replies", None)
    return out


def measurement_of(adapter_id: str, evaluation: Any) -> Measurement | None:
    """``adapter_id``'s side of a stored ``EvaluationRow`` (None when it was on neither side)."""
    report = evaluation.report or {}
    sides = [report.get("candidate") or {}, report.get("against") or {}]
    if sides[0].get("model") == adapter_id:
        mine, other = sides
    elif sides[1].get("model") == adapter_id:
        other, mine = sides
    else:
        return None
    items = [str(i.get("id", "")) for i in evaluation.items or []]
    golden = sum(i.startswith("golden:") for i in items)
    return Measurement(int(evaluation.id), evaluation.created_at, _without_replies(mine),
                       str(other.get("model") or ""), _without_replies(other), evaluation.eval_set_hash or "",
                       len(items) - golden, golden,
                       # the verdict judges the candidate: for the other side it says nothing about this version
                       dict(evaluation.verdict) if evaluation.verdict and mine is sides[0] else None)


def measurements(adapter_ids: Iterable[str], db) -> dict[str, Measurement]:
    """The newest measurement of each of ``adapter_ids`` that has one (ids without one are left out)."""
    from ..storage.evaluation_tables import EvaluationRow
    from ..storage.training_tables import AdapterRow

    ids = list(adapter_ids)
    if not ids:
        return {}
    with db.session() as s:
        links = {r.id: r.evaluation_id for r in s.exec(select(AdapterRow).where(col(AdapterRow.id).in_(ids))).all()
                 if r.evaluation_id is not None}
        rows = {e.id: e for e in s.exec(select(EvaluationRow)
                                         .where(col(EvaluationRow.id).in_(set(links.values())))).all()}
        out: dict[str, Measurement] = {}
        for adapter_id, evaluation_id in links.items():
            found = measurement_of(adapter_id, rows[evaluation_id]) if evaluation_id in rows else None
            if found is not None:
                out[adapter_id] = found
    return out
