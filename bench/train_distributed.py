"""``train --processes 2`` against one process: the same run (SmolLM2-135M, LoRA, mixed-length chats, one epoch) at
the same global batch — 1 process × batch 2B against 2 processes × batch B (DDP over gloo, started by torchrun
through :mod:`aeon_studio.core.training.launch`). Prints the non-padding tokens/s of each, their ratio, the wall
time of each process tree (imports and model loading included) and the mean step loss of each (the same examples
in a different order: close, not equal; ``tests/core/training/test_launch.py`` checks the exact match).
On a 2-core CPU the two processes share the cores the single one uses alone, so the ratio says what DDP costs
here; on a machine with a core (or GPU) per process it is the speed-up.
Usage: .venv/bin/python bench/train_distributed.py [--steps N] [--batch B] [--tiny]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from train_throughput import mixed_rows  # noqa: E402 - the same mixed-length chats


def _run(work: Path, name: str, folder: Path, rows: int, steps: int, batch: int, processes: int) -> dict:
    from aeon_studio.core.training.spec import make_spec

    spec = make_spec(run_dir=str(work / name), dataset_path=str(work / "data.jsonl"), base=str(folder),
                     preset="quick", backend="peft", max_steps=steps, batch_size=batch, max_seq_len=512,
                     save_every=10_000, processes=processes)
    (work / name).mkdir()
    (work / name / "spec.json").write_text(spec.model_dump_json())
    module = "aeon_studio.core.training.launch" if processes > 1 else "aeon_studio.core.training.worker"
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", module, str(work / name / "spec.json")], capture_output=True,
                          text=True)
    wall = time.monotonic() - t0
    events = [json.loads(x) for x in proc.stdout.splitlines() if x.startswith("{")]
    if not events or events[-1]["event"] != "done":
        raise SystemExit(f"{name} failed: {events[-1] if events else proc.stderr[-2000:]}")
    losses = [e["loss"] for e in events if e["event"] == "step"]
    return {"tps": events[-1]["metrics"]["tokens_per_s"], "train_s": events[-1]["metrics"]["train_seconds"],
            "wall": wall, "mean_loss": sum(losses) / len(losses), "last_loss": losses[-1], "steps": len(losses)}


def _tiny(out: Path) -> Path:
    """A 2-layer random llama with SmolLM2's tokenizer (as the tests use): the launch cost without the compute."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from aeon_studio.core.models import smollm2_path

    gguf = smollm2_path()
    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024,
                      tie_word_embeddings=True, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id)
    LlamaForCausalLM(cfg).save_pretrained(str(out))
    tok.save_pretrained(str(out))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--batch", type=int, default=2, help="per process of the 2-process run (the single: twice)")
    ap.add_argument("--tiny", action="store_true", help="a tiny random model instead of SmolLM2-135M")
    args = ap.parse_args()
    home = Path(os.environ.get("AEON_STUDIO_HOME") or Path(tempfile.gettempdir()) / "aeon-bench-train")
    os.environ["AEON_STUDIO_HOME"] = str(home)
    os.environ["HF_HUB_OFFLINE"] = "1"
    work = Path(tempfile.mkdtemp(prefix="bench-ddp-"))
    if args.tiny:
        folder, model = _tiny(work / "tiny"), "tiny random llama"
    else:
        from aeon_studio.core.training.base import ensure_hf_folder

        folder, model = ensure_hf_folder("smollm2-135m-instruct"), "SmolLM2-135M"
    n = args.steps * args.batch * 2  # one epoch: both runs train on every example once
    (work / "data.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in mixed_rows(n)))
    one = _run(work, "one", folder, n, args.steps, args.batch * 2, 1)
    two = _run(work, "two", folder, n, args.steps, args.batch, 2)
    print(f"model={model} examples={n} steps={args.steps} global batch={args.batch * 2} cores={os.cpu_count()}")
    for name, r in (("1 process ", one), ("2 processes", two)):
        print(f"{name}: {r['tps']:.1f} tokens/s, training {r['train_s']:.1f} s, wall {r['wall']:.1f} s, "
              f"mean step loss {r['mean_loss']:.4f}, last {r['last_loss']:.4f}")
    print(f"tokens/s ratio 2 processes / 1 process: {two['tps'] / one['tps']:.2f}")
    print(f"wall ratio: {two['wall'] / one['wall']:.2f}; mean loss difference "
          f"{abs(two['mean_loss'] - one['mean_loss']) / one['mean_loss']:.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
