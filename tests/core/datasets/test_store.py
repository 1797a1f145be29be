"""Dataset store on a real database: from-chats (examples + DPO pairs), identity, split, stats, exports, CLI."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from aeon_studio.core.cli.main import main
from aeon_studio.core.datasets import DatasetError, DatasetStore
from aeon_studio.core.datasets.chats import parse_since
from aeon_studio.core.datasets.identity import identity_examples, is_keep_answering
from aeon_studio.core.storage import get_database
from aeon_studio.core.storage.chats import ChatStore
from aeon_studio.core.storage.tables import Message, utcnow


def _chat_db():
    """A realistic history: rated replies, a correction, a regeneration the user kept, a low rating."""
    db = get_database()
    cs = ChatStore(db)
    c1 = cs.create_conversation("casual", "smollm2-135m")
    cs.add_message(c1.id, "user", "Qual é a capital de Portugal?", persona_key="casual")
    r1 = cs.add_message(c1.id, "assistant", "A capital de Portugal é Lisboa.", persona_key="casual")
    cs.rate(r1.id, 5)
    cs.add_message(c1.id, "user", "E a da Espanha?", persona_key="casual")
    r2 = cs.add_message(c1.id, "assistant", "Barcelona.", persona_key="casual")
    cs.rate(r2.id, 1)
    fix = cs.add_version(r2.id, "A capital da Espanha é Madri.", edited=True)  # the user's correction
    cs.add_message(c1.id, "user", "Conte uma piada curta.", persona_key="casual")
    r3 = cs.add_message(c1.id, "assistant", "Não sei piadas.", persona_key="casual")
    regen = cs.add_version(r3.id, "Por que o livro de matemática ficou triste? Tinha muitos problemas.",
                           edited=False)
    cs.rate(regen.id, 4)

    c2 = cs.create_conversation("tecnico", "smollm2-135m")
    cs.add_message(c2.id, "user", "How do I fix a Python import error?", persona_key="tecnico")
    r4 = cs.add_message(c2.id, "assistant", "Check that the package is installed in the active virtualenv.",
                        persona_key="tecnico")
    cs.rate(r4.id, 4)
    # same prompt in another conversation, rated lower → a rating pair
    c3 = cs.create_conversation("tecnico", "smollm2-135m")
    cs.add_message(c3.id, "user", "How do I fix a Python import error?", persona_key="tecnico")
    r5 = cs.add_message(c3.id, "assistant", "Reinstall your computer.", persona_key="tecnico")
    cs.rate(r5.id, 2)
    # an old rated reply (outside --since 7d)
    c4 = cs.create_conversation("casual", "smollm2-135m")
    cs.add_message(c4.id, "user", "Bom dia!", persona_key="casual")
    old = cs.add_message(c4.id, "assistant", "Bom dia! Como posso ajudar?", persona_key="casual")
    cs.rate(old.id, 5)
    cs.update_message(old.id, created_at=utcnow() - timedelta(days=40))
    return db, {"r1": r1, "r2": r2, "fix": fix, "r3": r3, "regen": regen, "r4": r4, "r5": r5, "old": old}


def test_from_chats_examples_and_pairs():
    db, m = _chat_db()
    store = DatasetStore(db)
    res = store.build_from_chats("mine", min_likert=4)
    rows = store.examples("mine", split="all")
    finals = {r["messages"][-1]["content"] for r in rows}
    assert finals == {m["r1"].content, m["fix"].content, m["regen"].content, m["r4"].content, m["old"].content}
    assert res.examples == 5 and res.skipped_low == 2  # Barcelona (1) and "Reinstall…" (2)
    # multi-turn context: the correction's example carries the earlier (kept) turns, not the rejected text
    fixed = next(r for r in rows if r["messages"][-1]["content"] == m["fix"].content)["messages"]
    assert [t["role"] for t in fixed] == ["user", "assistant", "user", "assistant"]
    assert fixed[1]["content"] == m["r1"].content and "Barcelona" not in json.dumps(fixed)
    joke = next(r for r in rows if r["messages"][-1]["content"] == m["regen"].content)["messages"]
    assert fixed[-1]["content"] in [t["content"] for t in joke]  # later prompts see the correction

    pairs = store.preference_pairs("mine")
    got = {(p["prompt"][-1]["content"], p["chosen"], p["rejected"]) for p in pairs}
    assert ("E a da Espanha?", m["fix"].content, "Barcelona.") in got  # edit
    assert ("Conte uma piada curta.", m["regen"].content, "Não sei piadas.") in got  # kept regeneration
    assert ("How do I fix a Python import error?", m["r4"].content, "Reinstall your computer.") in got  # rating
    assert len(pairs) == res.pairs == len(got)

    st = store.stats("mine")
    assert st["examples"] == 5 and st["pairs"] == 3 and st["edited"] == 1
    assert st["ratings"] == {"4": 2, "5": 2} and st["unrated"] == 1
    assert st["domains"].get("technical") == 1 and any("fewer than 50" in w for w in st["warnings"])

    # a rebuild with filters replaces the chat rows instead of piling up
    res2 = store.build_from_chats("mine", min_likert=4, since="7d", persona="casual")
    finals2 = {r["messages"][-1]["content"] for r in store.examples("mine", split="all")}
    assert finals2 == {m["r1"].content, m["fix"].content, m["regen"].content} and res2.examples == 3
    assert all("piada" in p["prompt"][-1]["content"] or "Espanha" in p["prompt"][-1]["content"]
               for p in store.preference_pairs("mine"))


def test_identity_set_split_and_export(tmp_path):
    rows = identity_examples("Aeon", "Ana Souza", "Um assistente local e privado")
    qs = [r["messages"][0]["content"] for r in rows]
    assert len(rows) >= 60 and len(set(qs)) == len(qs)
    assert {"Quem é você?", "Who made you?", "Qual é o seu nome?"} <= set(qs)
    assert sum(r["lang"] == "pt" for r in rows) >= 30 and sum(r["lang"] == "en" for r in rows) >= 30
    # every identity row names the assistant or its creator; the "keep answering normally" rows (ordinary questions,
    # both languages) never do, so the name does not leak into unrelated answers
    ordinary = [r for r in rows if is_keep_answering(r["messages"])]
    assert {r["lang"] for r in ordinary} == {"en", "pt"} and len(rows) - len(ordinary) >= 60
    assert all("Aeon" in r["messages"][1]["content"] or "Ana Souza" in r["messages"][1]["content"]
               for r in rows if r not in ordinary)
    assert not any("Aeon" in r["messages"][1]["content"] or "Ana" in r["messages"][1]["content"] for r in ordinary)

    store = DatasetStore()
    n = store.build_identity("ident", "Aeon", "Ana Souza", "Um assistente local e privado")
    assert n == len(rows)
    train, ev = store.examples("ident", "train"), store.examples("ident", "eval")
    assert len(train) + len(ev) == n and 0 < len(ev) < n * 0.3
    # deterministic split, stable across a rebuild; no duplicates pile up
    assert store.build_identity("ident", "Aeon", "Ana Souza", "Um assistente local e privado") == n
    assert store.examples("ident", "eval") == ev and len(store.examples("ident", "all")) == n

    from datasets import load_dataset

    out = tmp_path / "ident.jsonl"
    assert store.export("ident", out, "messages", split="train") == len(train)
    text = out.read_text(encoding="utf-8")
    assert "Quem é você?" in text  # non-ASCII kept as is
    ds = load_dataset("json", data_files=str(out), split="train")
    assert len(ds) == len(train) and ds[0]["messages"][0]["role"] == "user"
    sg = tmp_path / "ident.sharegpt.jsonl"
    store.export("ident", sg, "sharegpt")
    ds = load_dataset("json", data_files=str(sg), split="train")
    assert len(ds) == n and ds[0]["conversations"][1]["from"] == "gpt"
    with pytest.raises(DatasetError):
        store.export("ident", tmp_path / "x.jsonl", "dpo")  # identity sets have no pairs
    assert not (tmp_path / "x.jsonl").exists()


def test_dpo_export_loads(tmp_path):
    db, _m = _chat_db()
    store = DatasetStore(db)
    store.build_from_chats("prefs")
    out = tmp_path / "dpo.jsonl"
    out.write_text("old content\n", encoding="utf-8")
    n = store.export("prefs", out, "dpo")
    from datasets import load_dataset

    ds = load_dataset("json", data_files=str(out), split="train")
    assert len(ds) == n == 3 and set(ds.column_names) == {"prompt", "chosen", "rejected"}
    assert ds[0]["chosen"][0]["role"] == "assistant" and ds[0]["prompt"][-1]["role"] == "user"
    assert not list(tmp_path.glob(".*.tmp"))


def test_errors_are_dataset_errors():
    store = DatasetStore()
    with pytest.raises(DatasetError, match="No dataset called 'nope'"):
        store.examples("nope")
    with pytest.raises(DatasetError):
        store.create("bad name with spaces/")
    with pytest.raises(DatasetError, match="record 2: the last turn is not an assistant reply"):
        store.add_examples("x", [{"messages": [{"role": "user", "content": "a"}, {"role": "assistant",
                                                                                  "content": "b"}]},
                                 {"messages": [{"role": "user", "content": "a"}]}])
    assert store.list() == [] or store.stats("x")["examples"] == 0  # nothing half-written
    with pytest.raises(DatasetError):
        parse_since("yesterday-ish")
    assert parse_since("30d") < utcnow() - timedelta(days=29)
    with pytest.raises(DatasetError):
        store.build_from_chats("y", min_likert=9)


def test_cli_dataset_commands(tmp_path, capsys):
    _chat_db()
    assert main(["dataset", "identity", "--name", "ident", "--assistant-name", "Aeon", "--creator", "Ana"]) == 0
    assert main(["dataset", "from-chats", "--name", "chats", "--min-likert", "4", "--since", "30d",
                 "--json"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert json.loads(out[-1])["examples"] == 4
    assert main(["dataset", "list", "--json"]) == 0
    names = {d["name"] for d in json.loads(capsys.readouterr().out)}
    assert names == {"ident", "chats"}
    assert main(["dataset", "stats", "chats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["pairs"] == 3
    assert main(["dataset", "stats", "chats"]) == 0
    assert "Warning:" in capsys.readouterr().out
    assert main(["dataset", "preview", "chats", "--pairs", "-n", "1"]) == 0
    assert main(["dataset", "export", "chats", "--out", str(tmp_path / "c.jsonl"), "--format", "sharegpt",
                 "--split", "all"]) == 0
    assert len((tmp_path / "c.jsonl").read_text(encoding="utf-8").splitlines()) == 4
    assert main(["dataset", "stats", "missing"]) == 2
    assert "No dataset called 'missing'" in capsys.readouterr().err


def test_training_and_retrain_use_the_store():
    """The training area's snapshot and the Retrain button read datasets through this API."""
    _chat_db()
    from aeon_studio.core.training.runs import snapshot_rows

    DatasetStore().build_identity("ident", "Aeon", "Ana")
    name, rows = snapshot_rows("ident")
    assert name == "ident" and rows and "messages" in rows[0]
    DatasetStore().build_from_chats("prefs")
    _n, pairs = snapshot_rows("prefs", method="dpo")
    assert len(pairs) == 3 and {"prompt", "chosen", "rejected"} <= set(pairs[0])
    from aeon_studio.core.training.retrain import plan_retrain

    plan = plan_retrain("casual", get_database())
    # the persona's 4 chat examples (the tecnico one is not casual's) plus the identity set (the retrain adds the
    # latest identity set), train and held-out rows together
    n_ident = len(DatasetStore().examples("ident", "all"))
    assert plan.dataset_name == "retrain-casual" and len(plan.rows) + len(plan.eval_rows) == 4 + n_ident


def test_from_chats_with_real_model(smollm2_path):
    """A reply generated by the real SmolLM2 and rated 5 in the chat service ends up in the dataset."""
    from aeon_studio.core.chat import ChatService

    service = ChatService()
    conv = service.new_conversation("casual")
    reply = service.send(conv.id, "Say hello in one short sentence.", seed=1)
    text = reply.run()
    assert text.strip()
    service.store.rate(reply.message.id, 5)
    with get_database().session() as s:
        assert s.get(Message, reply.message.id).content == text
    res = DatasetStore().build_from_chats("real")
    assert res.examples == 1
    ex = DatasetStore().examples("real", "all")[0]["messages"]
    assert ex[-2] == {"role": "user", "content": "Say hello in one short sentence."} and ex[-1]["content"] == text
