"""The one trainer path every backend runs: ``spec.method`` picks TRL's trainer, whatever loaded the model.

A backend (:mod:`.backends`) only loads the model and the tokenizer — transformers + PEFT in fp32 on CPU, Unsloth's
``FastLanguageModel`` in 4-bit on CUDA — and says whether bf16 is used; :func:`train` hands them to SFT
(:mod:`.trl_sft`) or to DPO, KTO or ORPO (:mod:`.trl_prefs`). So the events, checkpoints, resume and adapter of a
run are the same on every backend, and a method added here is there for all of them.

DPO and KTO get no reference model: with a PEFT model TRL keeps a frozen copy of the fresh (zero) adapter as
the reference, i.e. the base model itself, and switches to it with PEFT's ``set_adapter``/``disable_adapter``,
which Unsloth's fused LoRA kernels follow (they read the layer's active adapter, or none when disabled).
"""

from __future__ import annotations

from typing import Any, Callable

from .events import Event
from .spec import TrainingSpec


def train(spec: TrainingSpec, model, tok, rows: list[dict[str, Any]], eval_rows: list[dict[str, Any]],
          emit: Callable[[Event], None], should_stop: Callable[[], bool], *, backend: str,
          bf16: bool = False) -> dict[str, Any]:
    """Train ``model`` (a PEFT model, LoRA on the spec's modules) by ``spec.method``.

    Args:
        spec: the run's spec; ``spec.method`` is one of :data:`.trl_prefs.METHODS` (checked by
            :func:`.trl_prefs.check_shape` before any model is loaded).
        model: the PEFT model the backend loaded.
        tok: its tokenizer, with a pad token.
        rows: the training examples in the method's shape.
        eval_rows: the held-out examples (may be empty).
        emit: receives the run's typed events.
        should_stop: asked once a step; true stops the run with a checkpoint.
        backend: the backend's name, reported in the ``start`` event.
        bf16: train in bf16 (only where the device supports it; the backend decides).

    Returns:
        ``{"adapter", "metrics"}``, or ``{"cancelled": True, "step", "checkpoint"}``.
    """
    if spec.method == "sft":
        from . import trl_sft

        return trl_sft.train(spec, model, tok, rows, eval_rows, emit, should_stop, backend=backend, bf16=bf16)
    from . import trl_prefs

    return trl_prefs.train(spec, model, tok, rows, eval_rows, emit, should_stop, backend=backend, bf16=bf16)
