"""Demo data and the screenshot of the Evaluation tab (scripts/screenshots.py); never imported by the running app."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from aeon_studio.app.context import AppContext
from aeon_studio.app.evaluation.tab import EvaluationTab

PERSONA = "casual"


def _metrics(model: str, ppl: float, passed: int, bleu: float, chrf: float, **degeneration: int) -> dict[str, Any]:
    return {"model": model, "perplexity": ppl, "bleu": bleu, "chrf": chrf, "golden_passed": passed,
            "golden_total": 6, "identity_hits": None, "identity_total": None, "empty": 0, "repetitive": 0,
            "cut": 0, "mean_reply_words": 31.0, "tokens_per_s": 180.0, "replies": {}, **degeneration}


#: (id, parent, status, candidate metrics, against metrics) oldest first; the third is active. The verdicts
#: are the real gate's on these numbers.
VERSIONS = [
    ("casual-20261120-0910", None, "ready", {**_metrics("casual-20261120-0910", 14.9, 0, 17.1, 40.2),
                                             "golden_total": 0},
     {**_metrics("base", 21.6, 0, 9.8, 30.2), "golden_total": 0}),
    ("casual-20261124-1830", "casual-20261120-0910", "not-promoted",
     _metrics("casual-20261124-1830", 15.1, 3, 17.9, 39.8, repetitive=2),
     _metrics("casual-20261120-0910", 14.2, 4, 18.3, 41.0)),
    ("casual-20261128-2115", "casual-20261120-0910", "ready", _metrics("casual-20261128-2115", 9.7, 6, 24.6, 47.5),
     _metrics("casual-20261120-0910", 14.2, 4, 18.3, 41.0)),
    ("casual-20261130-0940", "casual-20261128-2115", "ready", {}, {}),
]
ACTIVE = "casual-20261128-2115"
GOLDEN = [("Who are you?", ["Aeon"], ["SmolLM"], False), ("Quem é você?", ["Aeon"], ["SmolLM", "OpenAI"], False),
          ("What can you do offline?", [r"offline|locally|no internet"], [], True)]


def _comparison(candidate: dict[str, Any], against: dict[str, Any]) -> SimpleNamespace:
    return SimpleNamespace(candidate=SimpleNamespace(**candidate), against=SimpleNamespace(**against))


def seed_demo(ctx: AppContext) -> None:
    """Four versions of the 'casual' persona (one held back by the gate, one not yet evaluated), their
    evaluation reports and three golden prompts. Rows only: the adapter folders do not exist; use a scratch home."""
    from aeon_studio.core.evaluation.gate import judge
    from aeon_studio.core.evaluation.golden import add_golden, list_golden
    from aeon_studio.core.models import SMOLLM2_ID
    from aeon_studio.core.personas import PersonaStore
    from aeon_studio.core.storage.bindings import record_binding
    from aeon_studio.core.storage.evaluation_tables import EvaluationRow
    from aeon_studio.core.storage.training_tables import AdapterRow

    t = datetime(2026, 11, 20, 9, 10, tzinfo=timezone.utc)
    with ctx.db.session() as s:
        for n, (adapter_id, parent, status, candidate, against) in enumerate(VERSIONS):
            if s.get(AdapterRow, adapter_id) is not None:
                return  # seeded already
            evaluation_id, verdict = None, {}
            if candidate:
                verdict = {**judge(_comparison(candidate, against)).as_dict(), "by": "gate"}
                # the first version was measured before golden prompts were added: another set, not comparable
                held, golden, set_hash = (32, 0, "b71e04") if n == 0 else (40, 6, "3f9c2a")
                items = ([{"id": f"demo{i:02d}", "hash": f"{i:064x}"} for i in range(held)]
                         + [{"id": f"golden:{i}", "hash": f"{i + 100:064x}"} for i in range(golden)])
                row = EvaluationRow(persona_key=PERSONA, candidate=adapter_id, against=against["model"],
                                    eval_set_hash=set_hash, items=items,
                                    report={"candidate": candidate, "against": against, "eval_set_hash": set_hash},
                                    verdict=verdict, created_at=t + timedelta(days=3 * n, hours=n, minutes=30))
                s.add(row)
                s.flush()
                evaluation_id = row.id
            s.add(AdapterRow(id=adapter_id, name=adapter_id, base_model_id=SMOLLM2_ID,
                             path=str(ctx.home / "adapters" / adapter_id), persona_key=PERSONA, parent_id=parent,
                             status=status, evaluation_id=evaluation_id, verdict=verdict,
                             created_at=t + timedelta(days=3 * n, hours=n)))
    for adapter_id in ("casual-20261120-0910", ACTIVE):  # the binding history Roll back goes through
        PersonaStore(ctx.db).update(PERSONA, adapter_id=adapter_id)
        record_binding(ctx.db, PERSONA, adapter_id)
    if not list_golden(PERSONA, ctx.db):
        for prompt, must, must_not, regex in GOLDEN:
            add_golden(PERSONA, prompt, must=must, must_not=must_not, regex=regex, db=ctx.db)


def render_evaluation(ctx: AppContext, out_dir: Path, *, demo: bool = True) -> Path:
    """Render the tab to ``evaluation_tab.png``; with ``demo`` the versions above, a golden prompt open in the
    editor and the report of an "Evaluate now" of the version the gate held back against the one in use."""
    from aeon_studio.app.shared.render import save_grab

    if demo:
        seed_demo(ctx)
    tab = EvaluationTab(ctx)
    tab.resize(1180, 900)
    if demo:
        tab.persona_combo.setCurrentIndex(max(0, tab.persona_combo.findData(PERSONA)))
        tab.select("casual-20261124-1830")  # the one the gate held back: its reasons show, Promote is offered
        tab.golden.list.setCurrentRow(1)
        comparison = _comparison(VERSIONS[1][3], _metrics(ACTIVE, 9.7, 6, 24.6, 47.5))
        from aeon_studio.core.evaluation.gate import judge

        tab.show_result((comparison, judge(comparison)))
    tab.show()
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()  # let the editors lay out their text as a shown window would
    return save_grab(tab, out_dir, "evaluation_tab.png")


#: (prompt, model A, model B, reply A, reply B, vote) of the demo arena: decided matches for the standings.
MATCHES = [
    ("Who are you?", ACTIVE, "base", "I'm Aeon, your assistant from Aeon Studio. I run on this computer.",
     "I am SmolLM, a language model trained by Hugging Face.", "a"),
    ("Quem é você?", "base", ACTIVE, "Sou um modelo de linguagem.",
     "Sou o Aeon, o assistente do Aeon Studio, e funciono neste computador.", "b"),
    ("What can you do offline?", ACTIVE, "base", "Chat, remember what you tell me and learn from your ratings.",
     "I can help with many tasks.", "a"),
    ("Tell me a joke", "base", ACTIVE, "Why did the chicken cross the road?", "Why do programmers prefer dark "
     "mode? Because light attracts bugs.", "tie"),
]


def seed_arena(ctx: AppContext) -> None:
    """Decided demo matches (standings) for the 'casual' persona; rows only, no model runs."""
    from aeon_studio.core.storage.evaluation_tables import ArenaMatch

    with ctx.db.session() as s:
        if s.get(ArenaMatch, "demo00") is not None:
            return  # seeded already
        for n, (prompt, a, b, reply_a, reply_b, vote) in enumerate(MATCHES):
            s.add(ArenaMatch(id=f"demo{n:02d}", persona_key=PERSONA, prompt=prompt, model_a=a, model_b=b,
                             reply_a=reply_a, reply_b=reply_b, vote=vote))


def render_compare(ctx: AppContext, out_dir: Path, *, demo: bool = True) -> Path:
    """Render Compare to ``compare.png`` (two anonymised replies, before the vote) and ``compare_revealed.png``
    (after a one-click vote: who wrote which, the standings)."""
    from aeon_studio.app.chat.compare import CompareDialog
    from aeon_studio.app.shared.render import save_grab
    from aeon_studio.core.storage.evaluation_tables import ArenaMatch

    if demo:
        seed_demo(ctx)
        seed_arena(ctx)
    dialog = CompareDialog(ctx, PERSONA, "Who are you?")
    dialog.resize(960, 680)
    if demo:
        match = ArenaMatch(id="demo99", persona_key=PERSONA, prompt="Who are you?", model_a="base", model_b=ACTIVE,
                           reply_a="I am a large language model. How can I help you today?",
                           reply_b="I'm Aeon, the assistant you are training in Aeon Studio. Everything I do runs "
                                   "here, on your computer.")
        with ctx.db.session() as s:
            if s.get(ArenaMatch, match.id) is None:
                s.add(match)
        dialog._show_match(match)
    dialog.show()
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    path = save_grab(dialog, out_dir, "compare.png", dispose=not demo)
    if demo:
        dialog.vote("b")
        QApplication.processEvents()
        save_grab(dialog, out_dir, "compare_revealed.png")
    return path
