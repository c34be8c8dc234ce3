"""``aid export``: write a model as ONNX, SavedModel, TFLite or ``.keras``."""

from __future__ import annotations

import argparse

#: Kept here (not imported from aid.export.api) so ``aid --help`` stays fast.
FORMAT_CHOICES = ("onnx", "savedmodel", "tflite", "keras")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``export`` sub-command."""
    parser = subparsers.add_parser(
        "export",
        help="export a model with its normalisation built in",
        description=(
            "Export MODEL (an AID .keras file or a legacy AIDeveloper .model) so that "
            "it takes cropped images as 0-255 pixels. A JSON sidecar (OUT + '.json') "
            "says how to crop them."
        ),
    )
    parser.add_argument("model", metavar="MODEL", help="model file to export")
    parser.add_argument(
        "--format",
        dest="fmt",
        required=True,
        choices=FORMAT_CHOICES,
        help="export format",
    )
    parser.add_argument(
        "--out",
        required=True,
        metavar="PATH",
        help="output file (a new or empty folder for savedmodel)",
    )
    parser.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    """Export and print the written paths."""
    from aid.export.api import export_model

    result = export_model(args.model, args.fmt, args.out)
    print(f"model:   {result.path}")
    print(f"sidecar: {result.sidecar_path}")
    return 0
