"""``aid zoo list`` and ``aid zoo check``: inspect and test model-zoo entries."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from aid.errors import ZooLoadError

#: Number of classes every entry is checked with.
CHECK_CLASSES = 3


def register(subparsers: Any) -> None:
    """Add the ``zoo`` command with its ``list`` and ``check`` sub-commands."""
    zoo = subparsers.add_parser("zoo", help="list and check model architectures")
    zoo_sub = zoo.add_subparsers(dest="zoo_command", metavar="ACTION", required=True)

    listing = zoo_sub.add_parser("list", help="list the model architectures")
    listing.add_argument(
        "--long", action="store_true", help="also show family, minimum size, text"
    )
    listing.set_defaults(handler=list_command)

    check = zoo_sub.add_parser(
        "check", help="build every architecture (or those of FILE) to test it"
    )
    check.add_argument("file", nargs="?", help="a model file (.py) to check")
    check.set_defaults(handler=check_command)


def _print_load_errors(errors: list[ZooLoadError]) -> None:
    for error in errors:
        print(f"warning: {error}", file=sys.stderr)


def list_command(args: argparse.Namespace) -> int:
    """Print one architecture name per line (``--long``: with details)."""
    from aid import zoo_registry

    entries = zoo_registry.available()
    _print_load_errors(zoo_registry.zoo_errors())
    if not args.long:
        for name in zoo_registry.names():
            print(name)
        return 0
    print(f"# user model folder: {zoo_registry.user_models_dir()}")
    width = max((len(n) for n in entries), default=4)
    for name in zoo_registry.names():
        arch = entries[name]
        print(
            f"{name:<{width}}  {arch.family:<17}  min {arch.min_size:>3}px  "
            f"{arch.description}"
        )
    return 0


def check_architecture(arch: Any, num_classes: int = CHECK_CLASSES) -> list[str]:
    """Build ``arch`` at its minimum size with 1 and 3 channels; list the problems.

    Returns
    -------
    list of str
        One message per failed build; empty when the architecture is fine.
    """
    import keras

    from aid import zoo_registry

    problems = []
    for channels in (1, 3):
        shape = (arch.min_size, arch.min_size, channels)
        try:
            zoo_registry.build_model(arch.name, shape, num_classes)
        except Exception as exc:  # report any failure of a (user) builder
            problems.append(f"{shape}: {type(exc).__name__}: {exc}")
        finally:
            keras.backend.clear_session()  # keep memory flat over many models
    return problems


def check_command(args: argparse.Namespace) -> int:
    """Build the architectures and print OK or the failure for each."""
    from aid import zoo_registry

    if args.file:
        try:
            entries = zoo_registry.load_model_file(args.file)
        except ZooLoadError as exc:
            print(f"FAILED  {args.file}: {exc}")
            return 1
        if not entries:
            print(f"FAILED  {args.file}: no @architecture model found in the file")
            return 1
        failures = 0
    else:
        load_errors = zoo_registry.zoo_errors()
        for error in load_errors:
            print(f"FAILED  {error}")
        failures = len(load_errors)
        entries = [zoo_registry.get_architecture(n) for n in zoo_registry.names()]
    for arch in entries:
        problems = check_architecture(arch)
        failures += bool(problems)
        status = "FAILED" if problems else "OK    "
        print(f"{status}  {arch.name} (min {arch.min_size}px)", flush=True)
        for problem in problems:
            print(f"        {problem}")
    print(f"{len(entries) - failures} of {len(entries)} architectures OK")
    return 1 if failures else 0
