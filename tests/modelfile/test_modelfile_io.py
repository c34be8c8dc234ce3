"""save_model / load_model / read_meta with real Keras models and files."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest

from aid.data.preprocess import Preprocessing
from aid.errors import ExportError, ModelLoadError
from aid.modelfile.io import (
    EMBEDDED_META,
    load_model,
    read_meta,
    save_model,
    sidecar_path,
)
from aid.modelfile.meta import ModelMeta

REPO = Path(__file__).resolve().parents[2]


def tiny_model(classes: int = 3, channels: int = 1) -> keras.Model:
    keras.utils.set_random_seed(1)
    return keras.Sequential(
        [
            keras.Input((8, 8, channels)),
            keras.layers.Conv2D(2, 3),
            keras.layers.Flatten(),
            keras.layers.Dense(classes),
            keras.layers.Activation("softmax"),
        ]
    )


@pytest.fixture
def meta() -> ModelMeta:
    prep = Preprocessing(
        8, "gray", "zscore_train", padding="edge", mean=101.5, std=17.25
    )
    return ModelMeta(("beads", "cells", "debris"), prep, "TinyCNN", 7, {"run": "r1"})


def test_round_trip_keeps_predictions_and_meta(tmp_path, meta):
    model = tiny_model()
    path = save_model(model, meta, tmp_path / "M_7.keras")
    assert path == tmp_path / "M_7.keras"
    assert sidecar_path(path) == tmp_path / "M_7.keras.json"
    assert ModelMeta.read_json(sidecar_path(path)) == meta
    with zipfile.ZipFile(path) as archive:
        assert json.loads(archive.read(EMBEDDED_META)) == meta.to_dict()
    loaded = load_model(path)
    assert loaded.meta == meta and not loaded.legacy and loaded.path == path
    x = np.random.default_rng(0).random((5, 8, 8, 1), dtype=np.float32)
    np.testing.assert_array_equal(
        loaded.model.predict(x, verbose=0), model.predict(x, verbose=0)
    )
    assert {p.name for p in tmp_path.iterdir()} == {"M_7.keras", "M_7.keras.json"}


def test_embedded_copy_serves_when_sidecar_is_gone(tmp_path, meta):
    path = save_model(tiny_model(), meta, tmp_path / "M.keras")
    sidecar_path(path).unlink()
    assert read_meta(path) == meta
    assert load_model(path).meta == meta


def test_overwrite_replaces_model_and_meta(tmp_path, meta):
    path = save_model(tiny_model(), meta, tmp_path / "M.keras")
    newer = ModelMeta(("a", "b"), meta.preprocessing, epoch=9)
    save_model(tiny_model(classes=2), newer, path)
    loaded = load_model(path)
    assert loaded.meta == newer and loaded.model.output_shape == (None, 2)


def test_sidecar_only_and_explicit_meta_path(tmp_path, meta):
    path = tmp_path / "plain.keras"
    tiny_model().save(path)  # a .keras file written by Keras alone
    meta.write_json(sidecar_path(path))
    assert read_meta(path) == meta
    other = meta.write_json(tmp_path / "elsewhere.json")
    sidecar_path(path).unlink()
    assert load_model(path, meta_path=other).meta == meta


def test_meta_is_assumed_without_any_record(tmp_path):
    path = tmp_path / "bare_12.keras"
    tiny_model(classes=4, channels=3).save(path)
    meta = load_model(path).meta
    assert meta.source["assumed"] is True
    assert meta.class_names == ("0", "1", "2", "3") and meta.epoch == 12
    prep = meta.preprocessing
    assert (prep.input_size, prep.color_mode, prep.normalization) == (
        8,
        "rgb",
        "div255",
    )
    assert read_meta(path) == meta


def test_legacy_model_meta_from_xlsx_beside_it(legacy_model_path):
    meta = read_meta(legacy_model_path)
    assert meta.class_names == ("automobile", "cat") and meta.epoch == 128


def test_legacy_model_without_meta_file_is_assumed(
    tmp_path, legacy_model_path, tutorial_models
):
    copy = tmp_path / "M01_AutoCat_128.model"
    shutil.copyfile(legacy_model_path, copy)
    loaded = load_model(copy)
    assert loaded.legacy and loaded.meta.source["assumed"] is True
    assert loaded.meta.class_names == ("0", "1") and loaded.meta.epoch == 128
    assert loaded.meta.preprocessing.input_shape == (32, 32, 1)
    explicit = load_model(copy, meta_path=tutorial_models / "M01_AutoCat_meta.xlsx")
    assert explicit.meta.class_names == ("automobile", "cat")


def test_meta_with_wrong_class_count_is_refused(tmp_path, meta):
    path = tmp_path / "M.keras"
    tiny_model(classes=3).save(path)
    wrong = ModelMeta(("a", "b"), meta.preprocessing)
    with pytest.raises(ModelLoadError, match="2 classes but the model has 3 outputs"):
        load_model(path, meta_path=wrong.write_json(tmp_path / "wrong.json"))
    with pytest.raises(ExportError, match="2 classes"):
        save_model(tiny_model(classes=3), wrong, tmp_path / "N.keras")
    assert not (tmp_path / "N.keras").exists()


def test_save_needs_keras_suffix(tmp_path, meta):
    with pytest.raises(ExportError, match=r"\.keras"):
        save_model(tiny_model(), meta, tmp_path / "M.h5")


def _corrupt_files(
    tmp_path: Path, good: Path, rtdc: Path, xlsx: Path
) -> dict[str, tuple[Path, str]]:
    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    text = tmp_path / "notes.keras"
    text.write_text("hello")
    other_zip = tmp_path / "other.keras"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("readme.txt", "not a model")
    bad_meta = tmp_path / "badmeta.keras"
    tiny_model().save(bad_meta)
    with zipfile.ZipFile(bad_meta, "a") as archive:
        archive.writestr(EMBEDDED_META, "{broken")
    image = tmp_path / "photo.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(50))
    return {
        "missing": (tmp_path / "nothing.keras", "not found"),
        "truncated": (truncated, "not a valid .keras"),
        "text": (text, "not a valid .keras"),
        "zip without model": (other_zip, "a zip archive but not a Keras model"),
        "excel meta file": (xlsx, "a zip archive but not a Keras model"),
        "broken embedded meta": (bad_meta, "embedded metadata"),
        "image": (image, "not a model file"),
        "rtdc": (rtdc, "no model architecture"),
    }


def test_bad_files_raise_model_load_error(tmp_path, meta, tutorial):
    good = save_model(tiny_model(), meta, tmp_path / "good.keras")
    sidecar_path(good).unlink()
    cases = _corrupt_files(
        tmp_path,
        good,
        tutorial / "data" / "test" / "cat.rtdc",
        tutorial / "models" / "M01_AutoCat_meta.xlsx",
    )
    for name, (path, message) in cases.items():
        with pytest.raises(ModelLoadError, match=message):
            load_model(path)
        if name not in ("rtdc", "image"):
            with pytest.raises(ModelLoadError, match=message):
                read_meta(path)


def test_read_meta_of_keras_file_does_not_import_keras(tmp_path, meta):
    path = save_model(tiny_model(), meta, tmp_path / "M.keras")
    code = textwrap.dedent(
        f"""
        import sys
        from aid.modelfile.io import read_meta
        meta = read_meta({str(path)!r})
        assert meta.class_names == ("beads", "cells", "debris"), meta
        assert "keras" not in sys.modules and "tensorflow" not in sys.modules
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


SAVE_LOOP = """
import sys
import keras
from aid.data.preprocess import Preprocessing
from aid.modelfile.io import save_model
from aid.modelfile.meta import ModelMeta
model = keras.Sequential([keras.Input((16, 16, 1)), keras.layers.Flatten(),
                          keras.layers.Dense(64), keras.layers.Dense(2)])
for epoch in range(10_000):
    meta = ModelMeta(("a", "b"), Preprocessing(16), epoch=epoch)
    save_model(model, meta, sys.argv[1])
    print(epoch, flush=True)
"""


def test_kill_during_save_never_leaves_a_broken_model(tmp_path):
    path = tmp_path / "M.keras"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.Popen(
        [sys.executable, "-c", SAVE_LOOP, str(path)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        for _ in range(3):  # let it finish a few saves, then kill mid-way through one
            assert proc.stdout.readline(), "the saving process died"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    loaded = load_model(path)
    assert loaded.meta.epoch >= 2
    assert ModelMeta.read_json(sidecar_path(path)).epoch >= loaded.meta.epoch - 1


def test_failed_save_keeps_the_previous_file(tmp_path, meta):
    path = save_model(tiny_model(), meta, tmp_path / "M.keras")
    before = path.read_bytes()
    unserialisable = ModelMeta(
        meta.class_names, meta.preprocessing, source={"x": {1, 2}}
    )
    with pytest.raises(TypeError):  # the metadata fails after Keras wrote the model
        save_model(tiny_model(), unserialisable, path)
    assert path.read_bytes() == before
    assert {p.name for p in tmp_path.iterdir()} == {"M.keras", "M.keras.json"}
