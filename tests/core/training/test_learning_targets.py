"""What the assistant learns from: only earned replies are targets, earlier replies are context only (weight 0),
a low-rated reply is never shown as a good answer, memory notes never reach training data, small sets are not
over-trained, and an adapter that fails its checks is never offered."""

from __future__ import annotations

import json

import pytest

from aeon_studio.core.cli.main import main
from aeon_studio.core.datasets import DatasetError, DatasetStore
from aeon_studio.core.datasets.records import check_record, is_context_only, merge_turns
from aeon_studio.core.memory.notes import NOTE_HEADER, mentions_notes, strip_notes
from aeon_studio.core.storage import get_database
from aeon_studio.core.storage.chats import ChatStore
from aeon_studio.core.training.data import encode_chat, is_target
from aeon_studio.core.training.spec import make_spec, total_steps
from tests.core.training.test_worker import _events, _spec, tiny_base  # noqa: F401 - session fixture

BAD1 = "Alle deuja! Sou um a capitã de França."
BAD2 = "Falha! Falha! Não sei de nada."


def _conversation(db):
    """A Portuguese chat: two bad replies (rated 1 and 2), then good ones, one unrated in between."""
    cs = ChatStore(db)
    c = cs.create_conversation("casual", "smollm2-135m")
    turns = [("Oi, tudo bem?", BAD1, 1), ("Qual é a capital da França?", BAD2, 2),
             ("E a capital da Itália?", "A capital da Itália é Roma.", 5),
             ("Obrigado!", "De nada!", None), ("Quanto é 2 + 2?", "2 + 2 = 4.", 4)]
    out = {}
    for q, a, likert in turns:
        cs.add_message(c.id, "user", q, persona_key="casual")
        r = cs.add_message(c.id, "assistant", a, persona_key="casual")
        if likert is not None:
            cs.rate(r.id, likert)
        out[a] = r
    return c, out


def _targets(messages):
    return [m["content"] for m in messages if is_target(m)]


def test_only_the_earned_reply_is_a_target_and_bad_replies_never_appear():
    db = get_database()
    _conversation(db)
    store = DatasetStore(db)
    res = store.build_from_chats("mine", min_likert=4)
    rows = store.examples("mine", split="all")
    assert res.examples == 2 and res.skipped_low == 2
    by_final = {r["messages"][-1]["content"]: r["messages"] for r in rows}
    # the first good reply comes after two bad ones: the conversation is cut after them
    assert by_final["A capital da Itália é Roma."] == [
        {"role": "user", "content": "E a capital da Itália?"},
        {"role": "assistant", "content": "A capital da Itália é Roma."}]
    later = by_final["2 + 2 = 4."]
    assert [m["role"] for m in later] == ["user", "assistant"] * 3
    # earlier replies (rated 5, and unrated) stay as context with no loss; only the rated reply is learned
    assert _targets(later) == ["2 + 2 = 4."]
    assert [m.get("weight") for m in later if m["role"] == "assistant"] == [0, 0, None]
    text = json.dumps(rows, ensure_ascii=False)
    assert BAD1 not in text and BAD2 not in text


def test_a_context_turn_gets_no_loss(tiny_base):  # noqa: F811
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tiny_base))
    msgs = [{"role": "user", "content": "Qual é a capital da Itália?"},
            {"role": "assistant", "content": "Roma fica na Itália.", "weight": 0},
            {"role": "user", "content": "E da França?"},
            {"role": "assistant", "content": "A capital da França é Paris."}]
    ids, labels = encode_chat(tok, msgs, 512)
    learned = tok.decode([t for t in labels if t != -100])
    assert "Paris" in learned and "Roma" not in learned and "Itália" not in learned
    # without the weight, both replies would be learned (what the old code did for every chat example)
    _ids, labels2 = encode_chat(tok, [{k: v for k, v in m.items() if k != "weight"} for m in msgs], 512)
    assert "Roma" in tok.decode([t for t in labels2 if t != -100])


def test_weight_zero_survives_export_and_import(tmp_path, capsys):
    _conversation(get_database())
    store = DatasetStore()
    store.build_from_chats("mine", min_likert=4)
    out = tmp_path / "mine.jsonl"
    store.export("mine", out, "messages")
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    multi = next(r for r in lines if len(r["messages"]) == 6)["messages"]
    assert [m.get("weight") for m in multi if m["role"] == "assistant"] == [0, 0, None]  # OpenAI convention

    assert main(["dataset", "import", str(out), "--name", "again"]) == 0
    capsys.readouterr()
    again = store.examples("again", split="all")
    multi2 = next(r for r in again if len(r["messages"]) == 6)["messages"]
    assert _targets(multi2) == ["2 + 2 = 4."]

    sg = tmp_path / "mine.sharegpt.jsonl"
    store.export("mine", sg, "sharegpt")
    conv = next(json.loads(x) for x in sg.read_text(encoding="utf-8").splitlines() if '"weight"' in x)
    assert [t.get("weight") for t in conv["conversations"] if t["from"] == "gpt"] == [0, 0, None]


def test_a_record_with_nothing_to_learn_is_rejected_with_the_reason(tmp_path, capsys):
    only_context = [{"role": "user", "content": "Oi"}, {"role": "assistant", "content": "Olá!", "weight": 0}]
    assert "weight" in check_record(only_context)
    with pytest.raises(DatasetError) as err:
        DatasetStore().add_examples("x", [{"messages": only_context}])
    assert "nothing to learn" in str(err.value)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"messages": [{"role": "user", "content": "Oi"},
                                            {"role": "assistant", "content": "Olá!", "weight": 0.5}]}) + "\n")
    main(["dataset", "import", str(bad), "--name", "bad"])
    out = capsys.readouterr()
    assert "'weight' must be 0 or 1" in out.out + out.err
    # merging two turns of the same speaker keeps "do not learn" if either part said so
    merged = merge_turns([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b", "weight": 0},
                          {"role": "assistant", "content": "c"}])
    assert is_context_only(merged[1])


def test_memory_notes_never_reach_training_data():
    note = f"{NOTE_HEADER}\n- (earlier chat) User: qual o nome do cachorro? Assistant: Rex\n\n"
    assert strip_notes(note + "Como se chama meu cachorro?") == "Como se chama meu cachorro?"
    assert mentions_notes("(earlier chat: User: oi Assistant: oi)") and not mentions_notes("Seu cachorro é o Rex.")
    db = get_database()
    cs = ChatStore(db)
    c = cs.create_conversation("casual", "smollm2-135m")
    # an older database stored the note inside the user's turn; a reply copied the note back and was rated 5
    cs.add_message(c.id, "user", note + "Como se chama meu cachorro?", persona_key="casual")
    r1 = cs.add_message(c.id, "assistant", "Seu cachorro se chama Rex.", persona_key="casual")
    cs.rate(r1.id, 5)
    cs.add_message(c.id, "user", "E o gato?", persona_key="casual")
    r2 = cs.add_message(c.id, "assistant", "(earlier chat: User: e o gato? Assistant: Mia)", persona_key="casual")
    cs.rate(r2.id, 5)
    store = DatasetStore(db)
    res = store.build_from_chats("mine")
    text = json.dumps(store.examples("mine", split="all"), ensure_ascii=False)
    assert res.examples == 1 and res.skipped_injected == 1
    assert "Memory (" not in text and "earlier chat" not in text and "Rex" in text


def test_quick_preset_caps_epochs_on_small_sets():
    quick = make_spec(run_dir="r", dataset_path="d.jsonl", base="b", preset="quick")
    assert total_steps(quick, 5) == (10, 2)  # 5 passes, not the 60 steps (30 epochs) it used to run
    assert total_steps(quick, 60) == (60, 15)  # an identity set still gets its 60 steps
    explicit = make_spec(run_dir="r", dataset_path="d.jsonl", base="b", preset="quick", max_steps=30)
    assert total_steps(explicit, 12) == (30, 3)  # an explicit step count means exactly that


def _rated(db, n, persona="casual"):
    cs = ChatStore(db)
    for i in range(n):
        c = cs.create_conversation(persona, "smollm2-135m")
        cs.add_message(c.id, "user", f"Pergunta número {i}: quanto é {i} + {i}?", persona_key=persona)
        r = cs.add_message(c.id, "assistant", f"{i} + {i} = {2 * i}.", persona_key=persona)
        cs.rate(r.id, 5)


def test_retrain_plan_says_what_and_warns_below_the_minimum(capsys):
    from aeon_studio.core.training.retrain import plan_retrain

    db = get_database()
    _rated(db, 8)
    plan = plan_retrain("casual", db)
    assert plan.too_small and len(plan.rows) + len(plan.eval_rows) == 8 and plan.eval_rows
    assert not {json.dumps(r) for r in plan.rows} & {json.dumps(r) for r in plan.eval_rows}
    assert "7 examples to train on" in plan.describe() and "7 from your rated" in plan.describe()
    assert "1 example held out" in plan.describe()
    assert any("fewer than 50" in w for w in plan.warnings())
    # headless: the same plan; below the minimum nothing is trained without --yes, and it says so
    assert main(["retrain", "--persona", "casual", "--plan", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["examples"] == 7 and shown["held_out"] == 1 and shown["too_small"] is True
    assert main(["retrain", "--persona", "casual"]) == 2
    assert "--yes" in capsys.readouterr().err
    from aeon_studio.core.training import runs

    assert runs.list_runs() == []


def test_an_adapter_that_failed_its_checks_is_never_offered(tmp_path):
    from aeon_studio.core.errors import ValidationError
    from aeon_studio.core.export.adapters import activate
    from aeon_studio.core.training import runs
    from aeon_studio.core.training.retrain import finished_text

    row = runs.create_run(rows=[{"messages": [{"role": "user", "content": "Oi"},
                                              {"role": "assistant", "content": "Olá!"}]}],
                          base="smollm2-135m-instruct", dataset_name="x", persona_key="casual")
    folder = runs.run_dir(row.id)
    events = [{"event": "start", "total_steps": 2}, {"event": "step", "step": 2, "loss": 0.01},
              {"event": "checks", "ok": False, "log": str(folder / "checks.json"),
               "failures": ["answers do not repeat themselves: repeats itself: the same 12 words 5 times"]},
              {"event": "done", "adapter": str(folder / "adapter"),
               "metrics": {"first_loss": 1.85, "final_loss": 0.01, "examples": 5, "eval_examples": 0}}]
    (folder / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    done = runs.refresh(row.id, exited=True)
    assert done.status == "done" and done.adapter_id
    with pytest.raises(ValidationError) as err:
        activate(done.adapter_id, "casual")
    assert "the same 12 words 5 times" in str(err.value) and "checks.json" in err.value.hint
    text = finished_text(done)
    assert "not offered" in text and "checks.json" in text and "0.01" not in text


def test_repetition_check():
    from aeon_studio.core.export.verify import Answer, _repeat_check, repetition

    assert repetition("Sou Aeon. Sou Aeon. Sou Aeon. Sou Aeon.") is None  # two words: short answers may echo
    assert repetition("Eu sou o Aeon. " * 5) == (4, 5)
    assert repetition("The capital of France is Paris. It is a beautiful city.") is None
    loop = Answer("I am a helpful assistant. " * 6, "length")
    fine = Answer("Paris.", "stop")
    assert _repeat_check({"a": fine, "b": fine, "c": loop}).ok  # one loop of three may be the base's habit
    bad = _repeat_check({"a": loop, "b": loop, "c": fine})
    assert not bad.ok and "the same 5 words 6 times" in bad.detail


def test_worker_says_when_the_checks_cannot_run(tmp_path, tiny_base):  # noqa: F811
    from aeon_studio.core.training.worker import run as run_worker

    rows = [{"messages": [{"role": "user", "content": f"Pergunta {i}?"},
                          {"role": "assistant", "content": f"Resposta {i}."}]} for i in range(4)]
    spec = _spec(tmp_path, tiny_base, rows, max_steps=2)
    assert run_worker(spec) == 0
    checks = next(e for e in _events(tmp_path / "run") if e["event"] == "checks")
    assert checks["ok"] is None and "not a GGUF" in checks["skipped"]
