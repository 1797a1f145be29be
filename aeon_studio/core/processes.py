"""Start a part of the app as its own process, from a source install and from the frozen bundle alike.

A source install runs ``python -m MODULE ARGS``. A PyInstaller bundle has no Python to run ``-m`` with:
its ``sys.executable`` is the app itself, whose argument parser would read ``-m`` as a command. So the app
has a hidden first argument, :data:`RUN_MODULE`, that runs one of the app's own worker modules
(:data:`WORKERS`) in the same way; nothing else can be run through it.
"""

from __future__ import annotations

import importlib
import sys

#: The hidden first argument of ``aeon-studio`` that runs a worker module (never shown in ``--help``).
RUN_MODULE = "--run-worker"

#: The modules that may be started as a process; each has ``main(argv) -> int``.
WORKERS = (
    "aeon_studio.core.training.worker",
    "aeon_studio.core.training.launch",  # torchrun, which starts the worker once per process
    "aeon_studio.core.datasets.parallel",
)


def frozen() -> bool:
    """True inside a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False))


def worker_command(module: str, *args: str) -> list[str]:
    """The command line that runs ``module`` (one of :data:`WORKERS`) with ``args`` as its own process."""
    if module not in WORKERS:
        raise ValueError(f"not a worker module: {module}")
    if frozen():
        return [sys.executable, RUN_MODULE, module, *args]
    return [sys.executable, "-m", module, *args]


def cli_command(*args: str) -> list[str]:
    """The command line of ``aeon-studio ARGS`` for this install (``python -m aeon_studio`` from source)."""
    if frozen():
        return [sys.executable, *args]
    return [sys.executable, "-m", "aeon_studio", *args]


def run_worker(argv: list[str]) -> int:
    """``aeon-studio --run-worker MODULE ARGS…``: run the worker module's ``main(ARGS)``."""
    if not argv or argv[0] not in WORKERS:
        print(f"usage: aeon-studio {RUN_MODULE} {{{','.join(WORKERS)}}} ARGS…", file=sys.stderr)
        return 2
    module = importlib.import_module(argv[0])
    return int(module.main(list(argv[1:])) or 0)
