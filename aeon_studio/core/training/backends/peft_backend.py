"""transformers + PEFT backend: the base in fp32, LoRA on the spec's modules (bf16 only on a GPU that supports it:
on CPU it is ~15× slower); training is the one TRL path every backend runs (:func:`..methods.train`)."""

from __future__ import annotations

from typing import Any, Callable

from ..events import Event


def lora_config(spec):
    """LoRA on the spec's modules, rank, alpha and dropout."""
    from peft import LoraConfig

    return LoraConfig(r=spec.rank, lora_alpha=spec.alpha, lora_dropout=spec.dropout,
                      target_modules=list(spec.target_modules), task_type="CAUSAL_LM")


def train(spec, model, tok, rows: list[dict[str, Any]], eval_rows: list[dict[str, Any]],
          emit: Callable[[Event], None], should_stop: Callable[[], bool]) -> dict[str, Any]:
    """LoRA-train ``model`` (the fp32 base) on ``rows`` by ``spec.method``; returns what
    :func:`..methods.train` returns."""
    import torch
    from peft import get_peft_model

    from .. import methods
    from . import bf16_supported

    torch.manual_seed(spec.seed)  # the LoRA initialisation
    model = get_peft_model(model, lora_config(spec))
    return methods.train(spec, model, tok, rows, eval_rows, emit, should_stop, backend="peft",
                         bf16=bf16_supported())
