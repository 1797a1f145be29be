"""A persona's chat backends: stored with it in one transaction, validated, cleared by reset and remove."""

from __future__ import annotations

import pytest

from aeon_studio.core.errors import ValidationError
from aeon_studio.core.personas import BackendConfig, PersonaStore, check_base_url, make_persona

GROQ = {"kind": "openai", "model": "llama-3.1-8b-instant", "url": "https://api.groq.com/openai/v1/"}


def test_backends_round_trip_and_mark_what_leaves_the_computer():
    store = PersonaStore()
    p = store.add(make_persona(key="hibrido", name="Híbrido",
                               backends=[{"kind": "ollama", "model": "qwen2.5:1.5b"}, GROQ, {"kind": "embedded"}]))
    assert [b.kind for b in p.backends] == ["ollama", "openai", "embedded"]
    assert p.backends[1].url == "https://api.groq.com/openai/v1" and p.memory_local_only is True
    assert p.sends_off_machine and not p.backends[0].url  # empty: Ollama's own address
    assert p.backends[0].is_local and not p.backends[1].is_local
    assert store.list()[-1].backends == p.backends
    assert not store.update("hibrido", backends=[{"kind": "ollama", "model": "qwen2.5:1.5b"}]).sends_off_machine


def test_an_invalid_backend_stores_nothing():
    store = PersonaStore()
    store.update("casual", backends=[{"kind": "ollama", "model": "qwen2.5:1.5b"}])
    for bad, where in (({"kind": "openai", "model": "m", "url": "http://api.groq.com/openai/v1"}, "backends.0.url"),
                       ({"kind": "openai", "model": "m"}, "backends.0"),
                       ({"kind": "ollama", "model": ""}, "backends.0"),
                       ({"kind": "embedded", "model": "x"}, "backends.0"),
                       ({"kind": "lmstudio", "model": "x"}, "backends.0.kind")):
        with pytest.raises(ValidationError) as err:
            store.update("casual", backends=[bad])
        assert where in str(err.value)
    with pytest.raises(ValidationError, match="listed twice"):
        store.update("casual", backends=[GROQ, GROQ])
    assert [b.model for b in store.get("casual").backends] == ["qwen2.5:1.5b"]


def test_reset_and_remove_clear_the_backends():
    store = PersonaStore()
    store.update("formal", backends=[GROQ], memory_local_only=False)
    assert store.reset("formal").backends == [] and store.get("formal").memory_local_only is True
    store.add(make_persona(key="x", name="X", backends=[GROQ]))
    store.remove("x")
    store.add(make_persona(key="x", name="X"))
    assert store.get("x").backends == []


@pytest.mark.parametrize("url, ok", [("http://127.0.0.1:11434/", "http://127.0.0.1:11434"),
                                     ("http://localhost:8080/v1", "http://localhost:8080/v1"),
                                     ("http://[::1]:11434", "http://[::1]:11434"),
                                     ("https://api.groq.com/openai/v1", "https://api.groq.com/openai/v1")])
def test_check_base_url_accepts_loopback_and_https(url, ok):
    assert check_base_url(url) == ok


@pytest.mark.parametrize("url, words", [("http://192.168.0.2:11434", "unencrypted"), ("api.groq.com", "web address"),
                                        ("https://k:s@h.com", "password"), ("https://h.com/v1?x=1", "'?'")])
def test_check_base_url_refuses(url, words):
    with pytest.raises(ValueError, match=words):
        check_base_url(url)


def test_an_ollama_address_without_scheme_is_read_as_ollama_host():
    p = make_persona(key="x", name="X", backends=[{"kind": "ollama", "model": "m", "url": "localhost"}])
    assert p.backends[0].url == "http://localhost:11434" and p.backends[0].is_local


def test_embedded_is_local():
    assert BackendConfig().is_local and BackendConfig().label() == "embedded"
