"""Reading AIDeveloper's ``_meta.xlsx`` and writing one like it."""

from __future__ import annotations

import stat
from pathlib import Path

import openpyxl
import pytest

from aid.errors import ModelLoadError
from aid.modelfile.meta_xlsx import (
    SHEETS,
    normalize_column,
    read_aid_meta,
    write_aid_meta,
)


@pytest.fixture(scope="module")
def tutorial_meta(tutorial: Path):
    return read_aid_meta(tutorial / "models" / "M01_AutoCat_meta.xlsx")


def test_tutorial_sheets(tutorial_meta):
    assert len(tutorial_meta.history) == 160
    assert len(tutorial_meta.used_data) == 4
    assert len(tutorial_meta.parameters) == 4
    row = tutorial_meta.history_row(128)
    assert row["saved"] == 1 and row["val_acc"] == 0.9325
    assert row["val_loss"] == pytest.approx(0.18839, abs=1e-5)
    assert tutorial_meta.history_row(159)["saved"] == 0
    assert tutorial_meta.history_row(999) is None
    first = tutorial_meta.first_parameters()
    assert (first["chosen_model"], first["input_image_size"], first["color_mode"]) == (
        "LeNet5_do",
        32,
        "Grayscale",
    )
    assert [
        p["epoch_started_using_these_settings"] for p in tutorial_meta.parameters
    ] == [
        0,
        30,
        56,
        159,
    ]
    used = tutorial_meta.used_data
    assert [(r["trainorvalid"], r["class"]) for r in used] == [
        ("Train", 0),
        ("Train", 1),
        ("Valid", 0),
        ("Valid", 1),
    ]


def test_tutorial_preprocessing_and_classes(tutorial_meta):
    prep = tutorial_meta.preprocessing()
    assert (prep.input_size, prep.color_mode, prep.normalization) == (
        32,
        "gray",
        "div255",
    )
    assert (prep.padding, prep.zoom_interpolation) == ("constant", "nearest")
    assert tutorial_meta.zoom_factor() == 1.0
    assert tutorial_meta.class_names() == ("automobile", "cat")


def test_to_model_meta_flags_unsaved_epochs(tutorial_meta):
    saved = tutorial_meta.to_model_meta(128)
    assert saved.epoch == 128 and saved.source["saved"] is True
    assert saved.software == {"aideveloper": "0.0.3"}
    unsaved = tutorial_meta.to_model_meta(159)
    assert unsaved.source["saved"] is False


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Nr. epochs", "nr_epochs"),
        ("Brightness add. lower", "brightness_add_lower"),
        ("Events/Epoch", "events_epoch"),
        ("gaussnoise scale", "gaussnoise_scale"),
        ("Input image crop", "input_image_size"),
        ("index", "class"),
        ("Epoch_Started_Using_These_Settings", "epoch_started_using_these_settings"),
    ],
)
def test_normalize_column(raw, expected):
    assert normalize_column(raw) == expected


def test_round_trip_keeps_values_and_index(tmp_path, tutorial_meta):
    target = tmp_path / "copy_meta.xlsx"
    write_aid_meta(
        target,
        tutorial_meta.used_data,
        tutorial_meta.data_overview,
        tutorial_meta.parameters,
        tutorial_meta.history,
    )
    again = read_aid_meta(target)
    assert again.history == tutorial_meta.history
    assert again.parameters == tutorial_meta.parameters  # index column all 0, kept
    assert again.used_data == tutorial_meta.used_data
    assert again.class_names() == ("automobile", "cat")
    book = openpyxl.load_workbook(target, read_only=True)
    assert book.sheetnames == list(SHEETS)
    header = next(book["History"].iter_rows(values_only=True))
    assert header[0] is None  # unnamed index column, as pandas writes it
    book.close()


def _aid048_meta(tmp_path: Path, **params) -> Path:
    """A meta file with AIDeveloper 0.4.8's snake_case columns."""
    base = {
        "aideveloper_version": "0.4.8",
        "chosen_model": "MLP_24_16_24",
        "input_image_size": 28,
        "color_mode": "RGB",
        "normalization": "StdScaling using mean and std of each image individually",
        "zoom_order": 3,
        "paddingmode": "reflect",
    }
    base.update(params)
    used = [
        {
            "TrainOrValid": "Train",
            "class": c,
            "rtdc_path": f"C:\\d\\{n}.rtdc",
            "zoom_factor": 1.15,
        }
        for c, n in enumerate(["beads", "cells", "debris"])
    ]
    overview = [
        {"Class": "Train. data"},
        {"Class": "0", "Name": "0"},
        {"Class": "1", "Name": "Blood"},
    ]
    history = [{"loss": 0.5, "accuracy": 0.8, "Saved": 1, "row": 0}]
    path = tmp_path / "X_meta.xlsx"
    write_aid_meta(path, used, overview, [base], history)
    return path


def test_aid048_columns_map_to_our_preprocessing(tmp_path):
    meta = read_aid_meta(_aid048_meta(tmp_path))
    prep = meta.preprocessing()
    assert (prep.input_size, prep.color_mode, prep.normalization) == (
        28,
        "rgb",
        "zscore_image",
    )
    assert (prep.padding, prep.zoom_interpolation) == ("reflect", "lanczos")
    assert meta.zoom_factor() == 1.15
    # DataOverview name wins when set, else the file name, else the number
    assert meta.class_names() == ("beads", "Blood", "debris")
    assert meta.to_model_meta(0).zoo_name == "MLP_24_16_24"


@pytest.mark.parametrize(
    ("text", "ours"),
    [
        ("None", "none"),
        ("Div. by 255", "div255"),
        ("StdScaling using mean and std of each image individually", "zscore_image"),
        ("StdScaling using mean and std of all training data", "zscore_train"),
    ],
)
def test_normalization_names(tmp_path, text, ours):
    meta = read_aid_meta(_aid048_meta(tmp_path, normalization=text))
    assert meta.preprocessing().normalization == ours


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"normalization": "Quantile"}, "unknown normalization"),
        ({"color_mode": "CMYK"}, "unknown color_mode"),
        ({"input_image_size": "big"}, "input image size"),
    ],
)
def test_invalid_parameters_are_clear_errors(tmp_path, params, message):
    meta = read_aid_meta(_aid048_meta(tmp_path, **params))
    with pytest.raises(ModelLoadError, match=message):
        meta.preprocessing()


def test_write_replaces_read_only_file(tmp_path):
    path = _aid048_meta(tmp_path)
    path.chmod(stat.S_IRUSR)  # AIDeveloper leaves its meta file read-only
    write_aid_meta(path, [], [], [{"input_image_size": 40}], [])
    assert read_aid_meta(path).first_parameters()["input_image_size"] == 40
    assert [p.name for p in tmp_path.iterdir()] == ["X_meta.xlsx"]


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "not found"), (b"not a workbook", "not a readable .xlsx")],
)
def test_bad_meta_files(tmp_path, content, message):
    path = tmp_path / "bad_meta.xlsx"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ModelLoadError, match=message):
        read_aid_meta(path)


def test_workbook_without_parameters_sheet(tmp_path):
    path = tmp_path / "other.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.save(path)
    with pytest.raises(ModelLoadError, match="no Parameters sheet"):
        read_aid_meta(path)
