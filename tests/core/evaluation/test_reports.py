"""Every stored evaluation is kept with the versions it measured (either side), with the set it used."""

from __future__ import annotations

from aeon_studio.core.evaluation.evaluate import Comparison, ModelMetrics, _store, record_verdict
from aeon_studio.core.evaluation.reports import measurements


def _metrics(model: str, ppl: float) -> ModelMetrics:
    return ModelMetrics(model=model, perplexity=ppl, bleu=20.0, chrf=40.0, golden_passed=1, golden_total=2,
                        identity_hits=None, identity_total=None, empty=0, repetitive=0, cut=0,
                        mean_reply_words=10.0, tokens_per_s=100.0, replies={"a": "long reply"})


def _comparison(candidate: str, against: str, set_hash: str, n_items: int = 3) -> Comparison:
    items = [{"id": f"item{i}", "hash": f"h{i}"} for i in range(n_items)] + [{"id": "golden:1", "hash": "g1"},
                                                                             {"id": "golden:2", "hash": "g2"}]
    return Comparison(_metrics(candidate, 9.5), _metrics(against, 12.0), set_hash, items, 1.0)


def _adapters(db, *ids: str) -> None:
    from aeon_studio.core.storage.training_tables import AdapterRow

    with db.session() as s:
        for adapter_id in ids:
            s.add(AdapterRow(id=adapter_id, name=adapter_id, base_model_id="smollm2-135m-instruct",
                             path=f"/nowhere/{adapter_id}", persona_key="casual"))


def test_an_evaluation_is_attached_to_both_versions_it_measured():
    from aeon_studio.core.storage import get_database
    from aeon_studio.core.storage.training_tables import AdapterRow

    db = get_database()
    _adapters(db, "casual-1", "casual-2")
    seen: list[str] = []
    db.changes.subscribe(seen.append)
    first = _store(_comparison("casual-2", "casual-1", "set-a"), "casual", db)
    with db.session() as s:
        assert s.get(AdapterRow, "casual-1").evaluation_id == first == s.get(AdapterRow, "casual-2").evaluation_id
    assert {"evaluations", "adapters"} <= set(seen)
    got = measurements(["casual-1", "casual-2", "casual-3"], db)
    assert set(got) == {"casual-1", "casual-2"}  # never measured: left out
    assert got["casual-2"].metrics["perplexity"] == 9.5 and got["casual-2"].against == "casual-1"
    assert got["casual-1"].metrics["perplexity"] == 12.0 and got["casual-1"].against == "casual-2"
    assert "replies" not in got["casual-1"].metrics
    assert (got["casual-1"].eval_set_hash, got["casual-1"].held_out, got["casual-1"].golden) == ("set-a", 3, 2)
    assert got["casual-2"].verdict is None

    # "Evaluate now" of casual-2 against the base model on a changed set: only casual-2 moves to it
    second = _store(_comparison("casual-2", "base", "set-b", n_items=5), "casual", db)
    record_verdict(second, {"promoted": True, "reasons": ["golden 1/2 → 1/2", "promoted"]}, db)
    got = measurements(["casual-1", "casual-2"], db)
    assert got["casual-2"].evaluation_id == second and got["casual-2"].eval_set_hash == "set-b"
    assert got["casual-2"].against == "base" and got["casual-2"].held_out == 5
    assert got["casual-2"].verdict["reasons"][-1] == "promoted"
    assert got["casual-1"].evaluation_id == first and got["casual-1"].eval_set_hash == "set-a"


def test_a_verdict_belongs_to_the_candidate_only():
    from aeon_studio.core.storage import get_database

    db = get_database()
    _adapters(db, "casual-1", "casual-2")
    evaluation = _store(_comparison("casual-2", "casual-1", "set-a"), "casual", db)
    record_verdict(evaluation, {"promoted": False, "reasons": ["golden 1/2 → 1/2", "not promoted"]}, db)
    got = measurements(["casual-1", "casual-2"], db)
    assert got["casual-2"].verdict["promoted"] is False
    assert got["casual-1"].verdict is None  # "not promoted" judged casual-2, not the version it was compared with
