"""Save and load models together with their :class:`ModelMeta`.

AID saves ``.keras`` files whose metadata travels twice: embedded in the zip
as ``aid_meta.json`` (always in step with the weights) and as a sidecar
``<file>.keras.json`` that tools can read without opening the model. Legacy
AIDeveloper ``.model``/``.h5`` files take their metadata from the
``<name>_meta.xlsx`` beside them. Keras is imported only when a model is
actually built, so :func:`read_meta` stays fast for the GUI.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import h5py

from aid.data.preprocess import Preprocessing
from aid.errors import ExportError, ModelLoadError
from aid.modelfile.atomic import atomic_target
from aid.modelfile.legacy import split_checkpoint_name
from aid.modelfile.meta import ModelMeta

if TYPE_CHECKING:
    import keras

#: Name of the metadata entry inside a ``.keras`` zip.
EMBEDDED_META = "aid_meta.json"
KERAS_SUFFIX = ".keras"
LEGACY_SUFFIXES = (".model", ".h5", ".hdf5")


@dataclass(frozen=True)
class LoadedModel:
    """A model with its metadata, as :func:`load_model` returns it."""

    model: keras.Model
    meta: ModelMeta
    path: Path
    legacy: bool


def sidecar_path(path: str | Path) -> Path:
    """Return the JSON sidecar of a model: ``M_3.keras`` -> ``M_3.keras.json``."""
    path = Path(path)
    return path.with_name(path.name + ".json")


def legacy_meta_path(path: str | Path) -> Path:
    """Return the AIDeveloper meta file of a checkpoint.

    ``M01_AutoCat_128.model`` -> ``M01_AutoCat_meta.xlsx``.
    """
    path = Path(path)
    name, _ = split_checkpoint_name(path.stem)
    return path.with_name(f"{name}_meta.xlsx")


def save_model(model: keras.Model, meta: ModelMeta, path: str | Path) -> Path:
    """Save ``model`` as ``.keras`` with ``meta`` embedded and as a sidecar.

    The model is written to a temporary file in the same folder, completed,
    flushed and then renamed over ``path``, so an interrupted save never leaves
    a broken file under the final name.

    Raises
    ------
    ExportError
        If ``path`` does not end in ``.keras``, the class count does not match
        the model's output, or the file cannot be written. An existing file
        at ``path`` is then left as it was.
    """
    path = Path(path)
    if path.suffix != KERAS_SUFFIX:
        raise ExportError(f"{path}: models are saved as {KERAS_SUFFIX} files")
    outputs = _output_units(model)
    if outputs is not None and outputs != meta.num_classes:
        raise ExportError(
            f"metadata names {meta.num_classes} classes "
            f"but the model has {outputs} outputs"
        )
    with atomic_target(path, KERAS_SUFFIX) as tmp:
        try:
            model.save(tmp)
        except (ValueError, TypeError, NotImplementedError) as exc:
            raise ExportError(f"{path}: Keras cannot save this model ({exc})") from exc
        with zipfile.ZipFile(tmp, "a") as archive:
            archive.writestr(EMBEDDED_META, json.dumps(meta.to_dict(), indent=2))
    try:
        meta.write_json(sidecar_path(path))
    except OSError as exc:
        raise ExportError(
            f"{sidecar_path(path)}: cannot write metadata ({exc})"
        ) from exc
    return path


def load_model(
    path: str | Path, *, meta_path: str | Path | None = None, compile: bool = False
) -> LoadedModel:
    """Load a ``.keras`` or legacy ``.model``/``.h5`` model with its metadata.

    Metadata comes from ``meta_path`` (``.json`` or AIDeveloper ``.xlsx``) when
    given, else from the model file's own record (embedded entry, sidecar, or
    ``<name>_meta.xlsx``), else it is assumed from the model: input size and
    channels, numbered classes, ``div255``; then ``meta.source["assumed"]`` is
    True. ``compile`` applies to ``.keras`` files; legacy models load
    uncompiled.

    Raises
    ------
    ModelLoadError
        If the file is missing or not a model, is corrupt, or its metadata does
        not fit the model.
    """
    path = Path(path)
    kind = _model_kind(path)
    if kind == "keras":
        model = _load_keras(path, compile)
    else:
        from aid.modelfile.legacy import load_legacy_model

        model = load_legacy_model(path)
    meta = _read_meta(path, kind, meta_path) or assumed_meta(model, path)
    outputs = _output_units(model)
    if outputs is not None and outputs != meta.num_classes:
        raise ModelLoadError(
            f"{path}: the metadata names {meta.num_classes} classes but the model has "
            f"{outputs} outputs; is it the right meta file?"
        )
    return LoadedModel(model=model, meta=meta, path=path, legacy=kind == "legacy")


def read_meta(path: str | Path, *, meta_path: str | Path | None = None) -> ModelMeta:
    """Metadata of a model file without building the model when it is recorded.

    Only when no metadata exists is the model loaded to assume it.

    Raises
    ------
    ModelLoadError
        As :func:`load_model`.
    """
    path = Path(path)
    meta = _read_meta(path, _model_kind(path), meta_path)
    return meta if meta is not None else load_model(path).meta


def assumed_meta(model: keras.Model, path: Path) -> ModelMeta:
    """Metadata guessed from a model alone (numbered classes, ``div255``)."""
    shape = model.input_shape
    if isinstance(shape, list) or len(shape) != 4 or shape[-1] not in (1, 3):
        raise ModelLoadError(
            f"{path}: input {shape} is not one image (N,H,W,1|3); "
            "AID cannot feed this model"
        )
    outputs = _output_units(model) or 0
    prep = Preprocessing(
        input_size=int(shape[1]),
        color_mode="gray" if shape[-1] == 1 else "rgb",
        normalization="div255",
    )
    _, epoch = split_checkpoint_name(path.stem)
    return ModelMeta(
        class_names=tuple(str(i) for i in range(outputs)),
        preprocessing=prep,
        epoch=epoch,
        source={"assumed": True, "model_file": str(path)},
    )


def _model_kind(path: Path) -> str:
    """Tell ``"keras"`` (zip) from ``"legacy"`` (HDF5) by content; else raise."""
    if not path.is_file():
        raise ModelLoadError(f"{path}: model file not found")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            if "config.json" not in archive.namelist():  # e.g. .xlsx, .docx
                raise ModelLoadError(
                    f"{path}: a zip archive but not a Keras model "
                    "(expected .keras, or .model/.h5 HDF5)"
                )
        return "keras"
    if h5py.is_hdf5(path):
        return "legacy"
    if path.suffix == KERAS_SUFFIX:
        raise ModelLoadError(
            f"{path}: not a valid .keras file (corrupt or truncated zip)"
        )
    raise ModelLoadError(
        f"{path}: not a model file (expected .keras, or .model/.h5 HDF5)"
    )


def _load_keras(path: Path, compile: bool) -> keras.Model:
    import keras

    import aid.modelfile.layers  # noqa: F401  (registers AID's custom layers)

    try:
        # Keras picks the loader by suffix; a renamed zip still is a .keras file
        if path.suffix != KERAS_SUFFIX:
            with tempfile.TemporaryDirectory(prefix="aid-model-") as tmp:
                copy = Path(tmp) / f"model{KERAS_SUFFIX}"
                copy.write_bytes(path.read_bytes())
                return keras.saving.load_model(copy, compile=compile)
        return keras.saving.load_model(path, compile=compile)
    except (ValueError, TypeError, KeyError, OSError, zipfile.BadZipFile) as exc:
        raise ModelLoadError(f"{path}: Keras cannot load this model ({exc})") from exc


def _read_meta(path: Path, kind: str, meta_path: str | Path | None) -> ModelMeta | None:
    """Return the recorded metadata of ``path`` (``None`` when there is none)."""
    if meta_path is not None:
        return _read_meta_file(Path(meta_path), path)
    if kind == "keras":
        embedded = _embedded_meta(path)
        if embedded is not None:
            return embedded
    for candidate in (sidecar_path(path), legacy_meta_path(path)):
        if candidate.is_file():
            return _read_meta_file(candidate, path)
    return None


def _read_meta_file(meta_file: Path, model_path: Path) -> ModelMeta:
    if meta_file.suffix.lower() == ".xlsx":
        from aid.modelfile.meta_xlsx import read_aid_meta

        return read_aid_meta(meta_file).to_model_meta(
            split_checkpoint_name(model_path.stem)[1]
        )
    if not meta_file.is_file():
        raise ModelLoadError(f"{meta_file}: metadata file not found")
    return ModelMeta.read_json(meta_file)


def _embedded_meta(path: Path) -> ModelMeta | None:
    try:
        with zipfile.ZipFile(path) as archive:
            if EMBEDDED_META not in archive.namelist():
                return None
            raw = archive.read(EMBEDDED_META)
        return ModelMeta.from_dict(json.loads(raw))
    except (
        zipfile.BadZipFile,
        OSError,
        UnicodeDecodeError,
        json.JSONDecodeError,
    ) as exc:
        raise ModelLoadError(
            f"{path}: embedded metadata is unreadable ({exc})"
        ) from exc


def _output_units(model: keras.Model) -> int | None:
    """Size of the model's single output vector (``None`` for other outputs)."""
    shape = model.output_shape
    if isinstance(shape, list) or len(shape) != 2 or shape[-1] is None:
        return None
    return int(shape[-1])
