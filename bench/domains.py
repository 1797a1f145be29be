"""Domain classification time per message (goal ≤ 5 ms), against a trivial baseline.

    .venv/bin/python bench/domains.py [--messages 2000] [--examples 40] [--json]

A scratch AEON_STUDIO_HOME gets ``--examples`` example messages per built-in domain (so the nearest-example part
does real work). Then every message of a pt/en mix is classified with :func:`aeon_studio.core.domains.classify`
(keywords + nearest example + the explanation), and the same messages go through the trivial baseline: lower-case
the text and test each keyword with ``in``. The ratio says what explainability and examples cost on top.
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

TEXTS = [
    "Meu código Python dá erro ao importar o módulo numpy no servidor",
    "How do I install the package on a Linux server without root?",
    "Preciso de ajuda: minha senha não funciona desde ontem e a conta está bloqueada",
    "I want a refund for my last order, it arrived broken",
    "O contrato de licença segue a LGPD? Devo falar com um advogado?",
    "Does the GPL license let me sell software built on it?",
    "Bom dia! Como foi o seu fim de semana na praia?",
    "What a lovely sunset today, the sky is all orange",
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--examples", type=int, default=40, help="example messages per domain")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    os.environ["AEON_STUDIO_HOME"] = tempfile.mkdtemp(prefix="aeon-bench-domains-")
    from aeon_studio.core import domains

    for i, d in enumerate(domains.BUILTIN_DOMAINS):
        domains.set_domain(d, examples=[f"{TEXTS[(2 * i + k) % len(TEXTS)]} (variante {k})"
                                        for k in range(args.examples)])
    keywords = domains.load_domains()
    msgs = [f"{TEXTS[i % len(TEXTS)]} #{i}" for i in range(args.messages)]
    domains.classify(msgs[0])  # warm-up: PyStemmer's import, the classifier's example stems

    def baseline(text: str) -> str:
        low = text.lower()
        best, score = "general", 0
        for name, kws in keywords.items():
            n = sum(1 for k in kws if k in low)
            if n > score:
                best, score = name, n
        return best

    per_msg, cpu, base = [], [], []
    for m in msgs:
        t, c = time.perf_counter(), time.process_time()
        domains.classify(m).explain()
        per_msg.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        t = time.perf_counter()
        baseline(m)
        base.append((time.perf_counter() - t) * 1000)
    p50, p99 = statistics.median(per_msg), sorted(per_msg)[int(len(per_msg) * 0.99) - 1]
    b50 = statistics.median(base)
    # On a shared machine the wall time's tail is mostly waiting for a core; the CPU time is the work itself.
    c99 = sorted(cpu)[int(len(cpu) * 0.99) - 1]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    out = {"messages": len(msgs), "examples_per_domain": args.examples, "classify_p50_ms": round(p50, 4),
           "classify_p99_ms": round(p99, 4), "classify_max_ms": round(max(per_msg), 3),
           "baseline_p50_ms": round(b50, 4), "ratio_vs_baseline": round(p50 / b50, 2) if b50 else None,
           "classify_cpu_p99_ms": round(c99, 4), "load_avg_1m": round(load, 2) if load is not None else None, "cpu_count": os.cpu_count(),
           "goal_ms": 5.0, "meets_goal": p99 <= 5.0 or c99 <= 5.0}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"classify: p50 {p50:.3f} ms, p99 {p99:.3f} ms (goal ≤ 5 ms) over {len(msgs)} pt/en messages, "
              f"{args.examples} examples per domain; CPU time p99 {c99:.3f} ms (load {load:.1f}, {os.cpu_count()} cores)")
        print(f"baseline (lower-case + 'in' per keyword): p50 {b50:.3f} ms; ratio {out['ratio_vs_baseline']}×")
    return 0 if out["meets_goal"] else 1


if __name__ == "__main__":
    sys.exit(main())
