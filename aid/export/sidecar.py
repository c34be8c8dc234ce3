"""The JSON file written next to every exported model: how to feed it.

For an export to ``model.onnx`` the sidecar is ``model.onnx.json`` (for a
SavedModel folder ``model/`` it is ``model.json``). It tells a user, or a
script such as ``examples/deploy_onnx.py``, everything needed to get the same
predictions as AID:

``classes``
    Class names in output order; the output ``scores`` are softmax probabilities.
``input_name``, ``input_shape``, ``input_dtype``, ``input_layout``
    The input tensor: ``(N, H, W, C)`` float32 with raw pixel values 0-255.
``color_mode``, ``color_conversion``
    ``gray`` (C = 1) or ``rgb`` (C = 3). RGB images become gray as
    ``0.21 R + 0.72 G + 0.07 B`` (float64, summed left to right) truncated to
    uint8; gray images become RGB by repeating the channel.
``crop``
    A square ``size`` x ``size`` window centred on the object: centre in pixels
    is ``pos / pixel size`` (the image centre for plain image files), the
    window's top-left corner ``round(centre - size / 2)`` (round half to even);
    pixels outside the image are filled by ``padding`` (NumPy ``np.pad`` mode
    names). If a measurement's zoom factor is not 1, resize the image by it
    first with ``zoom_interpolation`` and scale the centre too.
``normalization``, ``inside_model``
    The normalisation AID used (name, training mean/std, std floor). It is
    built into the exported model (``inside_model: true``): do **not**
    normalise again, feed the cropped pixels as they are.
``software``
    Versions of the programs that wrote the model.
"""

from __future__ import annotations

import json
import os
from importlib import metadata
from pathlib import Path
from typing import Any

from aid import __version__
from aid.data.preprocess import GRAY_WEIGHTS, MIN_STD
from aid.modelfile.meta import ModelMeta

SIDECAR_SCHEMA_VERSION = 1
#: How the crop centre is found; shown to users as is.
CROP_METHOD = "centre crop around pos / pixel size"


def sidecar_path(out: str | Path) -> Path:
    """Sidecar of an export to ``out``: ``out`` with ``.json`` appended."""
    out = Path(out)
    return out.with_name(out.name + ".json")


def software_versions(*packages: str) -> dict[str, str]:
    """Versions of AID and of the installed ``packages`` (missing ones skipped)."""
    versions = {"aid": __version__}
    for name in ("keras", "tensorflow", *packages):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def describe_export(
    meta: ModelMeta,
    *,
    fmt: str,
    input_name: str,
    output_name: str,
    packages: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Build the sidecar dictionary for a model exported with built-in normalisation.

    Parameters
    ----------
    meta
        Metadata of the exported model (classes, preprocessing).
    fmt
        Export format name.
    input_name, output_name
        Tensor names in the exported file.
    packages
        Extra packages whose versions matter for this format (e.g. ``tf2onnx``).
    """
    prep = meta.preprocessing
    return {
        "schema_version": SIDECAR_SCHEMA_VERSION,
        "format": fmt,
        "classes": list(meta.class_names),
        "input_name": input_name,
        "input_shape": list(prep.input_shape),
        "input_dtype": "float32",
        "input_layout": "NHWC",
        "input_range": [0, 255],
        "output_name": output_name,
        "output": "softmax probability of each class, in the order of 'classes'",
        "color_mode": prep.color_mode,
        "color_conversion": {
            "rgb_to_gray_weights": list(GRAY_WEIGHTS),
            "rgb_to_gray_rounding": "w0*R + w1*G + w2*B in float64, left to right, "
            "truncated to uint8",
            "gray_to_rgb": "repeat the channel 3 times",
        },
        "crop": {
            "method": CROP_METHOD,
            "size": prep.input_size,
            "corner": "round(centre - size / 2), round half to even",
            "padding": prep.padding,
            "zoom_interpolation": prep.zoom_interpolation,
        },
        "normalization": {
            "name": prep.normalization,
            "mean": prep.mean,
            "std": prep.std,
            "min_std": MIN_STD,
        },
        "inside_model": True,
        "model": {"zoo_name": meta.zoo_name, "epoch": meta.epoch},
        "software": software_versions(*packages),
    }


def write_sidecar(out: str | Path, description: dict[str, Any]) -> Path:
    """Write ``description`` to :func:`sidecar_path` of ``out`` (atomically)."""
    path = sidecar_path(out)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(description, indent=2), encoding="utf-8")
    os.replace(tmp, path)
    return path


def read_sidecar(out: str | Path) -> dict[str, Any]:
    """Read the sidecar of an export to ``out``."""
    return json.loads(sidecar_path(out).read_text(encoding="utf-8"))
