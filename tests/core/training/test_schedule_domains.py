"""Domain adapters of the scheduled retrain: a domain with enough examples gets an adapter of its own, trained on
its share of the earned data only, judged on its own held-out items against what answers it now, and bound to it
when better (the persona's own adapter untouched); a domain below the minimum is skipped with the reason; a
rejected one changes nothing. The worker and the evaluation are the fakes of ``test_gated`` / ``test_schedule``
(the data, the lock, the binding and what is stored are real)."""

from __future__ import annotations

import json

import pytest

from aeon_studio.core.cli.main import main
from aeon_studio.core.domains import classifier
from aeon_studio.core.personas import PersonaStore
from aeon_studio.core.storage import get_database
from aeon_studio.core.storage.chats import ChatStore
from aeon_studio.core.storage.training_tables import AdapterRow
from aeon_studio.core.training import gated, runs
from aeon_studio.core.training import schedule as sch
from aeon_studio.core.training.data import read_jsonl
from tests.core.training.test_gated import Verdict, gate  # noqa: F401 - the fixture of the fakes
from tests.core.training.test_schedule import FakeWorker, _auto, no_renice  # noqa: F401 - fixtures

pytestmark = pytest.mark.usefixtures("gate")

TECH = "My python code stops with an error, case {i}"
LEGAL = "Is this contract valid under the law, case {i}?"


def _chat(question: str, answer: str, n: int, *, likert: int = 5, start: int = 0) -> None:
    cs = ChatStore(get_database())
    conv = cs.create_conversation("casual", "smollm2-135m")
    for i in range(start, start + n):
        cs.add_message(conv.id, "user", question.format(i=i), persona_key="casual")
        reply = cs.add_message(conv.id, "assistant", answer.format(i=i), persona_key="casual")
        cs.rate(reply.id, likert)


def _seed(tech: int = 8, legal: int = 2) -> None:
    _chat(TECH, "Reinstall the package, then run it again ({i}).", tech)
    _chat(LEGAL, "It depends on where it was signed ({i}).", legal)
    _chat(TECH, "Just give up ({i}).", 2, likert=2, start=100)  # a bad reply: never learned, in any domain


def _enable(minimum: int = 3) -> None:
    assert main(["schedule", "set", "--enabled", "on", "--min-new-ratings", "3", "--min-examples-per-domain",
                 str(minimum), "--only-when-idle", "off"]) == 0


def _domain(messages: list[dict]) -> str:
    user = [m["content"] for m in messages if m["role"] == "user"][-1]
    return classifier().classify(user).domain


@pytest.fixture
def worker(monkeypatch) -> FakeWorker:
    w = FakeWorker()
    monkeypatch.setattr("aeon_studio.core.cli.train.follow", w)
    return w


@pytest.fixture
def domain_sets(monkeypatch) -> list:
    """The frozen sets the domain gates judged on (the real ones, recorded)."""
    seen: list = []
    real = gated._domain_eval_set

    def record(run_id, persona_key, domain, db, max_items=40):
        seen.append((domain, real(run_id, persona_key, domain, db, max_items)))
        return seen[-1][1]

    monkeypatch.setattr(gated, "_domain_eval_set", record)
    return seen


def test_the_domain_with_enough_examples_gets_its_own_adapter_bound(worker, capsys, gate, domain_sets):
    _enable()
    _seed()
    rc, events = _auto(capsys)
    assert rc == 0 and len(worker.calls) == 2  # the persona's own run, then the technical one; not legal
    kinds = [e["event"] for e in events]
    assert kinds == ["auto_start", "done", "evaluation", "gate", "domain_skipped", "domain_start", "done",
                     "evaluation", "gate", "domain_result", "scheduled"]
    skipped = events[4]
    assert skipped["domain"] == "legal" and skipped["examples"] <= 2
    assert "skipped" in skipped["reason"] and "it needs 3" in skipped["reason"]
    assert events[5]["domain"] == "technical" and events[8]["domain"] == "technical"

    # judged against what answers technical messages now (the persona's new adapter), then bound to the domain
    assert ("evaluate", "casual-2", "casual-1", "casual") in gate["calls"]
    assert ("promote", "casual-2", "gate") not in gate["calls"]
    persona = PersonaStore(get_database()).get("casual")
    assert persona.adapter_id == "casual-1" and persona.domain_adapters == {"technical": "casual-2"}
    assert not persona.route_by_domain  # the user's switch: it says how to turn it on
    assert "Route by domain" in events[9]["message"] and events[9]["outcome"] == "promoted"

    # the technical run learned technical examples only, earned ones only; it was judged on technical items only
    rows = read_jsonl(runs.run_dir(worker.calls[1]) / "dataset.jsonl")
    assert rows and all(_domain(r["messages"]) == "technical" for r in rows)
    assert not any("give up" in m["content"] for r in rows for m in r["messages"])
    (domain, judged_on), = domain_sets
    assert domain == "technical" and judged_on.items
    assert all(_domain(i.messages) == "technical" for i in judged_on.items)

    final = events[-1]
    assert final["outcome"] == "promoted" and final["failures"] == 0
    assert final["domains"]["technical"]["outcome"] == "promoted"
    assert final["domains"]["technical"]["adapter"] == "casual-2"
    assert final["domains"]["legal"]["outcome"] == "skipped" and "it needs 3" in final["domains"]["legal"]["message"]
    assert main(["schedule", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["domains"] == final["domains"] and "data_hash" not in shown["domains"]["technical"]
    assert main(["schedule", "show"]) == 0
    text = capsys.readouterr().out
    assert "per domain:" in text and "Technical — now in use" in text and "Legal — skipped" in text

    # three new general ratings: due again, but the technical data did not change, so it is not trained again
    _chat("Qual é a capital número {i}?", "Lisboa ({i}).", 3)
    rc, events = _auto(capsys)
    assert rc == 0 and len(worker.calls) == 3
    tech = next(e for e in events if e.get("domain") == "technical")
    assert tech["event"] == "domain_skipped" and "No new examples since its last run" in tech["reason"]
    assert PersonaStore(get_database()).get("casual").domain_adapters == {"technical": "casual-2"}


def test_a_rejected_domain_adapter_leaves_the_routing_as_it_was(worker, capsys, gate):
    db = get_database()
    with db.session() as s:
        s.add(AdapterRow(id="tech-old", name="tech-old", base_model_id="smollm2-135m-instruct", path="/x",
                         persona_key="casual", metrics={"checks": {"ok": True}}))
    PersonaStore(db).update("casual", route_by_domain=True, domain_adapters={"technical": "tech-old"})
    _enable()
    _seed()
    gate["verdict"] = Verdict(False, ["perplexity 8.0 → 9.0"])
    rc, events = _auto(capsys)
    assert rc == 0 and len(worker.calls) == 2
    assert ("evaluate", "casual-2", "tech-old", "casual") in gate["calls"]  # against the technical adapter
    persona = PersonaStore(db).get("casual")
    assert persona.domain_adapters == {"technical": "tech-old"} and persona.route_by_domain
    assert persona.adapter_id != "casual-1"  # the persona's own new version was rejected too
    result = events[-1]["domains"]["technical"]
    assert result["outcome"] == "kept" and "answered as before" in result["message"]
    with db.session() as s:
        assert s.get(AdapterRow, "casual-2").status == "not-promoted"


def test_a_failed_domain_run_counts_once_and_keeps_the_persona_verdict(monkeypatch, capsys, gate):
    class Worker(FakeWorker):
        def __call__(self, run_id: str, json_events: bool) -> int:
            self.fail = len(self.calls) == 1  # the second run (the technical one) fails
            return super().__call__(run_id, json_events)

    w = Worker()
    monkeypatch.setattr("aeon_studio.core.cli.train.follow", w)
    _enable()
    _seed()
    rc, events = _auto(capsys)
    final = events[-1]
    assert rc == 1 and final["outcome"] == "promoted" and final["failures"] == 1
    assert "Technical — failed" in final["message"] and "out of memory" in final["message"]
    assert final["domains"]["technical"]["outcome"] == "failed"
    assert PersonaStore(get_database()).get("casual").domain_adapters == {}
    assert sch.get_schedule("casual").domains["technical"].data_hash is None  # tried again next time


def test_too_few_examples_overall_records_every_domain_skipped(worker, capsys):
    _enable(minimum=50)
    _seed()
    rc, events = _auto(capsys)
    assert rc == 0 and not worker.calls and events[-1]["code"] == "too_few"
    assert set(events[-1]["domains"]) == {"technical", "legal"}
    assert all(d["outcome"] == "skipped" and "it needs 50" in d["message"] for d in events[-1]["domains"].values())
    assert sch.get_schedule("casual").domains["technical"].outcome == "skipped"


def test_domain_held_out_items_and_golden_prompts_come_from_that_domain_only():
    from aeon_studio.core.evaluation.evalset import build_eval_set
    from aeon_studio.core.evaluation.golden import add_golden
    from aeon_studio.core.training.retrain import plan_retrain

    db = get_database()
    _seed(tech=12, legal=12)
    add_golden("casual", "Why does my python code raise this error?", must=["install"], db=db)
    add_golden("casual", "Who are you?", must=["Aeon"], db=db)
    plan = plan_retrain("casual", db, domain="technical")
    assert plan.domain == "technical" and plan.rows and plan.eval_rows
    assert all(_domain(r["messages"]) == "technical" for r in plan.rows + plan.eval_rows)
    hashes = {json.dumps(r["messages"]) for r in plan.rows}
    assert not any(json.dumps(r["messages"]) in hashes for r in plan.eval_rows)  # held out: never trained on
    assert not any("give up" in m["content"] for r in plan.rows + plan.eval_rows for m in r["messages"])
    assert plan.sources == {"chats": len(plan.rows)}

    tech = build_eval_set("casual", db, domain="technical")
    assert tech.items and all(_domain(i.messages) == "technical" for i in tech.items)
    assert [g["prompt"] for g in tech.golden] == ["Why does my python code raise this error?"]
    legal = build_eval_set("casual", db, domain="legal")
    assert legal.items and all(_domain(i.messages) == "legal" for i in legal.items) and not legal.golden
    assert len(build_eval_set("casual", db).golden) == 2  # without a domain: every golden prompt

    from aeon_studio.core.evaluation.errors import EvaluationError

    with pytest.raises(EvaluationError, match="in the domain 'support'"):
        build_eval_set("casual", db, domain="support")
