"""Unsloth backend (CUDA only): the base in 4-bit and LoRA through Unsloth's ``FastLanguageModel``; training is
the same TRL path as the peft backend (:func:`..methods.train`: SFT, DPO, KTO or ORPO), in bf16 where the GPU
supports it. Imported only in the worker."""

from __future__ import annotations

from typing import Any, Callable

from ...i18n import _
from ..events import Event


def load(spec, base_folder: str):
    """(LoRA model, tokenizer) from Unsloth: the base quantized to 4 bits, LoRA on the spec's modules."""
    from unsloth import FastLanguageModel  # must come before transformers/trl: it patches them

    from .. import ranks

    # under torchrun each process loads onto its own GPU (Unsloth's default would put them all on the first)
    placed = {"device_map": {"": ranks.local_rank()}} if ranks.distributed() else {}
    model, tok = FastLanguageModel.from_pretrained(model_name=base_folder, max_seq_length=spec.max_seq_len,
                                                   load_in_4bit=True, dtype=None, **placed)
    model = FastLanguageModel.get_peft_model(model, r=spec.rank, lora_alpha=spec.alpha,
                                             lora_dropout=spec.dropout, target_modules=list(spec.target_modules),
                                             use_gradient_checkpointing="unsloth", random_state=spec.seed)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return model, tok


def train(spec, base_folder: str, rows: list[dict[str, Any]], eval_rows: list[dict[str, Any]],
          emit: Callable[[Event], None], should_stop: Callable[[], bool]) -> dict[str, Any]:
    """Train ``spec`` with the Unsloth-loaded model; returns what :func:`..methods.train` returns."""
    import torch

    if not torch.cuda.is_available():
        raise NotImplementedError(_("The unsloth backend needs a CUDA GPU; use --backend peft on this machine."))
    model, tok = load(spec, base_folder)  # before trl is imported: Unsloth patches its trainers
    from .. import methods
    from . import bf16_supported

    return methods.train(spec, model, tok, rows, eval_rows, emit, should_stop, backend="unsloth",
                         bf16=bf16_supported())
