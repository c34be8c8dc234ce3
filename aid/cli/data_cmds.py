"""``aid import`` and ``aid info``: image import and ``.rtdc`` summaries."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from aid.data.images import import_images
from aid.data.preprocess import INTERPOLATIONS
from aid.data.rtdc import rtdc_info


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``import`` and ``info`` sub-commands."""
    imp = sub.add_parser(
        "import", help="convert image folders or zips to one .rtdc per class"
    )
    imp.add_argument("src", nargs="+", help="folders (class = sub-folder) or zip files")
    imp.add_argument("--out", required=True, help="output folder for the .rtdc files")
    imp.add_argument(
        "--size", type=int, help="square image side in pixels (needed for mixed sizes)"
    )
    imp.add_argument(
        "--color", choices=("gray", "rgb"), help="colour mode (default: automatic)"
    )
    imp.add_argument(
        "--resize",
        choices=("crop", "resize"),
        default="crop",
        help="fit other sizes by centre crop/pad (default) or by resizing",
    )
    imp.add_argument(
        "--interpolation", choices=tuple(INTERPOLATIONS), default="lanczos"
    )
    imp.add_argument(
        "--overwrite", action="store_true", help="replace existing .rtdc files"
    )
    imp.add_argument("--json", action="store_true", help="print the result as JSON")
    imp.set_defaults(handler=run_import)

    info = sub.add_parser("info", help="events, image shape, features of .rtdc files")
    info.add_argument("files", nargs="+", help=".rtdc files")
    info.add_argument(
        "--json", action="store_true", help="print JSON (a list, one object per file)"
    )
    info.set_defaults(handler=run_info)


class _ProgressBar:
    """Plain-text progress on stderr, redrawn in place at most every 1 %."""

    def __init__(self, enabled: bool) -> None:
        self._enabled, self._last = enabled, -1

    def __call__(self, done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        if self._enabled and percent != self._last:
            self._last = percent
            bar = "#" * (percent // 4)
            print(
                f"\rimporting [{bar:<25}] {percent:3d}% {done}/{total}",
                end="",
                file=sys.stderr,
            )
            if done >= total:
                print(file=sys.stderr)


def run_import(args: argparse.Namespace) -> int:
    """Run ``aid import``."""
    result = import_images(
        args.src,
        args.out,
        size=args.size,
        color=args.color,
        resize=args.resize,
        interpolation=args.interpolation,
        overwrite=args.overwrite,
        progress=_ProgressBar(not args.json),
    )
    if args.json:
        print(
            json.dumps(
                {
                    "files": [str(p) for p in result.files],
                    "class_names": result.class_names,
                    "events": result.events,
                    "skipped": result.skipped,
                    "corrupt": result.corrupt,
                },
                indent=2,
            )
        )
        return 0
    for path, name, events in zip(
        result.files, result.class_names, result.events, strict=True
    ):
        print(f"{name}: {events} images -> {path}")
    for label, paths in (
        ("skipped (not an image)", result.skipped),
        ("corrupt (not decodable)", result.corrupt),
    ):
        if paths:
            print(f"{len(paths)} {label}:")
            print("\n".join(f"  {p}" for p in paths))
    return 0


def run_info(args: argparse.Namespace) -> int:
    """Run ``aid info``."""
    infos = [rtdc_info(path).to_dict() for path in args.files]
    if args.json:
        print(json.dumps(infos, indent=2))
        return 0
    for info in infos:
        print(_format_info(info))
    return 0


def _format_info(info: dict[str, Any]) -> str:
    shape = (
        "none"
        if info["image_shape"] is None
        else "x".join(map(str, info["image_shape"]))
    )
    features = ", ".join(info["features"]) or "none"
    return (
        f"{info['path']}\n  events: {info['events']}"
        f"\n  image: {shape} {info['image_dtype'] or ''}"
        f"\n  pixel size: {info['pixel_size']} um"
        f"\n  compression: {info['compression'] or 'none'}"
        f"\n  features: {features}"
    )
