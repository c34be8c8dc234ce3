"""``aid gui [FILES...]``: start the desktop application (also the default command).

The GUI package is imported only when the command runs, so the CLI and the
core never load Qt otherwise.
"""

from __future__ import annotations

import argparse
import importlib


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``gui`` sub-command."""
    parser = subparsers.add_parser(
        "gui",
        help="start the desktop application (default without a command)",
        description="Open AID's window. Files, folders or zips given here are added to "
        "the data table; without data the window offers a demo dataset.",
    )
    parser.add_argument(
        "files", nargs="*", help=".rtdc files, image folders or zips to load"
    )
    parser.set_defaults(handler=run_gui)


def run_gui(args: argparse.Namespace) -> int:
    """Show the window until it is closed (handler of ``aid gui``)."""
    app = importlib.import_module("aid.gui.app")
    return int(app.main(args.files))
