"""PEFT LoRA → llama.cpp LoRA GGUF: names, orientation, q/k permutation and scaling, checked numerically
against transformers on tiny random llama/qwen2 models, and on the real Gemma 3 270M GGUF."""

from __future__ import annotations

import json

import numpy as np
import pytest

from aeon_studio.core.export import ExportError
from aeon_studio.core.export.gguf_io import partial_name, quick_read
from aeon_studio.core.export.lora_gguf import convert_lora, lora_deltas
from tests.support.export_models import handmade_peft, tiny_model

TOKENS = [1, 504, 3458, 282, 4649, 314, 253, 1345, 30, 2]


def _peft_on(model, folder, targets, **extra):
    from peft import LoraConfig, get_peft_model

    cfg = LoraConfig(r=4, lora_alpha=8, target_modules=targets, init_lora_weights=False, lora_dropout=0.0, **extra)
    peft = get_peft_model(model, cfg).eval()
    peft.save_pretrained(str(folder))
    return peft


def _hf_logits(model) -> np.ndarray:
    import torch

    with torch.no_grad():
        return model(torch.tensor([TOKENS])).logits[0].float().numpy()


def _cpp_logits(gguf_path, lora=None) -> np.ndarray:
    from llama_cpp import Llama

    llm = Llama(str(gguf_path), lora_path=str(lora) if lora else None, logits_all=True, n_ctx=64, n_threads=2,
                verbose=False)
    try:
        llm.eval(TOKENS)
        return np.array(llm.scores[: len(TOKENS)], dtype=np.float32)
    finally:
        llm.close()


@pytest.mark.parametrize("arch", ["llama", "qwen2"])
def test_lora_gguf_matches_transformers_logits(tmp_path, arch):
    model, base = tiny_model(tmp_path, arch)
    base_cpp = _cpp_logits(base)
    assert np.abs(base_cpp - _hf_logits(model)).max() < 2e-2  # the tiny GGUF itself is faithful
    targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    peft = _peft_on(model, tmp_path / "peft", targets)
    res = convert_lora(tmp_path / "peft", base, tmp_path / "a.gguf")
    assert res.arch == arch and res.n_tensors == 2 * 7 * 2 and res.alpha == 8.0
    hf = _hf_logits(peft)
    cpp = _cpp_logits(base, res.path)
    effect = np.abs(hf - base_cpp).max()
    err = np.abs(hf - cpp).max()
    assert effect > 0.5, "the random adapter should move the logits"
    assert err < 0.05 * effect, f"llama.cpp+LoRA differs from PEFT by {err:.4f} (adapter effect {effect:.3f})"
    assert (hf.argmax(-1) == cpp.argmax(-1)).mean() >= 0.9


def test_llama_q_k_rows_are_permuted_and_alpha_folded(tmp_path):
    model, base = tiny_model(tmp_path, "llama")
    peft = _peft_on(model, tmp_path / "peft", ["q_proj", "k_proj", "v_proj"], use_rslora=True)
    res = convert_lora(tmp_path / "peft", base, tmp_path / "a.gguf")
    alpha, deltas = lora_deltas(res.path)
    from safetensors.numpy import load_file

    sd = load_file(str(tmp_path / "peft" / "adapter_model.safetensors"))
    a_q = sd["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"]
    b_v = sd["base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight"]
    b_q = sd["base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"]
    ga, gb = deltas["blk.0.attn_q.weight"]
    assert ga.shape == (4, 64) and gb.shape == (64, 4)
    assert np.allclose(ga, a_q, atol=1e-3)  # lora_a is not permuted
    rs = (8 / 4 ** 0.5) / (alpha / 4)  # rsLoRA scale folded into lora_b
    assert not np.allclose(gb, b_q * rs, atol=1e-3)  # rows were permuted…
    assert np.allclose(np.sort(gb, axis=0), np.sort(b_q * rs, axis=0), atol=1e-3)  # …not changed
    assert np.allclose(deltas["blk.0.attn_v.weight"][1], b_v * rs, atol=1e-3)  # v is never permuted
    cpp = _cpp_logits(base, res.path)
    assert np.abs(_hf_logits(peft) - cpp).max() < 0.05 * np.abs(_hf_logits(peft) - _cpp_logits(base)).max()


def test_gemma3_adapter_loads_and_changes_the_real_model(tmp_path):
    from llama_cpp import Llama

    from aeon_studio.core.models.registry import gemma3_path

    base = gemma3_path(prepare=True)
    folder = handmade_peft(tmp_path / "g", base, targets=("attn_q", "attn_k", "attn_v", "ffn_down"), std=0.08,
                           base_model="gemma3-270m")
    res = convert_lora(folder, base, tmp_path / "g.gguf")
    assert res.arch == "gemma3"
    names = set(quick_read(res.path).tensors)
    assert {"blk.0.attn_q.weight.lora_a", "blk.17.ffn_down.weight.lora_b"} <= names
    kv = quick_read(res.path).kv
    assert kv["general.type"] == "adapter" and kv["adapter.type"] == "lora"
    outs = []
    for lora in (None, res.path):
        llm = Llama(str(base), lora_path=str(lora) if lora else None, n_ctx=64, n_threads=2, verbose=False,
                    logits_all=True)
        llm.eval(TOKENS[:6])
        outs.append(np.array(llm.scores[5]))
        llm.close()
    assert np.abs(outs[0] - outs[1]).max() > 0.1


def test_bad_adapters_are_refused_and_leave_nothing(tmp_path, smollm2_path):
    target = tmp_path / "out.gguf"
    target.write_bytes(b"previous export")
    with pytest.raises(ExportError, match="adapter_config.json"):
        convert_lora(tmp_path, smollm2_path, target)
    folder = handmade_peft(tmp_path / "p", smollm2_path)
    cfg = json.loads((folder / "adapter_config.json").read_text())
    (folder / "adapter_config.json").write_text(json.dumps({**cfg, "use_dora": True}))
    with pytest.raises(ExportError, match="DoRA"):
        convert_lora(folder, smollm2_path, target)
    (folder / "adapter_config.json").write_text(json.dumps(cfg))
    _model, tiny = tiny_model(tmp_path, "llama")
    with pytest.raises(ExportError, match="does not fit the base model"):
        convert_lora(folder, tiny, target)  # trained for SmolLM2 (576 wide), not the tiny llama
    assert target.read_bytes() == b"previous export" and not partial_name(target).exists()
    res = convert_lora(folder, smollm2_path, target)
    assert quick_read(res.path).kv["adapter.lora.alpha"] == 8.0 and res.size < 2_000_000


def test_retrained_adapter_gets_a_new_gguf_path(tmp_path, smollm2_path):
    import os
    import time

    from aeon_studio.core.export.adapters import lora_gguf, register_folder

    folder = handmade_peft(tmp_path / "peft", smollm2_path)
    info = register_folder(folder)
    first = lora_gguf(info.id)
    assert lora_gguf(info.id) == first  # cached
    handmade_peft(tmp_path / "peft", smollm2_path, seed=1)  # "retrained" in place
    later = time.time() + 5
    os.utime(folder / "adapter_model.safetensors", (later, later))
    second = lora_gguf(info.id)
    assert second != first and second.exists() and not first.exists()
