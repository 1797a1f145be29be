"""Run history table model of the Training tab: status and metrics of every ``TrainingRun`` row."""

from __future__ import annotations

from typing import Any

from aeon_studio.core.i18n import N_, _
from aeon_studio.core.training.events import RunStatus
from aeon_studio.app.shared.table_model import Column, TableModel
from aeon_studio.app.evaluation.numbers import number
from aeon_studio.app.training.log import fmt_duration

HEADERS = [N_("Run"), N_("Status"), N_("Dataset"), N_("Preset"), N_("Steps"), N_("Loss"), N_("Held-out loss"),
           N_("Duration"), N_("Adapter")]
#: A run's status and preset as the table shows them (the stored values are identifiers).
STATUS_NAMES = {RunStatus.QUEUED: N_("queued"), RunStatus.RUNNING: N_("running"), RunStatus.DONE: N_("done"),
                RunStatus.FAILED: N_("failed"), RunStatus.CANCELLED: N_("cancelled")}
PRESET_NAMES = {"quick": N_("Quick"), "balanced": N_("Balanced"), "thorough": N_("Thorough")}


def _named(names: dict[str, str], value: str | None) -> str:
    return _(names[value]) if value in names else value or ""


def _loss(value: Any) -> str:
    return number(value, 3) if isinstance(value, (int, float)) else ""


def _duration(row: Any) -> float | None:
    m = row.metrics or {}
    if isinstance(m.get("train_seconds"), (int, float)):
        return float(m["train_seconds"])
    if row.started_at and row.finished_at:
        return (row.finished_at - row.started_at).total_seconds()
    return None


def run_cells(row: Any) -> list[str]:
    """The table cells of one run (also used for its tooltip)."""
    m = row.metrics or {}
    total = m.get("total_steps")
    step = m.get("steps") or m.get("step")
    steps = f"{step or 0}/{total}" if total else (str(step) if step else "")
    return [row.id, _named(STATUS_NAMES, row.status), row.dataset_name or "", _named(PRESET_NAMES, row.preset), steps,
            _loss(m.get("final_loss") if m.get("final_loss") is not None else m.get("loss")),
            _loss(m.get("eval_loss")), fmt_duration(_duration(row)), row.adapter_id or ""]


def _tooltip(row: Any) -> str:
    from aeon_studio.core.training.cost import cost_text

    what = row.error or _("Base model {b} · method {m}").format(b=row.base_model, m=row.method)
    cost = cost_text(row.metrics or {})
    return f"{what}\n{cost}" if cost else what


#: Every cell of a run shows the same tooltip: its error, or what it trained.
COLUMNS = tuple(Column(header, lambda r, i=i: run_cells(r)[i], tooltip=_tooltip, numeric=4 <= i <= 7)
                for i, header in enumerate(HEADERS))


class RunsModel(TableModel):
    """Rows are ``TrainingRun`` objects (or anything with the same attributes, e.g. demo rows)."""

    columns = COLUMNS

    def update_live(self, run_id: str, **metrics: Any) -> None:
        """Show a live run's newest step and loss (from its events) without waiting for the database.

        The stored row is folded from the events only when the runs are reloaded, so its Steps cell would
        lag the progress bar by minutes; the displayed copy is updated in place instead."""
        for i, row in enumerate(self.rows):
            if row.id == run_id:
                row.metrics = {**(row.metrics or {}), **metrics}
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.columns) - 1))
                return
