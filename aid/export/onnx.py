"""Write a model (with built-in normalisation) as ONNX via tf2onnx.

tf2onnx ``from_function`` converts the same ``tf.function`` the SavedModel
writer serves, so every format has the input ``image`` (NHWC float32) and the
output ``scores``. Opset 13 is read by onnxruntime and by OpenCV's dnn module.
"""

from __future__ import annotations

from pathlib import Path

import keras
import onnx
import tf2onnx

from aid.export.wrap import OUTPUT_NAME, serving_function

#: ONNX operator set written; 13 is widely supported (onnxruntime, OpenCV dnn).
ONNX_OPSET = 13


def export_onnx(wrapped: keras.Model, path: Path) -> None:
    """Write ``wrapped`` (from :func:`~aid.export.wrap.with_normalization`) as ONNX."""
    serve = serving_function(wrapped)
    proto, _ = tf2onnx.convert.from_function(
        serve, input_signature=serve.input_signature, opset=ONNX_OPSET
    )
    _rename_output(proto, OUTPUT_NAME)
    onnx.checker.check_model(proto)
    onnx.save(proto, str(path))


def _rename_output(proto: onnx.ModelProto, name: str) -> None:
    """Give the graph's single output ``name`` (tf2onnx calls it ``Identity:0``)."""
    graph = proto.graph
    old = graph.output[0].name
    if old == name:
        return
    for node in graph.node:
        node.output[:] = [name if out == old else out for out in node.output]
        node.input[:] = [name if inp == old else inp for inp in node.input]
    graph.output[0].name = name
