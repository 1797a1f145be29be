"""Background LoRA fine-tuning: specs, base-model loading, the worker process, the run registry."""

from .spec import PRESETS, TrainingSpec, make_spec

__all__ = ["PRESETS", "TrainingSpec", "make_spec"]
