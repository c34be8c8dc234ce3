"""Custom Keras layers that saved AID models may contain.

Importing this module registers them with Keras, so :func:`aid.modelfile.io.load_model`
imports it before loading any ``.keras`` file. Backend-agnostic (``keras.ops`` only).
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from aid.data.preprocess import MIN_STD


@keras.saving.register_keras_serializable(package="aid")
class PerImageStandardization(keras.layers.Layer):
    """Z-score each image by its own mean and std (std floored at ``min_std``)."""

    def __init__(self, min_std: float = MIN_STD, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.min_std = float(min_std)

    def call(self, inputs: Any) -> Any:
        """Return ``(x - mean(x)) / max(std(x), min_std)`` per image."""
        mean = ops.mean(inputs, axis=(1, 2, 3), keepdims=True)
        centred = inputs - mean
        std = ops.sqrt(ops.mean(ops.square(centred), axis=(1, 2, 3), keepdims=True))
        return centred / ops.maximum(std, self.min_std)

    def get_config(self) -> dict[str, Any]:
        """Return the serialisable configuration."""
        return {**super().get_config(), "min_std": self.min_std}
