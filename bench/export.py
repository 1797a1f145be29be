"""Export speed: SmolLM2 LoRA → GGUF conversion, merge + quantize to Q4_K_M, and the decode cost of a LoRA.

Prints seconds for the conversion (goal ≤ 10 s; Unsloth's GGUF path warns of ≥ 16 min because it builds
llama.cpp) and for merge + quantize, and decode tokens/s of base + adapter ÷ base alone in llama.cpp
(and of the merged Q4_K_M ÷ base), all measured in this run.

Run: .venv/bin/python bench/export.py [--adapter PEFT_DIR] [--rounds 3] [--tokens 128]
Without --adapter a LoRA with the shapes of a trained one (r=8 on q/v, every layer) is generated.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path


def decode_tps(model: Path, lora: Path | None, tokens: int, threads: int) -> float:
    from llama_cpp import Llama

    llm = Llama(str(model), lora_path=str(lora) if lora else None, n_ctx=512, n_threads=threads,
                n_threads_batch=threads, verbose=False)
    try:
        prompt = llm.tokenize(b"<|im_start|>user\nWrite a long story about a lighthouse keeper.<|im_end|>\n"
                              b"<|im_start|>assistant\n", add_bos=False, special=True)
        llm.eval(prompt)  # prompt processing is not part of the decode rate
        t0 = time.perf_counter()
        for _i in range(tokens):
            tok = llm.sample(temp=0.0, top_k=1, repeat_penalty=1.0)
            llm.eval([tok])
        return tokens / (time.perf_counter() - t0)
    finally:
        llm.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--adapter", type=Path, help="a PEFT LoRA folder trained on SmolLM2")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tokens", type=int, default=128)
    args = ap.parse_args()
    os.environ.setdefault("AEON_STUDIO_HOME", tempfile.mkdtemp(prefix="aeon-bench-"))

    from aeon_studio.core.export.demo import random_peft_lora
    from aeon_studio.core.export.gguf_io import human_size
    from aeon_studio.core.export.lora_gguf import convert_lora
    from aeon_studio.core.export.merged_gguf import merge_and_quantize
    from aeon_studio.core.models import smollm2_path
    from aeon_studio.core.settings import default_threads

    base, threads = smollm2_path(), default_threads()
    scratch = tempfile.TemporaryDirectory(prefix="aeon-bench-export-")  # ~100 MB, removed at exit
    work = Path(scratch.name)
    adapter = args.adapter or random_peft_lora(work / "peft", base, r=8)

    convert_s = []
    for _i in range(args.rounds):
        res = convert_lora(adapter, base, work / "lora.gguf")
        convert_s.append(res.seconds)
    conv = statistics.median(convert_s)
    print(f"LoRA → GGUF: {conv:.2f} s median of {args.rounds} ({res.n_tensors} tensors, {human_size(res.size)}); "
          f"goal 10 s → {conv / 10:.3f}× the goal; {16 * 60 / conv:.0f}× faster than a 16 min llama.cpp build")

    t0 = time.perf_counter()
    merged = merge_and_quantize(base, res.path, work / "merged.Q4_K_M.gguf", "Q4_K_M")
    total = time.perf_counter() - t0
    print(f"merge + quantize Q4_K_M: {total:.2f} s (merge {merged.merge_seconds:.2f} s, quantize "
          f"{merged.quantize_seconds:.2f} s), {human_size(merged.size)} vs base {human_size(base.stat().st_size)}")

    rates: dict[str, list[float]] = {"base": [], "base+lora": [], "merged": []}
    for _i in range(args.rounds):  # interleaved so machine load affects all three alike
        rates["base"].append(decode_tps(base, None, args.tokens, threads))
        rates["base+lora"].append(decode_tps(base, res.path, args.tokens, threads))
        rates["merged"].append(decode_tps(merged.path, None, args.tokens, threads))
    med = {k: statistics.median(v) for k, v in rates.items()}
    print(f"decode ({args.tokens} tokens, {threads} threads, median of {args.rounds}): base {med['base']:.1f} tok/s, "
          f"base+LoRA {med['base+lora']:.1f} tok/s, merged Q4_K_M {med['merged']:.1f} tok/s")
    print(f"ratio base+LoRA ÷ base: {med['base+lora'] / med['base']:.3f}")
    print(f"ratio merged Q4_K_M ÷ base: {med['merged'] / med['base']:.3f}")


if __name__ == "__main__":
    main()
