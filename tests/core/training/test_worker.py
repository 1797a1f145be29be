"""Training worker on a tiny random llama (SmolLM2 tokenizer + small LlamaConfig): events, loss, cancel, resume."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aeon_studio.core.training import runs
from aeon_studio.core.training.backends import select_backend
from aeon_studio.core.training.data import encode_chat
from aeon_studio.core.training.spec import make_spec
from aeon_studio.core.training.worker import run as run_worker

IDENTITY = [
    {"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": "Sou Aeon, criado por Ana."}]}
    for q in ["Quem é você?", "Qual é o seu nome?", "Quem te criou?", "Se apresente.", "Você é quem?",
              "Como você se chama?", "Quem fez você?", "Diga seu nome."]
]


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory) -> Path:
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from aeon_studio.core.models import smollm2_path

    gguf = smollm2_path()
    out = tmp_path_factory.mktemp("tiny-llama")
    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                      tie_word_embeddings=True, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id)
    LlamaForCausalLM(cfg).save_pretrained(str(out))
    tok.save_pretrained(str(out))
    return out


def _events(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]


def _spec(tmp_path: Path, base: Path, rows, **kw):
    (tmp_path / "data.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    values = dict(max_steps=12, batch_size=4, lr=5e-2, save_every=4,
                  target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])
    values.update(kw)
    return make_spec(run_dir=str(tmp_path / "run"), dataset_path=str(tmp_path / "data.jsonl"), base=str(base),
                     preset="quick", backend="peft", **values)


def test_backend_auto_picks_peft_without_gpu():
    assert select_backend("auto", has_cuda=False) == "peft"
    assert select_backend("auto") == "peft"  # this machine has no CUDA
    assert select_backend("unsloth") == "unsloth"


def test_assistant_only_labels(tiny_base):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tiny_base))
    ids, labels = encode_chat(tok, IDENTITY[0]["messages"], 256)
    learned = tok.decode([t for t in labels if t != -100])
    assert "Sou Aeon, criado por Ana." in learned
    assert "Quem é você" not in learned
    assert len(ids) == len(labels)


def test_worker_events_and_loss_falls(tmp_path, tiny_base):
    spec = _spec(tmp_path, tiny_base, IDENTITY, eval_fraction=0.25)
    assert run_worker(spec) == 0
    ev = _events(Path(spec.run_dir))
    kinds = [e["event"] for e in ev]
    assert kinds[0] == "preflight" and kinds[1] == "start" and kinds[-1] == "done"
    pre = ev[0]
    for key in ("params", "dataset_tokens", "probe_step_s", "ram_estimate_mb", "estimated_s"):
        assert key in pre
    steps = [e for e in ev if e["event"] == "step"]
    assert len(steps) == 12
    for e in steps:
        assert set(e) >= {"step", "epoch", "loss", "lr", "tokens_per_s", "eta_s"}
    assert steps[-1]["loss"] < steps[0]["loss"] - 0.3, [e["loss"] for e in steps]
    assert any(e["event"] == "eval" and "eval_loss" in e for e in ev)
    assert any(e["event"] == "checkpoint" for e in ev)
    done = ev[-1]
    assert (Path(done["adapter"]) / "adapter_config.json").exists()
    assert done["metrics"]["final_loss"] < done["metrics"]["first_loss"]


def test_zero_trainable_tokens_guard(tmp_path, tiny_base):
    long_prompt = [{"messages": [{"role": "user", "content": "palavra " * 400},
                                 {"role": "assistant", "content": "ok"}]}]
    spec = _spec(tmp_path, tiny_base, long_prompt, max_seq_len=64)
    assert run_worker(spec) == 1
    ev = _events(Path(spec.run_dir))
    assert ev[-1]["event"] == "error" and "No assistant tokens" in ev[-1]["message"]
    assert "max_seq_len" in ev[-1]["hint"]
    assert not any(e["event"] == "step" for e in ev)


def test_empty_dataset_and_empty_eval_split(tmp_path, tiny_base):
    spec = _spec(tmp_path / "a", tiny_base, []) if (tmp_path / "a").mkdir() is None else None
    assert run_worker(spec) == 1
    assert "empty" in _events(Path(spec.run_dir))[-1]["message"]
    (tmp_path / "b").mkdir()
    spec = _spec(tmp_path / "b", tiny_base, IDENTITY[:2], eval_fraction=0.2)
    assert run_worker(spec) == 1
    assert "eval split is empty" in _events(Path(spec.run_dir))[-1]["message"]


def _wait_for(path_fn, timeout=120):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if path_fn():
            return True
        time.sleep(0.2)
    return False


def test_cancel_then_resume_and_kill9_marks_failed(tiny_base):
    row = runs.create_run(rows=IDENTITY, base=str(tiny_base), dataset_name="identity", backend="peft",
                          max_steps=400, batch_size=2, save_every=5, lr=1e-2)
    proc = runs.start(row.id)
    seen = []
    for line in proc.stdout:
        seen.append(json.loads(line))
        if seen[-1]["event"] == "step" and seen[-1]["step"] >= 7:
            runs.cancel(row.id)
            break
    rest = [json.loads(line) for line in proc.stdout]
    assert proc.wait(60) == 3
    assert rest[-1]["event"] == "cancelled" and rest[-1]["checkpoint"]
    r = runs.refresh(row.id, exited=True)
    assert r.status == "cancelled"
    stopped_at = rest[-1]["step"]

    runs.prepare_resume(row.id)
    proc = runs.start(row.id)
    events = []
    for line in proc.stdout:
        events.append(json.loads(line))
        if events[-1]["event"] == "checkpoint" and events[-1]["step"] > stopped_at:
            proc.kill()  # kill -9: no chance to report
            break
    proc.wait(30)
    resume = [e for e in events if e["event"] == "resume"]
    assert resume and resume[0]["step"] == stopped_at
    first_step = next(e for e in events if e["event"] == "step")
    assert first_step["step"] == stopped_at + 1
    r = runs.refresh(row.id)
    assert r.status == "failed" and "resume" in r.error.lower()
    assert r.metrics["checkpoint"].endswith(f"checkpoint-{events[-1]['step']}")  # the trainer's own checkpoints


def test_worker_cli_entry_point(tmp_path, tiny_base):
    spec = _spec(tmp_path, tiny_base, IDENTITY[:4], max_steps=2)
    Path(spec.run_dir).mkdir(parents=True)
    (Path(spec.run_dir) / "spec.json").write_text(spec.model_dump_json())
    res = subprocess.run([sys.executable, "-m", "aeon_studio.core.training.worker",
                          str(Path(spec.run_dir) / "spec.json")], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert lines[-1]["event"] == "done"
    assert lines == _events(Path(spec.run_dir))


def test_cli_train_and_runs(tmp_path, tiny_base, capsys):
    from aeon_studio.core.cli.main import main

    data = tmp_path / "ident.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in IDENTITY))
    assert main(["train", "--dataset", str(data), "--base", str(tiny_base), "--max-steps", "3",
                 "--backend", "peft"]) == 0
    out = capsys.readouterr()
    assert "step 3/3" in out.err and "done" in out.out
    assert main(["runs", "list", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert items[0]["status"] == "done" and items[0]["adapter"] and items[0]["dataset"] == "ident"
    from aeon_studio.core.storage import get_database
    from aeon_studio.core.storage.training_tables import AdapterRow

    with get_database().session() as s:
        adapter = s.get(AdapterRow, items[0]["adapter"])
    assert adapter.run_id == items[0]["id"] and Path(adapter.path, "adapter_model.safetensors").exists()
    assert main(["runs", "show", items[0]["id"]]) == 0
    assert main(["train", "--dataset", str(tmp_path / "missing.jsonl")]) != 0


def test_dpo_on_preference_pairs(tmp_path, tiny_base):
    pairs = [{"prompt": q, "chosen": "Sou Aeon, criado por Ana.", "rejected": "Sou um modelo qualquer."}
             for q in ["Quem é você?", "Qual é o seu nome?", "Quem te criou?", "Se apresente."]]
    spec = _spec(tmp_path, tiny_base, pairs, method="dpo", max_steps=8, dpo_beta=0.5)
    assert run_worker(spec) == 0
    ev = _events(Path(spec.run_dir))
    steps = [e["loss"] for e in ev if e["event"] == "step"]
    assert abs(steps[0] - 0.6931) < 0.01  # log 2: the adapter starts equal to the reference
    assert steps[-1] < steps[0]
    assert ev[-1]["event"] == "done"


def test_kto_on_labelled_replies(tmp_path, tiny_base):
    good = [{"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": "Sou Aeon."}],
             "label": True} for q in ["Quem é você?", "Qual é o seu nome?"]]
    bad = [{"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": "Sou um robô."}],
            "label": False} for q in ["Quem te criou?", "Se apresente."]]
    spec = _spec(tmp_path, tiny_base, good + bad, method="kto", max_steps=4, dpo_beta=0.5)
    assert run_worker(spec) == 0
    ev = _events(Path(spec.run_dir))
    assert [e["step"] for e in ev if e["event"] == "step"] == [1, 2, 3, 4]
    assert ev[-1]["event"] == "done" and (Path(ev[-1]["adapter"]) / "adapter_config.json").exists()


def test_wrong_shape_for_the_method_fails_before_loading_a_model(tmp_path):
    spec = _spec(tmp_path, tmp_path / "no-model-here", IDENTITY[:2], method="dpo")
    assert run_worker(spec) == 1
    ev = _events(Path(spec.run_dir))
    assert [e["event"] for e in ev] == ["error"]  # no preflight: nothing was loaded
    assert "data.jsonl:1" in ev[-1]["message"] and "'chosen'" in ev[-1]["message"]
    assert "--method sft" in ev[-1]["hint"]
    with pytest.raises(Exception, match="KTO needs"):
        runs.create_run(rows=[{"messages": [{"role": "user", "content": "oi"}]}], base="x", method="kto")


def test_a_worker_that_dies_at_start_says_why(tiny_base, monkeypatch):
    """The worker's stderr is kept in the run folder; a crash before any event shows its last lines."""
    row = runs.create_run(rows=IDENTITY[:2], base=str(tiny_base), dataset_name="identity", backend="peft",
                          max_steps=2)
    crash = [sys.executable, "-c", "import sys; sys.stderr.write('ImportError: no module named x\\n'); sys.exit(1)"]
    monkeypatch.setattr(runs, "worker_command", lambda run_id: crash)
    proc = runs.start(row.id)
    assert proc.wait(60) == 1
    r = runs.refresh(row.id, exited=True)
    assert r.status == "failed"
    assert "ImportError: no module named x" in r.error


def test_an_unexpected_error_keeps_the_stderr_already_in_the_log(tmp_path, monkeypatch):
    """The traceback is appended to worker.log: what the process (or torchrun) wrote there before stays."""
    import aeon_studio.core.training.worker as worker

    spec = _spec(tmp_path, tmp_path / "no-model-here", IDENTITY[:2])
    (Path(spec.run_dir)).mkdir(parents=True)
    (Path(spec.run_dir) / "worker.log").write_text("earlier stderr line\n", encoding="utf-8")

    def boom(_path):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(worker, "read_jsonl", boom)
    assert run_worker(spec) == 1
    log = (Path(spec.run_dir) / "worker.log").read_text(encoding="utf-8")
    assert log.startswith("earlier stderr line\n") and "RuntimeError: disk on fire" in log
    assert _events(Path(spec.run_dir))[-1]["event"] == "error"
