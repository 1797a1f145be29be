"""The gated retrain without a model: evaluate/judge are fakes; what is activated and what is stored is real."""

from __future__ import annotations

import importlib
import json
import sys
import types
from dataclasses import dataclass, field

import pytest

from aeon_studio.core.cli.main import main
from aeon_studio.core.datasets import DatasetStore
from aeon_studio.core.datasets.errors import DatasetError
from aeon_studio.core.personas import PersonaStore
from aeon_studio.core.storage import get_database
from aeon_studio.core.storage.training_tables import AdapterRow, TrainingRun
from aeon_studio.core.training import runs
from aeon_studio.core.training.data import TrainingError
from aeon_studio.core.training.gated import GateOutcome, finish_retrain, side_by_side
from aeon_studio.core.training.retrain import plan_retrain


@dataclass
class Metrics:
    model: str
    perplexity: float | None = 10.0
    bleu: float | None = 5.0
    chrf: float | None = 20.0
    golden_passed: int = 1
    golden_total: int = 2
    identity_hits: int | None = None
    identity_total: int | None = None
    empty: int = 0
    repetitive: int = 0
    cut: int = 0
    mean_reply_words: float = 9.0
    tokens_per_s: float = 100.0
    replies: dict[str, str] = field(default_factory=dict)


@dataclass
class Comparison:
    candidate: Metrics
    against: Metrics
    eval_set_hash: str = "abc"
    items: list = field(default_factory=lambda: [{"id": "1", "hash": "h"}])
    seconds: float = 1.5
    evaluation_id: int | None = 7


@dataclass
class Verdict:
    promoted: bool | None
    reasons: list[str]


def _patch(monkeypatch, modname: str, **attrs) -> None:
    """Replace names in ``modname`` (a stand-in module while the real one is not there)."""
    try:
        mod = importlib.import_module(modname)
    except ImportError:
        mod = types.ModuleType(modname)
        monkeypatch.setitem(sys.modules, modname, mod)
    for k, v in attrs.items():
        monkeypatch.setattr(mod, k, v, raising=False)


class EvaluationError(Exception):
    hint = "Add golden prompts with 'aeon-studio golden add'."


@pytest.fixture
def gate(monkeypatch):
    """Fakes for evaluate/judge/promote; ``state`` says what the next judge returns and records the calls."""
    state = {"verdict": Verdict(True, ["perplexity 10.0 → 8.0 (−20 %)"]), "calls": [], "raise": None}

    def evaluate(candidate, *, against="active", persona_key, db, progress=None, should_stop=None, eval_set=None):
        state["calls"].append(("evaluate", candidate, against, persona_key))
        if state["raise"]:
            raise state["raise"]
        return Comparison(Metrics(candidate, perplexity=8.0), Metrics("base"))

    def judge(comparison, **kw):
        return state["verdict"]

    def promote(adapter_id, db=None, *, by="user", persona_key=None):
        state["calls"].append(("promote", adapter_id, by))
        with db.session() as s:
            row = s.get(AdapterRow, adapter_id)
            key = persona_key or row.persona_key
            row.status = "ready"
            s.add(row)
        PersonaStore(db).update(key, adapter_id=adapter_id)

    try:
        from aeon_studio.core.evaluation.errors import EvaluationError as real_error
    except ImportError:
        real_error = EvaluationError
    state["error"] = real_error
    _patch(monkeypatch, "aeon_studio.core.evaluation.evaluate", evaluate=evaluate)
    _patch(monkeypatch, "aeon_studio.core.evaluation.gate", judge=judge)
    _patch(monkeypatch, "aeon_studio.core.evaluation.errors", EvaluationError=real_error)
    monkeypatch.setattr("aeon_studio.core.export.adapters.promote", promote, raising=False)
    monkeypatch.setattr("aeon_studio.core.training.gated._eval_set", lambda run_id, persona_key, db: None)
    return state


def _done_run(db, *, adapter="casual-new", status="ready", persona="casual", checks=None) -> str:
    with db.session() as s:
        s.add(AdapterRow(id=adapter, name=adapter, base_model_id="smollm2-135m-instruct", path="/nowhere",
                         status=status, persona_key=persona,
                         metrics={"checks": checks or {"ok": True, "failures": []}}))
        s.add(TrainingRun(id="run-1", base_model="smollm2-135m-instruct", status="done", persona_key=persona,
                          adapter_id=adapter))
    return "run-1"


def _adapter(db, aid: str) -> AdapterRow:
    with db.session() as s:
        return s.get(AdapterRow, aid)


def test_promoted_candidate_becomes_active_with_its_verdict(gate):
    db = get_database()
    out = finish_retrain(_done_run(db), db)
    assert out.promoted is True and out.usable and out.by == "gate"
    assert ("evaluate", "casual-new", "active", "casual") in gate["calls"]
    assert ("promote", "casual-new", "gate") in gate["calls"]
    assert PersonaStore(db).get("casual").adapter_id == "casual-new"
    row = _adapter(db, "casual-new")
    assert row.verdict == {"promoted": True, "reasons": ["perplexity 10.0 → 8.0 (−20 %)"], "by": "gate"}
    assert row.evaluation_id == 7 and row.status == "ready"
    assert out.candidate["perplexity"] == 8.0 and "replies" not in out.candidate
    assert out.evaluation == {"id": 7, "eval_set_hash": "abc", "items": 1, "seconds": 1.5}
    rows = dict((label, (a, c)) for label, a, c in side_by_side(out))
    assert rows["perplexity (lower is better)"] == ("10.00", "8.00")
    assert rows["golden prompts passed"] == ("1/2", "1/2")
    assert rows["identity answers"] == ("—", "—")
    ev = out.as_event()
    assert ev["event"] == "gate" and ev["adapter"] == "casual-new" and ev["promoted"] is True


def test_rejected_candidate_is_kept_not_promoted_and_the_previous_stays(gate):
    db = get_database()
    with db.session() as s:
        s.add(AdapterRow(id="casual-old", name="old", base_model_id="smollm2-135m-instruct", path="/x"))
    PersonaStore(db).update("casual", adapter_id="casual-old")
    gate["verdict"] = Verdict(False, ["golden 2/2 → 0/2"])
    out = finish_retrain(_done_run(db), db)
    assert out.promoted is False and out.usable and out.reasons == ["golden 2/2 → 0/2"]
    assert not [c for c in gate["calls"] if c[0] == "promote"]
    assert PersonaStore(db).get("casual").adapter_id == "casual-old"
    row = _adapter(db, "casual-new")
    assert row.status == "not-promoted" and row.verdict["promoted"] is False and row.evaluation_id == 7


def test_nothing_to_judge_never_promotes(gate):
    db = get_database()
    gate["raise"] = gate["error"]("There is nothing to evaluate on.", hint="Add golden prompts.")
    out = finish_retrain(_done_run(db), db)
    assert out.promoted is None and out.candidate == {} and out.evaluation is None
    assert "There is nothing to evaluate on." in out.reasons and "Add golden prompts." in out.reasons
    assert PersonaStore(db).get("casual").adapter_id is None
    row = _adapter(db, "casual-new")
    assert row.status == "not-promoted" and row.verdict["promoted"] is None
    assert side_by_side(out) == []


def test_no_gate_activates_without_evaluating(gate):
    db = get_database()
    out = finish_retrain(_done_run(db), db, gate=False)
    assert out.promoted is True and out.by == "user"
    assert not [c for c in gate["calls"] if c[0] == "evaluate"]
    assert ("promote", "casual-new", "user") in gate["calls"]
    assert _adapter(db, "casual-new").verdict["by"] == "user"


def test_adapter_that_failed_its_checks_is_not_usable(gate):
    db = get_database()
    out = finish_retrain(_done_run(db, status="rejected", checks={"ok": False, "failures": ["repeats itself"]}), db)
    assert out.usable is False and out.promoted is False and "repeats itself" in out.reasons[0]
    assert gate["calls"] == []


def test_unfinished_run_has_nothing_to_evaluate(gate):
    db = get_database()
    with db.session() as s:
        s.add(TrainingRun(id="run-2", base_model="m", status="failed", persona_key="casual"))
    with pytest.raises(TrainingError):
        finish_retrain("run-2", db)


def _msgs(q: str, a: str) -> dict:
    return {"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]}


def test_named_datasets_are_trained_on_exactly(gate):
    db = get_database()
    store = DatasetStore(db)
    store.build_identity("ident", "Aeon", "Ana")  # the automatic assembly would take it; --dataset must not
    store.create("faq")
    store.add_examples("faq", [_msgs(f"Pergunta {i}?", f"Resposta {i}.") for i in range(40)])
    plan = plan_retrain("casual", db, datasets=["faq", "faq"])
    assert plan.dataset_name == "faq" and plan.sources == {"faq": len(plan.rows)}
    assert len(plan.rows) + len(plan.eval_rows) == 40
    assert plan.rows == store.examples("faq", split="train") and plan.eval_rows == store.examples("faq", split="eval")
    with pytest.raises(DatasetError) as err:
        plan_retrain("casual", db, datasets=["faq", "nope"])
    assert "'nope'" in str(err.value)


def test_a_run_records_its_lineage_on_the_adapter(gate):
    db = get_database()
    with db.session() as s:
        s.add(AdapterRow(id="casual-old", name="old", base_model_id="smollm2-135m-instruct", path="/x"))
    PersonaStore(db).update("casual", adapter_id="casual-old")
    rows = [_msgs("Oi?", "Olá!"), _msgs("Tchau?", "Até logo!")]
    row = runs.create_run(rows=rows, dataset_name="faq", persona_key="casual", db=db)
    assert runs.dataset_hash(rows) == runs.dataset_hash(rows[::-1]) != runs.dataset_hash(rows[:1])
    (runs.run_dir(row.id) / "events.jsonl").write_text(
        json.dumps({"event": "done", "adapter": "/tmp/a", "metrics": {"final_loss": 1.0}}) + "\n")
    done = runs.refresh(row.id, exited=True, db=db)
    a = _adapter(db, done.adapter_id)
    assert a.persona_key == "casual" and a.parent_id == "casual-old" and a.dataset_hash == runs.dataset_hash(rows)


def test_cli_retrain_prints_evaluation_and_gate_events(gate, monkeypatch, capsys):
    db = get_database()
    store = DatasetStore(db)
    store.create("faq")
    store.add_examples("faq", [_msgs(f"Pergunta {i}?", f"Resposta {i}.") for i in range(60)])
    made = {}

    def follow(run_id, json_events):
        made["run"] = run_id
        with db.session() as s:
            s.add(AdapterRow(id="casual-new", name="n", base_model_id="smollm2-135m-instruct", path="/x",
                             persona_key="casual", metrics={"checks": {"ok": True}}))
            r = s.get(TrainingRun, run_id)
            r.status, r.adapter_id = "done", "casual-new"
            s.add(r)
        print(json.dumps({"event": "done", "adapter": "/x"}))
        return 0

    monkeypatch.setattr("aeon_studio.core.cli.train.follow", follow)
    assert main(["retrain", "--persona", "casual", "--dataset", "faq", "--json-events"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["event"] for x in lines] == ["done", "evaluation", "gate"]
    assert lines[1]["eval_set_hash"] == "abc" and lines[1]["candidate"]["perplexity"] == 8.0
    assert lines[2]["adapter"] == "casual-new" and lines[2]["promoted"] is True and lines[2]["reasons"]
    assert runs.get_run(made["run"], db).dataset_name == "faq"

    # human-readable: the verdict and the numbers side by side; a candidate the gate kept out still exits 0
    gate["verdict"] = Verdict(False, ["golden 1/2 → 0/2"])
    monkeypatch.setattr("aeon_studio.core.cli.train.follow", lambda run_id, j: _redo(db, run_id))
    assert main(["retrain", "--persona", "casual", "--dataset", "faq"]) == 0
    out = capsys.readouterr().out
    assert "is not better, so the current one stays active" in out and "golden 1/2 → 0/2" in out
    assert "perplexity (lower is better)" in out and "adapters promote casual-new-2" in out


def _redo(db, run_id: str) -> int:
    with db.session() as s:
        s.add(AdapterRow(id="casual-new-2", name="n", base_model_id="smollm2-135m-instruct", path="/x",
                         persona_key="casual", metrics={"checks": {"ok": True}}))
        r = s.get(TrainingRun, run_id)
        r.status, r.adapter_id = "done", "casual-new-2"
        s.add(r)
    return 0


def test_cli_retrain_exits_non_zero_when_nothing_usable(gate, monkeypatch, capsys):
    db = get_database()
    DatasetStore(db).create("faq")
    DatasetStore(db).add_examples("faq", [_msgs(f"Pergunta {i}?", f"Resposta {i}.") for i in range(60)])

    def follow(run_id, json_events):
        with db.session() as s:
            s.add(AdapterRow(id="bad", name="b", base_model_id="m", path="/x", status="rejected",
                             metrics={"checks": {"ok": False, "failures": ["empty replies"]}}))
            r = s.get(TrainingRun, run_id)
            r.status, r.adapter_id = "done", "bad"
            s.add(r)
        return 1

    monkeypatch.setattr("aeon_studio.core.cli.train.follow", follow)
    assert main(["retrain", "--persona", "casual", "--dataset", "faq", "--json-events"]) == 1
    gate_ev = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert gate_ev["event"] == "gate" and gate_ev["promoted"] is False and "empty replies" in gate_ev["reasons"][0]


def test_outcome_event_shape():
    out = GateOutcome("a", None, ["nothing to judge"], {}, {})
    assert out.as_event() == {"event": "gate", "adapter": "a", "promoted": None, "reasons": ["nothing to judge"],
                              "candidate": {}, "against": {}}


def test_eval_set_adds_the_runs_own_held_out_rows():
    from aeon_studio.core.evaluation.errors import EvaluationError
    from aeon_studio.core.evaluation.golden import add_golden
    from aeon_studio.core.training.data import write_jsonl
    from aeon_studio.core.training.gated import _eval_set

    db = get_database()
    folder = runs.run_dir("run-e")
    folder.mkdir(parents=True)
    with pytest.raises(EvaluationError):  # nothing at all: said, never judged silently
        _eval_set("run-e", "casual", db)
    write_jsonl(folder / "eval.jsonl", [_msgs("Oi?", "Olá!"), _msgs("Tchau?", "Até logo!"), _msgs("Oi?", "Olá!")])
    add_golden("casual", "Who are you?", must=["Aeon"], db=db)
    es = _eval_set("run-e", "casual", db)
    assert sorted(i.reference for i in es.items) == ["Até logo!", "Olá!"] and len(es.golden) == 1
    assert _eval_set("run-e", "casual", db).fingerprint == es.fingerprint  # the same set every time
