"""Entry point: ``aeon-studio`` starts the desktop app; ``aeon-studio COMMAND`` runs the CLI."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        from .app.main import run_app

        return run_app()
    from .core.cli.main import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
