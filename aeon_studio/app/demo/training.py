"""Demo data and the screenshot of the training tab (scripts/screenshots.py); never imported by the running app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aeon_studio.app.context import AppContext
from aeon_studio.app.training.settings import dataset_choices
from aeon_studio.app.training.tab import TrainingTab
from aeon_studio.core.i18n import _


def _demo_runs() -> list[Any]:
    """Two run rows for the screenshot (plain objects; nothing is written to the database)."""
    from datetime import datetime, timedelta
    from types import SimpleNamespace

    t = datetime(2026, 11, 22, 17, 5)
    common = {"base_model": "smollm2-135m-instruct", "method": "sft", "error": None}
    return [
        SimpleNamespace(id="run-20261122-173012", status="running", dataset_name="identity-aeon", preset="quick",
                        metrics={"step": 42, "total_steps": 60, "loss": 0.2246, "eval_loss": 0.47},
                        started_at=t + timedelta(minutes=25), finished_at=None, adapter_id=None, **common),
        SimpleNamespace(id="run-20261122-170501", status="done", dataset_name="chats-2026-11", preset="quick",
                        metrics={"steps": 60, "total_steps": 60, "first_loss": 3.91, "final_loss": 0.31,
                                 "eval_loss": 0.52, "train_seconds": 88.4},
                        started_at=t, finished_at=t + timedelta(seconds=95), adapter_id="aeon-20261122-170501",
                        **common),
    ]


def render_training(ctx: AppContext, out_dir: Path, *, demo: bool = True) -> Path:
    """Render the tab to ``training_tab.png``; with ``demo`` a run in progress (curve, log, run rows)."""
    import math

    w = TrainingTab(ctx)
    w.resize(1180, 720)
    if demo:
        if w.dataset.findData("identity-aeon") < 0:  # the Datasets tab's demo data may already hold it
            items = [(w.dataset.itemText(i), w.dataset.itemData(i), "") for i in range(w.dataset.count())]
            w.dataset.set_choices(items + dataset_choices([{"name": "identity-aeon", "examples": 96}]))
        w.dataset.set_value("identity-aeon")
        w.advanced.setChecked(True)
        w.advanced.eval_pct.setValue(10)
        w.model.set_rows(_demo_runs())
        t0 = 1_795_000_000.0
        w.log.add_line(_("Run {id}: starting the worker (loading the base model)…").format(id="run-20261122-173012"),
                       t0)
        w.on_event({"event": "preflight", "time": t0 + 31, "examples": 96, "dataset_tokens": 5230,
                    "params": 134_515_008, "ram_estimate_mb": 2310, "batch_size": 4, "max_seq_len": 256,
                    "estimated_s": 84, "notes": []})
        w.on_event({"event": "start", "time": t0 + 32, "total_steps": 60, "examples": 87, "eval_examples": 9,
                    "backend": "peft"})
        for s in range(1, 43):
            w.on_event({"event": "step", "time": t0 + 32 + s * 1.4, "step": s, "epoch": s / 22,
                        "loss": 0.25 + 3.9 * math.exp(-s / 8) + 0.05 * math.sin(s), "lr": 2e-3 * (1 - s / 60),
                        "tokens_per_s": 512.0, "eta_s": (60 - s) * 1.4})
            if s % 12 == 0:
                w.on_event({"event": "eval", "time": t0 + 33 + s * 1.4, "step": s,
                            "eval_loss": 0.4 + 3.6 * math.exp(-s / 9)})
            if s % 20 == 0:
                w.on_event({"event": "checkpoint", "time": t0 + 33 + s * 1.4, "step": s,
                            "path": f"runs/run-20261122-173012/checkpoints/step-{s}"})
    from aeon_studio.app.shared.render import save_grab

    w.grab()  # lays the hidden widget out, so the log can scroll to its last line
    w.log.scroll_to_end()
    return save_grab(w, out_dir, "training_tab.png", dispose=False)


def gate_outcomes() -> dict[str, Any]:
    """The result dialog's two demo outcomes (the real gate's verdicts on the Evaluation tab's demo numbers)."""
    from aeon_studio.app.demo.evaluation import VERSIONS, _comparison
    from aeon_studio.core.evaluation.gate import judge
    from aeon_studio.core.training.gated import GateOutcome

    out = {}
    for name, (adapter_id, _parent, _status, candidate, against) in (("promoted", VERSIONS[2]),
                                                                      ("rejected", VERSIONS[1])):
        verdict = judge(_comparison(candidate, against))
        out[name] = GateOutcome(adapter_id, verdict.promoted, list(verdict.reasons),
                                {k: v for k, v in candidate.items() if k != "replies"},
                                {k: v for k, v in against.items() if k != "replies"})
    return out


def render_gate(ctx: AppContext, out_dir: Path, *, demo: bool = True) -> Path:  # noqa: ARG001 - renderer API
    """Render the retrain's result dialog: ``gate_promoted.png`` and ``gate_rejected.png`` (keep / use anyway)."""
    from PySide6.QtWidgets import QApplication

    from aeon_studio.app.shared.render import save_grab
    from aeon_studio.app.training.gate import GateDialog

    paths = []
    for name, outcome in gate_outcomes().items():
        dialog = GateDialog(outcome, ctx.db)
        dialog.show()
        QApplication.processEvents()
        paths.append(save_grab(dialog, out_dir, f"gate_{name}.png"))
    return paths[0]
