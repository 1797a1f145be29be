"""The window appears without importing torch, transformers or llama_cpp (a fresh Python)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui


def test_main_window_starts_light(aeon_home):
    spec = importlib.util.spec_from_file_location("bench_startup", Path(__file__).resolve().parents[2] / "bench" / "startup.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    result = bench.run("app", str(aeon_home))
    assert result["mods"] == []
    assert result["s"] < 10  # generous: the 1.5 s goal is measured by bench/startup.py, not asserted on a busy CI
