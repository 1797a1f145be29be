"""Unsloth backend (CUDA only): 4-bit base, LoRA via Unsloth, TRL's SFTTrainer. Imported only in the worker."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from ..events import Checkpoint, Eval, Event, Start, Step
from ..spec import total_steps


def train(spec, base_folder: str, rows: list[dict[str, Any]], eval_rows: list[dict[str, Any]],
          emit: Callable[[Event], None], should_stop: Callable[[], bool]) -> dict[str, Any]:
    import torch

    if not torch.cuda.is_available():
        raise NotImplementedError("The unsloth backend needs a CUDA GPU; use --backend peft on this machine.")
    if spec.method != "sft":
        raise NotImplementedError("The unsloth backend only runs SFT here; use --backend peft for DPO.")
    from unsloth import FastLanguageModel  # noqa: I001 - must come before transformers/trl
    from datasets import Dataset
    from transformers import TrainerCallback
    from trl import SFTConfig, SFTTrainer

    model, tok = FastLanguageModel.from_pretrained(model_name=base_folder, max_seq_length=spec.max_seq_len,
                                                   load_in_4bit=True, dtype=None)
    model = FastLanguageModel.get_peft_model(model, r=spec.rank, lora_alpha=spec.alpha,
                                             lora_dropout=spec.dropout, target_modules=list(spec.target_modules),
                                             use_gradient_checkpointing="unsloth", random_state=spec.seed)

    class Events(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kw):
            logs = logs or {}
            if "loss" in logs:
                emit(Step(step=state.global_step, epoch=state.epoch, loss=logs["loss"],
                          lr=logs.get("learning_rate"), tokens_per_s=None, eta_s=None))
            if "eval_loss" in logs:
                emit(Eval(step=state.global_step, eval_loss=logs["eval_loss"]))

        def on_step_end(self, args, state, control, **kw):
            if should_stop():
                control.should_save = True
                control.should_training_stop = True

        def on_save(self, args, state, control, **kw):
            emit(Checkpoint(step=state.global_step,
                            path=str(Path(args.output_dir) / f"checkpoint-{state.global_step}")))

    out = Path(spec.run_dir)
    cfg = SFTConfig(output_dir=str(out / "checkpoints"), per_device_train_batch_size=spec.batch_size,
                    num_train_epochs=spec.epochs, max_steps=total_steps(spec, len(rows))[0], learning_rate=spec.lr,
                    logging_steps=1, save_steps=spec.save_every, max_length=spec.max_seq_len,
                    assistant_only_loss=True, bf16=torch.cuda.is_bf16_supported(), report_to=[],
                    eval_strategy="epoch" if eval_rows else "no", seed=spec.seed)
    trainer = SFTTrainer(model=model, processing_class=tok, args=cfg, train_dataset=Dataset.from_list(rows),
                         eval_dataset=Dataset.from_list(eval_rows) if eval_rows else None, callbacks=[Events()])
    emit(Start(total_steps=None, examples=len(rows), eval_examples=len(eval_rows), backend="unsloth"))
    res = trainer.train(resume_from_checkpoint=bool(spec.resume) or None)
    if should_stop():
        return {"cancelled": True, "step": trainer.state.global_step, "checkpoint": None}
    model.save_pretrained(str(out / "adapter"))
    tok.save_pretrained(str(out / "adapter"))
    return {"adapter": str(out / "adapter"), "metrics": {"final_loss": res.training_loss,
                                                          "steps": trainer.state.global_step}}
