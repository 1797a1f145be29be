"""The user's data folder: created private on first use, and a clear error when it cannot be written."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from .errors import StorageError
from .i18n import _

#: Free space (bytes) below which the app warns that the disk is full before writing anything.
MIN_FREE_BYTES = 50 * 1024 * 1024


def prepare_home(home: Path | None = None) -> Path:
    """Create the data folder (``0700``: chats and memories are private) and check it can be written.

    Raises:
        StorageError: the folder cannot be created or written, or the disk is (nearly) full; the message
            names the folder and says what to do.
    """
    if home is None:
        from .settings import get_settings

        home = get_settings().home
    move_hint = _("Free some space or choose another folder with the AEON_STUDIO_HOME environment variable.")
    try:
        created = not home.exists()
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        if created:
            os.chmod(home, 0o700)  # mkdir's mode is masked by the umask
        probe = home / ".write-test"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise StorageError(_("The disk is full: Aeon Studio cannot write to its data folder {path}.").format(
                path=home), hint=move_hint) from exc
        raise StorageError(_("Aeon Studio cannot write to its data folder {path}: {reason}.").format(
            path=home, reason=exc.strerror or exc),
            hint=_("Check the folder's permissions, or choose another folder with the AEON_STUDIO_HOME "
                   "environment variable.")) from exc
    return home


def disk_space_warning(home: Path) -> str | None:
    """A warning when the data folder's disk is nearly full (chats, memories and training need room)."""
    try:
        free = shutil.disk_usage(home).free
    except OSError:
        return None
    if free >= MIN_FREE_BYTES:
        return None
    return _("The disk of the data folder {path} is nearly full ({mb} MB free): saving chats and training may "
             "fail. Free some space.").format(path=home, mb=free // (1024 * 1024))


def apply_language_setting() -> None:
    """Use the language chosen in the welcome (``settings.json``) unless ``AEON_STUDIO_LANGUAGE`` says otherwise."""
    from .i18n import set_language
    from .settings import get_settings

    if os.environ.get("AEON_STUDIO_LANGUAGE"):
        return  # the environment wins, and i18n reads it itself
    lang = get_settings().language
    if lang:
        set_language(lang)
