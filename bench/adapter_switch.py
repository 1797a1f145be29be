"""LoRA adapter switch time on the embedded model (goal ≤ 50 ms), against reloading the model with the adapter.

    .venv/bin/python bench/adapter_switch.py [--switches 20] [--json]

Two small random LoRA adapters (r=8 on q/v, :func:`aeon_studio.core.export.demo.random_peft_lora`) are converted
to llama.cpp LoRA GGUFs for SmolLM2-135M-Instruct. Timed: the first use of each adapter (read from disk), then
switches back and forth through :meth:`aeon_studio.core.chat.engine.ChatEngine.set_lora` — what domain routing
does between two messages — and, as the baseline, loading the model again with the other adapter (what the chat
did before: one engine per adapter). Each switch is followed by a one-token reply so the adapter is really used.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--switches", type=int, default=20)
    ap.add_argument("--reloads", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="aeon-bench-switch-"))
    os.environ["AEON_STUDIO_HOME"] = str(tmp / "home")
    from aeon_studio.core.chat.engine import ChatEngine, ChatParams
    from aeon_studio.core.export.demo import random_peft_lora
    from aeon_studio.core.export.lora_gguf import convert_lora
    from aeon_studio.core.models import smollm2_path

    base = smollm2_path()
    loras = []
    for name, seed in (("a", 1), ("b", 2)):
        peft = random_peft_lora(tmp / name, base, std=0.05, seed=seed)
        loras.append(convert_lora(peft, base, tmp / f"{name}.lora.gguf", name=name).path)
    msgs = [{"role": "user", "content": "Hi"}]
    one = ChatParams(temperature=0.0, max_tokens=1)

    t = time.perf_counter()
    engine = ChatEngine(base)
    load_ms = (time.perf_counter() - t) * 1000
    first = []
    for path in loras:
        t = time.perf_counter()
        engine.set_lora(path)
        first.append((time.perf_counter() - t) * 1000)
    switch, answer = [], []
    for i in range(args.switches):
        t = time.perf_counter()
        engine.set_lora(loras[i % 2] if i % 3 else None)  # a, b and the bare model in turn
        switch.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        engine.complete(msgs, one)
        answer.append((time.perf_counter() - t) * 1000)
    engine.close()
    reload = []
    for i in range(args.reloads):
        t = time.perf_counter()
        e = ChatEngine(base, lora_path=loras[i % 2])
        reload.append((time.perf_counter() - t) * 1000)
        e.close()
    s50, smax, r50 = statistics.median(switch), max(switch), statistics.median(reload)
    out = {"model": base.name, "model_load_ms": round(load_ms, 1), "first_use_ms": [round(x, 2) for x in first],
           "switch_p50_ms": round(s50, 3), "switch_max_ms": round(smax, 3), "switches": len(switch),
           "one_token_reply_p50_ms": round(statistics.median(answer), 1),
           "reload_with_adapter_p50_ms": round(r50, 1), "ratio_reload_vs_switch": round(r50 / s50, 1) if s50 else None,
           "goal_ms": 50.0, "meets_goal": smax <= 50.0}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"switch (set_lora): p50 {s50:.2f} ms, max {smax:.2f} ms over {len(switch)} switches (goal ≤ 50 ms)")
        print(f"first use of each adapter (read from disk): {', '.join(f'{x:.1f}' for x in first)} ms")
        print(f"reloading the model with the adapter: p50 {r50:.0f} ms → switching is {out['ratio_reload_vs_switch']}× "
              f"faster; a one-token reply after a switch: {out['one_token_reply_p50_ms']} ms")
    return 0 if out["meets_goal"] else 1


if __name__ == "__main__":
    sys.exit(main())
