"""Where models come from (embedded, hub, ollama, file), what the registry says about them, and training."""

from __future__ import annotations

import pytest

from aeon_studio.core.errors import ModelError, NotFoundError
from aeon_studio.core.models import ModelRegistry, inspect_gguf
from aeon_studio.core.models.ollama_models import add_ollama_model
from aeon_studio.core.models.registry import _BUILTIN_FACTS
from aeon_studio.core.models.trainable import TRAINABLE_ARCHITECTURES, check_trainable
from tests.core.models.fake_hub import tiny_gguf
from tests.core.ollama.test_library import add_model


def test_builtin_facts_match_their_files(smollm2_path):
    info = inspect_gguf(smollm2_path)
    assert _BUILTIN_FACTS["smollm2-135m-instruct"] == {
        "architecture": info.architecture, "context_length": info.context_length,
        "chat_template": info.chat_template is not None}
    smol = ModelRegistry().get("smollm2-135m-instruct")
    assert smol.source == "embedded" and smol.trainable is True and smol.size == smollm2_path.stat().st_size


def test_trainable_architectures_are_ones_transformers_loads():
    from transformers.modeling_gguf_pytorch_utils import GGUF_SUPPORTED_ARCHITECTURES

    assert TRAINABLE_ARCHITECTURES <= set(GGUF_SUPPORTED_ARCHITECTURES)


def test_file_model_records_its_facts_and_removes_cleanly(tmp_path):
    reg = ModelRegistry()
    path = tiny_gguf(tmp_path / "mine.gguf", arch="qwen2", template=None, context=4096)
    info = reg.add(path)
    assert (info.source, info.architecture, info.context_length, info.chat_template) == ("file", "qwen2", 4096,
                                                                                         False)
    again = reg.get(info.id)
    assert again == info and again.chat is False and again.trainable is True
    reg.remove(info.id)
    assert [m for m in reg.list() if not m.builtin] == []
    assert path.exists()  # the file stays


def test_ollama_model_registered_in_place(tmp_path):
    models = tmp_path / "ollama"
    blob = add_model(models, "qwen2.5:0.5b", tiny_gguf(tmp_path / "t.gguf").read_bytes())
    add_model(models, "vision:latest", b"not gguf at all" * 10)
    reg = ModelRegistry()
    info = add_ollama_model("qwen2.5:0.5b", registry=reg, models_dir=models)
    assert info.source == "ollama" and info.path == blob and info.origin["ollama"] == "qwen2.5:0.5b"
    assert info.name == "qwen2.5:0.5b" and info.size == blob.stat().st_size
    assert add_ollama_model("qwen2.5:0.5b", registry=reg, models_dir=models).id == info.id  # no duplicate
    with pytest.raises(ModelError, match="not a GGUF"):
        add_ollama_model("vision", registry=reg, models_dir=models)
    with pytest.raises(NotFoundError):
        add_ollama_model("nope:1b", registry=reg, models_dir=models)
    assert len([m for m in reg.list() if not m.builtin]) == 1  # nothing half-registered
    assert len(list((models / "blobs").iterdir())) == 3  # nothing copied (2 models, 1 shared template)


def test_unsupported_architecture_is_refused_before_training(tmp_path):
    from aeon_studio.core.training.base import ensure_hf_folder

    reg = ModelRegistry()
    info = reg.add(tiny_gguf(tmp_path / "phi.gguf", arch="phi3", name="Phi Tiny"))
    assert info.trainable is False
    with pytest.raises(ModelError, match="'phi3' model, which training cannot load") as err:
        ensure_hf_folder(info.id)
    assert "models list" in err.value.hint
    check_trainable("llama", where="x")  # supported: no error
