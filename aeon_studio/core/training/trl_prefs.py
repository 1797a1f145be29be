"""Preference training on TRL: DPO (``DPOTrainer``, pairs), ORPO (``ORPOTrainer``, the same pairs) and KTO
(``KTOTrainer``, replies labelled good/bad).

The same run flow as SFT (:func:`.trl_sft.fit`: events, cancel, resume, adapter); for DPO and KTO the reference
model is the base with the LoRA adapter switched off, as TRL does for a PEFT model. ORPO has no reference model:
its loss is the chosen reply's language-model loss plus an odds-ratio penalty (weighted by ``dpo_beta``, the
paper's λ) that pushes the rejected reply down, so one run both teaches the chosen replies and prefers them.

Conversations go to TRL in its conversational shape (``prompt`` turns, ``chosen``/``rejected`` or ``completion``
as one assistant turn) and it applies the tokenizer's chat template itself. :func:`check_shape` tells a dataset of
the wrong shape apart before any model is loaded.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

from ..i18n import _
from .data import TrainingError, _ids, _template_turn
from .events import Event
from .spec import TrainingSpec
from .trl_sft import no_targets_error

METHODS = ("sft", "dpo", "kto", "orpo")
#: the methods that train on preference pairs, by the name their errors use
PAIRED = {"dpo": "DPO", "orpo": "ORPO"}


def _reply(value: Any) -> str:
    if isinstance(value, list):
        return str(value[-1].get("content") or "") if value and isinstance(value[-1], dict) else ""
    return "" if value is None else str(value)


def _prompt(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, list):
        return [_template_turn(m) for m in value]
    return [{"role": "user", "content": str(value)}]


def check_shape(method: str, rows: list[dict[str, Any]], where: str) -> None:
    """:class:`TrainingError` naming the first row (``where``:line) that ``method`` cannot train on."""
    if method not in METHODS:
        raise TrainingError(_("Unknown training method '{m}'.").format(m=method),
                            hint=_("Use one of: {names}.").format(names=", ".join(METHODS)))
    for n, r in enumerate(rows, 1):
        if method in PAIRED and not all(r.get(k) for k in ("prompt", "chosen", "rejected")):
            raise TrainingError(
                _("{where}:{n}: {name} needs a preference pair ('prompt', 'chosen' and 'rejected'); this row has "
                  "{keys}.").format(where=where, n=n, name=PAIRED[method], keys=", ".join(sorted(r)) or "-"),
                hint=_("Train it with --method sft, or give it preference pairs ('aeon-studio dataset export "
                       "NAME --format dpo' writes them)."))
        if method == "kto":
            shaped = (isinstance(r.get("messages"), list) and r["messages"]
                      and r["messages"][-1].get("role") == "assistant") or (r.get("prompt") and r.get("completion"))
            if not shaped or not isinstance(r.get("label", True), bool):
                raise TrainingError(
                    _("{where}:{n}: KTO needs a conversation ending in an assistant reply and a true/false "
                      "'label'.").format(where=where, n=n),
                    hint=_("Give it rated replies ('aeon-studio dataset export NAME --format kto' writes them: "
                           "4-5 good, 1-2 bad)."))
        if method == "sft" and not isinstance(r.get("messages"), list):
            raise TrainingError(_("{where}:{n}: SFT needs a 'messages' list.").format(where=where, n=n),
                                hint=_("Train preference pairs with --method dpo, labelled replies with --method kto."))


def dpo_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pairs in TRL's conversational preference shape."""
    return [{"prompt": _prompt(r["prompt"]),
             "chosen": [{"role": "assistant", "content": _reply(r["chosen"])}],
             "rejected": [{"role": "assistant", "content": _reply(r["rejected"])}]} for r in rows]


def kto_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Replies in TRL's unpaired preference shape; a row without a label is a kept (desirable) example."""
    out = []
    for r in rows:
        if r.get("messages"):
            prompt, reply = r["messages"][:-1], r["messages"][-1].get("content") or ""
        else:
            prompt, reply = r["prompt"], _reply(r["completion"])
        out.append({"prompt": _prompt(prompt), "completion": [{"role": "assistant", "content": reply}],
                    "label": bool(r.get("label", True))})
    return out


def _check_prompts_fit(tok, data: list[dict[str, Any]], max_len: int) -> None:
    fits = sum(1 for r in data if len(_ids(tok, r["prompt"], gen=True)) < max_len)
    if fits == 0:
        raise no_targets_error(len(data), max_len)


def _orpo() -> tuple[type, type]:
    """``(trainer class, config class)`` of ORPO: TRL's ``ORPOTrainer``, counting the tokens it trains on.

    It is the one TRL trainer that does not log ``num_tokens``, which the step events' tokens/s and ETA and the
    run's speed are computed from; counted here (prompt and reply of both sides, padding left out) they read as
    the other methods' do. Still under ``trl.experimental`` in TRL 1.x, whose import warns so on every run; it is
    imported only here, so the other methods do not depend on it."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*trl.experimental")
        from trl.experimental.orpo import ORPOConfig, ORPOTrainer

    class CountingORPOTrainer(ORPOTrainer):
        tokens = 0

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            self.tokens += int(inputs["chosen_attention_mask"].sum()) + int(inputs["rejected_attention_mask"].sum())
            return super().compute_loss(model, inputs, return_outputs=return_outputs,
                                        num_items_in_batch=num_items_in_batch)

        def log(self, logs: dict[str, float], start_time: float | None = None) -> None:
            if "loss" in logs:
                logs["num_tokens"] = float(self.tokens)
            super().log(logs, start_time)

    return CountingORPOTrainer, ORPOConfig


def train(spec: TrainingSpec, model, tok, rows: list[dict[str, Any]], eval_rows: list[dict[str, Any]],
          emit: Callable[[Event], None], should_stop: Callable[[], bool], *, backend: str | None = None,
          bf16: bool = False) -> dict[str, Any]:
    """DPO, ORPO or KTO (``spec.method``) of ``model`` (a PEFT model); returns what :func:`.trl_sft.fit`
    returns."""
    from .trl_sft import fit

    if spec.method == "dpo":
        from trl import DPOConfig, DPOTrainer

        data, evald = dpo_rows(rows), dpo_rows(eval_rows)
        trainer_cls, config_cls = DPOTrainer, DPOConfig
        extra: dict[str, Any] = {"beta": spec.dpo_beta}
    elif spec.method == "orpo":
        data, evald = dpo_rows(rows), dpo_rows(eval_rows)
        trainer_cls, config_cls = _orpo()
        # the pair collator needs the raw columns; said here, the trainer does not warn on every run that it set it
        extra = {"beta": spec.dpo_beta, "remove_unused_columns": False}
    else:
        from trl import KTOConfig, KTOTrainer

        data, evald = kto_rows(rows), kto_rows(eval_rows)
        trainer_cls, config_cls = KTOTrainer, KTOConfig
        extra = {"beta": spec.dpo_beta}
    _check_prompts_fit(tok, data, spec.max_seq_len)
    return fit(spec, trainer_cls, config_cls, extra, model, tok, data, evald, emit, should_stop, backend=backend,
               bf16=bf16)
