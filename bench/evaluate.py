"""Evaluating a candidate against the active model: seconds per item, and the ratio to a plain loop.

The embedded SmolLM2 with a random LoRA adapter as the candidate and the base model as the active one. The
persona's frozen set is 40 held-out examples (from a Q&A dataset the persona trains on and an identity set)
plus 6 golden prompts. "evaluate" is ``aeon_studio.core.evaluation.evaluate.evaluate`` end to end (eval set,
model load, perplexity of every reference, greedy replies of both models, storing the report). The baseline,
measured in the same run, is a plain llama-cpp-python loop over the same prompts: ``Llama(base)`` and
``Llama(base, lora_path=…)``, ``create_chat_completion`` greedy with the same limits, loads included.
Ratio = baseline seconds / evaluate seconds (goal ≥ 0.95: no overhead beyond generation).

    .venv/bin/python bench/evaluate.py [--max-tokens 96] [--items 40] [--rounds 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CAPITALS = [("France", "Paris"), ("Italy", "Rome"), ("Spain", "Madrid"), ("Germany", "Berlin"),
            ("Portugal", "Lisbon"), ("Japan", "Tokyo"), ("Brazil", "Brasília"), ("Canada", "Ottawa"),
            ("Egypt", "Cairo"), ("Kenya", "Nairobi"), ("Peru", "Lima"), ("Norway", "Oslo")]
GOLDEN = [("Who are you?", ["Quillon"], ["SmolLM"]), ("Quem é você?", ["Quillon"], ["SmolLM"]),
          ("What is the capital of France?", ["Paris"], []), ("What is 2 plus 2?", ["4"], []),
          ("Say hello in Portuguese.", ["olá"], []), ("Name a colour of the sky.", ["blue"], [])]


def qa_rows(n: int) -> list[dict]:
    rows = []
    for i in range(n):
        a, b = 3 + i % 37, 5 + (i * 7) % 41
        if i % 3 == 0:
            country, city = CAPITALS[i % len(CAPITALS)]
            q, r = f"({i}) What is the capital of {country}?", f"The capital of {country} is {city}."
        elif i % 3 == 1:
            q, r = f"What is {a} plus {b}?", f"{a} plus {b} is {a + b}."
        else:
            q, r = f"Write one short sentence about the number {a * b}.", \
                f"{a * b} is the product of {a} and {b}, and it is {'even' if a * b % 2 == 0 else 'odd'}."
        rows.append({"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": r}]})
    return rows


def setup(home: Path, items: int = 40):
    """The persona's sources, golden prompts and a candidate adapter; returns (db, adapter id, eval set)."""
    os.environ["AEON_STUDIO_HOME"] = str(home)
    from aeon_studio.core.datasets import DatasetStore
    from aeon_studio.core.evaluation.evalset import build_eval_set
    from aeon_studio.core.evaluation.golden import add_golden
    from aeon_studio.core.export.adapters import lora_gguf, register_folder
    from aeon_studio.core.export.demo import random_peft_lora
    from aeon_studio.core.models import smollm2_path
    from aeon_studio.core.personas import PersonaStore
    from aeon_studio.core.storage import get_database

    db = get_database()
    store = DatasetStore(db)
    store.add_examples("bench-qa", qa_rows(420))
    store.build_identity("bench-identity", "Quillon", "Aeon Studio")
    PersonaStore(db).update("casual", datasets=["bench-qa"])
    for prompt, must, must_not in GOLDEN:
        add_golden("casual", prompt, must=must, must_not=must_not, db=db)
    folder = random_peft_lora(home / "peft", smollm2_path(), std=0.02, seed=3, base_model="smollm2-135m-instruct")
    adapter = register_folder(folder, name="bench-candidate", db=db).id
    lora_gguf(adapter, db=db)
    return db, adapter, build_eval_set("casual", db, max_items=items)


def baseline(eval_set, lora: Path, max_tokens: int, n_threads: int, n_ctx: int) -> tuple[float, dict]:
    """A plain llama-cpp-python loop over the same prompts for both models (model loads included)."""
    from llama_cpp import Llama

    from aeon_studio.core.models import smollm2_path

    prompts = [i.messages for i in eval_set.items] + [[{"role": "user", "content": g["prompt"]}]
                                                       for g in eval_set.golden]
    replies: dict[str, list[str]] = {}
    t0 = time.perf_counter()
    for side, lora_path in (("base", None), ("candidate", lora)):
        llm = Llama(str(smollm2_path()), n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads,
                    lora_path=str(lora_path) if lora_path else None, seed=0, verbose=False)
        out = []
        for messages in prompts:
            r = llm.create_chat_completion(messages=messages, temperature=0.0, top_p=1.0, repeat_penalty=1.0,
                                           max_tokens=max_tokens, seed=0)
            out.append((r["choices"][0]["message"]["content"] or "").strip())
        llm.close()
        replies[side] = out
    return time.perf_counter() - t0, replies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-tokens", type=int, default=None)
    parser.add_argument("--items", type=int, default=40, help="held-out examples (at most 40 are held out)")
    parser.add_argument("--rounds", type=int, default=1, help="measure both this many times (alternating); best kept")
    args = parser.parse_args()
    from aeon_studio.core.evaluation.evaluate import DEFAULT_MAX_TOKENS, EVAL_N_CTX, evaluate
    from aeon_studio.core.export.adapters import lora_gguf
    from aeon_studio.core.settings import get_settings

    import aeon_studio.core.evaluation.evaluate as evaluate_module

    scoring = [0.0]
    score = evaluate_module.reference_logprobs

    def timed_score(*a, **kw):  # the perplexity's share, which the plain loop does not compute
        t0 = time.perf_counter()
        try:
            return score(*a, **kw)
        finally:
            scoring[0] += time.perf_counter() - t0

    evaluate_module.reference_logprobs = timed_score
    max_tokens = args.max_tokens or DEFAULT_MAX_TOKENS
    with tempfile.TemporaryDirectory() as tmp:
        db, adapter, eval_set = setup(Path(tmp), args.items)
        n_items = len(eval_set.items) + len(eval_set.golden)
        print(f"eval set: {len(eval_set.items)} held-out examples + {len(eval_set.golden)} golden prompts; "
              f"max_tokens {max_tokens}; threads {get_settings().n_threads}")
        base_s, ours_s, score_s, comparison, plain = [], [], [], None, None
        for _round in range(args.rounds):
            s, plain = baseline(eval_set, lora_gguf(adapter, db=db), max_tokens, get_settings().n_threads, EVAL_N_CTX)
            base_s.append(s)
            scoring[0] = 0.0
            t0 = time.perf_counter()
            comparison = evaluate(adapter, against="active", persona_key="casual", db=db, eval_set=eval_set,
                                  max_tokens=max_tokens)
            ours_s.append(time.perf_counter() - t0)
            score_s.append(scoring[0])
        ids = [i.id for i in eval_set.items] + [f"golden:{g['id']}" for g in eval_set.golden]
        same = sum(comparison.against.replies[k] == plain["base"][n] for n, k in enumerate(ids)) + \
            sum(comparison.candidate.replies[k] == plain["candidate"][n] for n, k in enumerate(ids))
        ours, base = min(ours_s), min(base_s)
        print(f"replies identical to the plain loop's: {same}/{2 * n_items}")
        for m in (comparison.against, comparison.candidate):
            print(f"  {m.model:>16}: ppl {m.perplexity:.2f}  BLEU {m.bleu:.1f}  chrF {m.chrf:.1f}  "
                  f"golden {m.golden_passed}/{m.golden_total}  identity {m.identity_hits}/{m.identity_total}  "
                  f"cut {m.cut}  {m.tokens_per_s:.0f} tok/s")
        print(f"plain llama-cpp-python loop: {base:.1f} s ({base / n_items:.2f} s per item, both models)")
        print(f"evaluate():                  {ours:.1f} s ({ours / n_items:.2f} s per item, both models, "
              f"perplexity included)")
        scored = score_s[ours_s.index(ours)]
        print(f"  of which perplexity scoring: {scored:.1f} s ({scored / ours * 100:.0f} %)")
        print(f"ratio (plain / evaluate): {base / ours:.2f}  (goal >= 0.95); "
              f"generation only (perplexity left out): {base / (ours - scored):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
