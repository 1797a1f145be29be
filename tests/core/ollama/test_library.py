"""Ollama's local library, read from a models folder laid out as Ollama lays it out."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from aeon_studio.core.errors import ModelError, NotFoundError
from aeon_studio.core.ollama.library import find_ollama_model, list_ollama_models, ollama_models_dir
from tests.core.models.fake_hub import tiny_gguf


def add_model(models: Path, name: str, data: bytes, *, host: str = "registry.ollama.ai", ns: str = "library",
              media: str = "application/vnd.ollama.image.model") -> Path:
    """Write a blob and a manifest the way ``ollama pull`` does (manifests/<host>/<ns>/<model>/<tag>)."""
    model, tag = name.split(":")
    digest = hashlib.sha256(data).hexdigest()
    blobs = models / "blobs"
    blobs.mkdir(parents=True, exist_ok=True)
    (blobs / f"sha256-{digest}").write_bytes(data)
    template = b"{{ .Prompt }}"
    (blobs / f"sha256-{hashlib.sha256(template).hexdigest()}").write_bytes(template)
    manifest = models / "manifests" / host / ns / model / tag
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                   "digest": "sha256:" + "0" * 64, "size": 2},
        "layers": [{"mediaType": media, "digest": f"sha256:{digest}", "size": len(data)},
                   {"mediaType": "application/vnd.ollama.image.template",
                    "digest": f"sha256:{hashlib.sha256(template).hexdigest()}", "size": len(template)}]}))
    return blobs / f"sha256-{digest}"


@pytest.fixture()
def ollama_dir(tmp_path):
    models = tmp_path / "ollama" / "models"
    gguf = tiny_gguf(tmp_path / "t.gguf").read_bytes()
    add_model(models, "qwen2.5:0.5b", gguf)
    add_model(models, "aeon-casual:latest", gguf[:-8] + b"12345678", ns="someone")
    add_model(models, "Tiny-GGUF:Q4_K_M", gguf[:-8] + b"abcdefgh", host="hf.co", ns="tester")
    add_model(models, "safetensors-thing:latest", b"PK\x03\x04 not a gguf" * 10)
    add_model(models, "embed:latest", gguf, media="application/vnd.ollama.image.projector")  # no model layer
    (models / "manifests" / "registry.ollama.ai" / "library" / "broken").mkdir(parents=True)
    (models / "manifests" / "registry.ollama.ai" / "library" / "broken" / "latest").write_text("{not json")
    return models


def test_models_dir_follows_ollama_models_then_home(tmp_path):
    assert ollama_models_dir({"OLLAMA_MODELS": str(tmp_path / "m"), "HOME": "/x"}) == tmp_path / "m"
    assert ollama_models_dir({"HOME": "/home/ana"}) == Path("/home/ana/.ollama/models")


def test_lists_names_sizes_and_blobs(ollama_dir):
    models = {m.name: m for m in list_ollama_models(ollama_dir)}
    assert set(models) == {"qwen2.5:0.5b", "someone/aeon-casual:latest", "hf.co/tester/Tiny-GGUF:Q4_K_M",
                           "safetensors-thing:latest"}  # no model layer / unreadable manifest: skipped
    q = models["qwen2.5:0.5b"]
    assert q.blob.parent == ollama_dir / "blobs" and q.blob.name.startswith("sha256-")
    assert q.size == q.blob.stat().st_size and q.is_gguf and q.digest.startswith("sha256:")
    assert not models["safetensors-thing:latest"].is_gguf
    assert list_ollama_models(ollama_dir.parent / "nowhere") == []  # Ollama not installed: empty, no error


def test_find_checks_name_and_format(ollama_dir):
    assert find_ollama_model("someone/aeon-casual", ollama_dir).name == "someone/aeon-casual:latest"  # :latest
    with pytest.raises(NotFoundError, match="no model called 'llama3:latest'") as err:
        find_ollama_model("llama3", ollama_dir)
    assert "qwen2.5:0.5b" in err.value.hint and "OLLAMA_MODELS" in err.value.hint
    with pytest.raises(ModelError, match="not a GGUF model") as err:
        find_ollama_model("safetensors-thing", ollama_dir)
    assert "Ollama chat backend" in err.value.hint
