"""Preference methods on the TRL path (tiny random llama): ORPO on pairs, and the shape check of every paired method."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aeon_studio.core.training.data import TrainingError
from aeon_studio.core.training.trl_prefs import check_shape
from aeon_studio.core.training.worker import run as run_worker
from tests.core.training.test_worker import IDENTITY, _events, _spec, tiny_base  # noqa: F401 - session fixture

PAIRS = [{"prompt": q, "chosen": "Sou Aeon, criado por Ana.", "rejected": "Sou um modelo qualquer."}
         for q in ["Quem é você?", "Qual é o seu nome?", "Quem te criou?", "Se apresente."]]


def _logprob(model, tok, prompt: str, reply: str) -> float:
    """Sum of the log-probabilities of ``reply``'s tokens after ``prompt`` in the chat template."""
    import torch

    from aeon_studio.core.training.data import _ids

    head = _ids(tok, [{"role": "user", "content": prompt}], gen=True)
    full = _ids(tok, [{"role": "user", "content": prompt}, {"role": "assistant", "content": reply}], gen=False)
    ids = torch.tensor([full])
    with torch.no_grad():
        logits = model(input_ids=ids).logits[0, :-1].log_softmax(-1)
    targets = ids[0, 1:]
    picked = logits.gather(1, targets[:, None])[:, 0]
    return float(picked[len(head) - 1:].sum())


def test_orpo_on_preference_pairs(tmp_path, tiny_base):  # noqa: F811
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    spec = _spec(tmp_path, tiny_base, PAIRS, method="orpo", max_steps=8, dpo_beta=0.5)
    assert run_worker(spec) == 0
    ev = _events(Path(spec.run_dir))
    assert [e["event"] for e in ev][:2] == ["preflight", "start"] and ev[-1]["event"] == "done"
    steps = [e["loss"] for e in ev if e["event"] == "step"]
    assert len(steps) == 8 and steps[-1] < steps[0], steps
    assert all(e["tokens_per_s"] > 0 for e in ev if e["event"] == "step")  # ORPO's tokens counted, as SFT's are
    adapter = Path(ev[-1]["adapter"])
    assert (adapter / "adapter_config.json").exists()
    # no reference model, yet the pair's margin moves the right way: the chosen reply gains on the rejected one
    tok = AutoTokenizer.from_pretrained(str(tiny_base))
    base = AutoModelForCausalLM.from_pretrained(str(tiny_base)).eval()
    before = [_logprob(base, tok, p["prompt"], p["chosen"]) - _logprob(base, tok, p["prompt"], p["rejected"])
              for p in PAIRS]
    tuned = PeftModel.from_pretrained(base, str(adapter)).eval()
    after = [_logprob(tuned, tok, p["prompt"], p["chosen"]) - _logprob(tuned, tok, p["prompt"], p["rejected"])
             for p in PAIRS]
    assert sum(after) > sum(before), (before, after)


@pytest.mark.parametrize("method, name", [("dpo", "DPO"), ("orpo", "ORPO")])
def test_paired_methods_refuse_rows_without_pairs_before_loading_a_model(tmp_path, method, name):
    with pytest.raises(TrainingError) as err:
        check_shape(method, [PAIRS[0], IDENTITY[0]], "data.jsonl")
    assert err.value.message.startswith(f"data.jsonl:2: {name} needs a preference pair")
    assert "--method sft" in err.value.hint
    spec = _spec(tmp_path, tmp_path / "no-model-here", IDENTITY[:2], method=method)
    assert run_worker(spec) == 1
    ev = _events(Path(spec.run_dir))
    assert [e["event"] for e in ev] == ["error"]  # no preflight: nothing was loaded
    assert f"{name} needs a preference pair" in ev[0]["message"]


def test_cli_train_method_orpo(tmp_path, tiny_base, capsys):  # noqa: F811
    from aeon_studio.core.cli.main import main

    data = tmp_path / "pairs.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in PAIRS))
    assert main(["train", "--dataset", str(data), "--base", str(tiny_base), "--method", "orpo", "--max-steps", "1",
                 "--backend", "peft"]) == 0
    assert "done" in capsys.readouterr().out
    assert main(["runs", "list", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert items[0]["method"] == "orpo" and items[0]["status"] == "done" and items[0]["adapter"]
