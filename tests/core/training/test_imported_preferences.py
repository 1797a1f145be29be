"""Imported preference data reaches training as it should, on a tiny model with SmolLM2's real tokenizer: pairs
from public dataset shapes train a DPO run, an undesirable (KTO) answer is never an SFT target, and a chat template
that cannot show tool calls stops training with a reason instead of teaching an empty reply."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aeon_studio.core.datasets import import_files
from aeon_studio.core.training.data import TrainingError, encode_sft
from aeon_studio.core.training.runs import create_run
from aeon_studio.core.training.spec import TrainingSpec
from aeon_studio.core.training.worker import run as run_worker

from .test_worker import tiny_base  # noqa: F401 - the session fixture (a 2-layer llama, SmolLM2's tokenizer)

CHOSEN, REJECTED = "Sou Aeon, criado por Ana.", "Sou um modelo qualquer."
QUESTIONS = ["Quem é você?", "Qual é o seu nome?", "Quem te criou?", "Se apresente."]


def _write(tmp_path: Path, rows: list) -> Path:
    p = tmp_path / "prefs.jsonl"
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return p


def test_dpo_run_on_pairs_imported_from_three_shapes(tmp_path, tiny_base):  # noqa: F811
    rows = [
        {"conversations": [{"from": "human", "value": QUESTIONS[0]}], "chosen": {"from": "gpt", "value": CHOSEN},
         "rejected": {"from": "gpt", "value": REJECTED}},
        {"prompt": QUESTIONS[1], "chosen": CHOSEN, "rejected": REJECTED},
        {"input": {"messages": [{"role": "user", "content": QUESTIONS[2]}]},
         "preferred_output": [{"role": "assistant", "content": CHOSEN}],
         "non_preferred_output": [{"role": "assistant", "content": REJECTED}]},
        {"chosen": [{"role": "user", "content": QUESTIONS[3]}, {"role": "assistant", "content": CHOSEN}],
         "rejected": [{"role": "user", "content": QUESTIONS[3]}, {"role": "assistant", "content": REJECTED}]},
    ]
    assert import_files("prefs", [_write(tmp_path, rows)]).pairs == 4
    run = create_run("prefs", method="dpo", base=str(tiny_base), backend="peft", max_steps=6, batch_size=4,
                     lr=5e-2, save_every=6, dpo_beta=0.5,
                     target_modules=["q_proj", "k_proj", "v_proj", "o_proj"])
    spec = TrainingSpec.model_validate_json((Path(run.spec["run_dir"]) / "spec.json").read_text())
    assert run_worker(spec) == 0
    events = [json.loads(line) for line in (Path(spec.run_dir) / "events.jsonl").read_text().splitlines()]
    losses = [e["loss"] for e in events if e["event"] == "step"]
    assert abs(losses[0] - 0.6931) < 0.01 and losses[-1] < losses[0]  # log 2 at the start, then it learns
    assert events[-1]["event"] == "done"


def test_real_tokenizer_never_targets_an_undesirable_answer(tiny_base):  # noqa: F811
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tiny_base))
    good = {"messages": [{"role": "user", "content": "Oi"}, {"role": "assistant", "content": CHOSEN}], "label": True}
    bad = {"messages": [{"role": "user", "content": "Oi"}, {"role": "assistant", "content": REJECTED}],
           "label": False}
    encoded = encode_sft(tok, [good, bad], 256)
    learned = [tok.decode([t for t in labels if t != -100]) for _ids, labels in encoded]
    assert len(learned) == 1 and CHOSEN in learned[0] and not any(REJECTED in t for t in learned)


def test_smollm2_template_cannot_show_tool_calls_so_training_stops_with_a_reason(tiny_base):  # noqa: F811
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tiny_base))
    row = {"messages": [{"role": "user", "content": "Tempo em Recife?"},
                        {"role": "assistant", "content": "", "tool_calls": [
                            {"id": "call_1", "type": "function",
                             "function": {"name": "get_weather", "arguments": '{"city": "Recife"}'}}]},
                        {"role": "tool", "content": '{"temp_c": 29}', "tool_call_id": "call_1"},
                        {"role": "assistant", "content": "Faz 29 °C."}],
           "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {}}}]}
    with pytest.raises(TrainingError, match="get_weather"):
        encode_sft(tok, [row], 512)
