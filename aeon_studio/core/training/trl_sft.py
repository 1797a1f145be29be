"""Supervised fine-tuning on TRL's ``SFTTrainer``: the one training loop every backend runs.

A backend only loads the model (transformers + PEFT in fp32 on CPU, Unsloth in 4-bit on CUDA) and hands it here
with its tokenizer. The examples are tokenized by :func:`.data.encode_sft`, so the loss covers the target
assistant replies only (every turn of a multi-turn conversation, except those kept as context with
``"weight": 0``; an example labelled undesirable is never a target), and TRL is given ``input_ids`` and
``labels`` it uses as they are instead of applying its own chat template. :class:`EventsCallback` turns the
trainer's logs into the worker's typed events; a cancel stops the trainer at the end of the step and saves a
checkpoint, which a resume continues from (the trainer's own ``checkpoint-N`` folders: model, optimizer,
scheduler and data order).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any, Callable

from ..i18n import _, ngettext
from . import ranks
from .data import TrainingError, encode_sft
from .events import Checkpoint, Eval, Event, Resume, Start, Step
from .spec import TrainingSpec, total_steps

Emit = Callable[[Event], None]
#: batches of similar lengths: short chat turns do not pay for the padding up to a long one in their batch
#: (padding-free batches would save all of it, but without flash attention, i.e. on CPU, the examples packed in one
#: row would attend to each other)
SFT_ARGS: dict[str, Any] = {"train_sampling_strategy": "group_by_length"}


def encode_rows(tok, rows: list[dict[str, Any]], max_len: int) -> list[dict[str, list[int]]]:
    """The SFT dataset as TRL takes it pre-tokenized: ``input_ids`` and ``labels`` (-100 outside the targets)."""
    return [{"input_ids": ids, "labels": labels} for ids, labels in encode_sft(tok, rows, max_len)]


def trained_tokens(data: list[dict[str, list[int]]]) -> int:
    """How many tokens the loss is computed on."""
    return sum(sum(1 for x in r["labels"] if x != -100) for r in data)


def check_trainable(data: list[dict[str, list[int]]], max_len: int) -> int:
    """The number of target tokens; :class:`TrainingError` when there are none (a run would report loss 0.0 over
    0 tokens and learn nothing)."""
    n = trained_tokens(data)
    if n == 0:
        raise no_targets_error(len(data), max_len)
    return n


def no_targets_error(examples: int, max_len: int) -> TrainingError:
    """The error of a run whose ``examples`` leave no assistant token inside ``max_len`` (any method)."""
    return TrainingError(ngettext("No assistant tokens to learn from in {n} example.",
                                  "No assistant tokens to learn from in {n} examples.", examples).format(n=examples),
                         hint=_("Every example needs an assistant reply that fits in max_seq_len "
                                "({tokens}); raise max_seq_len or shorten the prompts.").format(
                                    tokens=ngettext("{n} token", "{n} tokens", max_len).format(n=max_len)))


def latest_checkpoint(run_dir: Path) -> Path | None:
    """The newest complete trainer checkpoint of the run (``checkpoints/checkpoint-N`` with its state), if any."""
    folder = run_dir / "checkpoints"
    found = [p for p in folder.glob("checkpoint-*")
             if p.name.split("-")[-1].isdigit() and (p / "trainer_state.json").exists()]
    return max(found, key=lambda p: int(p.name.split("-")[-1])) if found else None


def sft_config(spec: TrainingSpec, *, total: int, steps_per_epoch: int, has_eval: bool, bf16: bool = False,
               report_to: list[str] | None = None):
    """The ``SFTConfig`` of a run: the spec's batch, steps, learning rate and saving; fp32 unless ``bf16``."""
    from trl import SFTConfig

    return SFTConfig(**trainer_args(spec, total=total, steps_per_epoch=steps_per_epoch, has_eval=has_eval,
                                    bf16=bf16, report_to=report_to), **SFT_ARGS)


def trainer_args(spec: TrainingSpec, *, total: int, steps_per_epoch: int, has_eval: bool, bf16: bool = False,
                 report_to: list[str] | None = None) -> dict[str, Any]:
    """The arguments every TRL trainer of a run shares (SFT, DPO, KTO configs take them all). ``report_to``
    defaults to TensorBoard when it is installed (event files in ``<run>/tensorboard``), else nothing."""
    every = spec.eval_every or steps_per_epoch
    if report_to is None:
        report_to = tensorboard_report(Path(spec.run_dir))
    return dict(
        output_dir=str(Path(spec.run_dir) / "checkpoints"), per_device_train_batch_size=spec.batch_size,
        per_device_eval_batch_size=spec.batch_size, max_steps=total, learning_rate=spec.lr,
        lr_scheduler_type="linear", warmup_steps=min(5, max(1, total // 10)), weight_decay=0.0, max_grad_norm=1.0,
        optim="adamw_torch", logging_steps=1, save_strategy="steps", save_steps=spec.save_every,
        save_total_limit=2, eval_strategy="steps" if has_eval else "no", eval_steps=every if has_eval else None,
        max_length=spec.max_seq_len, bf16=bf16, fp16=False,
        # no recomputation: on CPU the small LoRA runs fit in memory, and checkpointing costs a third more time
        activation_checkpointing=False, report_to=report_to, seed=spec.seed, data_seed=spec.seed,
        disable_tqdm=True, dataloader_num_workers=0, dataloader_pin_memory=False, dataset_num_proc=None,
        save_only_model=False,  # a resume needs the optimizer and scheduler too
        **ranks.trainer_args())  # DDP under torchrun (gloo on CPU, NCCL on CUDA)


def tensorboard_report(run_dir: Path) -> list[str]:
    """``["tensorboard"]`` when tensorboard (or tensorboardX) is installed, with its event files going to
    ``<run>/tensorboard`` (the worker is a process of its own, so its environment is the run's); else ``[]``."""
    import os

    from transformers.integrations import is_tensorboard_available

    if not is_tensorboard_available():
        return []
    os.environ["TENSORBOARD_LOGGING_DIR"] = str(run_dir / "tensorboard")
    return ["tensorboard"]


def events_callback(emit: Emit, should_stop: Callable[[], bool], *, total: int, steps_per_epoch: int,
                    start_step: int):
    """A ``TrainerCallback`` writing step, eval and checkpoint events, and stopping (with a checkpoint) when
    ``should_stop()`` says so."""
    from transformers import TrainerCallback

    class EventsCallback(TrainerCallback):
        def __init__(self) -> None:
            self.t0 = time.monotonic()
            self.first_loss: float | None = None
            self.last_loss: float | None = None
            self.eval_loss: float | None = None
            self.tokens = 0
            self.cancelled = False
            self.checkpoint: str | None = None

        def on_train_begin(self, args, state, control, **kw):
            self.t0 = time.monotonic()

        def on_step_end(self, args, state, control, **kw):
            if should_stop():
                self.cancelled = True
                control.should_save = True
                control.should_training_stop = True
            elif state.global_step >= total:
                control.should_save = False  # the adapter is saved next; a last checkpoint would only cost time

        def on_log(self, args, state, control, logs=None, **kw):
            logs = logs or {}
            if "eval_loss" in logs:
                self.eval_loss = float(logs["eval_loss"])
                emit(Eval(step=state.global_step, eval_loss=round(self.eval_loss, 5)))
            if "loss" not in logs:
                return
            self.last_loss = float(logs["loss"])
            if self.first_loss is None:
                self.first_loss = self.last_loss
            self.tokens = int(logs.get("num_tokens") or 0)  # non-padding tokens since this process started
            el = time.monotonic() - self.t0
            done = max(1, state.global_step - start_step)
            emit(Step(step=state.global_step, epoch=round(state.global_step / steps_per_epoch, 3),
                      loss=round(self.last_loss, 5), lr=logs.get("learning_rate"),
                      tokens_per_s=round(self.tokens / el, 1) if el > 0 else 0.0,
                      eta_s=round(el / done * max(0, total - state.global_step), 1)))

        def on_save(self, args, state, control, **kw):
            self.checkpoint = str(Path(args.output_dir) / f"checkpoint-{state.global_step}")
            emit(Checkpoint(step=state.global_step, path=self.checkpoint))

    return EventsCallback()


def _quiet(trainer) -> None:
    """stdout carries the events, one JSON object a line: the trainer's own printing must not land there."""
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    trainer.remove_callback(PrinterCallback)
    trainer.remove_callback(ProgressCallback)


def train(spec: TrainingSpec, model, tok, rows: list[dict[str, Any]], eval_rows: list[dict[str, Any]],
          emit: Emit, should_stop: Callable[[], bool], *, backend: str | None = None,
          bf16: bool = False) -> dict[str, Any]:
    """SFT of ``model`` (already a PEFT model: LoRA on the spec's modules) on ``rows``; returns what the worker
    reports: ``{"adapter", "metrics"}``, or ``{"cancelled": True, "step", "checkpoint"}``."""
    from trl import SFTConfig, SFTTrainer

    data = encode_rows(tok, rows, spec.max_seq_len)
    evald = encode_rows(tok, eval_rows, spec.max_seq_len)
    n_train_tokens = check_trainable(data, spec.max_seq_len)
    return fit(spec, SFTTrainer, SFTConfig, SFT_ARGS, model, tok, data, evald, emit, should_stop, backend=backend,
               bf16=bf16, train_tokens=n_train_tokens)


def fit(spec: TrainingSpec, trainer_cls, config_cls, config_extra: dict[str, Any], model, tok,
        data: list[dict[str, Any]], evald: list[dict[str, Any]], emit: Emit, should_stop: Callable[[], bool], *,
        backend: str | None = None, bf16: bool = False, train_tokens: int | None = None) -> dict[str, Any]:
    """Run a TRL trainer (``trainer_cls`` with a ``config_cls`` config) on prepared rows: events, eval before and
    after, cancel with a checkpoint, resume from the newest checkpoint, the adapter saved atomically."""
    from datasets import Dataset

    run_dir = Path(spec.run_dir)
    total, steps_per_epoch = total_steps(spec, len(data))
    ckpt = latest_checkpoint(run_dir) if spec.resume else None
    step = 0
    if ckpt is not None:
        step = int(json.loads((ckpt / "trainer_state.json").read_text())["global_step"])
        emit(Resume(step=step, checkpoint=str(ckpt)))
    cfg = config_cls(**trainer_args(spec, total=total, steps_per_epoch=steps_per_epoch, has_eval=bool(evald),
                                    bf16=bf16), **config_extra)
    events = events_callback(emit, should_stop, total=total, steps_per_epoch=steps_per_epoch, start_step=step)
    trainer = trainer_cls(model=model, args=cfg, processing_class=tok, train_dataset=Dataset.from_list(data),
                          eval_dataset=Dataset.from_list(evald) if evald else None, callbacks=[events])
    _quiet(trainer)
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    emit(Start(total_steps=total, steps_per_epoch=steps_per_epoch, examples=len(data), eval_examples=len(evald),
               train_tokens=train_tokens, trainable_params=params, resumed_from=step, backend=backend))
    eval_start = None
    if evald and step == 0:  # the held-out loss before training: what the run's eval loss is compared with
        eval_start = float(trainer.evaluate()["eval_loss"])
        events.eval_loss = None  # the run's eval loss is the one after training
    t0 = time.monotonic()
    trainer.train(resume_from_checkpoint=str(ckpt) if ckpt is not None else None)
    el = time.monotonic() - t0
    step = trainer.state.global_step
    if events.cancelled:
        return {"cancelled": True, "step": step, "checkpoint": events.checkpoint}
    if evald and events.eval_loss is None:  # fewer steps than the eval interval: evaluate once at the end
        trainer.evaluate()
    metrics = {
        "steps": step, "first_loss": events.first_loss, "final_loss": events.last_loss,
        "eval_loss": events.eval_loss, "eval_loss_start": eval_start, "examples": len(data),
        "eval_examples": len(evald), "train_seconds": round(el, 2),
        "tokens_per_s": round(events.tokens / el, 1) if el > 0 else 0.0}
    if not trainer.is_world_process_zero():  # one adapter per run: rank 0 writes it
        return {"adapter": None, "metrics": metrics}
    adapter = run_dir / "adapter"
    tmp = run_dir / "adapter.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(str(tmp))
    tok.save_pretrained(str(tmp))
    shutil.rmtree(adapter, ignore_errors=True)
    tmp.rename(adapter)
    return {"adapter": str(adapter), "metrics": metrics}
