"""Every test gets its own empty AEON_STUDIO_HOME; Qt runs offscreen; no network."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("AEON_STUDIO_LANGUAGE", "en")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def aeon_home(tmp_path, monkeypatch):
    """A fresh home for each test; caches of settings, database and engines are reset."""
    from aeon_studio.core import i18n
    from aeon_studio.core.settings import reset_settings
    from aeon_studio.core.storage import close_all

    home = tmp_path / "home"
    monkeypatch.setenv("AEON_STUDIO_HOME", str(home))
    monkeypatch.setenv("AEON_STUDIO_LANGUAGE", "en")
    i18n.set_language(None)
    reset_settings()
    close_all()
    yield home
    import sys

    hook = sys.modules.get("aeon_studio.core.memory.hook")
    if hook is not None:  # exchanges still being stored belong to this test's home
        hook.flush_pending()
    close_all()
    reset_settings()


@pytest.fixture(scope="session")
def smollm2_path():
    from aeon_studio.core.models import smollm2_path as path

    return path()


def pytest_sessionfinish(session, exitstatus):
    """Free llama.cpp models made by tests while the interpreter is whole (their finalizers fail at shutdown)."""
    import gc

    gc.collect()
