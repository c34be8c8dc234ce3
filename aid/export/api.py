"""Export a trained model to ONNX, TF SavedModel, TFLite or ``.keras``.

Every export puts the app's normalisation inside the model
(:func:`aid.export.wrap.with_normalization`), checks that the result predicts
as the app does, writes the file (or folder) and a JSON sidecar saying how to
crop and feed images (:mod:`aid.export.sidecar`). Files are written next to
the destination first and moved into place at the end, so a failed export
leaves an existing file untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import keras

from aid.errors import AidError, ExportError
from aid.export.keras_format import export_keras
from aid.export.onnx import export_onnx
from aid.export.savedmodel import SIGNATURE, export_savedmodel
from aid.export.sidecar import describe_export, sidecar_path, write_sidecar
from aid.export.tflite import export_tflite
from aid.export.wrap import INPUT_NAME, OUTPUT_NAME, check_parity, with_normalization

if TYPE_CHECKING:
    from aid.modelfile.io import LoadedModel

#: Formats :func:`export_model` writes.
FORMATS: tuple[str, ...] = ("onnx", "savedmodel", "tflite", "keras")
#: Usual file name ending of each format ("" for the SavedModel folder).
SUFFIXES: dict[str, str] = {
    "onnx": ".onnx",
    "savedmodel": "",
    "tflite": ".tflite",
    "keras": ".keras",
}
# ".keras" also needs the metadata: export_model binds it
_WRITERS: dict[str, Callable[[keras.Model, Path], None]] = {
    "onnx": export_onnx,
    "savedmodel": export_savedmodel,
    "tflite": export_tflite,
}
#: Packages whose versions the sidecar records for each format.
_PACKAGES: dict[str, tuple[str, ...]] = {
    "onnx": ("tf2onnx", "onnx"),
    "savedmodel": (),
    "tflite": (),
    "keras": (),
}


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export_model` wrote.

    Parameters
    ----------
    path
        The exported model file (a folder for ``savedmodel``).
    sidecar_path
        Its JSON description (``path`` with ``.json`` appended).
    fmt
        The format name.
    """

    path: Path
    sidecar_path: Path
    fmt: str


def export_model(
    source: str | Path | LoadedModel, fmt: str, out: str | Path
) -> ExportResult:
    """Export a model with its normalisation built in, plus a JSON sidecar.

    Parameters
    ----------
    source
        A model path (AID ``.keras`` with its sidecar, or a legacy AIDeveloper
        ``.model`` with its ``_meta.xlsx``) or an already loaded model.
    fmt
        One of :data:`FORMATS`.
    out
        Destination file (a folder for ``savedmodel``; new or empty).

    Returns
    -------
    ExportResult
        Paths of the model and its sidecar.

    Raises
    ------
    ExportError
        Unknown format, unusable destination, metadata that does not fit the
        model, or a failed conversion.
    ModelLoadError
        ``source`` cannot be loaded.
    """
    if fmt not in FORMATS:
        raise ExportError(
            f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}"
        )
    out = Path(out).expanduser().absolute()
    check_destination(out, fmt)
    loaded = _load(source)
    prep = loaded.meta.preprocessing
    wrapped = with_normalization(loaded.model, prep)
    check_parity(loaded.model, wrapped, prep)
    write = partial(export_keras, meta=loaded.meta) if fmt == "keras" else _WRITERS[fmt]
    _write_atomically(out, lambda staged: write(wrapped, staged))
    description: dict[str, Any] = describe_export(
        loaded.meta,
        fmt=fmt,
        input_name=INPUT_NAME,
        output_name=OUTPUT_NAME,
        packages=_PACKAGES[fmt],
    )
    if fmt in ("savedmodel", "tflite"):
        description["signature"] = SIGNATURE
    description["source_model"] = str(getattr(loaded, "path", ""))
    try:
        sidecar = write_sidecar(out, description)
    except OSError as exc:
        raise ExportError(f"cannot write the sidecar of {out}: {exc}") from exc
    return ExportResult(out, sidecar, fmt)


def check_destination(out: Path, fmt: str) -> None:
    """Raise :class:`ExportError` unless ``out`` can receive a ``fmt`` export."""
    if out.is_dir():
        if fmt != "savedmodel":
            example = out / f"model{SUFFIXES[fmt]}"
            raise ExportError(f"{out} is a folder; give a file name such as {example}")
        if any(out.iterdir()):
            raise ExportError(
                f"{out} is a folder that is not empty; choose a new or empty one"
            )
    elif out.exists() and fmt == "savedmodel":
        raise ExportError(f"{out} is a file; a SavedModel is written as a new folder")
    if fmt == "keras" and out.suffix != ".keras":
        raise ExportError(f"a Keras model file must end in .keras, got {out.name!r}")
    if sidecar_path(out).is_dir():
        raise ExportError(f"the sidecar {sidecar_path(out)} would replace a folder")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out.parent):
            pass
    except OSError as exc:
        raise ExportError(
            f"cannot write to {out.parent}: {exc.strerror or exc}"
        ) from exc


def _load(source: str | Path | LoadedModel) -> LoadedModel:
    if isinstance(source, (str, Path)):
        from aid.modelfile.io import load_model

        return load_model(source)
    return source


def _write_atomically(out: Path, write: Callable[[Path], None]) -> None:
    """Run ``write`` on a staging path beside ``out``, then move it to ``out``."""
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        staged = staging / out.name
        try:
            write(staged)
        except AidError:
            raise
        except Exception as exc:  # converters fail with many exception types
            raise ExportError(f"writing {out.name} failed: {exc}") from exc
        if out.is_dir():
            out.rmdir()  # empty (checked); Windows cannot replace a folder
        os.replace(staged, out)
    except OSError as exc:
        raise ExportError(f"cannot write {out}: {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
