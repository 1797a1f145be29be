"""Long-term memory: recall latency at 10k/100k items, retrieval overhead vs first-token latency, and
the 10th turn's first token and whole reply with memory on ÷ off, measured in the same run (the prompt cache
must keep working, and recall must not slow the reply down).

Goals: recall p95 ≤ 20 ms at 100k items (query embedding included); retrieval overhead ≤ 5% of the
first-token latency of the same turn; 10th-turn whole reply with memory on ≤ 1.15 × off.
On and off conversations alternate (same questions, same seed), and every reply is exactly --reply-tokens long in
both, so the conversations differ only by what memory adds to the prompt.
The bulk items get random unit vectors inserted directly (embedding 100k texts on 2 CPU cores takes
far too long for a benchmark); the queries are real sentences embedded with all-MiniLM-L6-v2
(with their English glosses when the Portuguese-English dictionaries are installed).
Run: .venv/bin/python bench/memory.py [--sizes 10000 100000] [--queries 200] [--rounds 2] [--reply-tokens 100]
     [--embed-threads 1]  (2: torch on two threads while embedding, as before, to see what it cost)
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

QUERIES = ["What is my dog's name?", "Where do I live?", "Which port does the backup server use?",
           "When is my sister's birthday?", "What food do I avoid?", "Which band do I like?",
           "What is the wifi password at the office?", "Where is the car parked?",
           "What time does the gym open?", "What language am I learning?"]
FACTS = ["My dog is called Bolinha", "I live in Recife, Brazil", "The backup server runs on port 8080",
         "My sister's birthday is on March 3rd", "I am vegetarian and do not eat meat",
         "My favourite band is Los Hermanos", "The office wifi password is blue-falcon-77",
         "The car is parked on level 3 of the garage", "The gym opens at 6 am", "I am learning Japanese"]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def fill_synthetic(store, n: int, batch: int = 20_000) -> float:
    import numpy as np

    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    done = store.count()
    while done < n:
        m = min(batch, n - done)
        vecs = rng.standard_normal((m, store.embedder.dim)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        texts = [f"synthetic memory {done + i}" for i in range(m)]
        store.add_many(texts, kind="exchange", sources=["bench"] * m, source_refs=[""] * m, vectors=vecs)
        done += m
    store.flush()
    return time.perf_counter() - t0


def recall_latency(store, queries: int) -> dict[str, float]:
    import numpy as np

    texts = [QUERIES[i % len(QUERIES)] + (f" ({i})" if i >= len(QUERIES) else "") for i in range(queries)]
    store.search(texts[0], k=5)  # warm-up (model + index loaded)
    total, embed, faiss_only = [], [], []
    for q in texts:
        t0 = time.perf_counter()
        store.search(q, k=5, threshold=-1.0)  # threshold -1: always fetch k rows (worst case)
        total.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        vec = store.embedder.encode([q])
        embed.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        store._index.search(np.asarray(vec), 5)
        faiss_only.append((time.perf_counter() - t0) * 1000)
    return {"p50": statistics.median(total), "p95": pct(total, 0.95), "embed_p50": statistics.median(embed),
            "faiss_p50": statistics.median(faiss_only), "faiss_p95": pct(faiss_only, 0.95)}


def flush_pending() -> None:
    from aeon_studio.core.memory.hook import flush_pending as flush

    flush()


def chat_turns(service, persona_key: str, turns: int, hook_times: list[float]) -> list[dict]:
    conv = service.new_conversation(persona_key)
    out = []
    for i in range(turns):
        before = len(hook_times)
        reply = service.send(conv.id, QUERIES[i % len(QUERIES)] + " Answer in one sentence.", seed=1)
        engine = service.engine_for(conv.model_id)
        prompt = engine.llm.tokenize(engine._formatter(messages=reply.stream.messages).prompt.encode(),
                                     add_bos=False, special=True)
        cached = 0
        for a, b in zip(list(engine.llm._input_ids), prompt):  # what llama.cpp can reuse
            if a != b:
                break
            cached += 1
        reply.run()
        # Past exchanges are embedded and stored on a background thread after each reply; a person takes
        # longer than that to type the next message, so let it finish before the next turn is timed.
        flush_pending()
        hook = hook_times[before] if len(hook_times) > before else 0.0
        out.append({"first_token_s": reply.stream.first_token_s or 0.0, "hook_s": hook,
                    "reply_s": reply.stream.elapsed_s, "reply_tokens": reply.stream.completion_tokens,
                    "prompt_tokens": len(prompt), "new_tokens": len(prompt) - cached,
                    "recalled": len(reply.meta.get("memory_sources") or [])})
    return out


def fixed_length_replies(engine) -> None:
    """Every reply runs to the persona's max tokens (end-of-turn banned). A note changes what the model says, and so
    how long its replies and the history are; with replies of the same length, the two conversations differ only
    by what memory adds to the prompt, which is what this bench measures."""
    llm = engine.llm
    plain = llm.create_chat_completion
    banned = {llm.token_eos(): -1e4}

    def create_chat_completion(*args, **kwargs):
        return plain(*args, **{**kwargs, "logit_bias": banned})

    llm.create_chat_completion = create_chat_completion


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--turns", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--reply-tokens", type=int, default=100, help="the persona's max tokens (the issue's figure: "
                    "a whole 100-token reply)")
    ap.add_argument("--embed-threads", type=int, default=None, help="torch threads while embedding (default: "
                    "the embedder's own, 1)")
    args = ap.parse_args()
    if args.embed_threads:
        from aeon_studio.core.memory import embedder as embedder_module

        embedder_module.THREADS = args.embed_threads

    home = Path(tempfile.mkdtemp(prefix="aeon-bench-memory-"))
    os.environ["AEON_STUDIO_HOME"] = str(home)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from aeon_studio.core.memory import MemoryStore
    from aeon_studio.core.settings import reset_settings
    from aeon_studio.core.storage import close_all

    from aeon_studio.core.memory import embedder as embedder_module

    from aeon_studio.core.memory.embedding_models import display_name

    probe = embedder_module.Embedder(None)
    print(f"threads: {os.cpu_count()} CPUs, torch {embedder_module.THREADS} while embedding, "
          f"{embedder_module.QUERY_THREADS} for a query  model: "
          f"{display_name(probe.name)} ({probe.dim} dimensions)  index: FAISS IndexIDMap(IndexScalarQuantizer fp16), "
          "exhaustive")
    print("bulk items: random unit vectors inserted directly (not embedded); queries: real sentences, embedded")
    # -- 1. recall latency ------------------------------------------------------------------
    for n in sorted(args.sizes):
        store = MemoryStore()
        fill_s = fill_synthetic(store, n)
        t0 = time.perf_counter()
        reopened = MemoryStore()
        reopened._ensure_index()
        load_s = time.perf_counter() - t0
        r = recall_latency(reopened, args.queries)
        print(f"recall @ {n:>7,} items: p50 {r['p50']:5.1f} ms  p95 {r['p95']:5.1f} ms  "
              f"(embed p50 {r['embed_p50']:.1f} ms, faiss p50 {r['faiss_p50']:.2f} / p95 {r['faiss_p95']:.2f} ms; "
              f"fill {fill_s:.1f} s, index load {load_s:.2f} s)"
              + ("  goal p95 <= 20 ms: " + ("met" if r["p95"] <= 20 else "NOT met") if n >= 100_000 else ""))
    # -- 2/3. chat on the embedded SmolLM2 ---------------------------------------------------
    home2 = Path(tempfile.mkdtemp(prefix="aeon-bench-memory-chat-"))
    os.environ["AEON_STUDIO_HOME"] = str(home2)
    reset_settings()
    close_all()
    from aeon_studio.core.memory import get_memory
    from aeon_studio.core.memory.hook import memory_prompt_hook
    from aeon_studio.core.services import build_chat_service

    service = build_chat_service()
    memory = get_memory()
    fill_synthetic(memory, min(args.sizes))
    for fact in FACTS:
        memory.add(fact)
    hook_times: list[float] = []

    def timed_hook(messages, **kw):
        t0 = time.perf_counter()
        try:
            return memory_prompt_hook(messages, **kw)
        finally:
            hook_times.append(time.perf_counter() - t0)

    service.prompt_hooks = tuple(timed_hook if h is memory_prompt_hook else h for h in service.prompt_hooks)
    service.personas.update("tecnico", max_tokens=args.reply_tokens)
    chat_turns(service, "tecnico", 2, hook_times)  # warm-up: model loads
    fixed_length_replies(service.engine_for(service.new_conversation("tecnico").model_id))
    on_runs, off_runs, cold = [], [], []
    for rnd in range(args.rounds):
        for enabled in ((True, False) if rnd % 2 == 0 else (False, True)):
            service.personas.update("tecnico", memory_enabled=enabled)
            (on_runs if enabled else off_runs).append(chat_turns(service, "tecnico", args.turns, hook_times))
        # the same 10th turn with llama.cpp's prompt cache emptied first: what the cache saves
        service.personas.update("tecnico", memory_enabled=True)
        conv = service.new_conversation("tecnico")
        for i in range(args.turns):
            if i == args.turns - 1:
                service.engine_for(service.models.get(service.store.get_conversation(conv.id).model_id).id).llm.reset()
            reply = service.send(conv.id, QUERIES[i % len(QUERIES)] + " Answer in one sentence.", seed=1)
            reply.run()
            flush_pending()
        cold.append(reply.stream.first_token_s or 0.0)

    turns_on = [t for run in on_runs for t in run]
    ratio = statistics.median(t["hook_s"] / t["first_token_s"] for t in turns_on if t["first_token_s"])
    print(f"retrieval overhead (embed + search + prompt assembly, {min(args.sizes):,} items): median "
          f"{statistics.median(t['hook_s'] for t in turns_on) * 1000:.1f} ms per turn = {ratio * 100:.1f}% of the "
          f"same turn's first-token latency ({statistics.median(t['first_token_s'] for t in turns_on) * 1000:.0f} ms)"
          f"  goal <= 5%: {'met' if ratio <= 0.05 else 'NOT met'}; memories recalled per turn: "
          f"{statistics.mean(t['recalled'] for t in turns_on):.1f}")
    last = args.turns - 1
    on10 = statistics.median(run[last]["first_token_s"] for run in on_runs)
    off10 = statistics.median(run[last]["first_token_s"] for run in off_runs)
    cold10 = statistics.median(cold)
    whole_on = statistics.median(run[last]["reply_s"] for run in on_runs)
    whole_off = statistics.median(run[last]["reply_s"] for run in off_runs)
    toks_on = statistics.median(run[last]["reply_tokens"] for run in on_runs)
    toks_off = statistics.median(run[last]["reply_tokens"] for run in off_runs)
    # Replies with and without memory differ in length (the model answers differently with a note): the same
    # number of tokens at each run's own speed is the fair comparison, next to the raw times.
    per_on = statistics.median((r[last]["reply_s"] - r[last]["first_token_s"]) / max(1, r[last]["reply_tokens"] - 1)
                               for r in on_runs)
    per_off = statistics.median((r[last]["reply_s"] - r[last]["first_token_s"]) / max(1, r[last]["reply_tokens"] - 1)
                                for r in off_runs)
    n = args.reply_tokens
    same_on, same_off = on10 + (n - 1) * per_on, off10 + (n - 1) * per_off
    print(f"turn {args.turns} first token: memory on {on10 * 1000:.0f} ms (prompt {on_runs[0][last]['prompt_tokens']} "
          f"tokens), off {off10 * 1000:.0f} ms (prompt {off_runs[0][last]['prompt_tokens']} tokens); "
          f"on ÷ off = {on10 / off10:.2f}")
    print(f"turn {args.turns} whole reply: memory on {whole_on * 1000:.0f} ms ({toks_on:.0f} tokens), off "
          f"{whole_off * 1000:.0f} ms ({toks_off:.0f} tokens); on ÷ off = {whole_on / whole_off:.2f}; "
          f"per reply token {per_on * 1000:.1f} vs {per_off * 1000:.1f} ms; a {n}-token reply: "
          f"{same_on * 1000:.0f} vs {same_off * 1000:.0f} ms, on ÷ off = {same_on / same_off:.2f}  goal <= 1.15: "
          + ("met" if max(whole_on / whole_off, same_on / same_off) <= 1.15 else "NOT met"))
    for name, runs in (("on ", on_runs), ("off", off_runs)):
        print(f"memory {name}: prompt tokens evaluated per turn (new, not from llama.cpp's cache), turns 1..{args.turns}: "
              + " ".join(str(runs[0][i]["new_tokens"]) + "/" + str(runs[0][i]["prompt_tokens"])
                         for i in range(args.turns)))
    print(f"turn {args.turns} with memory on but llama.cpp's prompt cache emptied: {cold10 * 1000:.0f} ms "
          f"(cold ÷ cached = {cold10 / on10:.2f}: the cached prefix is reused with memory on)")
    print(f"first token, turns 1..{args.turns}, memory on : "
          + " ".join(f"{statistics.median(r[i]['first_token_s'] for r in on_runs) * 1000:.0f}" for i in range(args.turns)))
    print(f"first token, turns 1..{args.turns}, memory off: "
          + " ".join(f"{statistics.median(r[i]['first_token_s'] for r in off_runs) * 1000:.0f}" for i in range(args.turns)))


if __name__ == "__main__":
    main()
