"""``aeon-studio models pull|files|recommended|ollama|list --json`` against a loopback Hub and a fake Ollama."""

from __future__ import annotations

import json

from aeon_studio.core.cli.main import main
from tests.core.models.conftest import REPO, fake_hub, gguf_bytes  # noqa: F401 - fixtures
from tests.core.models.fake_hub import tiny_gguf
from tests.core.ollama.test_library import add_model


def run_cli(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_pull_files_and_list_json(capsys, fake_hub):
    code, out, err = run_cli(capsys, "models", "files", REPO)
    assert code == 0 and "tiny-chat-Q4_K_M.gguf" in out and "Q8_0" in out and "vision projector" in out
    code, out, err = run_cli(capsys, "models", "pull", REPO, "--quant", "Q5_K_M")
    assert code == 2 and "no Q5_K_M file" in err and "Q4_K_M, Q8_0" in err
    code, out, err = run_cli(capsys, "models", "pull", REPO)
    assert code == 0, err
    assert "Added model 'tiny-chat-q4-k-m'" in out and "context 2048" in out and "100%" in err
    code, out, _ = run_cli(capsys, "models", "list", "--json")
    models = {m["id"]: m for m in json.loads(out)}
    smol, pulled = models["smollm2-135m-instruct"], models["tiny-chat-q4-k-m"]
    assert (smol["source"], smol["chat_template"], smol["context_length"], smol["trainable"]) == (
        "embedded", True, 8192, True)
    assert smol["size"] > 90_000_000
    assert (pulled["source"], pulled["chat_template"], pulled["context_length"], pulled["trainable"]) == (
        "hub", True, 2048, True)
    assert pulled["origin"]["repo"] == REPO and pulled["size"] > 60_000
    code, out, _ = run_cli(capsys, "models", "list")
    assert "Hugging Face" in out and "TRAINABLE" in out


def test_pull_offline_exits_non_zero_with_a_clear_message(capsys, fake_hub, monkeypatch):
    import huggingface_hub.constants as hf_constants

    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", True)
    code, out, err = run_cli(capsys, "models", "pull", REPO)
    assert code == 2 and "offline mode is on" in err and out == ""


def test_recommended_lists_portuguese_capable_models(capsys):
    code, out, _ = run_cli(capsys, "models", "recommended", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["repo"].split("/")[0] for r in rows] == ["Qwen", "Qwen", "ggml-org", "bartowski"]
    assert all(r["file"].endswith("Q4_K_M.gguf") or r["file"].endswith("q4_k_m.gguf") for r in rows)
    assert all(r["ram"] > r["size"] for r in rows)


def test_ollama_list_and_add(capsys, tmp_path, monkeypatch):
    models = tmp_path / "ollama-models"
    monkeypatch.setenv("OLLAMA_MODELS", str(models))
    code, _, err = run_cli(capsys, "models", "ollama")
    assert code == 1 and "No Ollama models" in err and "OLLAMA_MODELS" in err
    add_model(models, "qwen2.5:0.5b", tiny_gguf(tmp_path / "t.gguf").read_bytes())
    add_model(models, "odd:latest", b"safetensors, not gguf" * 20)
    code, out, _ = run_cli(capsys, "models", "ollama")
    assert code == 0 and "qwen2.5:0.5b" in out and "2 models" in out
    code, out, err = run_cli(capsys, "models", "ollama", "odd")
    assert code == 2 and "not a GGUF model" in err
    code, out, err = run_cli(capsys, "models", "ollama", "qwen2.5:0.5b")
    assert code == 0 and "Added Ollama model 'qwen2.5:0.5b'" in out
    code, out, _ = run_cli(capsys, "models", "list", "--json")
    added = [m for m in json.loads(out) if m["source"] == "ollama"]
    assert len(added) == 1 and added[0]["path"].startswith(str(models / "blobs"))
