"""The ``aid`` command line: every core capability without the GUI.

Each area registers its sub-commands from its own module (``register(sub)``),
so areas can grow without touching this file.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from aid import __version__
from aid.errors import AidError

#: Modules under ``aid.cli`` that define ``register(subparsers)``.
COMMAND_MODULES = (
    "data_cmds",
    "zoo_cmds",
    "train_cmds",
    "assess_cmds",
    "export_cmds",
    "app_cmds",
)


def build_parser() -> argparse.ArgumentParser:
    """Parser with every sub-command that is installed."""
    parser = argparse.ArgumentParser(
        prog="aid", description="AID: deep learning image classification for scientists"
    )
    parser.add_argument("--version", action="version", version=f"aid {__version__}")
    parser.add_argument(
        "--selftest",
        action="store_true",
        help="train, assess and export a tiny demo model; print OK or what failed",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"aid.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"aid.cli.{name}":
                continue  # that area is not built yet
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``aid`` console script."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(args_list)
    if getattr(args, "selftest", False):
        from aid.selftest import main as selftest_main

        return selftest_main()
    handler = getattr(args, "handler", None)
    if handler is None:
        if "gui" in parser._subparsers._group_actions[0].choices:  # type: ignore[union-attr]
            return main(["gui", *args_list])
        parser.print_help()
        return 0
    try:
        return int(handler(args) or 0)
    except AidError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
