"""Start-up time of the main window vs a bare QApplication + empty QMainWindow (same run, fresh Pythons).

Prints seconds until the window is shown, the ratio to the baseline and whether torch, transformers
or llama_cpp were imported. Goal: ≤ 1.5 s and never torch.

``--bundle [DIR]``: instead, the bundled app (``DIR/aeon-studio``, default ``dist/aeon-studio``) against the source
install, both started as a user would (a new process, to the window on screen, measured from the process's start).
Goal: bundle ≤ 1.2× source.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CHILD = r"""
import json, os, sys, time
t0 = time.perf_counter()
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
if sys.argv[1] == "app":
    from aeon_studio.app.main_window import MainWindow
    w = MainWindow()
else:
    w = QMainWindow()
w.show()
app.processEvents()
dt = time.perf_counter() - t0
print(json.dumps({"s": dt, "mods": [m for m in ("torch", "transformers", "llama_cpp") if m in sys.modules]}))
"""


def run(kind: str, home: str) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", AEON_STUDIO_HOME=home)
    out = subprocess.run([sys.executable, "-c", CHILD, kind], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def shown(cmd: list[str], home: str, *, bundle: bool = False) -> float:
    """Seconds from process start to the main window on screen (the app's AEON_STUDIO_QUIT_AFTER_SHOW check)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", AEON_STUDIO_HOME=home, AEON_STUDIO_WELCOME_DONE="1",
               AEON_STUDIO_QUIT_AFTER_SHOW="1")
    if bundle:  # the bundle must not see the source tree
        env.pop("PYTHONPATH", None)
    else:  # the source install: this checkout, wherever the bench is started from
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [ROOT, env.get("PYTHONPATH")]))
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True, cwd=tempfile.gettempdir())
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["window_shown"], report
    return report["seconds"]


def main_bundle(bundle: str, repeats: int = 3) -> int:
    exe = os.path.join(bundle, "aeon-studio")
    if not os.access(exe, os.X_OK):
        print(f"error: no bundled app at {exe}; run 'make bundle' first", file=sys.stderr)
        return 2
    source = [sys.executable, "-m", "aeon_studio"]
    with tempfile.TemporaryDirectory() as home:
        shown(source, home)  # creates the database; not timed
        shown([exe], home, bundle=True)  # the first start of a bundle also warms the disk cache
        src, bun = [], []
        for _ in range(repeats):  # alternate, so both see the same machine load
            src.append(shown(source, home))
            bun.append(shown([exe], home, bundle=True))
    s, b = statistics.median(src), statistics.median(bun)
    print(f"source install (python -m aeon_studio): {s:.2f} s to the window")
    print(f"bundle ({exe}):  {b:.2f} s to the window")
    print(f"ratio bundle/source: {b / s:.2f}x   goal ≤ 1.2x: {'OK' if b / s <= 1.2 else 'MISSED'}")
    return 0


def main(repeats: int = 3) -> None:
    with tempfile.TemporaryDirectory() as home:
        run("app", home)  # first run creates the database; not timed
        base = [run("bare", home)["s"] for _ in range(repeats)]
        apps = [run("app", home) for _ in range(repeats)]
    b = statistics.median(base)
    a = statistics.median(r["s"] for r in apps)
    mods = sorted({m for r in apps for m in r["mods"]})
    print(f"baseline (bare QApplication + QMainWindow): {b:.3f} s")
    print(f"Aeon Studio main window shown:             {a:.3f} s")
    print(f"ratio app/baseline: {a / b:.2f}x   goal ≤ 1.5 s: {'OK' if a <= 1.5 else 'MISSED'}")
    print(f"heavy modules imported at start: {', '.join(mods) if mods else 'none'}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--bundle":
        sys.exit(main_bundle(sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "dist", "aeon-studio")))
    main()
