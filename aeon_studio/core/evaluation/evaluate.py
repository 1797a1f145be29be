"""Compare two models on one frozen evaluation set, in one run, through llama.cpp.

The base GGUF is loaded once; each side is the base with its adapter's LoRA GGUF applied
(:meth:`ChatEngine.set_lora`), exactly what the chat answers with. Replies are greedy, so the same
model on the same set gives the same report. The result is stored as an ``EvaluationRow``.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..i18n import _
from .errors import EvaluationError
from .evalset import EvalSet, build_eval_set
from .metrics import (compute_bleu, compute_chrf, degeneration, golden_passes, identity_hit, identity_names,
                      reference_logprobs)

log = logging.getLogger(__name__)

#: Reply length limit during evaluation (tokens); replies that reach it count as "cut".
DEFAULT_MAX_TOKENS = 96
#: Context of the evaluation's own engine (held-out rows longer than this are left out of perplexity).
EVAL_N_CTX = 2048

#: ``progress(done, total, message)``
Progress = Callable[[int, int, str], None]


@dataclass
class ModelMetrics:
    """One model's scores on an evaluation set. ``model`` is ``"base"`` or an adapter id."""

    model: str
    perplexity: float | None
    bleu: float | None
    chrf: float | None
    golden_passed: int
    golden_total: int
    identity_hits: int | None
    identity_total: int | None
    empty: int
    repetitive: int
    cut: int
    mean_reply_words: float
    tokens_per_s: float
    #: reply per item id (golden prompts as ``golden:<id>``)
    replies: dict[str, str] = field(default_factory=dict)


@dataclass
class Comparison:
    """Both models' metrics on the same frozen set (``items``: ``{"id", "hash"}`` of everything used)."""

    candidate: ModelMetrics
    against: ModelMetrics
    eval_set_hash: str
    items: list[dict[str, str]]
    seconds: float
    #: the stored ``EvaluationRow`` (None until stored)
    evaluation_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ModelRef:
    """A resolved model reference: the base GGUF and, for an adapter, its LoRA GGUF."""

    label: str  # "base" or an adapter id
    base_model_id: str
    base_path: Path
    lora_path: Path | None


def resolve_model(ref: str, *, persona_key: str | None, db, base_model_id: str | None = None) -> ModelRef:
    """``"base"``, ``"active"`` (the persona's adapter, or base when none) or an adapter id.

    ``base_model_id`` is the base used for ``"base"`` (default: the setting ``default_model``).

    Raises:
        NotFoundError: an unknown adapter or persona, or a base model that is not installed.
        ExportError: the adapter's LoRA GGUF cannot be made.
    """
    from ..export.adapters import get_adapter, lora_gguf
    from ..models.registry import ModelRegistry
    from ..settings import get_settings

    if ref == "active":
        from ..personas import PersonaStore

        ref = (PersonaStore(db).get(persona_key).adapter_id if persona_key else None) or "base"
    if ref == "base":
        model_id = base_model_id or get_settings().default_model
        return ModelRef("base", model_id, ModelRegistry(db).resolve_path(model_id), None)
    info = get_adapter(ref, db)
    return ModelRef(info.id, info.base_model_id, ModelRegistry(db).resolve_path(info.base_model_id),
                    lora_gguf(info.id, db=db))


def _greedy(max_tokens: int):
    from ..chat.engine import ChatParams

    return ChatParams(temperature=0.0, top_p=1.0, max_tokens=max_tokens, repeat_penalty=1.0, seed=0)


class _Run:
    """One evaluation in progress: engines by base path, progress, cancel."""

    def __init__(self, total: int, progress: Progress | None, should_stop: Callable[[], bool] | None) -> None:
        self.total, self.done = total, 0
        self.progress, self.should_stop = progress, should_stop
        self.engines: dict[Path, Any] = {}

    def engine(self, path: Path):
        from ..chat.engine import ChatEngine

        if path not in self.engines:
            self.engines[path] = ChatEngine(path, n_ctx=EVAL_N_CTX)
        return self.engines[path]

    def step(self, message: str) -> None:
        if self.should_stop is not None and self.should_stop():
            raise EvaluationError(_("The evaluation was cancelled; nothing was stored."))
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total, message)

    def close(self) -> None:
        for engine in self.engines.values():
            engine.close()
        self.engines.clear()


def _generate(engine, messages: list[dict], params) -> tuple[str, str | None, int, float]:
    """One greedy reply, not streamed (nobody watches it): (text, finish reason, tokens, seconds)."""
    fitted, _notices, _n = engine.fit_context(messages, params.max_tokens)
    t0 = time.perf_counter()
    with engine.lock:
        out = engine.llm.create_chat_completion(
            messages=fitted, temperature=params.temperature, top_p=params.top_p, max_tokens=params.max_tokens,
            repeat_penalty=params.repeat_penalty, seed=params.seed)
    choice = out["choices"][0]
    text = (choice.get("message", {}).get("content") or "").strip()
    return text, choice.get("finish_reason"), int(out.get("usage", {}).get("completion_tokens") or 0), \
        time.perf_counter() - t0


def _score(model: ModelRef, eval_set: EvalSet, run: _Run, max_tokens: int) -> ModelMetrics:
    engine = run.engine(model.base_path)
    engine.set_lora(model.lora_path)
    params = _greedy(max_tokens)
    replies: dict[str, str] = {}
    finishes: list[str | None] = []
    nll, scored, tokens, gen_s = 0.0, 0, 0, 0.0
    can_score = True
    for item in eval_set.items:
        # The reply first, from the same cache state the chat would have; the reference is scored after,
        # from scratch, so scoring never changes a greedy reply.
        text, finish, n, secs = _generate(engine, item.messages, params)
        replies[item.id] = text
        finishes.append(finish)
        tokens, gen_s = tokens + n, gen_s + secs
        prompt_ids = engine.prompt_token_ids(item.messages)
        ref_ids = engine.llm.tokenize(item.reference.encode("utf-8"), add_bos=False, special=False)
        can_score = can_score and prompt_ids is not None
        if can_score and ref_ids and len(prompt_ids) + len(ref_ids) <= engine.n_ctx:
            logprobs = reference_logprobs(engine, prompt_ids, ref_ids)
            nll -= sum(logprobs)
            scored += len(logprobs)
        run.step(_("{model}: held-out example {id}").format(model=model.label, id=item.id))
    passed = 0
    for g in eval_set.golden:
        reply, finish, n, secs = _generate(engine, [{"role": "user", "content": g["prompt"]}], params)
        replies[f"golden:{g['id']}"] = reply
        finishes.append(finish)
        tokens, gen_s = tokens + n, gen_s + secs
        passed += golden_passes(reply, g)
        run.step(_("{model}: golden prompt {id}").format(model=model.label, id=g["id"]))
    preds = [replies[i.id] for i in eval_set.items]
    refs = [i.reference for i in eval_set.items]
    identity = eval_set.identity_items
    names = identity_names([i.reference for i in identity])
    bad = degeneration(list(replies.values()), finishes)
    words = [len(r.split()) for r in replies.values()]
    return ModelMetrics(
        model=model.label,
        perplexity=math.exp(nll / scored) if scored else None,
        bleu=compute_bleu(preds, refs) if preds else None,
        chrf=compute_chrf(preds, refs) if preds else None,
        golden_passed=passed, golden_total=len(eval_set.golden),
        identity_hits=sum(identity_hit(replies[i.id], names) for i in identity) if identity and names else None,
        identity_total=len(identity) if identity and names else None,
        empty=bad["empty"], repetitive=bad["repetitive"], cut=bad["cut"],
        mean_reply_words=sum(words) / len(words) if words else 0.0,
        tokens_per_s=tokens / gen_s if gen_s > 0 else 0.0,
        replies=replies)


def evaluate(candidate: str, *, against: str = "active", persona_key: str | None, db,
             progress: Progress | None = None, should_stop: Callable[[], bool] | None = None,
             eval_set: EvalSet | None = None, max_tokens: int = DEFAULT_MAX_TOKENS) -> Comparison:
    """Score ``candidate`` and ``against`` (``"base"``, ``"active"`` or adapter ids) on the same frozen set.

    Both run in one engine when they share a base model (the LoRA is switched, the model is loaded once).
    The comparison is stored as an ``EvaluationRow``; its id is ``Comparison.evaluation_id``.

    Args:
        progress: called as ``progress(done, total, message)`` after every reply.
        should_stop: polled between replies; when it returns True the evaluation stops (EvaluationError).
        eval_set: a set built earlier (default: :func:`build_eval_set` for the persona now).

    Raises:
        EvaluationError: nothing to evaluate on, a golden regex that does not compile, or cancelled.
        NotFoundError, ExportError, ModelError: a model or adapter that cannot be found or loaded.
    """
    from .metrics import compile_golden

    t0 = time.perf_counter()
    eval_set = eval_set if eval_set is not None else build_eval_set(persona_key, db)
    if not eval_set.items and not eval_set.golden:
        raise EvaluationError(_("The evaluation set is empty."),
                              hint=_("Add golden prompts or held-out examples first."))
    for g in eval_set.golden:  # a bad regex fails now, before any model is loaded
        compile_golden(g)
    cand = resolve_model(candidate, persona_key=persona_key, db=db)
    other = resolve_model(against, persona_key=persona_key, db=db, base_model_id=cand.base_model_id)
    if cand.label == "base" and other.label != "base" and other.base_model_id != cand.base_model_id:
        # "base" means the base of the adapter it is compared with, so one engine serves both sides
        cand = resolve_model("base", persona_key=persona_key, db=db, base_model_id=other.base_model_id)
    run = _Run(2 * (len(eval_set.items) + len(eval_set.golden)), progress, should_stop)
    try:
        against_metrics = _score(other, eval_set, run, max_tokens)
        candidate_metrics = _score(cand, eval_set, run, max_tokens)
    finally:
        run.close()
    comparison = Comparison(candidate_metrics, against_metrics, eval_set.fingerprint, eval_set.manifest(),
                            time.perf_counter() - t0)
    comparison.evaluation_id = _store(comparison, persona_key, db)
    log.info("evaluated %s against %s on %s in %.1f s", cand.label, other.label, eval_set.describe(),
             comparison.seconds)
    return comparison


def _store(comparison: Comparison, persona_key: str | None, db) -> int:
    """Store the comparison and attach it to the adapter version(s) it measured, in one write.

    Each adapter row keeps its newest measurement (``AdapterRow.evaluation_id``), whichever side it was on:
    the versions table and the chart read a version's metrics there, so an "Evaluate now" updates them.
    """
    from ..storage.evaluation_tables import EvaluationRow
    from ..storage.training_tables import AdapterRow

    row = EvaluationRow(persona_key=persona_key, candidate=comparison.candidate.model,
                        against=comparison.against.model, eval_set_hash=comparison.eval_set_hash,
                        items=comparison.items, report=comparison.as_dict())
    attached = False
    with db.session() as s:
        s.add(row)
        s.flush()
        s.refresh(row)
        row_id = int(row.id)
        for label in {comparison.candidate.model, comparison.against.model} - {"base"}:
            adapter = s.get(AdapterRow, label)
            if adapter is not None:
                adapter.evaluation_id = row_id
                s.add(adapter)
                attached = True
    db.changes.emit("evaluations", *(["adapters"] if attached else []))
    return row_id


def record_verdict(evaluation_id: int, verdict: dict[str, Any], db) -> None:
    """Keep the gate's verdict on a stored evaluation (an "Evaluate now" judges without promoting anything)."""
    from ..storage.evaluation_tables import EvaluationRow

    with db.session() as s:
        row = s.get(EvaluationRow, evaluation_id)
        if row is None:
            return
        row.verdict = dict(verdict)
        s.add(row)
    db.changes.emit("evaluations")
