"""Model export (ONNX, TF SavedModel, TFLite, ``.keras``) with preprocessing parity.

Import :mod:`aid.export.api` for :func:`~aid.export.api.export_model`; this
package file imports nothing heavy.
"""
