"""Evaluation metrics as plain functions: perplexity (through llama.cpp), BLEU and chrF (sacrebleu),
golden prompt checks and degeneration counts.

Perplexity is measured on the model the chat uses: the base GGUF with the adapter's LoRA applied
(:meth:`ChatEngine.set_lora`), over the tokens of the reference reply only; the prompt is context.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..i18n import _
from .errors import EvaluationError

#: Word n-gram size and share of repeated n-grams above which a reply counts as repetitive.
REPEAT_N = 4
REPEAT_RATIO = 0.5
#: Replies shorter than this many words are never called repetitive (too little to tell).
REPEAT_MIN_WORDS = 12


def reference_logprobs(engine, prompt_ids: Sequence[int], reference_ids: Sequence[int]) -> list[float]:
    """Log-probability of each reference token given the prompt and the reference tokens before it.

    Reuses the prompt prefix already in llama.cpp's cache (a reply generated from the same prompt just
    before), decodes the rest once (logits only where needed) and leaves the tokens in the cache as
    llama-cpp-python's own bookkeeping expects.
    """
    import numpy as np
    from llama_cpp import llama_get_logits_ith

    llm = engine.llm
    tokens = list(prompt_ids) + list(reference_ids)
    first = len(prompt_ids) - 1  # the logits at position i predict token i + 1
    if not reference_ids or first < 0:
        return []
    n_vocab = llm.n_vocab()
    out: list[float] = []
    with engine.lock:
        # Keep the cached prompt prefix (e.g. the reply just generated from this prompt): only the rest is
        # decoded, from the position whose logits predict the first reference token.
        keep = 0
        for a, b in zip(llm.input_ids[:llm.n_tokens].tolist(), tokens[:first]):
            if a != b:
                break
            keep += 1
        llm.n_tokens = keep
        llm._ctx.kv_cache_seq_rm(-1, keep, -1)
        for start in range(keep, len(tokens), llm.n_batch):
            chunk = tokens[start:start + llm.n_batch]
            llm._batch.set_batch(batch=chunk, n_past=start, logits_all=False)
            wanted = [i for i in range(len(chunk)) if first <= start + i < len(tokens) - 1]
            for i in range(len(chunk)):
                llm._batch.batch.logits[i] = i in wanted
            llm._ctx.decode(llm._batch)
            for i in wanted:
                row = np.ctypeslib.as_array(llama_get_logits_ith(llm.ctx, i), shape=(n_vocab,)).astype(np.float64)
                top = row.max()
                log_z = top + math.log(float(np.exp(row - top).sum()))
                out.append(float(row[tokens[start + i + 1]] - log_z))
            llm.input_ids[start:start + len(chunk)] = chunk
            llm.n_tokens = start + len(chunk)
    return out


def compute_perplexity(engine, items: Iterable[Any]) -> float:
    """Perplexity of the reference replies of ``items`` (each with ``messages`` and ``reference``):
    ``exp`` of the mean negative log-likelihood over all reference tokens together.

    Items too long for the engine's context are left out. Returns ``nan`` when no token could be scored
    (no items, or a model without a chat template of its own)."""
    total, count = 0.0, 0
    for item in items:
        prompt_ids = engine.prompt_token_ids(item.messages)
        if prompt_ids is None:
            return math.nan
        ref_ids = engine.llm.tokenize(item.reference.encode("utf-8"), add_bos=False, special=False)
        if not ref_ids or len(prompt_ids) + len(ref_ids) > engine.n_ctx:
            continue
        logprobs = reference_logprobs(engine, prompt_ids, ref_ids)
        total -= sum(logprobs)
        count += len(logprobs)
    return math.exp(total / count) if count else math.nan


def compute_bleu(predictions: Sequence[str], references: Sequence[str]) -> float:
    """Corpus BLEU (0–100) of ``predictions`` against one reference each (sacrebleu's defaults)."""
    import sacrebleu

    _check_pairs(predictions, references)
    return float(sacrebleu.corpus_bleu(list(predictions), [list(references)]).score) if predictions else 0.0


def compute_chrf(predictions: Sequence[str], references: Sequence[str]) -> float:
    """Corpus chrF (0–100) of ``predictions`` against one reference each (sacrebleu's defaults)."""
    import sacrebleu

    _check_pairs(predictions, references)
    return float(sacrebleu.corpus_chrf(list(predictions), [list(references)]).score) if predictions else 0.0


def _check_pairs(predictions: Sequence[str], references: Sequence[str]) -> None:
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions for {len(references)} references")


def _field(golden: Any, name: str, default: Any = None) -> Any:
    return golden.get(name, default) if isinstance(golden, Mapping) else getattr(golden, name, default)


def compile_golden(golden: Any) -> tuple[list[re.Pattern], list[re.Pattern]]:
    """The golden prompt's ``must`` and ``must_not`` as case-insensitive patterns (plain texts escaped).

    Raises:
        EvaluationError: a regex does not compile; the message names the prompt and the pattern.
    """
    as_regex = bool(_field(golden, "regex", False))
    out: tuple[list[re.Pattern], list[re.Pattern]] = ([], [])
    for bucket, texts in zip(out, (_field(golden, "must") or [], _field(golden, "must_not") or [])):
        for text in texts:
            try:
                bucket.append(re.compile(text if as_regex else re.escape(text), re.IGNORECASE))
            except re.error as exc:
                raise EvaluationError(
                    _("The golden prompt '{prompt}' has a pattern that is not a valid regular expression: "
                      "{pattern} ({error}).").format(prompt=_field(golden, "prompt", ""), pattern=text, error=exc),
                    hint=_("Fix or remove it ('aeon-studio golden list', then 'golden remove ID' and add it "
                           "again), or add it without --regex to match the text as it is.")) from exc
    return out


def golden_passes(reply: str, golden: Any) -> bool:
    """True when ``reply`` contains every ``must`` entry and none of the ``must_not`` ones (case-insensitive;
    each entry a regex when the golden prompt says so; see :func:`.golden.golden_failures`). ``golden`` is a
    dict or a GoldenPrompt row."""
    from .golden import golden_failures

    compile_golden(golden)  # a bad regex is an EvaluationError naming the prompt, not a re.error
    return not golden_failures(reply, golden)


def repetition_ratio(text: str, n: int = REPEAT_N) -> float:
    """Share of the word ``n``-grams of ``text`` that repeat an earlier one (0: none, near 1: a loop)."""
    words = text.lower().split()
    grams = [tuple(words[i:i + n]) for i in range(len(words) - n + 1)]
    return 1.0 - len(set(grams)) / len(grams) if grams else 0.0


def is_repetitive(text: str) -> bool:
    return len(text.split()) >= REPEAT_MIN_WORDS and repetition_ratio(text) > REPEAT_RATIO


def degeneration(replies: Sequence[str], finish_reasons: Sequence[str | None]) -> dict[str, int]:
    """How many replies are empty, repetitive (looping word n-grams) or cut at the token limit."""
    return {"empty": sum(1 for r in replies if not r.strip()),
            "repetitive": sum(1 for r in replies if is_repetitive(r)),
            "cut": sum(1 for f in finish_reasons if f == "length")}


def identity_names(references: Sequence[str]) -> list[str]:
    """Names an identity set teaches: capitalised words found in at least 60 % of its reference replies
    (the assistant's name and its creator's, in every template of the set)."""
    if not references:
        return []
    counts: dict[str, int] = {}
    for ref in references:
        for word in set(re.findall(r"\b[A-ZÀ-Ý][\w-]{2,}", ref)):
            counts[word] = counts.get(word, 0) + 1
    return sorted(w for w, c in counts.items() if c >= 0.6 * len(references))


def identity_hit(reply: str, names: Sequence[str]) -> bool:
    """The reply names the identity (any of ``names``, case-insensitive)."""
    low = reply.lower()
    return any(n.lower() in low for n in names)
