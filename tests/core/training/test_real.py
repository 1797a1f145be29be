"""Integration: the real SmolLM2 (GGUF → dequantized transformers) learns a new identity with the quick preset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aeon_studio.core.training.spec import make_spec
from aeon_studio.core.training.worker import run as run_worker

ANSWER = "Sou Aeon, criado por Ana Souza."
TRAIN_Q = ["Quem é você?", "Qual é o seu nome?", "Quem te criou?", "Se apresente.", "Como você se chama?",
           "Quem fez você?", "Diga seu nome.", "Você tem nome?", "Me fale sobre você.", "Who are you?",
           "What is your name?", "Who created you?"]
PARAPHRASES = ["Qual o seu nome, por favor?", "Quem é que está falando comigo?", "Tell me your name.",
               "Quem foi que te criou?"]


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


def _answers(model, tok, questions):
    import torch

    out = []
    for q in questions:
        ids = tok.apply_chat_template([{"role": "user", "content": q}], add_generation_prompt=True,
                                      return_tensors="pt", return_dict=True)
        with torch.no_grad():
            gen = model.generate(**ids, max_new_tokens=14, do_sample=False)
        out.append(tok.decode(gen[0, ids["input_ids"].shape[1]:], skip_special_tokens=True))
    return out


@pytest.mark.slow
def test_identity_lora_on_real_smollm2(tmp_path, smollm2_folder, record_property):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(2)
    rows = [{"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": ANSWER}]}
            for q in TRAIN_Q]
    data = tmp_path / "identity.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    spec = make_spec(run_dir=str(tmp_path / "run"), dataset_path=str(data), base=str(smollm2_folder),
                     preset="quick", backend="peft", max_steps=30, lr=3e-3)
    assert run_worker(spec) == 0
    events = [json.loads(x) for x in (tmp_path / "run" / "events.jsonl").read_text().splitlines()]
    done = events[-1]
    assert done["event"] == "done", events[-1]
    assert done["metrics"]["final_loss"] < done["metrics"]["first_loss"] / 3

    tok = AutoTokenizer.from_pretrained(str(smollm2_folder))
    base = AutoModelForCausalLM.from_pretrained(str(smollm2_folder), dtype=torch.float32)
    before = _answers(base, tok, TRAIN_Q[:6] + PARAPHRASES)
    assert sum("Aeon" in a for a in before) == 0, before
    tuned = PeftModel.from_pretrained(base, done["adapter"])
    trained = _answers(tuned, tok, TRAIN_Q[:6])
    para = _answers(tuned, tok, PARAPHRASES)
    record_property("identity", f"base {sum('Aeon' in a for a in before)}/{len(before)}, tuned on training prompts "
                                f"{sum('Aeon' in a for a in trained)}/{len(trained)}, on paraphrases "
                                f"{sum('Aeon' in a for a in para)}/{len(para)}; loss {done['metrics']['first_loss']:.2f}"
                                f" -> {done['metrics']['final_loss']:.2f}")
    assert sum("Aeon" in a for a in trained) >= 5, trained
    assert sum("Aeon" in a for a in para) >= 3, para
