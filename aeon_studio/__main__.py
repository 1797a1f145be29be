"""Entry point: ``aeon-studio`` starts the desktop app; ``aeon-studio COMMAND`` runs the CLI."""

from __future__ import annotations

import sys

from aeon_studio.core.processes import RUN_MODULE, run_worker


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == RUN_MODULE:  # a worker process of the app (see core/processes.py)
        return run_worker(argv[1:])
    if not argv:
        from aeon_studio.app.main import run_app

        return run_app()
    from aeon_studio.core.cli.main import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
