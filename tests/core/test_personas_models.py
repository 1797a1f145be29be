from __future__ import annotations

import shutil

import pytest

from aeon_studio.core.errors import ModelError, NotFoundError, ValidationError
from aeon_studio.core.models import ModelRegistry, check_header, inspect_gguf
from aeon_studio.core.personas import PersonaStore, make_persona


def test_builtin_personas():
    store = PersonaStore()
    by_key = {p.key: p for p in store.list()}
    assert (by_key["tecnico"].temperature, by_key["casual"].temperature, by_key["formal"].temperature) == (0.2, 0.7, 0.3)
    assert by_key["tecnico"].name == "Técnico"
    assert all(p.builtin and p.system_prompt for p in by_key.values())


def test_custom_persona_lifecycle_and_builtin_reset():
    store = PersonaStore()
    store.add(make_persona(key="suporte", name="Suporte", system_prompt="Ajude clientes.", temperature=0.4))
    assert store.get("suporte").temperature == 0.4
    with pytest.raises(ValidationError):
        store.add(make_persona(key="suporte", name="Again"))
    store.update("suporte", max_tokens=128)
    assert store.get("suporte").max_tokens == 128
    with pytest.raises(ValidationError):
        store.update("suporte", temperature=5.0)
    assert store.get("suporte").temperature == 0.4  # nothing stored on error
    store.remove("suporte")
    with pytest.raises(NotFoundError):
        store.get("suporte")

    store.update("casual", temperature=0.9)
    assert store.get("casual").temperature == 0.9 and store.get("casual").customized
    with pytest.raises(ValidationError):
        store.remove("casual")
    assert store.reset("casual").temperature == 0.7


@pytest.mark.parametrize("key", ["", "Has Space", "UPPER", "x" * 41])
def test_persona_key_validation(key):
    with pytest.raises(ValidationError):
        make_persona(key=key, name="n")


def test_missing_truncated_and_non_gguf_files(tmp_path, smollm2_path):
    with pytest.raises(ModelError, match="not found"):
        check_header(tmp_path / "nope.gguf")
    text = tmp_path / "notes.gguf"
    text.write_text("just text, not a model\n" * 10)
    with pytest.raises(ModelError, match="not a GGUF"):
        check_header(text)
    truncated = tmp_path / "cut.gguf"
    truncated.write_bytes(smollm2_path.read_bytes()[: 3_000_000])
    with pytest.raises(ModelError) as err:
        inspect_gguf(truncated)
    assert "truncated" in str(err.value) and str(truncated) in str(err.value)
    with pytest.raises(ModelError):
        ModelRegistry().add(truncated)
    assert [m.id for m in ModelRegistry().list() if not m.builtin] == []


def test_registry_builtins_and_local_model(tmp_path, smollm2_path):
    reg = ModelRegistry()
    ids = [m.id for m in reg.list()]
    assert ids[:2] == ["smollm2-135m-instruct", "gemma3-270m"]
    assert reg.resolve_path("smollm2-135m-instruct") == smollm2_path
    copy = tmp_path / "my-model.gguf"
    shutil.copy(smollm2_path, copy)
    info = reg.add(copy, name="My model")
    assert info.id == "my-model"
    assert reg.get("my-model").path == copy
    reg.remove("my-model")
    with pytest.raises(NotFoundError):
        reg.get("my-model")


@pytest.mark.model
def test_gemma_is_assembled_into_the_app_home(aeon_home):
    path = ModelRegistry().resolve_path("gemma3-270m")
    assert path.is_relative_to(aeon_home) and path.stat().st_size > 200_000_000
    info = inspect_gguf(path)
    assert info.architecture == "gemma3" and info.chat_template is None


@pytest.mark.model
def test_gemma_without_template_chats_through_the_gemma_turn_format():
    from aeon_studio.core.chat import ChatParams, ChatService

    service = ChatService()
    engine = service.engine_for("gemma3-270m")
    assert not engine.has_template and engine.chat_format == "gemma"
    text = engine.complete([{"role": "user", "content": "Write one sentence about the sea."}],
                           ChatParams(temperature=0.0, max_tokens=24))
    assert text.strip()  # llama-cpp's llama-2 fallback would return nothing here
