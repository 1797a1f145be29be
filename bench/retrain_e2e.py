"""Click-to-live time of a 100-example retrain with the quick preset, each stage timed.

Stages, exactly as the Retrain button runs them: assemble (plan_retrain over the dataset), train (the worker
process, including its llama.cpp checks), export (the LoRA GGUF), then finish_retrain: evaluate against the active
model (the base here) on the frozen set + golden prompts, gate, activate. Goal on the 2-core machine: ≤ 4 minutes in
total, evaluation ≤ 25 % of it. The embedded SmolLM2-135M is the base; a fresh AEON_STUDIO_HOME is used.
Usage: .venv/bin/python bench/retrain_e2e.py [--steps N] [--examples N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

GOAL_TOTAL_S = 240.0
GOAL_EVAL_SHARE = 0.25
EXTRA = [("What is {a} plus {b}?", "{a} plus {b} is {c}."), ("Quanto é {a} mais {b}?", "{a} mais {b} é {c}.")]


def examples(n: int) -> list[dict]:
    """The identity set (70 rows) topped up with simple arithmetic Q/A to ``n`` rows."""
    from aeon_studio.core.datasets.identity import identity_examples

    rows = [{"messages": r["messages"]} for r in identity_examples("Aeon", "Ana", "")][:n]
    i = 0
    while len(rows) < n:
        q, a = EXTRA[i % 2]
        x, y = 3 + i, 11 + 2 * i
        rows.append({"messages": [{"role": "user", "content": q.format(a=x, b=y)},
                                  {"role": "assistant", "content": a.format(a=x, b=y, c=x + y)}]})
        i += 1
    return rows


def train(plan, db, **overrides):
    """Create the run, run its worker to the end (as the Training tab does), fold its events."""
    from aeon_studio.core.training import runs
    from aeon_studio.core.training.retrain import create_retrain_run

    row = create_retrain_run(plan, db, preset="quick", **overrides)
    proc = runs.start(row.id, db=db)
    assert proc.stdout is not None
    for _line in proc.stdout:
        pass
    proc.wait()
    return runs.refresh(row.id, exited=True, db=db)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=0, help="cap the steps (0: the quick preset's own cap)")
    ap.add_argument("--examples", type=int, default=100)
    args = ap.parse_args()
    os.environ["AEON_STUDIO_HOME"] = tempfile.mkdtemp(prefix="aeon-bench-retrain-")
    os.environ["HF_HUB_OFFLINE"] = "1"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from aeon_studio.core.datasets import DatasetStore
    from aeon_studio.core.evaluation.golden import add_golden
    from aeon_studio.core.export.adapters import lora_gguf
    from aeon_studio.core.personas import PersonaStore
    from aeon_studio.core.storage import get_database
    from aeon_studio.core.training.base import ensure_hf_folder
    from aeon_studio.core.training.gated import finish_retrain
    from aeon_studio.core.training.retrain import plan_retrain

    db = get_database()
    t = time.perf_counter()
    ensure_hf_folder("smollm2-135m-instruct")  # once per install, not per retrain: reported apart
    prepare_s = time.perf_counter() - t
    store = DatasetStore(db)
    store.create("bench-100")
    store.add_examples("bench-100", examples(args.examples))
    add_golden("casual", "Who are you?", must=["Aeon"], db=db)
    add_golden("casual", "Quem é você?", must=["Aeon"], db=db)

    stages: dict[str, float] = {}
    t = time.perf_counter()
    plan = plan_retrain("casual", db, datasets=["bench-100"])
    stages["assemble"] = time.perf_counter() - t
    t = time.perf_counter()
    run = train(plan, db, **({"max_steps": args.steps} if args.steps else {}))
    stages["train"] = time.perf_counter() - t
    if run.status != "done" or not run.adapter_id:
        print(f"training did not finish: {run.status} {run.error}", file=sys.stderr)
        return 1
    t = time.perf_counter()
    lora_gguf(run.adapter_id, db=db)
    stages["export"] = time.perf_counter() - t
    t = time.perf_counter()
    out = finish_retrain(run.id, db)
    gate_total = time.perf_counter() - t
    evaluation = (out.evaluation or {}).get("seconds") or 0.0
    stages["evaluate"] = evaluation
    stages["gate + activate"] = gate_total - evaluation
    total = sum(stages.values())
    m = run.metrics or {}
    print(f"retrain of {len(plan.rows)} examples ({len(plan.eval_rows)} held out), {m.get('steps')} steps, "
          f"worker training {m.get('train_seconds') or 0:.1f} s; model preparation (once) {prepare_s:.1f} s")
    for name, s in stages.items():
        print(f"  {name:<16} {s:7.1f} s  {100 * s / total:5.1f} %")
    print(f"  {'total':<16} {total:7.1f} s  (goal ≤ {GOAL_TOTAL_S:.0f} s: {'met' if total <= GOAL_TOTAL_S else 'MISSED'})")
    share = evaluation / total if total else 0.0
    print(f"evaluation share {100 * share:.1f} % (goal ≤ {100 * GOAL_EVAL_SHARE:.0f} %: "
          f"{'met' if share <= GOAL_EVAL_SHARE else 'MISSED'}); {(out.evaluation or {}).get('items')} items")
    print(f"gate: promoted={out.promoted}; " + "; ".join(out.reasons))
    print(f"active adapter of 'casual': {PersonaStore(db).get('casual').adapter_id}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
