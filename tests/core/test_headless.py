"""The core never imports Qt, and nothing imports torch & co. unless it truly needs them."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import aeon_studio.core

HEAVY = ("torch", "transformers", "peft", "trl", "sentence_transformers", "unsloth")
QT = ("PySide6", "qasync", "shiboken6")


def _core_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(aeon_studio.core.__path__, "aeon_studio.core.")
                  if not m.name.endswith("__main__"))


def _imported_after(module: str) -> set[str]:
    code = (f"import sys, json, importlib; importlib.import_module({module!r}); "
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_no_core_module_imports_qt():
    code = ("import sys, json, importlib, pkgutil, aeon_studio.core as c\n"
            "for m in pkgutil.walk_packages(c.__path__, 'aeon_studio.core.'):\n"
            "    importlib.import_module(m.name)\n"
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert not loaded & set(QT), f"Qt imported by the core: {loaded & set(QT)}"


def test_startup_paths_do_not_import_ml_libraries():
    for module in ("aeon_studio", "aeon_studio.__main__", "aeon_studio.core.cli.main", "aeon_studio.app.main_window",
                   "aeon_studio.core.chat.service", "aeon_studio.core.storage"):
        heavy = _imported_after(module) & set(HEAVY)
        assert not heavy, f"{module} imports {heavy} at import time"


def test_cli_parser_builds_without_ml_libraries():
    code = ("import sys, json; from aeon_studio.core.cli.main import build_parser; build_parser(); "
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert not set(json.loads(out.stdout.strip().splitlines()[-1])) & set(HEAVY + QT)
