"""LoRA training with transformers + PEFT in fp32 (CPU or GPU; bf16 off): SFT on TRL (:mod:`..trl_sft`), DPO in a
plain PyTorch loop until it moves to TRL too."""

from __future__ import annotations

import json
import random
import shutil
import time
from pathlib import Path
from typing import Any, Callable

from ...i18n import _, ngettext
from ..data import TrainingError, encode_pair, encode_sft
from ..events import Checkpoint, Eval, Event, Resume, Start, Step
from ..spec import total_steps


def _batches(items: list, bs: int, rng: random.Random) -> list[list]:
    idx = list(range(len(items)))
    rng.shuffle(idx)
    return [[items[i] for i in idx[k:k + bs]] for k in range(0, len(idx), bs)]


def _collate(batch, pad_id: int):
    import torch

    n = max(len(ids) for ids, _l in batch)
    ids = torch.full((len(batch), n), pad_id, dtype=torch.long)
    lab = torch.full((len(batch), n), -100, dtype=torch.long)
    att = torch.zeros((len(batch), n), dtype=torch.long)
    for i, (a, b) in enumerate(batch):
        ids[i, :len(a)] = torch.tensor(a)
        lab[i, :len(b)] = torch.tensor(b)
        att[i, :len(a)] = 1
    return ids, lab, att


def _seq_logp(model, ids, lab, att):
    import torch

    logits = model(input_ids=ids, attention_mask=att).logits[:, :-1]
    tgt = lab[:, 1:]
    mask = tgt != -100
    lp = torch.log_softmax(logits.float(), -1).gather(-1, tgt.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return (lp * mask).sum(-1)


def latest_checkpoint(run_dir: Path) -> Path | None:
    ckpts = sorted((run_dir / "checkpoints").glob("step-*"), key=lambda p: int(p.name.split("-")[1]))
    ckpts = [c for c in ckpts if (c / "state.json").exists()]
    return ckpts[-1] if ckpts else None


def lora_config(spec):
    """LoRA on the spec's modules, rank, alpha and dropout."""
    from peft import LoraConfig

    return LoraConfig(r=spec.rank, lora_alpha=spec.alpha, lora_dropout=spec.dropout,
                      target_modules=list(spec.target_modules), task_type="CAUSAL_LM")


def train(spec, model, tok, rows: list[dict[str, Any]], eval_rows: list[dict[str, Any]],
          emit: Callable[[Event], None], should_stop: Callable[[], bool]) -> dict[str, Any]:
    import torch
    from peft import LoraConfig, PeftModel, get_peft_model

    if spec.method == "sft":  # TRL's SFTTrainer; the loop below is left for DPO until DPOTrainer replaces it
        from .. import trl_sft

        model = get_peft_model(model, lora_config(spec))
        return trl_sft.train(spec, model, tok, rows, eval_rows, emit, should_stop)
    run_dir = Path(spec.run_dir)
    torch.manual_seed(spec.seed)
    rng = random.Random(spec.seed)
    if spec.method == "sft":
        data = encode_sft(tok, rows, spec.max_seq_len)
        evald = encode_sft(tok, eval_rows, spec.max_seq_len)
        n_train_tokens = sum(sum(1 for x in lab if x != -100) for _i, lab in data)
    else:
        data = [encode_pair(tok, r, spec.max_seq_len) for r in rows]
        evald = [encode_pair(tok, r, spec.max_seq_len) for r in eval_rows]
        n_train_tokens = sum(sum(1 for x in p[0][1] if x != -100) for p in data)
    if n_train_tokens == 0:
        raise TrainingError(ngettext("No assistant tokens to learn from in {n} example.",
                                     "No assistant tokens to learn from in {n} examples.", len(data)).format(
                                         n=len(data)),
                            hint=_("Every example needs an assistant reply that fits in max_seq_len "
                                   "({tokens}); raise max_seq_len or shorten the prompts.").format(
                                       tokens=ngettext("{n} token", "{n} tokens", spec.max_seq_len).format(
                                           n=spec.max_seq_len)))

    ckpt = latest_checkpoint(run_dir) if spec.resume else None
    if ckpt is not None:
        model = PeftModel.from_pretrained(model, str(ckpt / "adapter"), is_trainable=True)
    else:
        cfg = LoraConfig(r=spec.rank, lora_alpha=spec.alpha, lora_dropout=spec.dropout,
                         target_modules=list(spec.target_modules), task_type="CAUSAL_LM")
        model = get_peft_model(model, cfg)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=spec.lr, weight_decay=0.0)
    total, steps_per_epoch = total_steps(spec, len(data))
    step = 0
    if ckpt is not None:
        state = json.loads((ckpt / "state.json").read_text())
        step = int(state["step"])
        opt.load_state_dict(torch.load(ckpt / "optimizer.pt", weights_only=True))
        rng.setstate(tuple(state["rng"][0:1]) + (tuple(state["rng"][1]),) + tuple(state["rng"][2:]))
        emit(Resume(step=step, checkpoint=str(ckpt)))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: max(0.05, 1 - s / max(1, total)) * min(1.0, (s + 1) / max(1, min(5, total // 10 or 1))))
    for _s in range(step):
        sched.step()
    pad = tok.pad_token_id if tok.pad_token_id is not None else 0

    def loss_of(batch):
        if spec.method == "sft":
            ids, lab, att = _collate(batch, pad)
            out = model(input_ids=ids, attention_mask=att, labels=lab)
            return out.loss, int(att.sum())
        chosen = _collate([b[0] for b in batch], pad)
        rejected = _collate([b[1] for b in batch], pad)
        pc, pr = _seq_logp(model, *chosen), _seq_logp(model, *rejected)
        with torch.no_grad(), model.disable_adapter():
            rc, rr = _seq_logp(model, *chosen), _seq_logp(model, *rejected)
        logits = spec.dpo_beta * ((pc - rc) - (pr - rr))
        return -torch.nn.functional.logsigmoid(logits).mean(), int(chosen[2].sum() + rejected[2].sum())

    def evaluate() -> float | None:
        if not evald:
            return None
        model.eval()
        tot, n = 0.0, 0
        with torch.no_grad():
            for b in _batches(evald, spec.batch_size, random.Random(0)):
                loss, _t = loss_of(b)
                tot, n = tot + float(loss) * len(b), n + len(b)
        model.train()
        return tot / max(1, n)

    def save_checkpoint() -> Path:
        out = run_dir / "checkpoints" / f"step-{step}"
        tmp = out.with_name(out.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        model.save_pretrained(str(tmp / "adapter"))
        torch.save(opt.state_dict(), tmp / "optimizer.pt")
        st = rng.getstate()
        (tmp / "state.json").write_text(json.dumps({"step": step, "rng": [st[0], list(st[1]), st[2]]}))
        shutil.rmtree(out, ignore_errors=True)
        tmp.rename(out)
        for old in (run_dir / "checkpoints").glob("step-*"):  # keep the last two
            if old != out and old.name.split("-")[1].isdigit() and int(old.name.split("-")[1]) < step - spec.save_every:
                shutil.rmtree(old, ignore_errors=True)
        emit(Checkpoint(step=step, path=str(out)))
        return out

    emit(Start(total_steps=total, steps_per_epoch=steps_per_epoch, examples=len(data), eval_examples=len(evald),
               train_tokens=n_train_tokens, trainable_params=sum(p.numel() for p in params), resumed_from=step))
    eval_start = None
    if evald and step == 0:  # the held-out loss before training: what the run's eval loss is compared with
        eval_start = evaluate()
        emit(Eval(step=0, eval_loss=round(eval_start, 5)))
    t0, tokens, first_loss, last_loss, eval_loss = time.monotonic(), 0, None, None, None
    start_step = step
    cancelled = False
    while step < total:
        for batch in _batches(data, spec.batch_size, rng):
            if step >= total:
                break
            if should_stop():
                cancelled = True
                break
            loss, ntok = loss_of(batch)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            step += 1
            tokens += ntok
            last_loss = float(loss.detach())
            first_loss = last_loss if first_loss is None else first_loss
            el = time.monotonic() - t0
            rate = tokens / el if el > 0 else 0.0
            eta = el / (step - start_step) * (total - step)
            emit(Step(step=step, epoch=round(step / steps_per_epoch, 3), loss=round(last_loss, 5),
                      lr=sched.get_last_lr()[0], tokens_per_s=round(rate, 1), eta_s=round(eta, 1)))
            if evald and ((spec.eval_every and step % spec.eval_every == 0) or
                          (not spec.eval_every and step % steps_per_epoch == 0)):
                eval_loss = evaluate()
                emit(Eval(step=step, eval_loss=round(eval_loss, 5)))
            if step % spec.save_every == 0 and step < total:
                save_checkpoint()
        if cancelled:
            break
    if cancelled:
        ck = save_checkpoint()
        return {"cancelled": True, "step": step, "checkpoint": str(ck)}
    if evald and eval_loss is None:
        eval_loss = evaluate()
        emit(Eval(step=step, eval_loss=round(eval_loss, 5)))
    adapter = run_dir / "adapter"
    tmp = run_dir / "adapter.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(str(tmp))
    tok.save_pretrained(str(tmp))
    shutil.rmtree(adapter, ignore_errors=True)
    tmp.rename(adapter)
    el = time.monotonic() - t0
    return {"adapter": str(adapter), "metrics": {
        "steps": step, "first_loss": first_loss, "final_loss": last_loss, "eval_loss": eval_loss,
        "eval_loss_start": eval_start, "examples": len(data), "eval_examples": len(evald),
        "train_seconds": round(el, 2), "tokens_per_s": round(tokens / el, 1) if el > 0 else 0.0}}
