"""``examples/deploy_onnx.py`` (no ``aid`` import) reproduces the app's predictions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from aid.data.preprocess import convert_color, crop_batch, normalize
from aid.data.rtdc import open_rtdc

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "deploy_onnx.py"


def run_script(*args: object) -> list[dict]:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def scores_of(lines: list[dict]) -> np.ndarray:
    return np.asarray([line["scores"] for line in lines])


def test_script_is_standalone():
    assert (
        "import aid" not in SCRIPT.read_text() and "from aid" not in SCRIPT.read_text()
    )


@pytest.mark.parametrize("engine", ["onnxruntime", "opencv"])
def test_rtdc_events_off_centre_with_padding(engine, tutorial, cases, exported):
    """Smileys sit anywhere in 60x100 RGB frames: colour, crop and pad all matter."""
    case = cases["legacy_div255"]
    rtdc_path = tutorial / "smileys" / "happy_10.rtdc"
    with open_rtdc(rtdc_path) as rtdc:
        images, centres = rtdc.images(), rtdc.centers_px()
    prep = case.loaded.meta.preprocessing
    crops = crop_batch(
        convert_color(images, prep.color_mode), centres, prep.input_size, prep.padding
    )
    app = case.loaded.model.predict(normalize(crops, prep), verbose=0)

    lines = run_script(
        exported("legacy_div255", "onnx").path, rtdc_path, "--engine", engine
    )
    assert [line["input"] for line in lines] == [
        f"happy_10.rtdc:{i}" for i in range(10)
    ]
    assert np.max(np.abs(scores_of(lines) - app)) <= 1e-4
    names = case.loaded.meta.class_names
    assert [line["class"] for line in lines] == [names[i] for i in app.argmax(1)]


def test_image_files_with_mirrored_padding(cases, cifar, exported, tmp_path):
    """JPEG files, RGB -> gray, a 36 px crop of 32 px images padded by reflection."""
    _, _, files = cifar
    chosen = files[::9]
    paths = []
    for name, data in chosen:
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    case = cases["cifar_zscore_image"]
    index = list(range(0, len(files), 9))

    lines = run_script(exported("cifar_zscore_image", "onnx").path, *paths)
    assert [line["input"] for line in lines] == [name for name, _ in chosen]
    assert np.max(np.abs(scores_of(lines) - case.app_scores[index])) <= 1e-4


def test_human_readable_output(cases, exported, tutorial):
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            str(exported("legacy_div255", "onnx").path),
            str(tutorial / "models" / "M01_AutoCat_Valid_Data.rtdc"),
            "--events",
            "0",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith("M01_AutoCat_Valid_Data.rtdc:0: ")
    assert "automobile=" in lines[0] and "cat=" in lines[0]
