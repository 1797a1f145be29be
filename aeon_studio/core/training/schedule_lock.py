"""The scheduled retrain's lock: ``<home>/schedule.lock``, safe against crashes (see :class:`RunLock`)."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import AeonError
from ..i18n import _


class ScheduleBusy(AeonError):
    """Another scheduled retrain holds the lock."""


def _started(pid: int) -> float | None:
    """The process's start time (seconds since the epoch), None when there is no such process: with the pid it
    names one process, even after the pid is reused."""
    import psutil

    try:
        return psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None


def _holder_alive(note: dict[str, Any]) -> bool:
    pid, started = note.get("pid"), note.get("started")
    if not isinstance(pid, int) or not isinstance(started, (int, float)):
        return False
    now = _started(pid)
    return now is not None and abs(now - started) < 1.0


class RunLock:
    """Held while a scheduled retrain runs: ``<home>/schedule.lock`` holds the holder's pid and start time.

    The kernel's ``flock`` ends with the process (a crash or ``kill -9`` never leaves the lock held); the pid and
    start time say who holds it and make a lock whose holder is gone stale everywhere else. A stale note is taken
    over and kept in :attr:`took_over`, so the caller can mark that holder's run interrupted.
    """

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            from ..settings import get_settings

            path = get_settings().schedule_lock
        self.path = path
        self.fd: int | None = None
        self.took_over: dict[str, Any] | None = None

    def _read(self, fd: int) -> dict[str, Any]:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            note = json.loads(os.read(fd, 65536).decode("utf-8") or "{}")
        except ValueError:
            return {}
        return note if isinstance(note, dict) else {}

    def acquire(self, **note: Any) -> RunLock:
        """Take the lock, writing ``note`` (persona, run id…) next to the pid and start time.

        Raises:
            ScheduleBusy: another live process holds it (the message names it).
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # no flock (Windows): the pid and start time alone decide
            pass
        except BlockingIOError:
            held = self._read(fd)
            os.close(fd)
            raise ScheduleBusy(_("A scheduled retrain is already running (process {pid}, since {since}).").format(
                pid=held.get("pid", "?"), since=held.get("since", "?")),
                hint=_("Wait for it to finish; this call did nothing.")) from None
        previous = self._read(fd)
        if previous.get("pid") not in (None, os.getpid()) and _holder_alive(previous):
            os.close(fd)  # flock is not kept on this file system, but its holder is alive
            raise ScheduleBusy(_("A scheduled retrain is already running (process {pid}, since {since}).").format(
                pid=previous["pid"], since=previous.get("since", "?")),
                hint=_("Wait for it to finish; this call did nothing."))
        self.took_over = previous or None
        self.fd = fd
        self.update(**note)
        return self

    def update(self, **note: Any) -> None:
        """Rewrite the note (e.g. once the run id is known), keeping pid and start time."""
        assert self.fd is not None
        data = {"pid": os.getpid(), "started": _started(os.getpid()), "since": datetime.now(timezone.utc).isoformat(), **note}
        os.ftruncate(self.fd, 0)
        os.lseek(self.fd, 0, os.SEEK_SET)
        os.write(self.fd, json.dumps(data).encode("utf-8"))
        os.fsync(self.fd)

    def release(self) -> None:
        """Empty the note and let go (the file stays: removing it would race with the next holder's open)."""
        if self.fd is None:
            return
        os.ftruncate(self.fd, 0)
        os.close(self.fd)  # closing releases the flock
        self.fd = None

    def __enter__(self) -> RunLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def lock_holder(path: Path | None = None) -> dict[str, Any] | None:
    """Who holds the lock now (pid, started, persona, run id), None when nobody alive does."""
    if path is None:
        from ..settings import get_settings

        path = get_settings().schedule_lock
    try:
        note = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return None
    return note if isinstance(note, dict) and _holder_alive(note) else None
