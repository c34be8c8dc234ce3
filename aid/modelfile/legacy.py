"""Load AIDeveloper's Keras 2 ``.model``/``.h5`` and ``.arch`` files with Keras 3.

Keras 3 cannot read the Keras 2.2 ``model_config`` directly (the old
Sequential form stores its layers as a bare list and the first layer carries
``batch_input_shape``). Rewriting that JSON into the newer form, in a temporary
``.h5`` copy, is enough: the weights then load layer by layer and predictions
equal those of ``tf_keras`` (``aideveloper-files.md`` §2).
Keras is imported only by the loaders, so the config helpers stay light.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import h5py

from aid.errors import ModelLoadError

if TYPE_CHECKING:
    import keras

#: ``<name>_<epoch>`` as in ``M01_AutoCat_128``.
CHECKPOINT_NAME = re.compile(r"^(?P<name>.+)_(?P<epoch>\d+)$")


def split_checkpoint_name(stem: str) -> tuple[str, int]:
    """Split ``"M01_AutoCat_128"`` into ``("M01_AutoCat", 128)``.

    A stem without an epoch suffix gives ``(stem, -1)``.
    """
    match = CHECKPOINT_NAME.match(stem)
    if match is None:
        return stem, -1
    return match["name"], int(match["epoch"])


def upgrade_config(config: dict[str, Any]) -> dict[str, Any]:
    """Rewrite a Keras 2 ``model_config`` into a form Keras 3 accepts.

    The old Sequential list becomes ``{"name": ..., "layers": [...]}``; a first
    layer with ``batch_input_shape`` gets a prepended ``InputLayer`` with
    ``batch_shape``; every ``InputLayer`` get ``batch_shape`` too. The
    input is not modified.
    """
    config = copy.deepcopy(config)
    _upgrade_input_layers(config)
    if config.get("class_name") != "Sequential":
        return config
    inner = config.get("config")
    if isinstance(inner, list):
        inner = {"name": "sequential", "layers": inner}
    layers = inner.get("layers", [])
    if layers and layers[0].get("class_name") != "InputLayer":
        first = layers[0].get("config", {})
        shape = first.pop("batch_input_shape", None)
        if shape is not None:
            input_layer = {
                "class_name": "InputLayer",
                "config": {
                    "batch_shape": shape,
                    "dtype": first.get("dtype", "float32"),
                    "name": f"{inner['name']}_input",
                },
            }
            layers.insert(0, input_layer)
    config["config"] = inner
    return config


def _upgrade_input_layers(node: Any) -> None:
    """Rename ``batch_input_shape`` to ``batch_shape`` in all InputLayers (in place)."""
    if isinstance(node, dict):
        if node.get("class_name") == "InputLayer" and isinstance(
            node.get("config"), dict
        ):
            layer = node["config"]
            if "batch_input_shape" in layer:
                layer["batch_shape"] = layer.pop("batch_input_shape")
        for value in node.values():
            _upgrade_input_layers(value)
    elif isinstance(node, list):
        for value in node:
            _upgrade_input_layers(value)


def model_config_of(path: str | Path) -> dict[str, Any]:
    """Read the ``model_config`` JSON stored in a Keras HDF5 model file.

    Raises
    ------
    ModelLoadError
        If the file is missing, not HDF5, or holds weights only.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelLoadError(f"{path}: model file not found")
    try:
        with h5py.File(path, "r") as h5:
            raw = h5.attrs.get("model_config")
    except OSError as exc:
        raise ModelLoadError(f"{path}: not a readable HDF5 model file ({exc})") from exc
    if raw is None:
        raise ModelLoadError(
            f"{path}: no model architecture stored (a weights-only file?)"
        )
    try:
        return json.loads(raw.decode() if isinstance(raw, bytes) else raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelLoadError(f"{path}: model_config is not valid JSON ({exc})") from exc


def load_legacy_model(path: str | Path) -> keras.Model:
    """Load a Keras 2 HDF5 model (AIDeveloper ``.model``, any ``.h5``) with Keras 3.

    The file itself is never changed: a temporary ``.h5`` copy gets the
    upgraded ``model_config``. The model is returned uncompiled.

    Raises
    ------
    ModelLoadError
        If the file cannot be read or Keras cannot rebuild the model.
    """
    import keras

    path = Path(path)
    config = upgrade_config(model_config_of(path))
    with tempfile.TemporaryDirectory(prefix="aid-legacy-") as tmp:
        copy_path = Path(tmp) / "model.h5"
        shutil.copyfile(path, copy_path)
        with h5py.File(copy_path, "r+") as h5:
            h5.attrs["model_config"] = json.dumps(config)
        try:
            return keras.models.load_model(copy_path, compile=False)
        except (ValueError, TypeError, KeyError, OSError) as exc:
            raise ModelLoadError(
                f"{path}: Keras cannot rebuild this model ({exc})"
            ) from exc


def load_arch(path: str | Path) -> keras.Model:
    """Build the (untrained) model described by an AIDeveloper ``.arch`` JSON file.

    Raises
    ------
    ModelLoadError
        If the file is missing, not JSON or not a Keras model description.
    """
    import keras

    path = Path(path)
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelLoadError(f"{path}: architecture file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"{path}: not a JSON architecture file ({exc})") from exc
    if not isinstance(config, dict) or "config" not in config:
        raise ModelLoadError(f"{path}: not a Keras model architecture")
    config = upgrade_config(config)
    model_class = (
        keras.Sequential if config.get("class_name") == "Sequential" else keras.Model
    )
    try:
        return model_class.from_config(config["config"])
    except (ValueError, TypeError, KeyError) as exc:
        raise ModelLoadError(
            f"{path}: Keras cannot rebuild this architecture ({exc})"
        ) from exc
