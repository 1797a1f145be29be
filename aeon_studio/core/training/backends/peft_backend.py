"""transformers + PEFT backend: the base in fp32 (bf16 off: on CPU it is ~15× slower), LoRA on the spec's modules;
training is TRL's (:mod:`..trl_sft` for SFT, :mod:`..trl_prefs` for DPO, ORPO and KTO)."""

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
    """LoRA-train ``model`` (the fp32 base) on ``rows`` by ``spec.method``; returns the worker's result dict."""
    import torch
    from peft import get_peft_model

    torch.manual_seed(spec.seed)  # the LoRA initialisation
    model = get_peft_model(model, lora_config(spec))
    if spec.method == "sft":
        from .. import trl_sft

        return trl_sft.train(spec, model, tok, rows, eval_rows, emit, should_stop)
    from .. import trl_prefs

    return trl_prefs.train(spec, model, tok, rows, eval_rows, emit, should_stop)
