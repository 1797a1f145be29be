"""The path a new user takes, replayed on the real SmolLM2 and the real memory: chat in Portuguese (with a fact
to remember, so later turns get memory notes in their prompt), rate some replies low and some high, correct one,
press Retrain. The run's frozen dataset has no low-rated reply as a target and no memory note anywhere, and its
tokenized labels cover only the replies that earned it."""

from __future__ import annotations

import json

import pytest

from aeon_studio.core.memory.hook import flush_pending
from aeon_studio.core.memory.notes import NOTE_HEADER, mentions_notes
from aeon_studio.core.services import build_chat_service
from aeon_studio.core.training.data import is_target, read_jsonl
from aeon_studio.core.training.retrain import create_retrain_run, plan_retrain

pytestmark = [pytest.mark.model, pytest.mark.slow]

FIRST = ["Lembre que meu cachorro se chama Rex.", "Lembre que eu moro em Recife, perto da praia."]
QUESTIONS = ["Qual é a capital da França?", "Como se chama meu cachorro?", "Me dê uma dica para dormir melhor.",
             "Quanto é dois mais dois?", "Onde eu moro?"]
LIKERT = [1, 5, 2, 4, None]  # the last reply is corrected by the user instead
CORRECTION = "Você mora em Recife, perto da praia."


def test_retrain_after_a_portuguese_chat_learns_only_what_earned_it(smollm2_path):
    service = build_chat_service()
    service.personas.update("casual", max_tokens=40)
    first = service.new_conversation("casual")
    for q in FIRST:
        service.send(first.id, q, seed=1).run()
        flush_pending()
    conv = service.new_conversation("casual")
    replies = []
    for q in QUESTIONS:
        r = service.send(conv.id, q, seed=1)
        r.run()
        replies.append(r)
        flush_pending()  # exchanges and facts are stored between turns, as when a person types
    assert any((r.message.meta or {}).get("memory_sources") for r in replies), "memory never recalled"
    assert any(NOTE_HEADER in m["content"] for r in replies for m in r.stream.messages)  # notes were in prompts
    for r, likert in zip(replies, LIKERT):
        if likert is not None:
            service.store.rate(r.message.id, likert)
    fixed = service.edit(replies[-1].message.id, CORRECTION)

    plan = plan_retrain("casual", service.db, minimum=1)
    row = create_retrain_run(plan, service.db)
    from aeon_studio.core.training.runs import run_dir

    folder = run_dir(row.id)
    rows = read_jsonl(folder / "dataset.jsonl") + (read_jsonl(folder / "eval.jsonl")
                                                    if (folder / "eval.jsonl").exists() else [])
    targets = [m["content"] for r in rows for m in r["messages"] if is_target(m)]
    assert sorted(targets) == sorted([replies[1].message.content, replies[3].message.content, fixed.content])
    low = [replies[0].message.content, replies[2].message.content]
    text = json.dumps(rows, ensure_ascii=False)
    assert not any(t in low for t in targets)
    assert NOTE_HEADER not in text and not any(mentions_notes(m["content"]) for r in rows for m in r["messages"])
    user_turns = {m["content"] for r in rows for m in r["messages"] if m["role"] == "user"}
    assert user_turns <= set(QUESTIONS + FIRST)  # what the user typed, nothing injected

    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(smollm2_path.parent), gguf_file=smollm2_path.name)
    from aeon_studio.core.training.data import encode_chat

    for r in rows:
        _ids, labels = encode_chat(tok, r["messages"], 1024)
        learned = tok.decode([t for t in labels if t != -100], skip_special_tokens=True)
        assert all(bad.strip()[:20] not in learned for bad in low)
        assert r["messages"][-1]["content"].strip()[:20] in learned
