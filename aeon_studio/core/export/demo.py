"""Demo/benchmark adapters: a PEFT LoRA folder with small random weights shaped for a base GGUF.

Used by ``bench/export.py`` and the Models tab's screenshot (``render_models(..., demo=True)``); the
weights are random, so the adapter changes answers a little without breaking them (std ≤ 0.05).
"""

from __future__ import annotations

import json
from pathlib import Path

from .gguf_io import quick_read

#: GGUF tensor kind → PEFT module path inside a decoder layer.
HF_OF_GGUF = {"attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj",
              "attn_output": "self_attn.o_proj", "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj",
              "ffn_down": "mlp.down_proj"}


def random_peft_lora(folder: Path, base_gguf: Path, *, targets: tuple[str, ...] = ("attn_q", "attn_v"), r: int = 8,
                     alpha: float | None = None, std: float = 0.02, seed: int = 0,
                     base_model: str | None = None) -> Path:
    """Write ``adapter_config.json`` + ``adapter_model.safetensors`` for every layer of ``base_gguf``."""
    import numpy as np
    from safetensors.numpy import save_file

    rng = np.random.default_rng(seed)
    tensors = {}
    for name, (shape, _t) in quick_read(Path(base_gguf)).tensors.items():
        parts = name.split(".")
        if len(parts) == 4 and parts[0] == "blk" and parts[2] in targets and parts[3] == "weight":
            n_in, n_out = shape
            key = f"base_model.model.model.layers.{parts[1]}.{HF_OF_GGUF[parts[2]]}"
            tensors[f"{key}.lora_A.weight"] = rng.normal(0, std, (r, n_in)).astype(np.float32)
            tensors[f"{key}.lora_B.weight"] = rng.normal(0, std, (n_out, r)).astype(np.float32)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(folder / "adapter_model.safetensors"))
    config = {"peft_type": "LORA", "r": r, "lora_alpha": alpha if alpha is not None else 2 * r,
              "target_modules": sorted({HF_OF_GGUF[t].split(".")[1] for t in targets}), "task_type": "CAUSAL_LM"}
    if base_model:
        config["base_model_name_or_path"] = base_model
    (folder / "adapter_config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    return folder
