"""Write a model (with built-in normalisation) as a float32 TFLite flatbuffer.

Converted from a temporary SavedModel without quantisation, so predictions
match the app. The flatbuffer's signature ``serving_default`` has the input
``image`` and the output ``scores``; the input's batch size is dynamic
(``resize_tensor_input`` before ``allocate_tensors`` for batches > 1).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import keras
import tensorflow as tf

from aid.export.savedmodel import export_savedmodel


def export_tflite(wrapped: keras.Model, path: Path) -> None:
    """Write ``wrapped`` as a ``.tflite`` file at ``path``."""
    with tempfile.TemporaryDirectory(prefix="aid-tflite-") as tmp:
        saved = Path(tmp) / "savedmodel"
        export_savedmodel(wrapped, saved)
        converter = tf.lite.TFLiteConverter.from_saved_model(str(saved))
        flatbuffer = converter.convert()
    path.write_bytes(flatbuffer)
