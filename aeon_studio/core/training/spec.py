"""Typed training specification and the quick / balanced / thorough presets."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from ..errors import ValidationError
from ..i18n import _

PRESETS: dict[str, dict[str, Any]] = {
    # max_steps lets a small identity set (~60 examples) train long enough to stick; max_epochs stops the same
    # 60 steps from becoming 30 epochs over 5 examples (which only teaches the model to repeat them).
    "quick": {"epochs": 3, "lr": 2e-3, "rank": 8, "alpha": 16, "target_modules": ["q_proj", "v_proj"],
              "batch_size": 4, "max_seq_len": 256, "max_steps": 60, "max_epochs": 5},
    "balanced": {"epochs": 3, "lr": 1e-3, "rank": 16, "alpha": 32,
                 "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj"], "batch_size": 4,
                 "max_seq_len": 512, "max_steps": 300},
    "thorough": {"epochs": 5, "lr": 5e-4, "rank": 32, "alpha": 64,
                 "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
                 "batch_size": 8, "max_seq_len": 1024, "max_steps": 0},
}


class TrainingSpec(BaseModel):
    """Everything the worker needs; written as ``<run>/spec.json``."""

    run_dir: str
    dataset_path: str  # frozen JSONL snapshot: {"messages": [...]} (sft) or {"prompt","chosen","rejected"} (dpo)
    eval_path: str | None = None  # held-out rows (never trained on); without it eval_fraction splits the dataset
    base: str  # model registry id, a .gguf path, or a transformers folder
    # kto: {"messages", "label"} rows (or prompt/completion); orpo: the same pairs as dpo, no reference model
    method: Literal["sft", "dpo", "kto", "orpo"] = "sft"
    backend: Literal["auto", "peft", "unsloth"] = "auto"
    preset: str = "quick"
    epochs: int = Field(3, ge=1, le=100)
    lr: float = Field(2e-3, gt=0, lt=1)
    rank: int = Field(8, ge=1, le=256)
    alpha: int = Field(16, ge=1, le=1024)
    dropout: float = Field(0.0, ge=0, lt=1)
    target_modules: list[str] = Field(default_factory=lambda: ["q_proj", "v_proj"])
    batch_size: int = Field(4, ge=1, le=256)
    max_seq_len: int = Field(256, ge=16, le=32768)
    max_steps: int = Field(0, ge=0)  # 0: epochs decide
    max_epochs: int = Field(0, ge=0)  # caps max_steps at this many passes over the data (0: no cap)
    eval_fraction: float = Field(0.0, ge=0, lt=0.9)
    eval_every: int = Field(0, ge=0)  # 0: once per epoch when there is an eval split
    save_every: int = Field(20, ge=1)
    dpo_beta: float = Field(0.1, gt=0)  # DPO's and KTO's beta; ORPO's λ (weight of its odds-ratio term)
    seed: int = 0
    resume: bool = False
    memory_limit_mb: int = Field(0, ge=0)  # 0: use available RAM
    # torch.distributed (see .launch): processes per machine, each with batch_size examples a step (global batch =
    # processes × nodes × batch_size); several machines meet at master_addr:master_port
    processes: int = Field(1, ge=1, le=1024)
    nodes: int = Field(1, ge=1, le=1024)
    node_rank: int = Field(0, ge=0)
    master_addr: str | None = None
    master_port: int = Field(29500, ge=1, le=65535)


def make_spec(*, run_dir: str, dataset_path: str, base: str, preset: str = "quick",
              **overrides: Any) -> TrainingSpec:
    if preset not in PRESETS:
        raise ValidationError(_("Unknown preset '{p}'.").format(p=preset),
                              hint=_("Use one of: {names}.").format(names=", ".join(PRESETS)))
    values = dict(PRESETS[preset])
    given = {k: v for k, v in overrides.items() if v is not None}
    if "max_steps" in given and "max_epochs" not in given:
        given["max_epochs"] = 0  # an explicit step count means exactly that many steps
    values.update(given)
    return TrainingSpec(run_dir=run_dir, dataset_path=dataset_path, base=base, preset=preset, **values)


def total_steps(spec: TrainingSpec, n_examples: int) -> tuple[int, int]:
    """``(total steps, steps per epoch)`` for ``n_examples`` training examples: ``epochs`` passes, or
    ``max_steps`` when set, never more than ``max_epochs`` passes when that is set."""
    per_epoch = max(1, -(-n_examples // (spec.batch_size * spec.processes * spec.nodes)))  # the global batch
    total = per_epoch * spec.epochs
    if spec.max_steps:
        total = spec.max_steps
    if spec.max_epochs:
        total = min(total, per_epoch * spec.max_epochs)
    return total, per_epoch
