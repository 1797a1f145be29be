"""What the Evaluation tab reads and does, as one small object over the core (the tab holds no domain logic).

:class:`EvaluationData` calls :mod:`aeon_studio.core.export.adapters` (versions, promote, rollback, delete),
:mod:`aeon_studio.core.evaluation` (golden prompts, evaluate, judge) and turns what they return into the plain
:class:`Version` rows the tab shows. Tests hand the tab a fake with the same methods.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aeon_studio.core.evaluation.reports import Measurement
from aeon_studio.core.storage import Database

#: ``progress(fraction 0..1, message)``, safe to call from a worker thread.
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Version:
    """One adapter version of a persona, as the versions table and the chart show it.

    Attributes:
        id: the adapter id.
        created_at: when it was trained.
        parent_id: the adapter that was active when it was trained (``None``: the base model).
        status: ``"ready"``, ``"rejected"`` or ``"not-promoted"`` (see ``AdapterRow``).
        active: whether the persona answers with it now.
        metrics: its ``ModelMetrics`` from its newest evaluation (empty when it was never evaluated).
        verdict: ``{"promoted": bool | None, "reasons": [str], "by": "gate" | "user"}`` (empty: not judged).
        measured: its newest evaluation (what it was compared with, when, on which set); None: never.
    """

    id: str
    created_at: datetime | None
    parent_id: str | None
    status: str
    active: bool
    metrics: dict[str, Any] = field(default_factory=dict)
    verdict: dict[str, Any] = field(default_factory=dict)
    measured: Measurement | None = None

    @property
    def eval_set(self) -> str | None:
        """The fingerprint of the set its metrics were scored on (None: never evaluated; "" unknown)."""
        if self.measured is not None:
            return self.measured.eval_set_hash
        return "" if self.metrics else None


@dataclass(frozen=True)
class Golden:
    """A golden prompt as the editor shows it (mirrors ``GoldenPrompt``)."""

    id: int
    prompt: str
    must: list[str]
    must_not: list[str]
    regex: bool = False


def _fraction(args: tuple[Any, ...]) -> tuple[float, str]:
    """Reads a core progress call: ``(fraction, message)``, ``(done, total)`` or ``(done, total, message)``."""
    numbers = [a for a in args if isinstance(a, (int, float)) and not isinstance(a, bool)]
    text = next((a for a in args if isinstance(a, str)), "")
    if len(numbers) >= 2 and numbers[1]:
        return min(1.0, numbers[0] / numbers[1]), text
    return (float(numbers[0]) if numbers else -1.0), text


def _plain(fraction_message: tuple[float, str], args: tuple[Any, ...]) -> tuple[float, str]:
    """The core's progress line names items by their hash ("base: held-out example 2055…"); a newcomer reads
    how far it is instead: "Answer 3 of 28"."""
    fraction, message = fraction_message
    numbers = [a for a in args if isinstance(a, int) and not isinstance(a, bool)]
    if len(numbers) >= 2 and numbers[1]:
        from aeon_studio.core.i18n import _

        return fraction, _("Answer {done} of {total}…").format(done=numbers[0], total=numbers[1])
    return fraction, message


class EvaluationData:
    """The core calls behind the Evaluation tab, for one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- personas and versions -----------------------------------------------------------------------
    def personas(self) -> list[tuple[str, str]]:
        """``(key, name)`` of every persona."""
        from aeon_studio.core.personas import PersonaStore

        return [(p.key, p.name) for p in PersonaStore(self.db).list()]

    def versions(self, persona_key: str) -> list[Version]:
        """The persona's adapter versions, newest first."""
        from aeon_studio.core.evaluation.reports import measurements
        from aeon_studio.core.export.adapters import history

        infos = history(persona_key, self.db)
        measured = measurements([a.id for a in infos], self.db)
        return [Version(id=a.id, created_at=a.created_at, parent_id=a.parent_id, status=a.status, active=a.active,
                        metrics=dict(m.metrics) if (m := measured.get(a.id)) else {}, verdict=dict(a.verdict),
                        measured=m)
                for a in infos]

    def promote(self, adapter_id: str) -> None:
        """Make the adapter its persona's active version (the user's choice, over the gate's)."""
        from aeon_studio.core.export.adapters import promote

        promote(adapter_id, self.db, by="user")

    def rollback(self, persona_key: str, to: str | None = None) -> None:
        """Go back to the previous version, or to ``to`` (an adapter id or ``"base"``)."""
        from aeon_studio.core.export.adapters import rollback

        rollback(persona_key, self.db, to=to)

    def delete(self, adapter_id: str) -> None:
        """Delete a version (the core refuses the active one)."""
        from aeon_studio.core.export.adapters import delete_adapter

        delete_adapter(adapter_id, self.db)

    # -- golden prompts --------------------------------------------------------------------------------
    def golden(self, persona_key: str) -> list[Golden]:
        from aeon_studio.core.evaluation import golden

        return [Golden(g.id, g.prompt, list(g.must), list(g.must_not), bool(g.regex))
                for g in golden.list_golden(persona_key, self.db)]

    def save_golden(self, persona_key: str, item: Golden) -> None:
        """Add (``item.id == 0``) or change a golden prompt; a bad regex or no criterion raises EvaluationError."""
        from aeon_studio.core.evaluation import golden

        if item.id:
            golden.update_golden(item.id, prompt=item.prompt, must=item.must, must_not=item.must_not,
                                 regex=item.regex, db=self.db)
        else:
            golden.add_golden(persona_key, item.prompt, must=item.must, must_not=item.must_not, regex=item.regex,
                              db=self.db)

    def remove_golden(self, golden_id: int) -> None:
        from aeon_studio.core.evaluation import golden

        golden.remove_golden(golden_id, self.db)

    # -- evaluate ------------------------------------------------------------------------------------------
    def evaluate(self, candidate: str, against: str, persona_key: str, progress: Progress,
                 should_stop: Callable[[], bool]) -> tuple[Any, Any]:
        """Score ``candidate`` against ``against`` (stored by the core) and judge it; returns (comparison, verdict).

        Runs for minutes: call it off the UI thread.
        """
        from aeon_studio.core.evaluation.evaluate import evaluate
        from aeon_studio.core.evaluation.gate import judge

        from aeon_studio.core.evaluation.evaluate import record_verdict

        comparison = evaluate(candidate, against=against, persona_key=persona_key, db=self.db,
                              progress=lambda *a: progress(*_plain(_fraction(a), a)), should_stop=should_stop)
        verdict = judge(comparison)
        if comparison.evaluation_id is not None:  # stored with the versions it measured (see evaluate)
            record_verdict(comparison.evaluation_id, verdict.as_dict(), self.db)
        return comparison, verdict


def latest_eval_set(versions: list[Version]) -> str | None:
    """The set the newest evaluation among ``versions`` was scored on (None when none was evaluated).

    Only versions measured on this same set have comparable numbers (see :class:`Version.eval_set`)."""
    measured = [v.measured for v in versions if v.measured is not None]
    if not measured:
        return "" if any(v.metrics for v in versions) else None
    newest = max(measured, key=lambda m: m.evaluation_id)  # ids grow with time
    return newest.eval_set_hash
