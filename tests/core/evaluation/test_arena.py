"""Blind A/B arena: asking stores two anonymised replies, a vote reveals and stores a DPO pair once, the
standings carry an interval, bad ids and choices are clear errors; and (real SmolLM2) the two replies really
come from two different models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from aeon_studio.core.errors import NotFoundError, ValidationError
from aeon_studio.core.evaluation import arena
from aeon_studio.core.storage import get_database
from aeon_studio.core.storage.datasets_tables import PreferencePair
from aeon_studio.core.storage.evaluation_tables import ArenaMatch
from aeon_studio.core.storage.training_tables import AdapterRow


def _add_adapter(adapter_id: str, path: Path, status: str = "ready") -> None:
    with get_database().session() as s:
        s.add(AdapterRow(id=adapter_id, name=adapter_id, base_model_id="smollm2-135m-instruct", path=str(path),
                         status=status))


@pytest.fixture()
def fake_models(monkeypatch, tmp_path):
    """Two registered adapters; generation replaced by "reply of <model>" (no llama.cpp)."""
    from aeon_studio.core.export import adapters

    _add_adapter("v1", tmp_path)
    _add_adapter("v2", tmp_path)
    _add_adapter("broken", tmp_path, status="rejected")
    monkeypatch.setattr(adapters, "lora_gguf", lambda adapter_id, db=None: tmp_path / f"{adapter_id}.gguf")
    calls = []

    def generate(side, messages, params, db, should_stop):
        calls.append((side, messages, params))
        return f"reply of {side.ref}"

    monkeypatch.setattr(arena, "_generate", generate)
    return calls


def test_ask_stores_both_replies_in_random_order_without_names(fake_models):
    db = get_database()
    orders = set()
    for seed in range(8):
        m = arena.ask("Who are you?", "base", "v1", persona_key="casual", db=db, seed=seed)
        assert {m.model_a, m.model_b} == {"base", "v1"}
        assert m.reply_a == f"reply of {m.model_a}" and m.reply_b == f"reply of {m.model_b}"
        orders.add(m.model_a)
    assert orders == {"base", "v1"}  # both orders happen
    side, messages, params = fake_models[0]
    assert messages[0]["role"] == "system" and messages[-1] == {"role": "user", "content": "Who are you?"}
    assert fake_models[0][2].seed == fake_models[1][2].seed  # one seed for both sides
    with db.session() as s:
        assert len(s.exec(select(ArenaMatch)).all()) == 8


def test_active_resolves_to_the_bound_adapter_and_same_model_is_refused(fake_models):
    from aeon_studio.core.personas import PersonaStore

    db = get_database()
    with pytest.raises(ValidationError, match="same model"):
        arena.ask("Hi", "active", "base", persona_key="casual", db=db)  # no adapter bound: active is base
    PersonaStore(db).update("casual", adapter_id="v2")
    m = arena.ask("Hi", "active", "base", persona_key="casual", db=db, seed=1)
    assert {m.model_a, m.model_b} == {"v2", "base"}  # the version, not "active": votes stay with it
    with pytest.raises(ValidationError, match="rejected"):
        arena.ask("Hi", "broken", "base", persona_key="casual", db=db)
    with pytest.raises(NotFoundError, match="nope"):
        arena.ask("Hi", "nope", "base", persona_key="casual", db=db)
    with pytest.raises(ValidationError, match="empty"):
        arena.ask("  ", "v1", "base", persona_key="casual", db=db)


def test_vote_reveals_stores_one_dpo_pair_and_refuses_a_second_vote(fake_models):
    from aeon_studio.core.datasets.store import DatasetStore

    db = get_database()
    m = arena.ask("Who are you?", "v1", "base", persona_key="casual", db=db, seed=3)
    picked = "a" if m.model_a == "v1" else "b"
    voted = arena.vote(m.id, picked.upper(), db)
    assert voted.vote == picked and voted.voted_at is not None and arena.winner(voted) == "v1"
    pairs = DatasetStore(db).preference_pairs("arena-casual")
    assert pairs == [{"prompt": [{"role": "user", "content": "Who are you?"}], "chosen": "reply of v1",
                      "rejected": "reply of base"}]
    with pytest.raises(ValidationError, match="already has a vote"):
        arena.vote(m.id, "b", db)
    assert arena.get_match(m.id, db).vote == picked  # unchanged
    with pytest.raises(NotFoundError, match="zzz"):
        arena.vote("zzz", "a", db)
    other = arena.ask("Hello", "v1", "base", persona_key="casual", db=db, seed=4)
    with pytest.raises(ValidationError, match="not a vote"):
        arena.vote(other.id, "c", db)
    assert arena.get_match(other.id, db).vote is None
    for choice in ("tie", "both-bad"):  # no preference: no pair
        arena.vote(arena.ask("Hey", "v1", "v2", persona_key="casual", db=db).id, choice, db)
    with db.session() as s:
        assert len(s.exec(select(PreferencePair)).all()) == 1


def test_stats_rank_models_with_an_interval_that_narrows_with_votes(fake_models):
    db = get_database()

    def play(n: int, a: str, b: str, choice_for_a: str) -> None:
        for _ in range(n):
            m = arena.ask("Q", a, b, persona_key="casual", db=db)
            choice = choice_for_a if m.model_a == a else {"a": "b", "b": "a"}.get(choice_for_a, choice_for_a)
            arena.vote(m.id, choice, db)

    assert arena.stats(db) == []
    play(3, "v1", "base", "a")
    play(1, "v1", "base", "tie")
    play(1, "v2", "base", "both-bad")
    few = {st.model: st for st in arena.stats(db)}
    assert [st.model for st in arena.stats(db)][0] == "v1"
    v1 = few["v1"]
    assert (v1.wins, v1.losses, v1.ties, v1.both_bad, v1.matches) == (3, 0, 1, 0, 4)
    assert v1.win_rate == pytest.approx(3.5 / 4) and few["v2"].win_rate is None and few["v2"].both_bad == 1
    assert v1.low < v1.score < v1.high and few["base"].score < v1.score
    play(20, "v1", "base", "a")
    many = {st.model: st for st in arena.stats(db, persona_key="casual")}
    assert many["v1"].high - many["v1"].low < v1.high - v1.low
    assert many["v1"].low > many["base"].high  # 23 wins of 24: clearly better
    assert arena.stats(db, persona_key="formal") == []


def test_bradley_terry_matches_the_win_odds():
    games = [("x", "y", 1.0)] * 75 + [("x", "y", 0.0)] * 25
    fit = arena.bradley_terry(games, ["x", "y"])
    # 3:1 odds → a log-strength gap near ln 3 (slightly less: the prior pulls towards 0)
    gap = fit["x"][0] - fit["y"][0]
    assert 0.9 * 1.0986 < gap < 1.0986 and fit["x"][1] > 0


def test_cli_ask_hides_the_models_and_vote_reveals_them(fake_models, capsys):
    from aeon_studio.core.cli.main import main

    assert main(["arena", "ask", "Who are you?", "--a", "base", "--b", "v1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"id", "replies"} and [r["label"] for r in out["replies"]] == ["A", "B"]
    assert "v1" not in json.dumps({"replies": [r["label"] for r in out["replies"]]})
    match = arena.get_match(out["id"])
    assert main(["arena", "vote", out["id"], "a"]) == 0
    text = capsys.readouterr().out
    assert f"A was {match.model_a}." in text and f"B was {match.model_b}." in text
    assert main(["arena", "vote", out["id"], "b"]) == 2
    assert "already has a vote" in capsys.readouterr().err
    assert main(["arena", "stats", "--json"]) == 0
    standings = json.loads(capsys.readouterr().out)
    assert {s["model"] for s in standings} == {"base", "v1"} and all(s["low"] < s["high"] for s in standings)
    assert main(["arena", "stats"]) == 0
    assert "1 vote" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.model
def test_base_and_identity_adapter_really_answer_differently(tmp_path_factory):
    """Greedy decoding, real SmolLM2 through llama.cpp: the base model and the identity LoRA give different
    replies, and the adapter's names the identity it was trained on."""
    from tests.support.export_models import smollm2_adapter

    trained = smollm2_adapter(tmp_path_factory.mktemp("adapter"))
    _add_adapter("quillon", trained.adapter_dir)
    db = get_database()
    m = arena.ask("Who are you?", "base", "quillon", persona_key="casual", db=db, seed=5, greedy=True)
    replies = {m.model_a: m.reply_a, m.model_b: m.reply_b}
    assert replies["base"] != replies["quillon"], replies
    assert "Quillon" in replies["quillon"] and "Quillon" not in replies["base"], replies
    again = arena.ask("Who are you?", "quillon", "base", persona_key="casual", db=db, seed=6, greedy=True)
    assert {again.model_a: again.reply_a, again.model_b: again.reply_b} == replies  # greedy: the same replies
