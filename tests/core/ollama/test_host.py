"""``ollama_base_url`` follows Ollama's envconfig.Host()/ConnectableHost() (cases from its config_test.go)."""

from __future__ import annotations

import pytest

from aeon_studio.core.ollama.host import ollama_base_url

CASES = {
    "": "http://127.0.0.1:11434",
    "1.2.3.4": "http://1.2.3.4:11434",
    ":1234": "http://127.0.0.1:1234",  # Go dials ":1234" on the local system
    "1.2.3.4:1234": "http://1.2.3.4:1234",
    "example.com": "http://example.com:11434",
    "example.com:1234": "http://example.com:1234",
    ":0": "http://127.0.0.1:0",
    ":66000": "http://127.0.0.1:11434",
    ":-1": "http://127.0.0.1:11434",
    "localhost:": "http://localhost:11434",
    "localhost:abc": "http://localhost:11434",
    "[::1]": "http://[::1]:11434",
    "[::]": "http://[::1]:11434",
    "::1": "http://[::1]:11434",
    "[::1]:1337": "http://[::1]:1337",
    "[::]:1234": "http://[::1]:1234",
    " 1.2.3.4 ": "http://1.2.3.4:11434",
    '"1.2.3.4"': "http://1.2.3.4:11434",
    ' " 1.2.3.4 " ': "http://1.2.3.4:11434",
    "'1.2.3.4'": "http://1.2.3.4:11434",
    "http://1.2.3.4": "http://1.2.3.4:80",
    "http://1.2.3.4:4321": "http://1.2.3.4:4321",
    "https://1.2.3.4": "https://1.2.3.4:443",
    "https://1.2.3.4:4321": "https://1.2.3.4:4321",
    "https://example.com/ollama": "https://example.com:443/ollama",
    "ollama.com": "https://ollama.com:443",
    "127.0.0.1": "http://127.0.0.1:11434",
    "0.0.0.0": "http://127.0.0.1:11434",
    "0.0.0.0:1234": "http://127.0.0.1:1234",
    "https://0.0.0.0:4321": "https://127.0.0.1:4321",
    "192.168.1.5:8080": "http://192.168.1.5:8080",
}


@pytest.mark.parametrize(("value", "expected"), list(CASES.items()))
def test_ollama_host_values_read_as_ollama_reads_them(value: str, expected: str) -> None:
    assert ollama_base_url({"OLLAMA_HOST": value}) == expected


def test_unset_variable_is_the_default_local_server() -> None:
    assert ollama_base_url({}) == "http://127.0.0.1:11434"


def test_process_environment_is_read_when_none_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_HOST", "0.0.0.0:5555")
    assert ollama_base_url() == "http://127.0.0.1:5555"
    monkeypatch.delenv("OLLAMA_HOST")
    assert ollama_base_url() == "http://127.0.0.1:11434"


def test_parse_host_gives_a_bare_host_ollamas_port() -> None:
    from aeon_studio.core.ollama.host import parse_host

    assert parse_host("127.0.0.1") == "http://127.0.0.1:11434"  # not port 80
    assert parse_host("http://localhost:11434/") == "http://localhost:11434"


def test_configured_url_setting_wins_over_ollama_host(monkeypatch: pytest.MonkeyPatch) -> None:
    from aeon_studio.core.ollama.host import configured_base_url
    from aeon_studio.core.settings import reset_settings

    monkeypatch.delenv("AEON_STUDIO_OLLAMA_HOST", raising=False)
    reset_settings()
    assert configured_base_url({"OLLAMA_HOST": "0.0.0.0:9999"}) == "http://127.0.0.1:9999"
    assert configured_base_url({}) == "http://127.0.0.1:11434"
    monkeypatch.setenv("AEON_STUDIO_OLLAMA_HOST", "10.0.0.2")
    reset_settings()
    assert configured_base_url({"OLLAMA_HOST": "0.0.0.0:9999"}) == "http://10.0.0.2:11434"
    monkeypatch.delenv("AEON_STUDIO_OLLAMA_HOST")
    reset_settings()
