"""Sidecar contents and bad export requests."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from aid.data.preprocess import Preprocessing
from aid.errors import ExportError, ModelLoadError
from aid.export.api import FORMATS, export_model


def test_formats():
    assert FORMATS == ("onnx", "savedmodel", "tflite", "keras")


def test_sidecar_describes_the_legacy_model(exported, cases):
    result = exported("legacy_div255", "onnx")
    assert result.fmt == "onnx"
    assert result.sidecar_path == result.path.with_name("model.onnx.json")
    sidecar = json.loads(result.sidecar_path.read_text())
    assert sidecar["classes"] == ["automobile", "cat"]
    assert sidecar["input_shape"] == [32, 32, 1]
    assert sidecar["color_mode"] == "gray"
    assert sidecar["normalization"]["name"] == "div255"
    assert sidecar["inside_model"] is True
    assert (sidecar["input_name"], sidecar["output_name"]) == ("image", "scores")
    assert sidecar["input_dtype"] == "float32"
    assert sidecar["crop"]["method"] == "centre crop around pos / pixel size"
    assert sidecar["crop"]["padding"] == "constant"
    assert {"aid", "keras", "tensorflow", "tf2onnx"} <= set(sidecar["software"])
    assert sidecar["source_model"].endswith("M01_AutoCat_128.model")


def test_sidecar_records_training_statistics(exported, cases):
    prep = cases["cifar_zscore_train"].loaded.meta.preprocessing
    result = exported("cifar_zscore_train", "savedmodel")
    assert result.sidecar_path == result.path.with_name("model.json")
    sidecar = json.loads(result.sidecar_path.read_text())
    assert sidecar["normalization"] == {
        "name": "zscore_train",
        "mean": prep.mean,
        "std": prep.std,
        "min_std": 1e-4,
    }
    assert sidecar["input_shape"] == [24, 24, 3]
    assert sidecar["signature"] == "serving_default"


def test_unknown_format(cases, tmp_path):
    with pytest.raises(
        ExportError, match="unknown export format 'pb'.*onnx, savedmodel"
    ):
        export_model(cases["legacy_div255"].loaded, "pb", tmp_path / "m.pb")


def test_unwritable_destination(cases, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    with pytest.raises(ExportError, match="cannot write to"):
        export_model(cases["legacy_div255"].loaded, "onnx", blocker / "m.onnx")
    assert blocker.read_text() == "not a folder"


def test_savedmodel_refuses_a_non_empty_folder(cases, tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(ExportError, match="not empty"):
        export_model(cases["legacy_div255"].loaded, "savedmodel", tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_file_format_refuses_a_folder(cases, tmp_path):
    with pytest.raises(ExportError, match="is a folder; give a file name"):
        export_model(cases["legacy_div255"].loaded, "tflite", tmp_path)


def test_keras_export_needs_the_suffix(cases, tmp_path):
    with pytest.raises(ExportError, match=r"must end in \.keras"):
        export_model(cases["legacy_div255"].loaded, "keras", tmp_path / "model.h5")


def test_missing_model_file(tmp_path):
    with pytest.raises(ModelLoadError, match="not found"):
        export_model(tmp_path / "nothing.keras", "onnx", tmp_path / "m.onnx")


def test_failed_export_keeps_an_existing_file(cases, tmp_path):
    """Metadata that does not fit the model stops the export; nothing is lost."""
    loaded = cases["legacy_div255"].loaded
    wrong = replace(loaded.meta, preprocessing=Preprocessing(48, "gray", "div255"))
    out = tmp_path / "m.onnx"
    out.write_bytes(b"previous export")
    with pytest.raises(ExportError, match="metadata does not fit the model"):
        export_model(replace(loaded, meta=wrong), "onnx", out)
    assert out.read_bytes() == b"previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.onnx"]


def test_export_replaces_an_older_file_and_leaves_no_staging(cases, tmp_path):
    out = tmp_path / "m.tflite"
    out.write_bytes(b"old")
    result = export_model(cases["legacy_div255"].loaded, "tflite", out)
    assert out.read_bytes()[4:8] == b"TFL3"  # flatbuffer identifier
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.tflite", "m.tflite.json"]
    assert result.path == out
