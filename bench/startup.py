"""Start-up time of the main window vs a bare QApplication + empty QMainWindow (same run, fresh Pythons).

Prints seconds until the window is shown, the ratio to the baseline and whether torch, transformers
or llama_cpp were imported. Goal: ≤ 1.5 s and never torch.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile

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
    main()
