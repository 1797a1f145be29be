"""Merged GGUF: same numbers as base + LoRA, metadata copied (or a Gemma template added), atomic output."""

from __future__ import annotations

import numpy as np
import pytest

from aeon_studio.core.export import ExportError
from aeon_studio.core.export.gguf_io import partial_name, quick_read
from aeon_studio.core.export.lora_gguf import convert_lora
from aeon_studio.core.export.merged_gguf import GEMMA_CHAT_TEMPLATE, merge_and_quantize, write_merged_f16
from tests.support.export_models import handmade_peft, tiny_model

TOKENS = [2, 818, 5279, 529, 7001, 563, 496]


def _logits(model, lora=None, tokens=TOKENS) -> np.ndarray:
    from llama_cpp import Llama

    llm = Llama(str(model), lora_path=str(lora) if lora else None, logits_all=True, n_ctx=64, n_threads=2,
                verbose=False)
    try:
        llm.eval(tokens)
        return np.array(llm.scores[: len(tokens)], dtype=np.float32)
    finally:
        llm.close()


def test_merged_tiny_llama_equals_base_plus_lora(tmp_path):
    from peft import LoraConfig, get_peft_model

    model, base = tiny_model(tmp_path, "llama")
    peft = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "k_proj", "down_proj"],
                                            init_lora_weights=False))
    peft.save_pretrained(str(tmp_path / "peft"))
    lora = convert_lora(tmp_path / "peft", base, tmp_path / "l.gguf").path
    tokens = [1, 504, 3458, 282, 4649, 314]
    merged = write_merged_f16(base, lora, tmp_path / "m.gguf")
    with_lora, merged_logits = _logits(base, lora, tokens), _logits(merged, None, tokens)
    effect = np.abs(with_lora - _logits(base, None, tokens)).max()
    assert np.abs(with_lora - merged_logits).max() < 0.05 * effect
    kv, base_kv = quick_read(merged).kv, quick_read(base).kv
    for key in ("tokenizer.chat_template", "tokenizer.ggml.eos_token_id", "tokenizer.ggml.pre", "llama.block_count"):
        assert kv[key] == base_kv[key]
    assert kv["general.file_type"] == 1 and quick_read(merged).tensors.keys() == quick_read(base).tensors.keys()
    q8 = merge_and_quantize(base, lora, tmp_path / "m.Q8_0.gguf", "Q8_0")
    assert q8.size < merged.stat().st_size and not partial_name(q8.path).exists()
    assert sorted(p.name for p in tmp_path.glob("*.partial*")) == []


def test_merged_gemma_gets_a_chat_template_and_keeps_the_numbers(tmp_path):
    from aeon_studio.core.models.registry import gemma3_path

    base = gemma3_path(prepare=True)
    folder = handmade_peft(tmp_path / "g", base, targets=("attn_q", "attn_v"), std=0.05, base_model="gemma3-270m")
    lora = convert_lora(folder, base, tmp_path / "g.gguf").path
    merged = write_merged_f16(base, lora, tmp_path / "g.f16.gguf")
    kv = quick_read(merged).kv
    assert kv["tokenizer.chat_template"] == GEMMA_CHAT_TEMPLATE and kv["tokenizer.ggml.eos_token_id"] == 1
    with_lora, merged_logits = _logits(base, lora), _logits(merged)
    # The base is Q4_K_M and the merge F16, so allow quantization noise but demand the same predictions.
    assert (with_lora.argmax(-1) == merged_logits.argmax(-1)).mean() >= 0.85
    assert np.corrcoef(with_lora.ravel(), merged_logits.ravel())[0, 1] > 0.98


def test_unknown_quant_and_foreign_adapter_leave_nothing(tmp_path, smollm2_path):
    _model, tiny = tiny_model(tmp_path, "llama")
    lora = convert_lora(handmade_peft(tmp_path / "p", smollm2_path), smollm2_path, tmp_path / "l.gguf").path
    with pytest.raises(ExportError, match="Q3_X"):
        merge_and_quantize(smollm2_path, lora, tmp_path / "out.gguf", "Q3_X")
    with pytest.raises(ExportError, match="does not have"):
        write_merged_f16(tiny, _foreign(tmp_path), tmp_path / "out.gguf")
    assert not (tmp_path / "out.gguf").exists() and not partial_name(tmp_path / "out.gguf").exists()


def _foreign(tmp_path):
    """A LoRA GGUF naming a layer the tiny llama (2 layers) does not have."""
    from gguf import GGUFWriter

    out = tmp_path / "foreign.gguf"
    w = GGUFWriter(str(out), "llama")
    w.add_type("adapter")
    w.add_string("adapter.type", "lora")
    w.add_float32("adapter.lora.alpha", 8.0)
    w.add_tensor("blk.9.attn_q.weight.lora_a", np.zeros((4, 64), dtype=np.float16))
    w.add_tensor("blk.9.attn_q.weight.lora_b", np.zeros((64, 4), dtype=np.float16))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return out
