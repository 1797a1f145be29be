"""Evaluation on the real SmolLM2 GGUF: LoRA hot-swap, perplexity through llama.cpp, a stored comparison."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aeon_studio.core.chat.engine import ChatEngine, ChatParams
from aeon_studio.core.evaluation.errors import EvaluationError
from aeon_studio.core.datasets.identity import is_keep_answering
from aeon_studio.core.evaluation.evalset import HELD_OUT, EvalSet, build_eval_set, item_from_row
from aeon_studio.core.evaluation.evaluate import evaluate
from aeon_studio.core.evaluation.metrics import compute_perplexity, reference_logprobs
from aeon_studio.core.storage import get_database
from tests.support.export_models import handmade_peft

GREEDY = ChatParams(temperature=0.0, top_p=1.0, max_tokens=20, repeat_penalty=1.0, seed=0)
ASK = [{"role": "user", "content": "What is the capital of France?"}]


@pytest.fixture
def adapter(tmp_path, smollm2_path):
    from aeon_studio.core.export.adapters import lora_gguf, register_folder

    info = register_folder(handmade_peft(tmp_path / "peft", smollm2_path, std=0.05), name="random")
    return info.id, lora_gguf(info.id)


def test_set_lora_changes_greedy_replies_and_switching_back_gives_the_base_exactly(smollm2_path, adapter):
    _id, lora = adapter
    engine = ChatEngine(smollm2_path, n_ctx=512)
    try:
        base = engine.complete(ASK, GREEDY)
        engine.set_lora(lora)
        with_lora = engine.complete(ASK, GREEDY)
        engine.set_lora(None)
        assert engine.complete(ASK, GREEDY) == base
        engine.set_lora(lora)
        assert engine.complete(ASK, GREEDY) == with_lora != base
    finally:
        engine.close()
    loaded = ChatEngine(smollm2_path, n_ctx=512, lora_path=lora)  # the chat's way: the same replies
    try:
        assert loaded.complete(ASK, GREEDY) == with_lora
    finally:
        loaded.close()


def test_a_file_that_is_no_lora_is_a_clear_error(tmp_path, smollm2_path):
    from aeon_studio.core.errors import ModelError

    engine = ChatEngine(smollm2_path, n_ctx=256)
    try:
        with pytest.raises(ModelError, match="LoRA adapter"):
            engine.set_lora(smollm2_path)  # a model, not an adapter
        assert engine.complete(ASK, GREEDY)  # still usable, with no adapter
    finally:
        engine.close()


def test_perplexity_scores_the_reference_tokens_only_like_full_logits_do(smollm2_path):
    from llama_cpp import Llama

    item = item_from_row(ASK + [{"role": "assistant", "content": "The capital of France is Paris."}])
    engine = ChatEngine(smollm2_path, n_ctx=512)
    try:
        prompt = engine.prompt_token_ids(item.messages)
        ref = engine.llm.tokenize(item.reference.encode(), add_bos=False, special=False)
        got = reference_logprobs(engine, prompt, ref)
        ppl = compute_perplexity(engine, [item])
        wrong = compute_perplexity(engine, [item_from_row(ASK + [{"role": "assistant",
                                                                  "content": "Bananas sing purple jazz."}])])
    finally:
        engine.close()
    full = Llama(str(smollm2_path), n_ctx=512, logits_all=True, verbose=False)
    try:
        full.eval(prompt + ref)
        scores = np.asarray(full.scores[: len(prompt) + len(ref)], dtype=np.float64)
    finally:
        full.close()
    logz = np.log(np.exp(scores - scores.max(1, keepdims=True)).sum(1)) + scores.max(1)
    expected = [scores[len(prompt) - 1 + k, t] - logz[len(prompt) - 1 + k] for k, t in enumerate(ref)]
    assert len(got) == len(ref)
    assert np.allclose(got, expected, atol=1e-3)
    assert ppl == pytest.approx(math.exp(-np.mean(expected)), rel=1e-3)
    assert 1 < ppl < wrong


def test_nothing_to_evaluate_says_how_to_add_something():
    with pytest.raises(EvaluationError, match="no held-out examples and no golden prompts") as err:
        build_eval_set("casual", get_database())
    assert "golden add" in err.value.hint


def test_evaluate_scores_both_models_on_the_same_set_and_stores_it(adapter):
    from aeon_studio.core.datasets import DatasetStore
    from aeon_studio.core.evaluation.golden import add_golden
    from aeon_studio.core.storage.evaluation_tables import EvaluationRow

    db = get_database()
    DatasetStore(db).build_identity("who-am-i", "Quillon", "Ana")
    add_golden("casual", "What is the capital of France?", must=["Paris"], db=db)
    add_golden("casual", "Who are you?", must=["Quillon"], must_not=["SmolLM"], db=db)
    full = build_eval_set("casual", db)
    # the identity set's held-out rows; its "keep answering normally" rows are ordinary held-out rows
    assert full.identity_items and len(full.golden) == 2
    assert all((i.source == HELD_OUT) == is_keep_answering(i.messages) for i in full.items)
    assert build_eval_set("casual", db).fingerprint == full.fingerprint
    small = EvalSet("casual", full.identity_items[:3], full.golden)
    calls = []
    adapter_id, _lora = adapter
    comp = evaluate(adapter_id, against="active", persona_key="casual", db=db, eval_set=small, max_tokens=24,
                    progress=lambda done, total, msg: calls.append((done, total)))
    assert calls[-1] == (10, 10) and len(calls) == 10
    cand, base = comp.candidate, comp.against
    assert (cand.model, base.model) == (adapter_id, "base")
    for m in (cand, base):
        assert m.perplexity and m.perplexity > 1 and m.bleu is not None and m.chrf is not None
        assert m.golden_total == 2 and m.identity_total == 3 and m.tokens_per_s > 0
        assert set(m.replies) == {i.id for i in small.items} | {f"golden:{g['id']}" for g in small.golden}
    assert cand.replies != base.replies and cand.perplexity != base.perplexity
    assert comp.eval_set_hash == small.fingerprint and len(comp.items) == 5
    with db.session() as s:
        row = s.get(EvaluationRow, comp.evaluation_id)
        assert (row.candidate, row.against, row.eval_set_hash) == (adapter_id, "base", small.fingerprint)
        assert row.report["candidate"]["perplexity"] == cand.perplexity
    again = evaluate("base", against="base", persona_key="casual", db=db, eval_set=small, max_tokens=24)
    assert again.candidate.replies == again.against.replies == base.replies  # greedy: the same every time
    assert again.candidate.perplexity == pytest.approx(base.perplexity, rel=1e-4)


def test_cancel_and_a_bad_regex_store_nothing(adapter):
    from aeon_studio.core.storage.evaluation_tables import EvaluationRow
    from sqlmodel import select

    db = get_database()
    item = item_from_row(ASK + [{"role": "assistant", "content": "Paris."}])
    bad = EvalSet(None, [item], [{"id": 1, "prompt": "Who are you?", "must": ["(oops"], "must_not": [],
                                  "regex": True}])
    with pytest.raises(EvaluationError, match="Who are you"):
        evaluate("base", against="base", persona_key=None, db=db, eval_set=bad)
    with pytest.raises(EvaluationError, match="cancelled"):
        evaluate(adapter[0], against="base", persona_key=None, db=db, eval_set=EvalSet(None, [item], []),
                 should_stop=lambda: True, max_tokens=8)
    with db.session() as s:
        assert s.exec(select(EvaluationRow)).all() == []
