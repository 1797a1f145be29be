"""Training throughput: the worker (TRL's SFTTrainer, peft backend, subprocess) vs a hand-written PyTorch loop.

Same model (SmolLM2-135M dequantized from its GGUF), LoRA config, batch size, steps and data in one run: chat
examples of mixed length (a few words to a few paragraphs), so padding matters. Both count the real (non-padding)
tokens they train on per second. The hand-written loop is the one the worker ran before it moved to TRL; it lives
only here now, as the baseline. Prints both rates, their ratio (goal ≥ 1.0) and the worker's peak RSS against
its preflight estimate.
Usage: .venv/bin/python bench/train_throughput.py [--steps N] [--batch B]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("o modelo responde em português claro e curto quando a pergunta pede uma explicação simples sobre "
         "treinamento local adaptadores de baixa ordem e memória da conversa the assistant keeps its answers "
         "short unless the user asks for detail about local training small adapters and what the model "
         "remembers").split()


def mixed_rows(n: int, seed: int = 0) -> list[dict]:
    """``n`` chat examples whose turns run from a few words to a few paragraphs (one or two exchanges)."""
    rng = random.Random(seed)

    def text(lo: int, hi: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi))).capitalize() + "."

    rows = []
    for _i in range(n):
        msgs = []
        for _t in range(rng.choice((1, 1, 2))):
            msgs.append({"role": "user", "content": text(3, 60)})
            msgs.append({"role": "assistant", "content": text(3, rng.choice((12, 40, 160)))})
        rows.append({"messages": msgs})
    return rows


def _collate(batch, pad_id: int):
    import torch

    n = max(len(ids) for ids, _l in batch)
    ids = torch.full((len(batch), n), pad_id, dtype=torch.long)
    lab = torch.full((len(batch), n), -100, dtype=torch.long)
    att = torch.zeros((len(batch), n), dtype=torch.long)
    for i, (a, b) in enumerate(batch):
        ids[i, :len(a)] = torch.tensor(a)
        lab[i, :len(b)] = torch.tensor(b)
        att[i, :len(a)] = 1
    return ids, lab, att


def hand_written_loop(folder: Path, spec, rows: list[dict], steps: int) -> float:
    """The worker's loop before TRL (random batches padded to their longest, AdamW, clipping, linear decay):
    real tokens per second."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from aeon_studio.core.training.data import encode_sft

    torch.manual_seed(spec.seed)
    tok = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch.float32)
    model = get_peft_model(model, LoraConfig(r=spec.rank, lora_alpha=spec.alpha, target_modules=spec.target_modules,
                                             task_type="CAUSAL_LM"))
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=spec.lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: max(0.05, 1 - s / steps))
    data = encode_sft(tok, rows, spec.max_seq_len)
    t0 = time.monotonic()  # the loop only; the worker's figure also holds the trainer's setup (dataloader…)
    rng = random.Random(spec.seed)
    tokens, step = 0, 0
    while step < steps:
        idx = list(range(len(data)))
        rng.shuffle(idx)
        for k in range(0, len(idx), spec.batch_size):
            if step >= steps:
                break
            ids, lab, att = _collate([data[i] for i in idx[k:k + spec.batch_size]], tok.pad_token_id or 0)
            loss = model(input_ids=ids, attention_mask=att, labels=lab).loss
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            tokens += int(att.sum())
            step += 1
    return tokens / (time.monotonic() - t0)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=16)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--examples", type=int, default=64)
    args = ap.parse_args()
    home = Path(os.environ.get("AEON_STUDIO_HOME") or Path(tempfile.gettempdir()) / "aeon-bench-train")
    os.environ["AEON_STUDIO_HOME"] = str(home)
    os.environ["HF_HUB_OFFLINE"] = "1"
    from aeon_studio.core.training.base import ensure_hf_folder
    from aeon_studio.core.training.spec import make_spec

    folder = ensure_hf_folder("smollm2-135m-instruct")
    rows = mixed_rows(args.examples)
    work = Path(tempfile.mkdtemp(prefix="bench-train-"))
    (work / "data.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    spec = make_spec(run_dir=str(work / "run"), dataset_path=str(work / "data.jsonl"), base=str(folder),
                     preset="quick", backend="peft", max_steps=args.steps, batch_size=args.batch, max_seq_len=512,
                     save_every=10_000)
    (work / "run").mkdir()
    (work / "run" / "spec.json").write_text(spec.model_dump_json())

    base_tps = hand_written_loop(folder, spec, rows, args.steps)
    proc = subprocess.run([sys.executable, "-m", "aeon_studio.core.training.worker", str(work / "run" / "spec.json")],
                          capture_output=True, text=True)
    events = [json.loads(x) for x in proc.stdout.splitlines() if x.startswith("{")]
    done = events[-1] if events else {"event": "nothing", "stderr": proc.stderr[-2000:]}
    if done["event"] != "done":
        print("worker failed:", done)
        return 1
    worker_tps = done["metrics"]["tokens_per_s"]
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    pre = events[0]
    print(f"steps={args.steps} batch={spec.batch_size} examples={len(rows)} (mixed lengths, "
          f"{pre.get('dataset_tokens')} tokens) model=SmolLM2-135M LoRA r={spec.rank} {spec.target_modules}")
    print(f"hand-written loop (baseline): {base_tps:.1f} tokens/s")
    print(f"aeon worker (TRL SFTTrainer): {worker_tps:.1f} tokens/s")
    print(f"ratio worker/baseline: {worker_tps / base_tps:.2f} (goal >= 1.0)")
    print(f"worker peak RSS: {rss:.0f} MB; preflight RAM estimate {pre.get('ram_estimate_mb')} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
