"""API keys live in the system keyring (here an in-memory one), never in the database."""

from __future__ import annotations

import pytest

from aeon_studio.core.chat.backends import keys


def test_store_read_and_delete_a_key(memory_keyring, aeon_home):
    keys.set_api_key("https://api.groq.com/openai/v1/", "  gsk-secret  ")
    assert memory_keyring.store == {("aeon-studio", "https://api.groq.com/openai/v1"): "gsk-secret"}
    assert keys.api_key_for("https://api.groq.com/openai/v1") == "gsk-secret"
    assert keys.has_api_key("https://api.groq.com/openai/v1")
    assert keys.delete_api_key("https://api.groq.com/openai/v1") is True
    assert keys.delete_api_key("https://api.groq.com/openai/v1") is False
    assert keys.api_key_for("https://api.groq.com/openai/v1") is None


def test_an_empty_key_stores_nothing(memory_keyring):
    with pytest.raises(keys.KeyStoreError, match="empty"):
        keys.set_api_key("https://api.example.com/v1", "   ")
    assert memory_keyring.store == {}


def test_no_keyring_on_the_machine(monkeypatch):
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    with pytest.raises(keys.KeyStoreError) as err:
        keys.set_api_key("https://api.example.com/v1", "sk-1")
    assert "AEON_STUDIO_API_KEY" in err.value.hint and "sk-1" not in str(err.value)
    assert keys.api_key_for("https://api.example.com/v1") is None
    monkeypatch.setenv("AEON_STUDIO_API_KEY", "from-env")
    assert keys.api_key_for("https://api.example.com/v1") == "from-env"
