"""Write a model (with built-in normalisation) as a Keras 3 ``.keras`` file.

The file holds the wrapped model: input ``image`` (float32 pixels 0-255),
normalisation layer, the trained model, output ``scores``. It loads with plain
``keras.saving.load_model`` for ``none``, ``div255`` and ``zscore_train``
models; per-image z-score uses :class:`aid.export.wrap.PerImageStandardization`,
so import ``aid.export.wrap`` first (or pass it in ``custom_objects``).

AID's :class:`~aid.modelfile.meta.ModelMeta` is embedded in the zip (see
:func:`aid.modelfile.io.save_model`) with normalisation ``"none"``, because the
model now does it itself; so AID can load the exported file again and predict
correctly. The ``<file>.json`` beside it is the export sidecar of all formats.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import keras

from aid.modelfile.io import save_model
from aid.modelfile.meta import ModelMeta


def exported_meta(meta: ModelMeta) -> ModelMeta:
    """Metadata of the wrapped model: no external normalisation, provenance kept."""
    prep = replace(meta.preprocessing, normalization="none", mean=None, std=None)
    source = {**meta.source, "normalization_inside_model": meta.preprocessing.to_dict()}
    return replace(meta, preprocessing=prep, source=source)


def export_keras(wrapped: keras.Model, path: Path, *, meta: ModelMeta) -> None:
    """Save ``wrapped`` at ``path`` (ending in ``.keras``) with :func:`exported_meta`.

    :func:`~aid.modelfile.io.save_model` also writes ``<path>.json``; the
    export replaces it with its own sidecar.
    """
    save_model(wrapped, exported_meta(meta), path)
