"""Worker processes start the same way from source and from the frozen bundle."""

from __future__ import annotations

import subprocess
import sys

import pytest

from aeon_studio.core import processes


def test_source_install_runs_python_m():
    assert processes.worker_command("aeon_studio.core.training.worker", "spec.json") == [
        sys.executable, "-m", "aeon_studio.core.training.worker", "spec.json"]


def test_frozen_app_runs_itself_with_the_hidden_argument(monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    cmd = processes.worker_command("aeon_studio.core.datasets.parallel", "task.json")
    assert cmd == [sys.executable, processes.RUN_MODULE, "aeon_studio.core.datasets.parallel", "task.json"]


def test_only_the_apps_workers_can_be_started():
    with pytest.raises(ValueError):
        processes.worker_command("os", "x")
    assert processes.run_worker(["os"]) == 2


def test_the_hidden_argument_reaches_the_worker_main(tmp_path):
    """``aeon-studio --run-worker MODULE ARGS`` runs the worker's ``main(ARGS)`` (its usage error here)."""
    proc = subprocess.run([sys.executable, "-m", "aeon_studio", processes.RUN_MODULE,
                           "aeon_studio.core.training.worker"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "usage" in proc.stderr and "SPEC.json" in proc.stderr


def test_the_cli_runs_through_the_app_itself_when_bundled(monkeypatch):
    assert processes.cli_command("retrain", "--auto") == [sys.executable, "-m", "aeon_studio", "retrain", "--auto"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert processes.cli_command("retrain", "--auto") == [sys.executable, "retrain", "--auto"]
