"""Decode speed of the app's chat engine ÷ raw llama-cpp-python, same model, prompt and threads.

Goal: ratio ≥ 0.97 (the engine's streaming, cancellation and context budget cost ~nothing).
Run: .venv/bin/python bench/chat_engine.py [--rounds 5] [--tokens 128]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time


def decode_rate(chunks) -> tuple[float, int]:
    """Tokens/s from the first streamed token to the last (prompt processing excluded)."""
    first = None
    n = 0
    for _ in chunks:
        n += 1
        if first is None:
            first = time.perf_counter()
    end = time.perf_counter()
    return ((n - 1) / (end - first) if n > 1 and end > first else 0.0), n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--tokens", type=int, default=128)
    args = ap.parse_args()

    import os

    os.environ.setdefault("AEON_STUDIO_HOME", tempfile.mkdtemp(prefix="aeon-bench-"))
    from llama_cpp import Llama

    from aeon_studio.core.chat.engine import ChatEngine, ChatParams
    from aeon_studio.core.models import smollm2_path
    from aeon_studio.core.settings import default_threads

    path, threads, n_ctx = smollm2_path(), default_threads(), 2048
    messages = [{"role": "system", "content": "You are a helpful assistant."},
                {"role": "user", "content": "Write a short story about a lighthouse keeper."}]
    raw = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads, verbose=False)
    engine = ChatEngine(path, n_ctx=n_ctx, n_threads=threads)

    def run_raw():
        gen = raw.create_chat_completion(messages=messages, temperature=0.0, top_p=0.95, max_tokens=args.tokens,
                                         repeat_penalty=1.1, stream=True)
        return decode_rate(c for c in gen if c["choices"][0]["delta"].get("content"))

    def run_app():
        return decode_rate(engine.stream(messages, ChatParams(temperature=0.0, top_p=0.95, max_tokens=args.tokens,
                                                              repeat_penalty=1.1)))

    run_raw(), run_app()  # warm-up
    raw_rates, app_rates, tokens = [], [], []
    for _ in range(args.rounds):  # interleaved so machine load affects both alike
        r, n1 = run_raw()
        a, n2 = run_app()
        raw_rates.append(r)
        app_rates.append(a)
        tokens.append((n1, n2))
    raw_med, app_med = statistics.median(raw_rates), statistics.median(app_rates)
    print(f"model: {path.name}  threads: {threads}  rounds: {args.rounds}  tokens/round: {tokens[0]}")
    print(f"raw llama-cpp-python decode: {raw_med:7.1f} tok/s  (runs: {', '.join(f'{x:.1f}' for x in raw_rates)})")
    print(f"aeon ChatEngine decode:      {app_med:7.1f} tok/s  (runs: {', '.join(f'{x:.1f}' for x in app_rates)})")
    print(f"ratio engine/raw: {app_med / raw_med:.3f}  (goal >= 0.97)")


if __name__ == "__main__":
    main()
