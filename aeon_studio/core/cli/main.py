"""``aeon-studio <command>``: the headless CLI. It only parses and prints; the work is in the core."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from ... import __version__
from ..errors import AeonError
from ..i18n import _

#: One module per command group; each defines ``register(subparsers)``.
COMMAND_MODULES = [
    "chat",
    "ratings",
    "personas",
    "models",
    "adapters",
    "export",
    "train",
    "retrain",
    "dataset",
    "memory",
    "golden",
    "evaluate",
    "arena",
    "stats",
    "schedule",
    "domains",
    "settings",
]


def build_parser() -> argparse.ArgumentParser:
    from .argparse_i18n import install

    install()  # "uso:", "opções" and argparse's errors in pt_BR, not English around our Portuguese help
    parser = argparse.ArgumentParser(
        prog="aeon-studio",
        description=_("Aeon Studio: chat with your local assistant, rate it, build datasets, retrain it. "
                      "Without a command the desktop app starts."),
    )
    parser.add_argument("--version", action="version", version=f"aeon-studio {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help=_("log debug messages to stderr"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__package__}.{name}").register(sub)
    return parser


def setup_logging(verbose: bool = False) -> None:
    from ..settings import get_settings

    handlers: list[logging.Handler] = []
    try:
        logs = get_settings().logs_dir
        logs.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(logs / "aeon-studio.log", encoding="utf-8"))
    except OSError:
        pass
    if verbose:
        handlers.append(logging.StreamHandler(sys.stderr))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=handlers or None,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)


def print_error(err: AeonError | str) -> None:
    print(_("error: {message}").format(message=err), file=sys.stderr)


#: Exit status after the reader of our output went away (``… | head``): 128 + SIGPIPE, what a shell reports
#: for a program that SIGPIPE ended, as ``cat``/``grep`` would.
EXIT_BROKEN_PIPE = 141


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so that nothing more is written to the closed pipe, not even the interpreter's
    flush at exit (the recipe of the Python docs for SIGPIPE, ``signal`` module)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no file descriptor behind stdout (tests): nothing will be flushed anyway
        pass


def main(argv: list[str] | None = None) -> int:
    """Run one CLI command; the exit status. Every command ends quietly when stdout is a pipe that closed
    early (``aeon-studio dataset import … --preview | head -1``)."""
    try:
        try:
            status = _main(argv)
        except SystemExit:  # --help, --version, a usage error: their text may be waiting in the buffer too
            sys.stdout.flush()
            raise
        sys.stdout.flush()  # here, not at the interpreter's exit: a closed pipe shows up while we can handle it
        return status
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_BROKEN_PIPE


def _main(argv: list[str] | None) -> int:
    from ..home import apply_language_setting

    apply_language_setting()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    setup_logging(args.verbose)
    try:
        from ..home import prepare_home

        prepare_home()
        return int(args.func(args) or 0)
    except AeonError as err:
        logging.getLogger("aeon_studio.cli").info("command failed: %s", err)
        print_error(err)
        return 2
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
