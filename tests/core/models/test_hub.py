"""Hub downloads with the real huggingface_hub client against a loopback Hub (tests/core/models/fake_hub.py)."""

from __future__ import annotations

import threading
import time

import pytest

from aeon_studio.core.errors import ModelError, ValidationError
from aeon_studio.core.models import ModelRegistry
from aeon_studio.core.models import hub
from aeon_studio.core.models.download import DownloadCancelled, hub_cache_dir, repo_storage
from tests.core.models.conftest import REPO
from tests.core.models.fake_hub import FakeRepo

Q4 = "tiny-chat-Q4_K_M.gguf"


def _local():
    return [m for m in ModelRegistry().list() if not m.builtin]


def _cdn_gets(fake_hub):
    return [(path, rng) for method, path, rng in fake_hub.requests if method == "GET" and path.startswith("/cdn/")]


def test_lists_gguf_files_with_sizes_quants_and_checksums(fake_hub, gguf_bytes):
    listing = hub.list_gguf_files(REPO)
    assert listing.revision == "a" * 40
    by_name = {f.filename: f for f in listing.files}
    assert set(by_name) == {Q4, "tiny-chat-Q8_0.gguf", "mmproj-tiny-f16.gguf"}  # README and config left out
    assert by_name[Q4].quant == "Q4_K_M" and by_name[Q4].size == len(gguf_bytes)
    assert by_name[Q4].sha256 and len(by_name[Q4].sha256) == 64
    assert not by_name["mmproj-tiny-f16.gguf"].usable and "vision" in by_name["mmproj-tiny-f16.gguf"].note
    assert listing.files[-1].filename == "mmproj-tiny-f16.gguf"  # unusable last
    assert hub.choose_file(listing).filename == Q4  # Q4_K_M preferred
    other = hub.HubRepo(REPO, "a" * 40, [hub.HubFile(f"m-{q}.gguf", 1, None, q) for q in ("Q8_0", "Q4_1", "F16")])
    assert hub.choose_file(other).quant == "Q4_1"  # no Q4_K_M: the smaller of the good ones
    assert hub.choose_file(listing, quant="q8_0").filename == "tiny-chat-Q8_0.gguf"
    with pytest.raises(ValidationError, match="no Q5_K_M file") as err:
        hub.choose_file(listing, quant="Q5_K_M")
    assert "Q4_K_M, Q8_0" in str(err.value)
    with pytest.raises(ValidationError, match="vision projector"):
        hub.choose_file(listing, filename="mmproj-tiny-f16.gguf")


def test_bad_repos_say_what_is_wrong(fake_hub):
    fake_hub.repos["tester/safetensors-only"] = FakeRepo({}, extra=["model.safetensors", "README.md"])
    fake_hub.repos["tester/gated-GGUF"] = FakeRepo({"x.gguf": b"GGUF"}, gated=True)
    with pytest.raises(ModelError, match="has no GGUF model file") as err:
        hub.list_gguf_files("tester/safetensors-only")
    assert "-GGUF" in err.value.hint
    with pytest.raises(ModelError, match="no model repository called tester/missing"):
        hub.list_gguf_files("tester/missing")
    with pytest.raises(ModelError, match="gated") as err:
        hub.list_gguf_files("tester/gated-GGUF")
    assert "hf auth login" in err.value.hint
    with pytest.raises(ValidationError, match="not a Hub repository name"):
        hub.list_gguf_files("not a/repo/name")
    assert _local() == []


def test_pull_downloads_verifies_and_registers(fake_hub, gguf_bytes):
    seen = []
    info = hub.pull(REPO, progress=lambda done, total: seen.append((done, total)))
    assert info.source == "hub" and info.chat_template is True and info.context_length == 2048
    assert info.architecture == "llama" and info.trainable is True
    assert info.origin["repo"] == REPO and info.origin["file"] == Q4 and info.origin["quant"] == "Q4_K_M"
    assert info.path.read_bytes() == gguf_bytes
    storage = repo_storage(REPO, hub_cache_dir())
    assert info.path.parent == storage / "snapshots" / ("a" * 40)  # the Hugging Face cache's own layout
    assert info.path.is_symlink() and not list(storage.glob("blobs/*.incomplete"))
    assert seen[-1] == (len(gguf_bytes), len(gguf_bytes))
    assert [m.id for m in _local()] == [info.id]
    # Pulling it again registers nothing new and downloads nothing.
    gets = len(_cdn_gets(fake_hub))
    assert hub.pull(REPO, quant="Q4_K_M").id == info.id
    assert len(_cdn_gets(fake_hub)) == gets and len(_local()) == 1
    # The cache was cleared (e.g. 'hf cache delete'): pulling downloads again and keeps the same model.
    import shutil

    shutil.rmtree(storage)
    assert hub.pull(REPO).id == info.id and info.path.read_bytes() == gguf_bytes and len(_local()) == 1


def test_dropped_connection_resumes_with_a_range_request(fake_hub, gguf_bytes, monkeypatch):
    import huggingface_hub.constants as hf_constants

    monkeypatch.setattr(hf_constants, "DOWNLOAD_CHUNK_SIZE", 4096)  # small chunks, so part of the file lands
    fake_hub.cut_after, fake_hub.cuts_left = 20_000, 1
    info = hub.pull(REPO, filename=Q4)
    gets = _cdn_gets(fake_hub)
    assert len(gets) == 2 and gets[0][1] is None
    assert gets[1][1].startswith("bytes=") and int(gets[1][1][6:-1]) >= 16_384  # continued, not restarted
    assert info.path.read_bytes() == gguf_bytes


def test_cancelled_download_continues_where_it_stopped(fake_hub, gguf_bytes, monkeypatch):
    import huggingface_hub.constants as hf_constants

    monkeypatch.setattr(hf_constants, "DOWNLOAD_CHUNK_SIZE", 8192)
    cancel = threading.Event()

    def progress(done, total):
        if done >= 24_000:
            cancel.set()

    with pytest.raises(DownloadCancelled):
        hub.pull(REPO, progress=progress, cancel=cancel.is_set)
    part = next(repo_storage(REPO, hub_cache_dir()).glob("blobs/*.incomplete"))
    kept = part.stat().st_size
    assert 24_000 <= kept < len(gguf_bytes)
    assert _local() == []  # nothing registered from a partial file
    sent_before = fake_hub.bytes_sent
    info = hub.pull(REPO)
    assert _cdn_gets(fake_hub)[-1][1] == f"bytes={kept}-"
    assert fake_hub.bytes_sent - sent_before == len(gguf_bytes) - kept  # only the rest crossed the wire
    assert info.path.read_bytes() == gguf_bytes and not part.exists()


def test_corrupted_download_is_refused_and_nothing_is_kept(fake_hub):
    fake_hub.corrupt = True
    with pytest.raises(ModelError, match="corrupted") as err:
        hub.pull(REPO)
    assert "sha256" in str(err.value) and "nothing was added" in str(err.value)
    storage = repo_storage(REPO, hub_cache_dir())
    assert not [p for p in storage.glob("blobs/*")] and not list(storage.glob("snapshots/*/*"))
    assert _local() == []
    fake_hub.corrupt = False
    assert hub.pull(REPO).source == "hub"  # a clean retry works


def test_checksum_correct_file_that_is_not_gguf_is_not_registered(fake_hub):
    fake_hub.repos["tester/Fake-GGUF"] = FakeRepo({"notes-Q4_K_M.gguf": b"plain text pretending\n" * 100})
    with pytest.raises(ModelError, match="not a GGUF"):
        hub.pull("tester/Fake-GGUF")
    assert _local() == []


def test_no_room_is_refused_before_downloading(fake_hub, gguf_bytes, monkeypatch):
    with pytest.raises(ModelError, match="Not enough disk space") as err:
        hub.check_room(10 * 1024 ** 3, disk_free=2 * 1024 ** 3, ram_total=64 * 1024 ** 3)
    assert "HF_HUB_CACHE" in err.value.hint
    with pytest.raises(ModelError, match="needs about .* of memory"):
        hub.check_room(10 * 1024 ** 3, disk_free=100 * 1024 ** 3, ram_total=8 * 1024 ** 3)
    hub.check_room(400 * 1024 ** 2, disk_free=100 * 1024 ** 3, ram_total=8 * 1024 ** 3)  # a small model fits

    import psutil

    class Tiny:
        total = 256 * 1024 ** 2  # smaller than ram_needed of even a tiny file

    monkeypatch.setattr(psutil, "virtual_memory", lambda: Tiny())
    with pytest.raises(ModelError, match="memory"):
        hub.pull(REPO)
    assert _cdn_gets(fake_hub) == [] and _local() == []


def test_offline_gives_a_clear_message_quickly(fake_hub, monkeypatch):
    import huggingface_hub.constants as hf_constants

    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(ModelError, match="offline mode is on"):
        hub.list_gguf_files(REPO)
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens: refused at once
    start = time.monotonic()
    with pytest.raises(ModelError, match="Cannot reach the Hugging Face Hub") as err:
        hub.pull(REPO)
    assert time.monotonic() - start < 10 and "internet connection" in err.value.hint
    monkeypatch.setenv("HF_ENDPOINT", fake_hub.url)
    fake_hub.hang = True  # a server that never answers: the short timeout ends the wait
    start = time.monotonic()
    with pytest.raises(ModelError, match="Cannot reach"):
        hub.list_gguf_files(REPO, timeout=0.5)
    assert time.monotonic() - start < 5
    fake_hub.hang = False


def test_downloaded_model_is_a_training_base(fake_hub):
    """Training resolves the registry id to the downloaded GGUF (then dequantizes it like the embedded model's,
    tests/core/training/test_real.py; a full retrain from a pulled SmolLM2 passed by hand, ~7 min here)."""
    from aeon_studio.core.models.gguf_info import is_gguf_file
    from aeon_studio.core.models.registry import check_gguf_trainable
    from aeon_studio.core.training.base import resolve_base

    info = hub.pull(REPO)
    assert resolve_base(info.id) == info.path and is_gguf_file(info.path)
    check_gguf_trainable(info.path)  # llama: accepted without reading the file again
