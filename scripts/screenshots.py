"""Render every tab with demo data to PNG files.

    .venv/bin/python scripts/screenshots.py OUT_DIR [--home DIR] [--readme] [--theme system|light|dark]

Each tab's renderer lives in ``aeon_studio.app.demo.<area>`` (listed in ``aeon_studio.app.demo.RENDERERS``)
and seeds its own demo data. The data go to a scratch home
(a temp folder unless --home). ``--readme`` also copies the chat render to docs/screenshot-chat.png.
``--theme`` renders with the app's style sheet in that theme (default: the system palette, as the app starts).
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--home", type=Path, help="data folder to use (default: a new temp folder)")
    ap.add_argument("--readme", action="store_true", help="also write docs/screenshot-chat.png")
    ap.add_argument("--theme", choices=("system", "light", "dark"), default="system",
                    help="style sheet theme (default: follow the system palette)")
    args = ap.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("AEON_STUDIO_LANGUAGE", "en")
    os.environ["AEON_STUDIO_HOME"] = str(args.home or tempfile.mkdtemp(prefix="aeon-shots-"))

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from aeon_studio.app.qt_language import install_qt_translations
    from aeon_studio.app.style import apply_style

    install_qt_translations(app)  # as the app does: Qt's Save/Cancel in pt_BR shots, not English
    apply_style(app, None if args.theme == "system" else args.theme)
    from aeon_studio.app.context import AppContext
    from aeon_studio.app.demo import RENDERERS
    from aeon_studio.app.main_window import MainWindow

    ctx = AppContext()
    out = args.out_dir
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for module_name, function in RENDERERS:
        try:
            hook = getattr(importlib.import_module(f"aeon_studio.app.demo.{module_name}"), function)
            path = Path(hook(ctx, out, demo=True))
        except Exception as exc:  # one broken tab must not stop the others
            print(f"{module_name}: FAILED ({exc})", file=sys.stderr)
            continue
        written.append(path)
        print(path)
    window = MainWindow(ctx)
    window.resize(1180, 760)
    window.show()
    app.processEvents()
    path = out / "main_window.png"
    window.grab().save(str(path))
    print(path)
    window.close()
    if args.readme and (out / "chat_tab.png").exists():
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copy(out / "chat_tab.png", ROOT / "docs" / "screenshot-chat.png")
        print(ROOT / "docs" / "screenshot-chat.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
