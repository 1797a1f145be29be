"""``aeon-studio <command>``: the headless CLI. It only parses and prints; the work is in the core."""

from __future__ import annotations

import argparse
import importlib
import logging
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
]


def build_parser() -> argparse.ArgumentParser:
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


def main(argv: list[str] | None = None) -> int:
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
