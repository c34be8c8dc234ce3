"""Write Keras 3 models as ``.model``/``.arch`` files AIDeveloper (Keras 2) can read.

Keras 3 saves HDF5 only under a ``.h5`` name and writes a ``model_config``
that Keras 2 rejects (``batch_shape``, dtype-policy objects, extra keys). The
config is therefore downgraded (``aideveloper-files.md`` §2 "Writing .model
files AIDeveloper can read"); ``tf_keras`` then loads the file with identical
outputs. AIDeveloper also reads the class count from the second-to-last
layer's ``units``: see :func:`aid_compatibility_problems`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import h5py
import keras
from absl import logging as absl_logging

from aid.errors import ExportError
from aid.modelfile.atomic import atomic_target

#: Keras 3 config keys Keras 2 does not know.
DROPPED_KEYS = frozenset(
    {
        "module",
        "registered_name",
        "build_config",
        "compile_config",
        "optional",
        "input_axes",
        "output_axes",
        "quantization_config",
    }
)


def downgrade_config(node: Any) -> Any:
    """Return a Keras 3 config rewritten for Keras 2 (recursive, input unchanged).

    ``batch_shape`` -> ``batch_input_shape``, dtype policies -> their dtype
    name, and Keras-3-only keys (``module``, ``build_config``, ``lora_*``, ...)
    removed.
    """
    if isinstance(node, list):
        return [downgrade_config(v) for v in node]
    if not isinstance(node, dict):
        return node
    if node.get("class_name") == "DTypePolicy" and isinstance(node.get("config"), dict):
        return node["config"].get("name", "float32")
    out = {}
    for key, value in node.items():
        if key in DROPPED_KEYS or key.startswith("lora_"):
            continue
        if key == "inbound_nodes":
            value = [_keras2_node(n) if isinstance(n, dict) else n for n in value]
        elif (
            key in ("input_layers", "output_layers")
            and value
            and isinstance(value[0], str)
        ):
            value = [value]  # Keras 3 flattens a single input/output
        out["batch_input_shape" if key == "batch_shape" else key] = downgrade_config(
            value
        )
    return out


def _keras2_node(node: dict[str, Any]) -> list[list[Any]]:
    """Convert a Keras 3 call record ``{"args", "kwargs"}`` to Keras 2's form.

    Keras 2 lists ``[layer, node_index, tensor_index, kwargs]`` per input tensor.
    """
    kwargs = downgrade_config(node.get("kwargs", {}))
    return [[*history, kwargs] for history in _tensor_histories(node.get("args", ()))]


def _tensor_histories(args: Any) -> list[list[Any]]:
    """``keras_history`` of every Keras tensor in ``args``, in call order."""
    if isinstance(args, dict) and args.get("class_name") == "__keras_tensor__":
        return [list(args["config"]["keras_history"])]
    if isinstance(args, (list, tuple)):
        return [h for item in args for h in _tensor_histories(item)]
    return []


def keras2_model_config(model: keras.Model) -> dict[str, Any]:
    """``{"class_name", "config"}`` of ``model`` in Keras 2 form."""
    return {
        "class_name": type(model).__name__
        if isinstance(model, keras.Sequential)
        else "Model",
        "config": downgrade_config(model.get_config()),
    }


def aid_compatibility_problems(model: keras.Model) -> list[str]:
    """Why AIDeveloper could not use ``model`` (empty when it can).

    AIDeveloper reads the input size from the first layer and the class count
    from the second-to-last layer, so the model needs a single square image
    input and must end in ``Dense(n)`` + ``Activation('softmax')``.
    """
    problems = []
    shape = tuple(model.input_shape) if not isinstance(model.input_shape, list) else ()
    if len(shape) != 4 or shape[1] != shape[2] or shape[3] not in (1, 3):
        problems.append(
            f"input must be one square image (None,S,S,1|3), got {model.input_shape}"
        )
    layers = model.layers
    if len(layers) < 2 or not isinstance(layers[-2], keras.layers.Dense):
        problems.append("the second-to-last layer must be Dense(number of classes)")
    last = layers[-1] if layers else None
    if not (
        isinstance(last, keras.layers.Activation)
        and getattr(last.activation, "__name__", "") == "softmax"
    ):
        problems.append("the last layer must be a separate Activation('softmax')")
    return problems


def save_aid_model(model: keras.Model, path: str | Path) -> Path:
    """Save ``model`` as a Keras-2 HDF5 ``.model`` file (any suffix) atomically.

    No optimizer state and no ``training_config`` are written; AIDeveloper
    compiles the model itself.

    Raises
    ------
    ExportError
        If Keras cannot save the model as HDF5 or the target is not writable.
    """
    path = Path(path)
    with atomic_target(path, ".h5") as tmp:
        try:
            with _quiet_absl():  # the "HDF5 is legacy" notice is expected here
                model.save(tmp, include_optimizer=False)
        except (ValueError, TypeError, NotImplementedError) as exc:
            raise ExportError(f"cannot save this model as HDF5 ({exc})") from exc
        with h5py.File(tmp, "r+") as h5:
            h5.attrs["model_config"] = json.dumps(keras2_model_config(model))
            if "training_config" in h5.attrs:
                del h5.attrs["training_config"]
    return path


@contextmanager
def _quiet_absl() -> Iterator[None]:
    verbosity = absl_logging.get_verbosity()
    absl_logging.set_verbosity(absl_logging.ERROR)
    try:
        yield
    finally:
        absl_logging.set_verbosity(verbosity)


def write_arch(model: keras.Model, path: str | Path) -> Path:
    """Write ``model``'s architecture as an AIDeveloper ``.arch`` JSON file."""
    path = Path(path)
    config = keras2_model_config(model)
    config.update(keras_version=keras.__version__, backend=keras.backend.backend())
    try:
        path.write_text(json.dumps(config), encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"{path}: cannot write architecture file ({exc})") from exc
    return path
