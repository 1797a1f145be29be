"""Training throughput: the worker (peft backend, subprocess) vs a plain transformers + PEFT loop.

Same model (SmolLM2-135M dequantized from its GGUF), same data, batch and steps, in one run.
Prints tokens/s of both, their ratio, and the peak RSS of the worker.
Usage: .venv/bin/python bench/train_throughput.py [--steps N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QS = ["Quem é você?", "Qual é o seu nome?", "Quem te criou?", "Se apresente.", "Como você se chama?",
      "Quem fez você?", "Diga seu nome.", "Me fale sobre você."]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=8)
    args = ap.parse_args()
    home = Path(os.environ.get("AEON_STUDIO_HOME") or Path(tempfile.gettempdir()) / "aeon-bench-train")
    os.environ["AEON_STUDIO_HOME"] = str(home)
    os.environ["HF_HUB_OFFLINE"] = "1"
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from aeon_studio.core.training.backends.peft_backend import _collate
    from aeon_studio.core.training.base import ensure_hf_folder
    from aeon_studio.core.training.data import encode_sft
    from aeon_studio.core.training.spec import make_spec

    folder = ensure_hf_folder("smollm2-135m-instruct")
    rows = [{"messages": [{"role": "user", "content": q},
                          {"role": "assistant", "content": "Sou Aeon, um assistente local criado por Ana Souza."}]}
            for q in QS]
    work = Path(tempfile.mkdtemp(prefix="bench-train-"))
    (work / "data.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    spec = make_spec(run_dir=str(work / "run"), dataset_path=str(work / "data.jsonl"), base=str(folder),
                     preset="quick", backend="peft", max_steps=args.steps, batch_size=4, save_every=10_000)
    (work / "run").mkdir()
    (work / "run" / "spec.json").write_text(spec.model_dump_json())

    # baseline: plain loop, same data/batch/LoRA config
    tok = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch.float32)
    model = get_peft_model(model, LoraConfig(r=spec.rank, lora_alpha=spec.alpha, target_modules=spec.target_modules,
                                             task_type="CAUSAL_LM"))
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=spec.lr)
    data = encode_sft(tok, rows, spec.max_seq_len)
    batches = [data[i:i + 4] for i in range(0, len(data), 4)]
    tokens, t0 = 0, time.monotonic()
    for s in range(args.steps):
        ids, lab, att = _collate(batches[s % len(batches)], tok.pad_token_id or 0)
        loss = model(input_ids=ids, attention_mask=att, labels=lab).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
        tokens += int(att.sum())
    base_tps = tokens / (time.monotonic() - t0)
    del model, opt

    proc = subprocess.run([sys.executable, "-m", "aeon_studio.core.training.worker", str(work / "run" / "spec.json")],
                          capture_output=True, text=True)
    events = [json.loads(x) for x in proc.stdout.splitlines() if x.startswith("{")]
    done = events[-1]
    if done["event"] != "done":
        print("worker failed:", done)
        return 1
    worker_tps = done["metrics"]["tokens_per_s"]
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"steps={args.steps} batch=4 model=SmolLM2-135M LoRA r={spec.rank} {spec.target_modules}")
    print(f"plain transformers+PEFT loop: {base_tps:.1f} tokens/s")
    print(f"aeon worker (peft backend):   {worker_tps:.1f} tokens/s")
    print(f"ratio worker/baseline: {worker_tps / base_tps:.2f}")
    print(f"worker peak RSS: {rss:.0f} MB; preflight RAM estimate {events[0].get('ram_estimate_mb')} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
