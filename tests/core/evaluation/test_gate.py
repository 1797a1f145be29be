"""The gate promotes only a candidate that is not worse on any count, and says why in plain words."""

from __future__ import annotations

from dataclasses import replace

from aeon_studio.core.evaluation.evaluate import Comparison, ModelMetrics
from aeon_studio.core.evaluation.gate import judge


def metrics(model: str, **kw) -> ModelMetrics:
    base = dict(perplexity=14.2, bleu=10.0, chrf=30.0, golden_passed=4, golden_total=6, identity_hits=None,
                identity_total=None, empty=0, repetitive=0, cut=0, mean_reply_words=20.0, tokens_per_s=50.0)
    return ModelMetrics(model=model, **{**base, **kw})


def compare(cand: ModelMetrics, against: ModelMetrics) -> Comparison:
    return Comparison(cand, against, "hash", [{"id": "a", "hash": "h"}], 1.0)


def test_a_better_candidate_is_promoted_with_its_numbers():
    v = judge(compare(metrics("new", perplexity=9.7, golden_passed=6), metrics("base")))
    assert v.promoted is True
    assert "perplexity 14.2 → 9.7 (−32 %)" in v.reasons
    assert "golden 4/6 → 6/6" in v.reasons and "no degeneration" in v.reasons and v.reasons[-1] == "promoted"


def test_each_worse_count_rejects():
    prev = metrics("active", identity_hits=5, identity_total=6)
    ok = metrics("new", identity_hits=5, identity_total=6)
    assert judge(compare(ok, prev)).promoted is True
    for worse in (dict(golden_passed=3), dict(perplexity=14.2 * 1.03), dict(empty=1), dict(repetitive=2),
                  dict(cut=1), dict(identity_hits=4)):
        v = judge(compare(replace(ok, **worse), prev))
        assert v.promoted is False, worse
        assert v.reasons[-1] == "not promoted"
    v = judge(compare(replace(ok, perplexity=14.2 * 1.03), prev))
    assert any("worse than allowed (2 %)" in r for r in v.reasons)


def test_perplexity_within_the_tolerance_passes_and_the_tolerance_is_a_setting(monkeypatch):
    from aeon_studio.core.settings import reset_settings

    slightly = compare(metrics("new", perplexity=14.2 * 1.015), metrics("base"))
    assert judge(slightly).promoted is True
    assert judge(slightly, tolerance=0.01).promoted is False
    monkeypatch.setenv("AEON_STUDIO_GATE_PPL_TOLERANCE", "0.0")
    reset_settings()
    assert judge(slightly).promoted is False


def test_nothing_to_judge_by_is_not_a_promotion():
    empty = dict(perplexity=None, golden_passed=0, golden_total=0)
    v = judge(compare(metrics("new", **empty), metrics("base", **empty)))
    assert v.promoted is None and "nothing to judge by" in v.reasons[0]


def test_degeneration_already_there_is_not_held_against_the_candidate():
    v = judge(compare(metrics("new", cut=2), metrics("base", cut=3)))
    assert v.promoted is True and "no more degenerate replies than before" in v.reasons
