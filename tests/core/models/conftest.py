"""A loopback Hub with one small GGUF repo, and the real huggingface_hub client pointed at it."""

from __future__ import annotations

import pytest

from tests.core.models.fake_hub import FakeHub, FakeRepo, tiny_gguf

REPO = "tester/Tiny-Chat-GGUF"


@pytest.fixture()
def gguf_bytes(tmp_path) -> bytes:
    return tiny_gguf(tmp_path / "tiny.gguf").read_bytes()


@pytest.fixture()
def fake_hub(monkeypatch, tmp_path, gguf_bytes):
    import huggingface_hub.constants as hf_constants

    with FakeHub() as hub:
        hub.repos[REPO] = FakeRepo({"tiny-chat-Q4_K_M.gguf": gguf_bytes, "tiny-chat-Q8_0.gguf": gguf_bytes[:-4] + b"8888",
                                    "mmproj-tiny-f16.gguf": gguf_bytes}, extra=["README.md", "config.json"])
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
        monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)  # conftest sets it for every other test
        yield hub
