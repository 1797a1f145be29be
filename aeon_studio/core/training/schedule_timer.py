"""A systemd user timer that runs ``aeon-studio retrain --auto`` while the app is closed.

``aeon-studio schedule install-timer`` writes ``aeon-studio-retrain.service`` and ``.timer`` into the user's systemd
folder and enables the timer; ``--print`` only shows them. The service runs at low priority (``Nice=``, idle I/O)
with this installation's Python and data folder, so the timer trains the same persona data the app shows.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

from ..errors import AeonError
from ..i18n import _

UNIT = "aeon-studio-retrain"


class TimerError(AeonError):
    """The timer cannot be installed (no systemd, systemctl refused)."""


def user_unit_dir(environ: dict[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/systemd/user`` (``~/.config/systemd/user`` by default)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


def units(home: Path, *, on_calendar: str = "hourly", python: str | None = None) -> dict[str, str]:
    """The service and timer files' names and text."""
    from ..processes import cli_command

    argv = [python, "-m", "aeon_studio", "retrain", "--auto"] if python else cli_command("retrain", "--auto")
    cmd = " ".join(shlex.quote(x) for x in argv)
    service = "\n".join([
        "[Unit]",
        "Description=Aeon Studio: scheduled retraining (only when due)",
        "",
        "[Service]",
        "Type=oneshot",
        f"Environment=AEON_STUDIO_HOME={home}",
        f"ExecStart={cmd}",
        "Nice=10",
        "IOSchedulingClass=idle",
        "",
    ])
    timer = "\n".join([
        "[Unit]",
        "Description=Aeon Studio: check whether a scheduled retrain is due",
        "",
        "[Timer]",
        f"OnCalendar={on_calendar}",
        "Persistent=true",
        "RandomizedDelaySec=5min",
        "",
        "[Install]",
        "WantedBy=timers.target",
        "",
    ])
    return {f"{UNIT}.service": service, f"{UNIT}.timer": timer}


def systemd_available() -> bool:
    """systemctl is installed and systemd runs this machine (not a container or another init)."""
    return shutil.which("systemctl") is not None and Path("/run/systemd/system").is_dir()


def install(home: Path, *, on_calendar: str = "hourly", unit_dir: Path | None = None) -> list[Path]:
    """Write the two units and enable the timer; on any failure nothing stays written.

    Raises:
        TimerError: systemd is not running here, or ``systemctl --user`` failed (its message is included).
    """
    if not systemd_available():
        raise TimerError(_("Cannot install the timer: systemd is not running on this computer (no systemctl, or "
                           "no /run/systemd/system)."),
                         hint=_("Run 'aeon-studio retrain --auto' from cron instead, e.g. the line "
                                "'0 * * * * aeon-studio retrain --auto'; 'schedule install-timer --print' shows "
                                "the units for another machine."))
    folder = unit_dir or user_unit_dir()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in units(home, on_calendar=on_calendar).items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    for cmd in (["systemctl", "--user", "daemon-reload"], ["systemctl", "--user", "enable", "--now", f"{UNIT}.timer"]):
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            for path in written:
                path.unlink(missing_ok=True)
            raise TimerError(_("'{cmd}' failed: {message}").format(
                cmd=" ".join(cmd), message=(done.stderr or done.stdout).strip() or done.returncode),
                hint=_("Nothing was installed. Check that you have a systemd user session ('systemctl --user "
                       "status')."))
    return written
