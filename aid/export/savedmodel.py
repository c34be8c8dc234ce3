"""Write a model (with built-in normalisation) as a TensorFlow SavedModel folder.

The folder has one signature, ``serving_default``, taking ``image`` (float32
``(N, S, S, C)``, pixels 0-255) and returning ``scores``; load it with
``tf.saved_model.load(folder).signatures["serving_default"]``.
"""

from __future__ import annotations

from pathlib import Path

import keras

from aid.export.wrap import serving_function

#: Name of the signature (and endpoint) the SavedModel serves.
SIGNATURE = "serving_default"


def export_savedmodel(wrapped: keras.Model, folder: Path) -> None:
    """Write ``wrapped`` as a SavedModel into ``folder`` (created; must not exist)."""
    archive = keras.export.ExportArchive()
    archive.track(wrapped)
    archive.add_endpoint(SIGNATURE, serving_function(wrapped))
    archive.write_out(str(folder), verbose=False)
