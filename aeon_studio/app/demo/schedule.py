"""Demo data and the screenshots of scheduled retraining: the settings dialog and the verdict banner
(scripts/screenshots.py); never imported by the running app."""

from __future__ import annotations

from pathlib import Path

from aeon_studio.app.context import AppContext


def seed_schedule(ctx: AppContext) -> None:
    """The casual persona: schedule on, 2 new rated replies of 3, one earlier run that was kept out while its
    technical adapter went into use, support's was kept out and legal had too few examples."""
    from aeon_studio.core.storage.chats import ChatStore
    from aeon_studio.core.training.schedule import record_result, update_schedule

    update_schedule("casual", enabled=True, min_new_ratings=3, quiet_hours="01:00-06:00")
    record_result("casual", outcome="kept", message=_verdict(False), domains=demo_domains())
    cs = ChatStore(ctx.db)
    conv = cs.create_conversation("casual", "smollm2-135m-instruct")
    for q, a in (("Qual é a capital de Portugal?", "Lisboa."), ("What is LoRA?", "A small add-on to a model.")):
        cs.add_message(conv.id, "user", q, persona_key="casual")
        cs.rate(cs.add_message(conv.id, "assistant", a, persona_key="casual").id, 5)


def demo_domains() -> dict:
    """Per-domain results of a demo run, worded by the core (so in the user's language)."""
    from types import SimpleNamespace

    from aeon_studio.core.training import schedule_domains as sd
    from aeon_studio.core.training.gated import GateOutcome

    def plan(n: int) -> SimpleNamespace:
        return SimpleNamespace(rows=[{"messages": [{"role": "user", "content": str(i)}]} for i in range(n)],
                               minimum=50)

    persona = SimpleNamespace(name="Casual", route_by_domain=True)
    better = GateOutcome("casual-20261130-0340", True, [], {"golden_passed": 3, "golden_total": 3},
                         {"golden_passed": 2, "golden_total": 3})
    worse = GateOutcome("casual-20261130-0355", False, [], {"perplexity": 12.1}, {"perplexity": 11.4})
    return {"technical": sd.judged(better, plan(64), "run-20261130-0340", persona),
            "support": sd.judged(worse, plan(51), "run-20261130-0355", persona),
            "legal": sd.DomainResult(outcome="skipped", examples=12, message=sd.too_few(12, data_days=30, minimum=50))}


def _verdict(promoted: bool) -> str:
    """The core's sentence for a demo gate outcome (golden prompts 5/6 → 6/6), in the user's language."""
    from aeon_studio.core.training.gated import GateOutcome
    from aeon_studio.core.training.schedule import verdict_message

    before = {"golden_passed": 5, "golden_total": 6, "perplexity": 14.2}
    after = {"golden_passed": 6, "golden_total": 6, "perplexity": 9.7}
    out = GateOutcome("casual-20261130-0312", promoted, ["golden 5/6 → 6/6"] if promoted else ["golden 5/6 → 4/6"],
                      after if promoted else {**after, "golden_passed": 4}, before)
    return verdict_message(out, "Casual")[1]


def render_schedule(ctx: AppContext, out_dir: Path, *, demo: bool = True) -> Path:
    """Render the "Automatic retraining" dialog to ``schedule_dialog.png``."""
    from PySide6.QtWidgets import QApplication

    from aeon_studio.app.shared.render import save_grab
    from aeon_studio.app.training.schedule_dialog import ScheduleDialog

    if demo:
        seed_schedule(ctx)
    dialog = ScheduleDialog(ctx, persona="casual")
    dialog.show()
    QApplication.processEvents()
    return save_grab(dialog, out_dir, "schedule_dialog.png")


def render_schedule_verdict(ctx: AppContext, out_dir: Path, *, demo: bool = True) -> Path:  # noqa: ARG001
    """Render the Training tab with the banner a finished scheduled retrain leaves: ``schedule_verdict.png``."""
    from types import SimpleNamespace

    from PySide6.QtWidgets import QApplication

    from aeon_studio.app.shared.render import save_grab
    from aeon_studio.app.training.schedule import ScheduleRunner
    from aeon_studio.app.training.tab import TrainingTab

    tab = TrainingTab(ctx)
    tab.resize(1180, 720)
    runner = ScheduleRunner(tab, chat=SimpleNamespace(ctx=ctx, worker=None), training=tab, check_ms=3_600_000)
    tab.button_row.addWidget(runner.button)
    tab.show()
    from aeon_studio.core.training.schedule_domains import as_json

    runner.notify({"event": "scheduled", "persona": "casual", "outcome": "promoted", "message": _verdict(True),
                   "stopped": False, "domains": as_json(demo_domains())})
    QApplication.processEvents()
    return save_grab(tab, out_dir, "schedule_verdict.png", dispose=False)
