"""The data folder: private, writable, and a clear error when it is not."""

from __future__ import annotations

import errno
import stat
from pathlib import Path

import pytest

from aeon_studio.core import home as home_module
from aeon_studio.core.errors import StorageError


def test_a_new_data_folder_is_private(tmp_path):
    folder = tmp_path / "new" / "aeon"
    assert home_module.prepare_home(folder) == folder
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_folder_that_cannot_be_written_says_where_and_what_to_do(tmp_path, monkeypatch):
    def denied(self, *a, **kw):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(Path, "mkdir", denied)
    with pytest.raises(StorageError) as err:
        home_module.prepare_home(tmp_path / "aeon")
    message = str(err.value)
    assert str(tmp_path / "aeon") in message and "Permission denied" in message and "AEON_STUDIO_HOME" in message


def test_a_full_disk_is_named(tmp_path, monkeypatch):
    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(StorageError) as err:
        home_module.prepare_home(tmp_path / "aeon")
    assert "disk is full" in str(err.value) and str(tmp_path / "aeon") in str(err.value)


def test_nearly_full_disk_warns(tmp_path, monkeypatch):
    monkeypatch.setattr(home_module.shutil, "disk_usage", lambda p: type("U", (), {"free": 10 * 1024 * 1024})())
    assert "10 MB" in home_module.disk_space_warning(tmp_path)
    monkeypatch.setattr(home_module.shutil, "disk_usage", lambda p: type("U", (), {"free": 10 << 30})())
    assert home_module.disk_space_warning(tmp_path) is None


def test_the_language_chosen_in_the_welcome_is_used(monkeypatch):
    from aeon_studio.core import i18n
    from aeon_studio.core.settings import get_settings

    monkeypatch.delenv("AEON_STUDIO_LANGUAGE")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    get_settings().save(language="pt_BR")
    home_module.apply_language_setting()
    try:
        assert i18n.current_language() == "pt_BR"
    finally:
        i18n.set_language(None)
