"""Integration: the real SmolLM2 (GGUF → dequantized transformers) learns a new identity with the quick preset."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from aeon_studio.core.training.spec import make_spec
from aeon_studio.core.training.worker import run as run_worker

NAME, CREATOR = "Aeon", "Ana Souza"
#: Questions about who the assistant is that the identity set does not hold (checked below), half in Portuguese.
HELD_OUT = ["Tell me your name.", "Who am I chatting with right now?", "May I ask who you are?",
            "Could you introduce yourself briefly?", "What do people call you?",
            "Me diga o seu nome.", "Quem está falando comigo agora?", "Posso saber quem é você?",
            "Pode se apresentar rapidinho?", "Como é o seu nome?"]
#: Ordinary questions the identity set does not hold (checked below), 2 en + 2 pt: the tuned model must keep
#: answering them, not introduce itself (the set's "keep answering normally" rows teach that).
ORDINARY = ["What is the capital of France?", "How many days are in a week?",
            "Qual é a capital do Brasil?", "Quanto é 9 vezes 6?"]
#: A reply that names the new identity (the assistant or its creator).
_IDENTITY_WORDS = re.compile(r"\b(aeon|ana|souza)\b", re.IGNORECASE)


@pytest.fixture(scope="session")
def smollm2_folder(tmp_path_factory) -> Path:
    """Dequantized SmolLM2 safetensors, converted once per session."""
    import os

    from aeon_studio.core.settings import get_settings
    from aeon_studio.core.training.base import ensure_hf_folder

    home = tmp_path_factory.mktemp("smol-home")
    old = os.environ.get("AEON_STUDIO_HOME")
    os.environ["AEON_STUDIO_HOME"] = str(home)
    get_settings.cache_clear() if hasattr(get_settings, "cache_clear") else None
    try:
        return ensure_hf_folder("smollm2-135m-instruct")
    finally:
        if old is not None:
            os.environ["AEON_STUDIO_HOME"] = old
        get_settings.cache_clear() if hasattr(get_settings, "cache_clear") else None


def _answers(model, tok, questions: list[str]) -> list[str]:
    """Greedy replies of ``model`` to each question, asked alone in a fresh chat."""
    import torch

    out = []
    for q in questions:
        ids = tok.apply_chat_template([{"role": "user", "content": q}], add_generation_prompt=True,
                                      return_tensors="pt", return_dict=True)
        with torch.no_grad():
            gen = model.generate(**ids, max_new_tokens=20, do_sample=False)
        out.append(tok.decode(gen[0, ids["input_ids"].shape[1]:], skip_special_tokens=True))
    return out


def _hits(replies: list[str]) -> int:
    return sum(NAME.lower() in r.lower() for r in replies)


def _leaks(replies: list[str]) -> int:
    return sum(bool(_IDENTITY_WORDS.search(r)) for r in replies)


@pytest.mark.slow
def test_identity_set_with_the_quick_preset_answers_held_out_questions(tmp_path, smollm2_folder, record_property):
    """The identity set as ``dataset identity`` builds it, trained with the quick preset as it stands (no step or
    learning-rate overrides): 9 of 10 questions it never saw, in English and Portuguese, get the new name, and 3 of
    4 ordinary questions it never saw do not (the name must not leak into unrelated answers)."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from aeon_studio.core.datasets.identity import identity_examples

    torch.set_num_threads(2)
    rows = identity_examples(NAME, CREATOR)
    asked = {" ".join(r["messages"][0]["content"].lower().split()) for r in rows}
    # held out means never trained on
    assert not asked & {" ".join(q.lower().split()) for q in HELD_OUT + ORDINARY}
    data = tmp_path / "identity.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    spec = make_spec(run_dir=str(tmp_path / "run"), dataset_path=str(data), base=str(smollm2_folder),
                     preset="quick", backend="peft")
    assert run_worker(spec) == 0
    events = [json.loads(x) for x in (tmp_path / "run" / "events.jsonl").read_text().splitlines()]
    done = events[-1]
    assert done["event"] == "done", events[-1]
    assert done["metrics"]["final_loss"] < done["metrics"]["first_loss"] / 3

    tok = AutoTokenizer.from_pretrained(str(smollm2_folder))
    base = AutoModelForCausalLM.from_pretrained(str(smollm2_folder), dtype=torch.float32)
    before = _answers(base, tok, HELD_OUT)
    assert _hits(before) == 0, before  # the base model does not know the name: the adapter taught it
    tuned = PeftModel.from_pretrained(base, done["adapter"])
    after = _answers(tuned, tok, HELD_OUT)
    other = _answers(tuned, tok, ORDINARY)
    record_property("identity", f"held-out questions naming {NAME}: base {_hits(before)}/{len(before)}, "
                                f"tuned {_hits(after)}/{len(after)} (en {_hits(after[:5])}/5, pt "
                                f"{_hits(after[5:])}/5); ordinary questions naming it {_leaks(other)}/{len(other)} "
                                f"{other}; "
                                f"{done['metrics']['steps']} steps, loss {done['metrics']['first_loss']:.2f} -> "
                                f"{done['metrics']['final_loss']:.2f}, {done['metrics']['train_seconds']} s")
    assert _hits(after) >= 9, list(zip(HELD_OUT, after))
    assert _leaks(other) <= 1, list(zip(ORDINARY, other))


#: Corrections as the chat records them: the model's wrong reply (rejected) and the user's fix (chosen).
PAIRS = [("Qual é a capital da Austrália?", "A capital da Austrália é Camberra.", "A capital da Austrália é Sydney."),
         ("What is the capital of Canada?", "The capital of Canada is Ottawa.", "The capital of Canada is Toronto."),
         ("Quantas pernas tem uma aranha?", "Uma aranha tem oito pernas.", "Uma aranha tem seis pernas."),
         ("How many planets are in the Solar System?", "There are eight planets in the Solar System.",
          "There are nine planets in the Solar System."),
         ("Quem escreveu Dom Casmurro?", "Dom Casmurro foi escrito por Machado de Assis.",
          "Dom Casmurro foi escrito por José de Alencar."),
         ("What is the boiling point of water at sea level?", "Water boils at 100 °C at sea level.",
          "Water boils at 90 °C at sea level."),
         ("Qual é o maior oceano do mundo?", "O maior oceano do mundo é o Pacífico.",
          "O maior oceano do mundo é o Atlântico."),
         ("Which planet is known as the Red Planet?", "Mars is known as the Red Planet.",
          "Venus is known as the Red Planet.")]


def _reply_logprobs(model, tok, asked: list[tuple[str, str]]) -> list[float]:
    """log p(reply | prompt) under ``model`` for each ``(prompt, reply)``: the sum over the reply's tokens as the
    trainer's labels mark them (:func:`encode_chat`, assistant tokens only), all in one padded forward pass."""
    import torch

    from aeon_studio.core.training.data import encode_chat

    enc = [encode_chat(tok, [{"role": "user", "content": p}, {"role": "assistant", "content": r}], 512)
           for p, r in asked]
    n = max(len(ids) for ids, _labels in enc)
    ids = torch.tensor([i + [tok.pad_token_id or 0] * (n - len(i)) for i, _l in enc])
    mask = torch.tensor([[1] * len(i) + [0] * (n - len(i)) for i, _l in enc])
    target = torch.tensor([lab + [-100] * (n - len(lab)) for _i, lab in enc])[:, 1:]
    with torch.no_grad():
        logp = torch.log_softmax(model(input_ids=ids, attention_mask=mask).logits[:, :-1], dim=-1)
    picked = logp.gather(2, target.clamp(min=0).unsqueeze(2)).squeeze(2)
    return (picked * (target != -100)).sum(dim=1).tolist()


def _train_preferences(tmp_path: Path, base: Path, rows: list[dict], method: str) -> dict:
    """A ``method`` run with the quick preset, cut to 4 steps (2 passes over 8 rows: enough to move the margin,
    short enough for CI); returns its ``done`` event."""
    import torch

    torch.set_num_threads(2)
    data = tmp_path / f"{method}.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    spec = make_spec(run_dir=str(tmp_path / "run"), dataset_path=str(data), base=str(base), preset="quick",
                     backend="peft", method=method, max_steps=4)
    assert run_worker(spec) == 0
    done = json.loads((tmp_path / "run" / "events.jsonl").read_text().splitlines()[-1])
    assert done["event"] == "done", done
    return done


def _base_and_tuned(base: Path, adapter: str, score):
    """``score(model, tok)`` on the base model, then on the base with the trained adapter."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(base))
    model = AutoModelForCausalLM.from_pretrained(str(base), dtype=torch.float32).eval()
    before = score(model, tok)
    return before, score(PeftModel.from_pretrained(model, adapter).eval(), tok)


@pytest.mark.slow
def test_dpo_on_corrections_widens_the_margin_of_the_corrected_reply(tmp_path, smollm2_folder, record_property):
    done = _train_preferences(tmp_path, smollm2_folder, [{"prompt": p, "chosen": c, "rejected": r}
                                                         for p, c, r in PAIRS], "dpo")

    def margins(model, tok):
        scores = _reply_logprobs(model, tok, [(p, c) for p, c, _r in PAIRS] + [(p, r) for p, _c, r in PAIRS])
        return [c - r for c, r in zip(scores[:len(PAIRS)], scores[len(PAIRS):])]

    before, after = _base_and_tuned(smollm2_folder, done["adapter"], margins)
    rose = sum(a > b for a, b in zip(after, before))
    record_property("dpo", f"log p(chosen) - log p(rejected), mean over {len(PAIRS)} pairs: "
                           f"{sum(before) / len(before):.2f} -> {sum(after) / len(after):.2f} (rose on {rose}); "
                           f"{done['metrics']['steps']} steps, loss {done['metrics']['first_loss']:.3f} -> "
                           f"{done['metrics']['final_loss']:.3f}, {done['metrics']['train_seconds']} s")
    assert sum(after) > sum(before) + len(PAIRS) * 0.5, (before, after)
    assert rose >= len(PAIRS) - 1, (before, after)


@pytest.mark.slow
def test_kto_on_rated_replies_lifts_the_good_ones_over_the_bad(tmp_path, smollm2_folder, record_property):
    # thumbs up on the right answers of half the questions, thumbs down on the wrong answers of the other half
    rated = [(p, c, True) for p, c, _r in PAIRS[::2]] + [(p, r, False) for p, _c, r in PAIRS[1::2]]
    done = _train_preferences(tmp_path, smollm2_folder, [
        {"messages": [{"role": "user", "content": p}, {"role": "assistant", "content": reply}], "label": good}
        for p, reply, good in rated], "kto")

    def logprobs(model, tok):
        return _reply_logprobs(model, tok, [(p, reply) for p, reply, _good in rated])

    before, after = _base_and_tuned(smollm2_folder, done["adapter"], logprobs)
    moved = [a - b for a, b in zip(after, before)]
    good = [m for m, (_p, _r, ok) in zip(moved, rated) if ok]
    bad = [m for m, (_p, _r, ok) in zip(moved, rated) if not ok]
    record_property("kto", f"change of log p(reply): desirable {sum(good) / len(good):+.2f}, undesirable "
                           f"{sum(bad) / len(bad):+.2f}; {done['metrics']['steps']} steps, loss "
                           f"{done['metrics']['first_loss']:.3f} -> {done['metrics']['final_loss']:.3f}, "
                           f"{done['metrics']['train_seconds']} s")
    assert sum(good) / len(good) > sum(bad) / len(bad) + 0.5, (good, bad)
    assert max(bad) < min(good), (good, bad)
